"""Reference codes: the pseudonym that is the only identifier a landlord sees before consent."""

from __future__ import annotations


def reference_code(year: int, number: int) -> str:
    return f"HH-{year}-{number:05d}"
