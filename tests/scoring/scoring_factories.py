"""Shared test data for the scoring tests: small tables and hypothesis strategies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
import polars as pl
from hypothesis import strategies as st

from scoring import Households, Municipalities, RentLimits, Vacancies, Vacancy, load_policy
from scoring.synthetic import example_market_types, example_municipalities

REF = dt.date(2026, 3, 1)
CHANGE = dt.date(2026, 1, 1)  # the area IV limits change on this day
POLICY = load_policy("dringlichkeit")
MINDEN = "05770024"
HILLE = "05770012"
ESPELKAMP = "05770008"
TESTDORF = "05770099"  # area "V": no rent limit recorded anywhere


def municipalities() -> Municipalities:
    base = example_municipalities()
    return Municipalities(
        ags=(*base.ags, TESTDORF),
        name=(*base.name, "Testdorf"),
        lat=np.append(base.lat, 52.35),
        lon=np.append(base.lon, 8.80),
    )


def rent_limits() -> RentLimits:
    """Two tables: the market types until CHANGE - 1 day, then with new area IV values.

    No table before 2025 (a gap); Testdorf has no area in either table.
    """
    rows: list[dict[str, Any]] = []
    market = example_market_types()

    def area(
        table: int,
        name: str,
        values: list[float],
        inc: float | None,
        heating: float | None = None,
    ) -> None:
        start, end = (dt.date(2025, 1, 1), CHANGE - dt.timedelta(days=1))
        if table == 2:
            start, end = CHANGE, None
        base = {
            "table": table,
            "area": name,
            "municipalities": ";".join(a for a, kind in market.items() if kind == name),
            "valid_from": start,
            "valid_to": end,
        }
        for persons, value in enumerate(values, start=1):
            rows.append(
                {
                    **base,
                    "persons": str(persons),
                    "max_gross_cold_rent": value,
                    "max_heating_cost": None if heating is None else heating * persons,
                }
            )
        if inc is not None:
            rows.append(
                {**base, "persons": "+1", "max_gross_cold_rent": inc, "max_heating_cost": heating}
            )

    for table in (1, 2):
        area(table, "I", [420, 500, 590, 680, 770], 90, heating=45.0)
        area(table, "II", [395, 470, 555, 640, 725], None)  # no "+1": 6+ persons unknown
        area(table, "III", [405, 480, 565, 650, 740], 85, heating=40.0)
    area(1, "IV", [445, 530, 625, 720, 815], 95)
    area(2, "IV", [450, 478, 570, 660, 750], 90, heating=50.0)
    return RentLimits.from_polars(pl.DataFrame(rows))


TOWNS = [MINDEN, HILLE, ESPELKAMP, "05770004", "05770028", TESTDORF]
DATES = st.one_of(
    st.sampled_from([REF, CHANGE, CHANGE - dt.timedelta(days=1), CHANGE + dt.timedelta(days=1)]),
    st.dates(min_value=REF - dt.timedelta(days=800), max_value=REF + dt.timedelta(days=200)),
)
OPTIONAL_DATE = st.one_of(st.none(), DATES)


@st.composite
def household_record(draw: st.DrawFn, hid: int) -> dict[str, Any]:
    urgency = draw(
        st.sampled_from(
            [
                "eviction_scheduled",
                "homeless",
                "notice_received",
                "inadequate_housing",
                "threatened",
                "none",
            ]
        )
    )
    income = draw(st.sampled_from(["sgb2", "sgb2", "sgb12", "asylblg", "wohngeld", "own_income"]))
    return {
        "id": hid,
        "persons": draw(st.one_of(st.integers(1, 5), st.integers(6, 12))),
        "income_basis": income,
        "own_max_rent": draw(
            st.one_of(
                st.none(),
                st.sampled_from([478.0, 520.0, 600.0, 750.0]),
                st.integers(30_000, 120_000).map(lambda cents: cents / 100),  # whole cents
            )
        ),
        "wbs_valid_until": draw(OPTIONAL_DATE),
        "needs_barrier_free": draw(st.booleans()),
        "needs_wheelchair": draw(st.booleans()),
        "needs_ground_floor": draw(st.booleans()),
        "max_floor_without_lift": draw(st.one_of(st.none(), st.integers(0, 3))),
        "has_pets": draw(st.booleans()),
        "preferred_ags": draw(st.lists(st.sampled_from([*TOWNS, "09999999"]), max_size=3)),
        "preferences_hard": draw(st.booleans()),
        "max_distance_km": draw(st.one_of(st.none(), st.floats(0, 40))),
        "urgency": urgency,
        "eviction_date": draw(OPTIONAL_DATE),
        "notice_date": draw(OPTIONAL_DATE),
        "homeless_since": draw(OPTIONAL_DATE),
        "registered_at": draw(DATES),
        "status": draw(st.sampled_from(["active", "active", "active", "paused", "closed"])),
    }


@st.composite
def households(draw: st.DrawFn, max_size: int = 20) -> Households:
    n = draw(st.integers(1, max_size))
    records = [
        draw(household_record(hid))
        for hid in draw(st.lists(st.integers(1, 10_000), min_size=n, max_size=n, unique=True))
    ]
    return households_from(records)


def households_from(records: list[dict[str, Any]]) -> Households:
    schema = {
        "preferred_ags": pl.List(pl.String),
        "own_max_rent": pl.Float64,
        "max_distance_km": pl.Float64,
        "max_floor_without_lift": pl.Int64,
    }
    for key in (
        "wbs_valid_until",
        "eviction_date",
        "notice_date",
        "homeless_since",
        "registered_at",
    ):
        schema[key] = pl.Date
    return Households.from_polars(pl.DataFrame(records, schema_overrides=schema))


@st.composite
def vacancy(draw: st.DrawFn, vid: int = 1) -> Vacancy:
    own = draw(st.booleans())
    return Vacancy(
        id=vid,
        municipality_ags=draw(st.sampled_from(TOWNS)),
        rooms=draw(st.sampled_from([1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0])),
        living_area=draw(
            st.one_of(
                st.sampled_from(
                    [20.0, 30.0, 40.0, 50.0, 55.0, 60.0, 65.0, 70.0, 75.0, 80.0, 95.0, 120.0]
                ),
                st.floats(15, 150),
            )
        ),
        floor=draw(st.integers(-1, 5)),
        net_cold_rent=draw(
            st.one_of(
                st.sampled_from([300.0, 372.0, 400.0, 450.5, 520.0]),
                st.integers(15_000, 90_000).map(lambda cents: Decimal(cents) / 100),
            )
        ),
        cold_service_charges=draw(st.sampled_from([0.0, 50.0, 78.0, 100.0])),
        heating_costs=draw(st.one_of(st.none(), st.sampled_from([60.0, 100.0, 140.0]))),
        available_from=draw(DATES),
        lat=draw(st.floats(52.2, 52.45)) if own else None,
        lon=draw(st.floats(8.45, 9.0)) if own else None,
        lift=draw(st.booleans()),
        barrier_free=draw(st.booleans()),
        wheelchair_accessible=draw(st.booleans()),
        wbs_required=draw(st.booleans()),
        pets=draw(st.sampled_from(["yes", "no", "on_request"])),
        min_persons=draw(st.one_of(st.none(), st.integers(1, 3))),
        max_persons=draw(st.one_of(st.none(), st.integers(3, 8))),
    )


def base_household(**changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": 1,
        "persons": 2,
        "income_basis": "sgb2",
        "own_max_rent": None,
        "wbs_valid_until": None,
        "needs_barrier_free": False,
        "needs_wheelchair": False,
        "needs_ground_floor": False,
        "max_floor_without_lift": None,
        "has_pets": False,
        "preferred_ags": [],
        "preferences_hard": False,
        "max_distance_km": None,
        "urgency": "none",
        "eviction_date": None,
        "notice_date": None,
        "homeless_since": None,
        "registered_at": dt.date(2025, 6, 1),
        "status": "active",
    }
    record.update(changes)
    return record


def base_vacancy(**changes: Any) -> Vacancy:
    values: dict[str, Any] = {
        "id": 7,
        "municipality_ags": MINDEN,
        "rooms": 2.0,
        "living_area": 60.0,
        "floor": 1,
        "net_cold_rent": 400.0,
        "cold_service_charges": 78.0,
        "heating_costs": 90.0,
        "available_from": dt.date(2026, 4, 1),
        "lift": True,
        "pets": "yes",
    }
    values.update(changes)
    return Vacancy(**values)


def vacancies_of(items: list[Vacancy]) -> Vacancies:
    return Vacancies.from_vacancies(items)
