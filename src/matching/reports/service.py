"""Reports for the network: who may see which report, the request's period and filters, and
the report itself (columnar reads, polars figures, suppressed tables).

Who sees what: the Fachstelle (administrators and the Fachstelle's own counselors) chooses
any period and filter. The network's members (counselling offices and landlords) see the
published yearly report: a calendar year that is over; they may narrow it to a town or to
their own organisation, never to another one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl
from sqlalchemy.ext.asyncio import AsyncSession

from matching.actors import Actor
from matching.enums import OrganisationKind, Role
from matching.errors import Forbidden
from matching.numbers import plain_int
from matching.ranking.snapshot import ReferenceSnapshot
from matching.reports import figures, repository
from matching.reports.period import Period, parse_period
from matching.reports.repository import Filters
from matching.reports.tables import Table
from matching.validation import FieldError, ValidationFailed
from scoring import Municipalities, RentLimits, Vacancies
from scoring.inputs import MAX_PERSONS, day_number
from scoring.pairs import VacancyFrame

NETWORK_ONLY_YEAR = (
    "Mitglieder des Netzwerks sehen den veröffentlichten Jahresbericht eines abgeschlossenen "
    "Jahres. Bitte ein vergangenes Jahr wählen."
)


@dataclass(frozen=True)
class Section:
    title: str
    intro: str
    tables: tuple[Table, ...]


@dataclass(frozen=True)
class Choices:
    """What the filter form offers (names only; ids stay in the form's values)."""

    towns: dict[str, str]
    counseling: dict[int, str]
    landlords: dict[int, str]


@dataclass(frozen=True)
class Report:
    period: Period
    filters: Filters
    filter_labels: tuple[str, ...]
    sections: tuple[Section, ...]
    full: bool  # the Fachstelle's report (False: the network's published yearly report)
    choices: Choices

    def table(self, key: str) -> Table | None:
        for section in self.sections:
            for table in section.tables:
                if table.key == key:
                    return table
        return None


def is_fachstelle(actor: Actor) -> bool:
    """The Fachstelle: administrators and the people of the Fachstelle organisation."""
    return actor.kind == "user" and (
        actor.role == Role.ADMIN or actor.organisation_kind == OrganisationKind.FACHSTELLE
    )


def may_read_reports(actor: Actor) -> bool:
    return actor.kind == "user" and actor.role in (Role.ADMIN, Role.COUNSELOR, Role.LANDLORD)


def _choice(raw: Mapping[str, str], key: str, options: Mapping[int, str], what: str) -> int | None:
    text = (raw.get(key) or "").strip()
    if not text:
        return None
    number = plain_int(text)
    if number is None or number not in options:
        raise ValidationFailed(
            [FieldError(key, f"{what} gibt es nicht. Bitte aus der Liste wählen.")]
        )
    return number


async def form_choices(session: AsyncSession) -> Choices:
    """Towns, counselling offices and landlords the filter form offers."""
    orgs = await repository.organisations(session)
    return Choices(
        towns=await repository.towns(session),
        counseling={
            i: name
            for i, (name, kind) in orgs.items()
            if kind in (OrganisationKind.COUNSELING, OrganisationKind.FACHSTELLE)
        },
        landlords={
            i: name for i, (name, kind) in orgs.items() if kind == OrganisationKind.LANDLORD
        },
    )


def _filters(raw: Mapping[str, str], actor: Actor, choices: Choices, full: bool) -> Filters:
    town = (raw.get("kommune") or "").strip() or None
    if town is not None and town not in choices.towns:
        raise ValidationFailed(
            [FieldError("kommune", "Diese Kommune gibt es nicht. Bitte aus der Liste wählen.")]
        )
    counseling = _choice(raw, "beratungsstelle", choices.counseling, "Diese Beratungsstelle")
    landlord = _choice(raw, "vermieter", choices.landlords, "Diesen Vermieter")
    if not full:
        if landlord is not None and landlord != actor.organisation_id:
            raise Forbidden("Berichte über einen anderen Vermieter sind nicht freigegeben.")
        if counseling is not None and counseling != actor.organisation_id:
            raise Forbidden("Berichte über eine andere Beratungsstelle sind nicht freigegeben.")
    return Filters(town=town, counseling_id=counseling, landlord_id=landlord)


def _labels(flt: Filters, choices: Choices) -> tuple[str, ...]:
    labels = []
    if flt.town is not None:
        labels.append(f"Kommune: {choices.towns[flt.town]}")
    if flt.counseling_id is not None:
        labels.append(f"Beratungsstelle: {choices.counseling[flt.counseling_id]}")
    if flt.landlord_id is not None:
        labels.append(f"Vermieter: {choices.landlords[flt.landlord_id]}")
    return tuple(labels)


async def request_scope(
    session: AsyncSession, actor: Actor, raw: Mapping[str, str], today: dt.date
) -> tuple[Period, Filters, bool, Choices]:
    """Check the actor and the request: the period, the filters and whether the full report
    applies. Raises Forbidden / ValidationFailed with German messages."""
    if not may_read_reports(actor):
        raise Forbidden("Berichte sind der Fachstelle und dem Netzwerk vorbehalten.")
    full = is_fachstelle(actor)
    period = parse_period(raw, today, default_year=today.year if full else today.year - 1)
    if not full and (period.kind != "jahr" or not period.is_complete(today)):
        raise Forbidden(NETWORK_ONLY_YEAR)
    choices = await form_choices(session)
    return period, _filters(raw, actor, choices, full), full, choices


async def build_report(
    session: AsyncSession, actor: Actor, raw: Mapping[str, str], today: dt.date
) -> Report:
    """The report the request asks for, with every small number suppressed."""
    period, flt, full, choices = await request_scope(session, actor, raw, today)
    frames = await load_frames(session, period, flt)
    reasons = await repository.decline_labels(session)
    names = figures.Names(
        towns=choices.towns if flt.town is None else {flt.town: choices.towns[flt.town]},
        organisations={**choices.counseling, **choices.landlords},
        reasons=reasons,
    )
    sections = compute(frames, period, names, full=full)
    return Report(period, flt, _labels(flt, choices), sections, full, choices)


@dataclass(frozen=True)
class Frames:
    households: pl.DataFrame
    lets: pl.DataFrame
    sent: pl.DataFrame
    flats: pl.DataFrame
    flat_rents: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]  # see flat_limits
    prevention: dict[str, pl.DataFrame]


