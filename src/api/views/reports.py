"""Reports (Berichte): the page with charts and tables, table exports and the yearly PDF."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any
from urllib.parse import urlencode

from litestar import Request, get
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.response import Response, Template
from sqlalchemy.ext.asyncio import AsyncSession

from api.guards import Guard, admin_only, any_user, counselor_or_admin
from api.views.forms import render
from matching import clock
from matching.actors import Actor
from matching.errors import NotFound
from matching.reports import service
from matching.reports.export import pdf_from_html, table_csv, table_xlsx
from matching.reports.suppression import SUPPRESSION_NOTE
from matching.validation import FieldError, ValidationFailed

PARAMS = (
    "zeitraum",
    "jahr",
    "monat",
    "quartal",
    "von",
    "bis",
    "kommune",
    "beratungsstelle",
    "vermieter",
)


def _raw(request: Request[Any, Any, Any]) -> dict[str, str]:
    return {k: str(request.query_params.get(k) or "")[:40] for k in PARAMS}


def _query(report: service.Report) -> str:
    params = dict(report.period.query())
    flt = report.filters
    if flt.town:
        params["kommune"] = flt.town
    if flt.counseling_id is not None:
        params["beratungsstelle"] = str(flt.counseling_id)
    if flt.landlord_id is not None:
        params["vermieter"] = str(flt.landlord_id)
    return urlencode(params)


FURTHER_PAGES: tuple[tuple[str, str, str, Guard], ...] = (
    (
        "/berichte/fairness",
        "Fairness-Monitor",
        "Vorschläge und Zusagen nach Gruppen von Haushalten.",
        admin_only,
    ),
    (
        "/berichte/zusage-chance",
        "Modellkarte zur Zusage-Chance",
        "Wofür die geschätzte Chance gedacht ist, woraus sie lernt und wie gut sie ist.",
        counselor_or_admin,
    ),
)
"""Related pages, each with the guard of its own route: a link appears only if it would open."""


def _further_pages(request: Request[Any, Any, Any]) -> list[tuple[str, str, str]]:
    pages = []
    for href, title, text, guard in FURTHER_PAGES:
        try:
            guard(request, request.route_handler)
        except (NotAuthorizedException, PermissionDeniedException):
            continue
        pages.append((href, title, text))
    return pages


def _actor(request: Request[Any, Any, Any]) -> Actor:
    actor = request.scope.get("user")
    assert isinstance(actor, Actor)
    return actor


@get("/berichte", guards=[any_user], include_in_schema=False)
async def reports_page(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
    """The report for the chosen period and filters; a bad choice re-shows the form (422)."""
    actor = _actor(request)
    raw = _raw(request)
    today = clock.today()
    try:
        report = await service.build_report(db_session, actor, raw, today)
    except ValidationFailed as exc:
        choices = await service.form_choices(db_session)
        return render(
            request,
            "reports/page.html",
            status_code=422,
            report=None,
            choices=choices,
            full=service.is_fachstelle(actor),
            values=raw,
            errors=exc.as_dict(),
            years=_years(today),
            further=_further_pages(request),
        )
    return render(
        request,
        "reports/page.html",
        report=report,
        choices=report.choices,
        full=report.full,
        values=raw,
        errors={},
        query=_query(report),
        note=SUPPRESSION_NOTE,
        years=_years(today),
        further=_further_pages(request),
    )


def _years(today: date) -> list[int]:
    return list(range(today.year, today.year - 6, -1))


@get("/berichte/export", guards=[any_user], include_in_schema=False)
async def export_table(
    request: Request[Any, Any, Any], db_session: AsyncSession
) -> Response[bytes]:
    """One table of the report as CSV or XLSX (the same suppressed cells as on the page)."""
    fmt = str(request.query_params.get("format") or "csv")
    if fmt not in ("csv", "xlsx"):
        raise ValidationFailed([FieldError("format", "Bitte CSV oder XLSX wählen.")])
    report = await service.build_report(db_session, _actor(request), _raw(request), clock.today())
    table = report.table(str(request.query_params.get("tabelle") or ""))
    if table is None:
        raise NotFound("Tabelle")
    name = f"{table.key}-{report.period.start:%Y%m%d}-{report.period.end:%Y%m%d}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "csv":
        return Response(table_csv(table), media_type="text/csv; charset=utf-8", headers=headers)
    return Response(
        table_xlsx(table),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=headers,
    )


@get("/berichte/jahresbericht.pdf", guards=[any_user], include_in_schema=False)
async def yearly_pdf(request: Request[Any, Any, Any], db_session: AsyncSession) -> Response[bytes]:
    """The yearly report as a PDF for the network meeting (weasyprint, no outside fetches)."""
    raw = _raw(request)
    raw["zeitraum"] = "jahr"
    report = await service.build_report(db_session, _actor(request), raw, clock.today())
    engine = request.app.template_engine
    assert engine is not None
    html = engine.get_template("reports/print.html").render(report=report, note=SUPPRESSION_NOTE)
    pdf = await asyncio.to_thread(pdf_from_html, html)
    name = f"jahresbericht-{report.period.start.year}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


ROUTES: list[Any] = [reports_page, export_table, yearly_pdf]
