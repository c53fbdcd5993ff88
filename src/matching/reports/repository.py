"""Columnar queries for the reports: the database selects columns, polars aggregates.

Why columns and not ``GROUP BY``: one report needs many cuts of the same rows (by size, by
urgency, by town, medians and percentiles); one read of the few columns needed and polars'
group-bys are faster than a dozen SQL aggregates and stay the same on SQLite and PostgreSQL.
Dates come as day numbers and timestamps as epoch seconds, computed by the database, so no
Python date objects are built per row.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from matching.db.models import (
    DeclineReason,
    Household,
    Municipality,
    Organisation,
    Proposal,
    Vacancy,
)
from matching.enums import OrganisationKind, ProposalStatus, VacancyStatus
from matching.ranking.snapshot import _day, _float, _text


@dataclass(frozen=True)
class Filters:
    """What a report is narrowed to (``None`` = the whole network)."""

    town: str | None = None  # AGS
    counseling_id: int | None = None
    landlord_id: int | None = None


def _epoch(column: Any, dialect: str) -> ColumnElement[Any]:
    """A timestamp column as whole seconds since 1970 (UTC), computed by the database."""
    if dialect == "postgresql":
        return sa.cast(sa.func.extract("epoch", column), sa.BigInteger).label(column.name)
    return sa.cast(
        sa.func.round((sa.func.julianday(column) - 2440587.5) * 86400), sa.BigInteger
    ).label(column.name)


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Timestamps from the first moment of ``start`` to before the first moment after ``end``."""
    low = dt.datetime(start.year, start.month, start.day, tzinfo=dt.UTC)
    high = dt.datetime(end.year, end.month, end.day, tzinfo=dt.UTC) + dt.timedelta(days=1)
    return low, high


async def _frame(
    session: AsyncSession, stmt: sa.Select[Any], schema: dict[str, Any]
) -> pl.DataFrame:
    """The select's rows as a frame, built column-wise without a Python object per row.

    Why the driver directly: at 200,000 rows, SQLAlchemy's row objects cost more than the
    query. PostgreSQL streams the rows with ``COPY … CSV`` into polars; SQLite (in-process)
    hands over plain tuples, which become one polars series per column. Both run on the
    session's connection, inside its transaction; the statement is SQLAlchemy Core with its
    parameters rendered as literals (dates, numbers and fixed codes only, never user text).
    """
    dialect = session.get_bind().dialect
    sql = str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    if dialect.name == "postgresql":
        buffer = io.BytesIO()
        await driver.copy_from_query(sql, output=buffer, format="csv", header=True)
        buffer.seek(0)
        return pl.read_csv(buffer, schema=schema)
    cursor = await driver.execute(sql)
    rows = await cursor.fetchall()
    await cursor.close()
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in schema]
    return pl.DataFrame(
        [
            pl.Series(name, values, dtype=dtype)
            for (name, dtype), values in zip(schema.items(), columns, strict=True)
        ]
    )


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


async def households(
    session: AsyncSession, start: dt.date, end: dt.date, flt: Filters
) -> pl.DataFrame:
    """Households registered by ``end`` and not closed before ``start`` (one row each).

    ``town`` is the first preferred town (the household's main wish), null without one.
    """
    d = _dialect(session)
    h = Household.__table__.c
    town = sa.type_coerce(h.preferred_ags, sa.JSON)[0].as_string().label("town")
    stmt = sa.select(
        h.id,
        h.organisation_id,
        h.persons,
        _text(h.urgency),
        _text(h.income_basis),
        _day(h.registered_at, d),
        _day(h.closed_at, d),
        town,
    ).where(h.registered_at <= end, sa.or_(h.closed_at.is_(None), h.closed_at >= start))
    if flt.counseling_id is not None:
        stmt = stmt.where(h.organisation_id == flt.counseling_id)
    df = await _frame(
        session,
        stmt,
        {
            "id": pl.Int64,
            "organisation_id": pl.Int64,
            "persons": pl.Int64,
            "urgency": pl.String,
            "income_basis": pl.String,
            "registered_at": pl.Int64,
            "closed_at": pl.Int64,
            "town": pl.String,
        },
    )
    if flt.town is not None:
        df = df.filter(pl.col("town") == flt.town)
    return df


_SENT_SCHEMA: dict[str, Any] = {
    "landlord_organisation_id": pl.Int64,
    "status": pl.String,
    "sent_at": pl.Int64,
    "answered_at": pl.Int64,
    "decline_reason_code": pl.String,
    "town": pl.String,
}
_LET_SCHEMA: dict[str, Any] = {
    "household_id": pl.Int64,
    "closed_at": pl.Int64,
    "persons": pl.Int64,
    "registered_at": pl.Int64,
}


def _narrowed(stmt: sa.Select[Any], flt: Filters) -> sa.Select[Any]:
    p = Proposal.__table__.c
    v = Vacancy.__table__.c
    if flt.town is not None:
        stmt = stmt.where(v.municipality_ags == flt.town)
    if flt.counseling_id is not None:
        stmt = stmt.where(p.counseling_organisation_id == flt.counseling_id)
    if flt.landlord_id is not None:
        stmt = stmt.where(p.landlord_organisation_id == flt.landlord_id)
    return stmt


async def proposals_sent(
    session: AsyncSession, start: dt.date, end: dt.date, flt: Filters
) -> pl.DataFrame:
    """Proposals sent in the period, with the flat's town."""
    d = _dialect(session)
    low, high = _bounds(start, end)
    p = Proposal.__table__.c
    v = Vacancy.__table__.c
    stmt = (
        sa.select(
            p.landlord_organisation_id,
            _text(p.status),
            _epoch(p.sent_at, d),
            _epoch(p.answered_at, d),
            p.decline_reason_code,
            v.municipality_ags.label("town"),
        )
        .select_from(Proposal.__table__)
        .join(Vacancy.__table__, v.id == p.vacancy_id)
        .where(p.sent_at >= low, p.sent_at < high)
    )
    return await _frame(session, _narrowed(stmt, flt), _SENT_SCHEMA)