async def load_frames(session: AsyncSession, period: Period, flt: Filters) -> Frames:
    """The columnar reads of one report."""
    households = await repository.households(session, period.start, period.end, flt)
    lets = await repository.lets(session, period.end, flt)
    sent = await repository.proposals_sent(session, period.start, period.end, flt)
    flats = await repository.vacancies_offered(session, period.start, period.end, flt)
    reference = await ReferenceSnapshot().get(session)
    limits = flat_limits(flats, reference.municipalities, reference.rent_limits)
    cases = await repository.prevention(session, period.start, period.end, flt)
    return Frames(households, lets, sent, flats, limits, cases)


def flat_limits(
    flats: pl.DataFrame, municipalities: Municipalities, rent_limits: RentLimits
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Bruttokaltmiete in cents and the KdU limit in cents by household size for each flat
    (flats × MAX_PERSONS + 1, ``NO_AMOUNT`` = none): the ranking engine's own derivation and
    lookup (the table valid on the flat's available date, the town's area in that table), so
    the report cannot disagree with the ranking."""
    if flats.height == 0:
        return np.zeros(0, dtype=np.int64), np.zeros((0, MAX_PERSONS + 1), dtype=np.int64)
    frame = VacancyFrame.build(Vacancies.from_polars(flats), municipalities, rent_limits)
    return frame.gross_cold_rent, frame.limit  # both in cents


def compute(
    frames: Frames, period: Period, names: figures.Names, *, full: bool
) -> tuple[Section, ...]:
    """All sections of a report from its frames (pure; the benchmark times this part)."""
    start, end = day_number(period.start), day_number(period.end)
    hh = figures.searching(frames.households, frames.lets, start)
    return (
        Section(
            "Suchende Haushalte",
            "Haushalte, die im Zeitraum eine Wohnung suchten (aufgenommen bis zum Ende des "
            "Zeitraums, nicht vorher versorgt oder abgeschlossen).",
            tuple(figures.household_tables(hh)),
        ),
        Section(
            "Angebotene Wohnungen",
            "Wohnungen, die im Zeitraum neu angeboten wurden.",
            tuple(figures.flat_tables(frames.flats, names)),
        ),
        Section(
            "Versorgungslücke",
            "Suchende Haushalte, für die eine Angemessenheitsgrenze (KdU) gilt, und die "
            "angebotenen Wohnungen, deren Bruttokaltmiete diese Grenze einhält.",
            tuple(figures.gap_tables(hh, frames.flats, *frames.flat_rents, names)),
        ),
        Section(
            "Vorschläge und Ergebnisse",
            "Vorschläge, die im Zeitraum gesendet wurden, und was aus ihnen wurde.",
            tuple(figures.proposal_tables(frames.sent, names, per_landlord=full)),
        ),
        Section(
            "Dauer",
            "Wie lange Haushalte bis zur Wohnung brauchten und wie schnell Vermieter antworten.",
            tuple(
                figures.time_tables(frames.lets, frames.sent, start, end, names, per_landlord=full)
            ),
        ),
        Section(
            "Wohnungssicherung und Beratung",
            "Fälle, Anträge auf Übernahme von Mietschulden, Kontakte und Vermittlungen im "
            "Zeitraum (nicht nach Vermietern aufgeteilt).",
            tuple(figures.prevention_tables(frames.prevention, start, end, names)),
        ),
    )
