"""Zip bombs whose directory lies: the real inflated size is measured, never the claims."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable

import pytest

from matching.intake import ParseResult
from matching.intake.archive import MAX_RATIO, ArchiveProblem, inspect_zip
from tests.support.zipbomb import honest_bomb_xlsx, lying_openimmo_zip, lying_xlsx

Parse = Callable[..., ParseResult]
MB = 1024 * 1024


@pytest.fixture(scope="module")
def lying_bomb() -> bytes:
    return lying_xlsx(120 * MB)  # claims 2 KB for sharedStrings.xml


def test_lying_xlsx_is_refused_at_the_first_excess_byte(parse: Parse, lying_bomb: bytes) -> None:
    started = time.perf_counter()
    result = parse(lying_bomb, "bombe.xlsx")
    assert time.perf_counter() - started < 1.0
    assert [e.code for e in result.errors] == ["too_large"]
    assert "Größenangaben im Archiv stimmen nicht" in result.errors[0].message
    assert not result.rows


def test_inspection_memory_is_constant(lying_bomb: bytes) -> None:
    honest = honest_bomb_xlsx(60 * MB)  # truthful claims, below the total budget
    tracemalloc.start()
    try:
        assert inspect_zip(lying_bomb) == ArchiveProblem("lying", "xl/sharedStrings.xml")
        assert inspect_zip(honest) == ArchiveProblem("ratio", "xl/sharedStrings.xml")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * MB


def test_honest_bomb_is_refused_by_ratio(parse: Parse) -> None:
    result = parse(honest_bomb_xlsx(20 * MB), "bombe.xlsx")
    assert [e.code for e in result.errors] == ["too_large"]
    assert "ungewöhnlich stark komprimiert" in result.errors[0].message
    assert MAX_RATIO >= 50  # real spreadsheets compress 5-10x


def test_total_budget_counts_real_bytes_not_claims() -> None:
    small_claims = lying_xlsx(3 * MB, claimed_bytes=3 * MB - 10)
    problem = inspect_zip(small_claims, max_unpacked=2 * MB)
    assert isinstance(problem, ArchiveProblem)
    assert problem.reason in {"lying", "too_large"}


def test_lying_openimmo_zip_is_refused(parse: Parse) -> None:
    result = parse(lying_openimmo_zip(40 * MB), "lieferung.zip")
    assert [e.code for e in result.errors] == ["too_large"]
    assert "stimmen nicht" in result.errors[0].message


def test_truncated_or_garbled_archive_is_invalid(parse: Parse) -> None:
    data = lying_xlsx(2 * MB)
    result = parse(data[: len(data) // 2] + data[-22:], "kaputt.xlsx")
    assert [e.code for e in result.errors] == ["not_xlsx"]


def test_genuine_workbook_passes(parse: Parse) -> None:
    from matching.intake import xlsx_template

    assert isinstance(inspect_zip(xlsx_template()), list)
