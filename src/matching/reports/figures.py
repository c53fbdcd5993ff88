"""The report's figures: polars aggregations over the columnar frames of the repository.

Pure functions (frames in, tables out) so the benchmark and the tests can call them on data
of any size; every count of households passes through the suppression of
:mod:`matching.reports.tables`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from matching.enums import (
    ApplicationOutcome,
    CaseKind,
    CaseOutcome,
    IncomeBasis,
    ProposalStatus,
    ReferralKind,
    Urgency,
    label,
)
from matching.reports.tables import (
    Cell,
    Table,
    count_table,
    measure_table,
    stage_table,
)
from scoring.inputs import KDU_INCOME_BASES
from scoring.limits import NO_AMOUNT

I64 = npt.NDArray[np.int64]
SECONDS_PER_DAY = 86_400

SIZE_LABELS = ("1 Person", "2 Personen", "3 Personen", "4 Personen", "5 und mehr Personen")
ROOM_LABELS = (
    "bis 1,5 Zimmer",
    "2 bis 2,5 Zimmer",
    "3 bis 3,5 Zimmer",
    "4 bis 4,5 Zimmer",
    "5 und mehr Zimmer",
)
RENT_EDGES = (350.0, 450.0, 550.0, 650.0)
RENT_LABELS = (
    "unter 350 €",
    "350 bis unter 450 €",
    "450 bis unter 550 €",
    "550 bis unter 650 €",
    "650 € und mehr",
)
STAGES = ("gesendet", "beantwortet", "zugesagt", "vermietet")


@dataclass(frozen=True)
class Names:
    """Display names the tables need (towns by AGS, organisations by id, decline reasons)."""

    towns: dict[str, str]
    organisations: dict[int, str]
    reasons: dict[str, str]


def size_bucket(persons: pl.Expr) -> pl.Expr:
    """Household size 1..5+ as index 0..4."""
    return pl.min_horizontal(persons, pl.lit(5)) - 1


def _counts(df: pl.DataFrame, key: pl.Expr, n: int) -> I64:
    """Rows per category index 0..n-1 (categories without rows count 0)."""
    out = np.zeros(n, dtype=np.int64)
    if df.height:
        grouped = df.select(key.alias("k")).group_by("k").len()
        for k, count in grouped.iter_rows():
            if k is not None and 0 <= k < n:
                out[int(k)] = int(count)
    return out


def _cross(df: pl.DataFrame, row: pl.Expr, col: pl.Expr, shape: tuple[int, int]) -> I64:
    """Rows per (row index, column index)."""
    out = np.zeros(shape, dtype=np.int64)
    if df.height:
        grouped = df.select(row.alias("r"), col.alias("c")).group_by("r", "c").len()
        for r, c, count in grouped.iter_rows():
            if r is not None and c is not None and 0 <= r < shape[0] and 0 <= c < shape[1]:
                out[int(r), int(c)] += int(count)
    return out


def _index(column: str, keys: Sequence[object]) -> pl.Expr:
    """Category value → its position in ``keys`` (null when not listed)."""
    mapping = {k: i for i, k in enumerate(keys)}
    return pl.col(column).replace_strict(mapping, default=None, return_dtype=pl.Int64)


def searching(households: pl.DataFrame, lets: pl.DataFrame, start_day: int) -> pl.DataFrame:
    """Households still searching in the period: registered, not closed and not housed
    before it began (housed = a flat let to them before the first day)."""
    housed_before = lets.filter((pl.col("closed_at") // SECONDS_PER_DAY) < start_day)
    return households.join(
        housed_before.select(pl.col("household_id").alias("id")).unique(), on="id", how="anti"
    )


def household_tables(hh: pl.DataFrame) -> list[Table]:
    urgencies = [u.value for u in Urgency]
    bases = [b.value for b in IncomeBasis]
    return [
        count_table(
            "haushalte-groesse",
            "Suchende Haushalte nach Größe",
            "Haushaltsgröße",
            SIZE_LABELS,
            ["Haushalte"],
            _counts(hh, size_bucket(pl.col("persons")), 5).reshape(-1, 1),
        ),
        count_table(
            "haushalte-dringlichkeit",
            "Suchende Haushalte nach Dringlichkeit",
            "Dringlichkeit",
            [label(u) for u in urgencies],
            ["Haushalte"],
            _counts(hh, _index("urgency", urgencies), len(urgencies)).reshape(-1, 1),
        ),
        count_table(
            "haushalte-leistungsbezug",
            "Suchende Haushalte nach Leistungsbezug",
            "Leistungsbezug",
            [label(b) for b in bases],
            ["Haushalte"],
            _counts(hh, _index("income_basis", bases), len(bases)).reshape(-1, 1),
        ),
    ]


def _plain_table(
    key: str, title: str, stub: str, labels: Sequence[str], counts: I64, column: str
) -> Table:
    """Counts of flats (not of households: nothing to protect), with their total."""
    rows = [(lbl, (Cell(float(n)),)) for lbl, n in zip(labels, counts, strict=True)]
    rows.append(("Gesamt", (Cell(float(counts.sum())),)))
    return Table(key, title, stub, (column,), tuple(rows), has_total=True)


def flat_tables(flats: pl.DataFrame, names: Names) -> list[Table]:
    gross = pl.col("net_cold_rent") + pl.col("cold_service_charges")
    rooms = (pl.min_horizontal(pl.col("rooms").ceil(), pl.lit(5.0)).cast(pl.Int64) - 1).clip(0)
    band = pl.sum_horizontal(*[(gross >= edge).cast(pl.Int64) for edge in RENT_EDGES])
    towns = list(names.towns)
    return [
        _plain_table(
            "wohnungen-groesse",
            "Angebotene Wohnungen nach Zimmerzahl",
            "Zimmer",
            ROOM_LABELS,
            _counts(flats, rooms, 5),
            "Wohnungen",
        ),
        _plain_table(
            "wohnungen-miete",
            "Angebotene Wohnungen nach Bruttokaltmiete",
            "Bruttokaltmiete",
            RENT_LABELS,
            _counts(flats, band, 5),
            "Wohnungen",
        ),
        _plain_table(
            "wohnungen-kommune",
            "Angebotene Wohnungen nach Kommune",
            "Kommune",
            [names.towns[a] for a in towns],
            _counts(flats, _index("municipality_ags", towns), len(towns)),
            "Wohnungen",
        ),
    ]


def gap_tables(
    hh: pl.DataFrame, flats: pl.DataFrame, gross_cents: I64, limit_cents: I64, names: Names
) -> list[Table]:
    """Per town and household size: households with a KdU limit (first wish in the town)
    against flats offered there whose Bruttokaltmiete the limit for that size covers.

    ``gross_cents`` and ``limit_cents`` (flats × household size, ``NO_AMOUNT`` = no limit)
    come from the engine. A gap cell is hidden wherever its household count is, or it would
    give the count back.
    """
    towns = list(names.towns)
    kdu = hh.filter(pl.col("income_basis").is_in(sorted(KDU_INCOME_BASES)))
    demand = _cross(kdu, _index("town", towns), size_bucket(pl.col("persons")), (len(towns), 5))
    households = count_table(
        "luecke-haushalte",
        "Suchende Haushalte mit KdU-Grenze nach Wunschort und Größe",
        "Kommune (erster Wunschort)",
        [names.towns[a] for a in towns],
        SIZE_LABELS,
        demand,
        note="Haushalte mit Bürgergeld, Sozialhilfe oder AsylbLG (für sie gilt die "
        "Angemessenheitsgrenze); Haushalte ohne Wunschort sind nicht enthalten.",
        chart_columns=(len(SIZE_LABELS),),  # households per town; the gap chart shows sizes
    )
    supply = np.zeros((len(towns), 5), dtype=np.int64)
    if flats.height:
        town_idx = np.array([towns.index(a) for a in flats["municipality_ags"].to_list()])
        for s in range(5):
            limit = limit_cents[:, s + 1]
            within = (limit != NO_AMOUNT) & (gross_cents <= limit)
            supply[:, s] = np.bincount(town_idx[within], minlength=len(towns))
    rows = []
    for t, ags in enumerate(towns):
        cells = []
        for s in range(5):
            hidden = households.rows[t][1][s].hidden
            cells.append(Cell(float(demand[t, s] - supply[t, s]), hidden))
        rows.append((names.towns[ags], tuple(cells)))
    flats_table = Table(
        "luecke-wohnungen",
        "Angebotene Wohnungen innerhalb der KdU-Grenze nach Kommune und Haushaltsgröße",
        "Kommune",
        SIZE_LABELS,
        tuple(
            (names.towns[a], tuple(Cell(float(v)) for v in supply[t])) for t, a in enumerate(towns)
        ),
        note="Eine Wohnung zählt für jede Haushaltsgröße, deren Grenze ihre Bruttokaltmiete "
        "einhält (Grenze der am Bezugstag gültigen Tabelle).",
    )
    gap = Table(
        "luecke",
        "Versorgungslücke: Haushalte minus passende Wohnungen",
        "Kommune",
        SIZE_LABELS,
        tuple(rows),
        note="Positive Zahl: mehr suchende Haushalte als Wohnungen innerhalb ihrer Grenze.",
        chart_columns=(0, 1, 2, 3, 4),
    )
    return [households, flats_table, gap]


def _stages(df: pl.DataFrame, key: pl.Expr, n: int) -> I64:
    accepted = pl.col("status").is_in([ProposalStatus.ACCEPTED.value, ProposalStatus.LET.value])
    parts = [
        df,
        df.filter(pl.col("answered_at").is_not_null()),
        df.filter(accepted),
        df.filter(pl.col("status") == ProposalStatus.LET.value),
    ]
    return np.column_stack([_counts(part, key, n) for part in parts])


def proposal_tables(sent: pl.DataFrame, names: Names, *, per_landlord: bool) -> list[Table]:
    towns = list(names.towns)
    tables = [
        stage_table(
            "vorschlaege-kommune",
            "Vorschläge nach Kommune der Wohnung",
            "Kommune",
            [names.towns[a] for a in towns],
            STAGES,
            _stages(sent, _index("town", towns), len(towns)),
        )
    ]
    if per_landlord:
        landlords = sorted(
            {int(i) for i in sent["landlord_organisation_id"].unique().to_list()},
            key=lambda i: names.organisations.get(i, ""),
        )
        tables.append(
            stage_table(
                "vorschlaege-vermieter",
                "Vorschläge nach Vermieter",
                "Vermieter",
                [names.organisations.get(i, "unbekannt") for i in landlords],
                STAGES,
                _stages(sent, _index("landlord_organisation_id", landlords), len(landlords)),
            )
        )
    declined = sent.filter(pl.col("status") == ProposalStatus.DECLINED.value)
    codes = sorted(names.reasons, key=lambda c: names.reasons[c])
    counts = _counts(declined, _index("decline_reason_code", codes), len(codes))
    used = [i for i, n in enumerate(counts) if n]  # reasons nobody gave make no row
    tables.append(
        count_table(
            "absagegruende",
            "Absagegründe",
            "Grund",
            [names.reasons[codes[i]] for i in used],
            ["Absagen"],
            counts[used].reshape(-1, 1),
            note="Absagen der im Zeitraum gesendeten Vorschläge, nach angegebenem Grund.",
        )
    )
    return tables


def _spread(values: pl.Series) -> list[float | None]:
    if values.len() == 0:
        return [None, None]
    median = values.median()
    p90 = values.quantile(0.9, "linear")
    return [
        None if median is None else float(median),  # type: ignore[arg-type]
        None if p90 is None else float(p90),
    ]


def _measures(
    df: pl.DataFrame, key: pl.Expr, n: int, value: str
) -> tuple[list[int], list[list[float | None]]]:
    """Per category 0..n-1: how many rows, and the median and 90th percentile of ``value``."""
    counts: list[int] = [0] * n
    figures: list[list[float | None]] = [[None, None] for _ in range(n)]
    if df.height:
        grouped = (
            df.select(key.alias("k"), pl.col(value))
            .group_by("k")
            .agg(
                pl.len().alias("n"),
                pl.col(value).median().alias("median"),
                pl.col(value).quantile(0.9, "linear").alias("p90"),
            )
        )
        for k, count, median, p90 in grouped.iter_rows():
            if k is not None and 0 <= k < n:
                counts[int(k)] = int(count)
                figures[int(k)] = [median, p90]
    return counts, figures


def time_tables(
    lets: pl.DataFrame,
    sent: pl.DataFrame,
    start_day: int,
    end_day: int,
    names: Names,
    *,
    per_landlord: bool,
) -> list[Table]:
    """Days from registration to a let flat (lets in the period) by household size, and the
    landlords' answer times (proposals sent in the period and answered)."""
    let_day = pl.col("closed_at") // SECONDS_PER_DAY
    housed = lets.filter(let_day.is_between(start_day, end_day)).with_columns(
        (let_day - pl.col("registered_at")).cast(pl.Float64).alias("days")
    )
    counts, figures = _measures(housed, size_bucket(pl.col("persons")), 5, "days")
    tables = [
        measure_table(
            "dauer-bis-wohnung",
            "Zeit von der Aufnahme bis zur vermieteten Wohnung",
            "Haushaltsgröße",
            SIZE_LABELS,
            counts,
            figures,
            ["Median (Tage)", "90. Perzentil (Tage)"],
            unit="Tage",
            total=(housed.height, _spread(housed["days"])),
        )
    ]
    answered = sent.filter(pl.col("answered_at").is_not_null()).with_columns(
        ((pl.col("answered_at") - pl.col("sent_at")) / SECONDS_PER_DAY).alias("days")
    )
    landlords = (
        sorted(
            {int(i) for i in answered["landlord_organisation_id"].unique().to_list()},
            key=lambda i: names.organisations.get(i, ""),
        )
        if per_landlord
        else []
    )
    counts, figures = _measures(
        answered, _index("landlord_organisation_id", landlords), len(landlords), "days"
    )
    tables.append(
        measure_table(
            "antwortzeiten",
            "Antwortzeit der Vermieter",
            "Vermieter",
            [names.organisations.get(i, "unbekannt") for i in landlords],
            counts,
            figures,
            ["Median (Tage)", "90. Perzentil (Tage)"],
            count_label="Antworten",
            unit="Tage",
            total=(answered.height, _spread(answered["days"])),
        )
    )
    return tables