async def lets(session: AsyncSession, end: dt.date, flt: Filters) -> pl.DataFrame:
    """Every proposal that ended in a let flat up to ``end`` (``closed_at`` = the let), with
    the household's size and registration day."""
    d = _dialect(session)
    _, high = _bounds(end, end)
    p = Proposal.__table__.c
    v = Vacancy.__table__.c
    h = Household.__table__.c
    stmt = (
        sa.select(p.household_id, _epoch(p.closed_at, d), h.persons, _day(h.registered_at, d))
        .select_from(Proposal.__table__)
        .join(Vacancy.__table__, v.id == p.vacancy_id)
        .join(Household.__table__, h.id == p.household_id)
        .where(p.status == ProposalStatus.LET.value, p.closed_at < high)
    )
    return await _frame(session, _narrowed(stmt, flt), _LET_SCHEMA)


async def vacancies_offered(
    session: AsyncSession, start: dt.date, end: dt.date, flt: Filters
) -> pl.DataFrame:
    """Flats put on offer in the period (drafts excluded), with the columns the rent-limit
    lookup of the engine needs."""
    d = _dialect(session)
    low, high = _bounds(start, end)
    v = Vacancy.__table__.c
    stmt = sa.select(
        v.id,
        v.organisation_id,
        v.municipality_ags,
        _float(v.rooms),
        _float(v.living_area),
        sa.func.coalesce(v.floor, 0).label("floor"),
        _float(v.net_cold_rent),
        _float(v.cold_service_charges),
        _day(v.available_from, d),
    ).where(v.created_at >= low, v.created_at < high, v.status != VacancyStatus.DRAFT.value)
    if flt.town is not None:
        stmt = stmt.where(v.municipality_ags == flt.town)
    if flt.landlord_id is not None:
        stmt = stmt.where(v.organisation_id == flt.landlord_id)
    df = await _frame(
        session,
        stmt,
        {
            "id": pl.Int64,
            "organisation_id": pl.Int64,
            "municipality_ags": pl.String,
            "rooms": pl.Float64,
            "living_area": pl.Float64,
            "floor": pl.Int64,
            "net_cold_rent": pl.Float64,
            "cold_service_charges": pl.Float64,
            "available_from": pl.Int64,
        },
    )
    return df.with_columns(pl.col("available_from").cast(pl.Date))


async def towns(session: AsyncSession) -> dict[str, str]:
    """AGS → town name, in name order."""
    m = Municipality.__table__.c
    rows = await session.execute(sa.select(m.ags, m.name).order_by(m.name))
    return {str(ags): str(name) for ags, name in rows.all()}


async def organisations(session: AsyncSession) -> dict[int, tuple[str, OrganisationKind]]:
    """Organisation id → (name, kind), in name order."""
    o = Organisation.__table__.c
    rows = await session.execute(sa.select(o.id, o.name, o.kind).order_by(o.name))
    return {int(i): (str(n), OrganisationKind(k)) for i, n, k in rows.all()}


async def decline_labels(session: AsyncSession) -> dict[str, str]:
    """Decline reason code → German label."""
    r = DeclineReason.__table__.c
    rows = await session.execute(sa.select(r.code, r.label_de))
    return {str(c): str(label) for c, label in rows.all()}


async def prevention(
    session: AsyncSession, start: dt.date, end: dt.date, flt: Filters
) -> dict[str, pl.DataFrame]:
    """Casework in the period (issue 13): cases opened, closed or decided, contacts, short
    consultations and referrals; day columns as day numbers."""
    from matching.db.models import Case, CaseContact, CaseReferral, ShortConsultation

    d = _dialect(session)
    c = Case.__table__.c
    period_case = sa.or_(
        c.opened_on.between(start, end),
        c.closed_on.between(start, end),
        c.application_decided_on.between(start, end),
    )
    cases = sa.select(
        _text(c.kind),
        _day(c.opened_on, d),
        _day(c.closed_on, d),
        _text(c.outcome),
        _day(c.application_decided_on, d),
        _text(c.application_outcome),
    ).where(period_case)
    k = CaseContact.__table__.c
    contacts = sa.select(k.municipality_ags).where(k.occurred_on.between(start, end))
    s = ShortConsultation.__table__.c
    shorts = sa.select(s.municipality_ags).where(s.occurred_on.between(start, end))
    r = CaseReferral.__table__.c
    referrals = sa.select(_text(r.kind)).where(r.agreed_on.between(start, end))
    if flt.counseling_id is not None:
        cases = cases.where(c.lead_organisation_id == flt.counseling_id)
        contacts = contacts.where(k.organisation_id == flt.counseling_id)
        shorts = shorts.where(s.organisation_id == flt.counseling_id)
        referrals = referrals.where(r.organisation_id == flt.counseling_id)
    if flt.town is not None:
        contacts = contacts.where(k.municipality_ags == flt.town)
        shorts = shorts.where(s.municipality_ags == flt.town)
    day = pl.Int64
    return {
        "cases": await _frame(
            session,
            cases,
            {
                "kind": pl.String,
                "opened_on": day,
                "closed_on": day,
                "outcome": pl.String,
                "application_decided_on": day,
                "application_outcome": pl.String,
            },
        ),
        "contacts": await _frame(session, contacts, {"municipality_ags": pl.String}),
        "short": await _frame(session, shorts, {"municipality_ags": pl.String}),
        "referrals": await _frame(session, referrals, {"kind": pl.String}),
    }
