"""Exceptions raised at the engine's boundary."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FieldError", "PolicyError", "ScoringInputError"]


@dataclass(frozen=True)
class FieldError:
    """One invalid input field: the field name (database column) and a German message."""

    field: str
    message: str


class ScoringInputError(ValueError):
    """Input tables failed validation; ``errors`` names every bad field (for a 422 answer)."""

    def __init__(self, errors: list[FieldError] | tuple[FieldError, ...]) -> None:
        self.errors: tuple[FieldError, ...] = tuple(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))

    @property
    def fields(self) -> tuple[str, ...]:
        """Names of the offending fields, in order, without repetition."""
        return tuple(dict.fromkeys(e.field for e in self.errors))


class PolicyError(ValueError):
    """A policy file or name is invalid; the message names the offending key."""

    def __init__(self, message: str, *, key: str | None = None) -> None:
        self.key = key
        super().__init__(message)