def prevention_tables(
    frames: dict[str, pl.DataFrame], start_day: int, end_day: int, names: Names
) -> list[Table]:
    """Casework of the period: cases opened by kind, outcomes of prevention cases closed,
    decisions on applications to take over arrears, contacts per town, referrals by kind."""
    cases = frames["cases"]
    kinds = [k.value for k in CaseKind]
    opened = cases.filter(pl.col("opened_on").is_between(start_day, end_day))
    closed = cases.filter(
        (pl.col("kind") == CaseKind.PREVENTION.value)
        & pl.col("closed_on").is_between(start_day, end_day)
    )
    outcomes = [o.value for o in CaseOutcome if o != CaseOutcome.HOUSED]
    decided = cases.filter(pl.col("application_decided_on").is_between(start_day, end_day))
    decisions = [a.value for a in ApplicationOutcome]
    referral_kinds = [r.value for r in ReferralKind]
    towns = list(names.towns)
    places = [*towns, None]
    place_labels = [*(names.towns[a] for a in towns), "ohne Ortsangabe"]
    by_town = np.column_stack(
        [
            _counts(frames[key], _index("municipality_ags", places), len(places))
            for key in ("contacts", "short")
        ]
    )
    return [
        count_table(
            "faelle-eroeffnet",
            "Eröffnete Fälle nach Art",
            "Art",
            [label(k) for k in kinds],
            ["Fälle"],
            _counts(opened, _index("kind", kinds), len(kinds)).reshape(-1, 1),
        ),
        count_table(
            "wohnungssicherung-ergebnis",
            "Abgeschlossene Fälle der Wohnungssicherung nach Ergebnis",
            "Ergebnis",
            [label(o) for o in outcomes],
            ["Fälle"],
            _counts(closed, _index("outcome", outcomes), len(outcomes)).reshape(-1, 1),
            note="„Wohnung erhalten“: der Wohnungsverlust wurde abgewendet.",
        ),
        count_table(
            "antraege",
            "Entschiedene Anträge auf Übernahme der Mietschulden",
            "Entscheidung",
            [f"bewilligt als {label(a)}" if a != "rejected" else "abgelehnt" for a in decisions],
            ["Anträge"],
            _counts(decided, _index("application_outcome", decisions), len(decisions)).reshape(
                -1, 1
            ),
            note="§ 22 Abs. 8 SGB II / § 36 SGB XII; nach Tag der Entscheidung.",
        ),
        stage_table(
            "kontakte-kommune",
            "Kontakte und Kurzberatungen nach Kommune",
            "Kommune",
            place_labels,
            ["Kontakte", "Kurzberatungen"],
            by_town,
        ),
        count_table(
            "vermittlungen",
            "Vermittlungen in weiterführende Hilfen nach Art",
            "Art der Hilfe",
            [label(k) for k in referral_kinds],
            ["Vermittlungen"],
            _counts(
                frames["referrals"], _index("kind", referral_kinds), len(referral_kinds)
            ).reshape(-1, 1),
        ),
    ]
