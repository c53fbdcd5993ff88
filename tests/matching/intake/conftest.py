from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from matching.intake import (
    Municipality,
    MunicipalityIndex,
    ParseResult,
    load_municipalities_csv,
    parse_vacancy_file,
)

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TODAY = date(2026, 5, 1)

Parse = Callable[..., ParseResult]


@pytest.fixture(scope="session")
def municipalities() -> list[Municipality]:
    return load_municipalities_csv(ROOT / "src/matching/reference/municipalities.csv")


@pytest.fixture(scope="session")
def index(municipalities: list[Municipality]) -> MunicipalityIndex:
    return MunicipalityIndex(municipalities)


@pytest.fixture
def parse(municipalities: list[Municipality]) -> Parse:
    def run(data: bytes | str, filename: str = "angebote.csv", **kwargs: object) -> ParseResult:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        return parse_vacancy_file(
            raw, filename, today=TODAY, municipalities=municipalities, **kwargs
        )

    return run
