"""Landlord portal: file import (upload → preview → commit, with progress), history, templates;
withdraw/confirm buttons of "Meine Wohnungen"; the Fachstelle's duplicate review.

Why a job with polling: a 50,000-row file takes seconds to parse and write; the page must not
hang, so the work runs after the response and the page polls a small partial every second.
Between preview and commit the parsed rows stay in this process's memory (never the file, never
in the database); a preview lost to a restart asks for the upload again.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import State
from litestar.di import Provide
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.controllers.intake import BODY_LIMIT, parse_mode, read_upload
from api.dependencies import provide_actor, provide_vacancies
from api.guards import admin_only, landlord_only, landlord_or_admin
from api.views.forms import flash, form_dict, render
from matching.accounts.queries import organisation_names
from matching.actors import Actor
from matching.db.models import ImportJob
from matching.enums import ImportStatus
from matching.errors import NotFound
from matching.intake import MAX_FILE_BYTES, MAX_ROWS, csv_template, xlsx_template
from matching.intake.history import own_job, recent_jobs
from matching.intake.importer import (
    MODE_LABELS,
    OUTCOME_LABELS,
    OUTCOMES,
    Mode,
    parse_upload,
    record_job,
    report_csv,
    report_from_job,
    run_import,
)
from matching.intake.records import ParseResult
from matching.proposals.timeutil import utcnow
from matching.vacancies import duplicates, lifecycle
from matching.vacancies.service import VacancyService

log = logging.getLogger(__name__)

RUNNING = (ImportStatus.QUEUED, ImportStatus.PARSING, ImportStatus.COMMITTING)
PREVIEW_TTL_SECONDS = 3600
MAX_PENDING = 20
SHOWN_ROWS = 300
LIMITS = {"mb": MAX_FILE_BYTES // (1024 * 1024), "rows": f"{MAX_ROWS:,}".replace(",", ".")}


@dataclass
class _Pending:
    result: ParseResult
    created: float


# job id -> parsed file awaiting the user's decision; job id -> (done, total) while writing
_PENDING: dict[int, _Pending] = {}
_PROGRESS: dict[int, tuple[int, int]] = {}


def _keep(job_id: int, result: ParseResult) -> None:
    now = time.monotonic()
    for key in [k for k, p in _PENDING.items() if now - p.created > PREVIEW_TTL_SECONDS]:
        _PENDING.pop(key, None)
    while len(_PENDING) >= MAX_PENDING:
        _PENDING.pop(next(iter(_PENDING)))
    _PENDING[job_id] = _Pending(result, now)


def _factory(state: State) -> async_sessionmaker[AsyncSession]:
    factory: async_sessionmaker[AsyncSession] = state.session_factory
    return factory


async def _fail(state: State, job_id: int, message: str) -> None:
    async with _factory(state)() as session:
        job = await session.get(ImportJob, job_id)
        if job is not None:
            job.status = ImportStatus.FAILED
            job.finished_at = utcnow()
            job.report = {"error": message}
            await session.commit()


async def parse_job(state: State, actor: Actor, job_id: int, data: bytes, filename: str) -> None:
    """Parse and preview (dry run) in the background; keep the parsed rows for the commit."""
    try:
        async with _factory(state)() as session:
            job = await session.get(ImportJob, job_id)
            if job is None:
                return
            result = await parse_upload(
                session, data, filename, organisation_id=actor.organisation_id
            )
            del data
            report = await run_import(session, actor, result, filename=filename, dry_run=True)
            await record_job(session, actor, report, job=job)
            await session.commit()
            if result.ok:
                _keep(job_id, result)
    except Exception:
        log.exception("import preview failed (job %s)", job_id)
        await _fail(state, job_id, "Die Datei konnte nicht verarbeitet werden.")


async def commit_job(state: State, actor: Actor, job_id: int, mode: Mode) -> None:
    """Write the previewed rows in one transaction; on any failure nothing is kept."""
    pending = _PENDING.pop(job_id, None)
    if pending is None:
        await _fail(state, job_id, "Die Vorschau ist abgelaufen. Bitte die Datei neu hochladen.")
        return

    def progress(done: int, total: int) -> None:
        _PROGRESS[job_id] = (done, total)

    try:
        async with _factory(state)() as session:
            job = await session.get(ImportJob, job_id)
            if job is None:
                return
            report = await run_import(
                session, actor, pending.result, filename=job.filename, mode=mode, progress=progress
            )
            await record_job(session, actor, report, job=job)
            await session.commit()
    except Exception:
        log.exception("import commit failed (job %s)", job_id)
        await _fail(
            state,
            job_id,
            "Beim Speichern ist ein Fehler aufgetreten. Es wurde nichts gespeichert; "
            "bitte versuchen Sie es erneut.",
        )
    finally:
        _PROGRESS.pop(job_id, None)


def _download(content: bytes, filename: str, media_type: str) -> Response[bytes]:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


class ImportPages(Controller):
    """Landlords import; the Fachstelle's admin may read every organisation's imports."""

    path = "/import"
    guards = [landlord_or_admin]
    include_in_schema = False
    dependencies = {"actor": Provide(provide_actor)}

    @get("/")
    async def upload_page(
        self, request: Request[Any, Any, Any], actor: Actor, db_session: AsyncSession
    ) -> Template:
        return render(
            request,
            "intake/upload.html",
            history=await recent_jobs(db_session, actor, limit=50),
            limits=LIMITS,
            outcomes=OUTCOMES,
            outcome_labels=OUTCOME_LABELS,
            error=None,
        )

    @post("/", request_max_body_size=BODY_LIMIT, guards=[landlord_only])
    async def upload(
        self, request: Request[Any, Any, Any], actor: Actor, db_session: AsyncSession
    ) -> Redirect:
        data, filename, _ = await read_upload(request)
        assert actor.organisation_id is not None
        job = ImportJob(
            organisation_id=actor.organisation_id,
            user_id=actor.user_id,
            filename=filename[:255],
            file_format="?",
            status=ImportStatus.PARSING,
        )
        db_session.add(job)
        await db_session.flush()
        return Redirect(
            f"/import/{job.id}",
            background=BackgroundTask(parse_job, request.app.state, actor, job.id, data, filename),
        )

    @get("/vorlage.csv")
    async def template_csv(self) -> Response[bytes]:
        return _download(csv_template(), "wohnungsangebote-vorlage.csv", "text/csv; charset=utf-8")

    @get("/vorlage.xlsx")
    async def template_xlsx(self) -> Response[bytes]:
        return _download(
            xlsx_template(),
            "wohnungsangebote-vorlage.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )

    @get("/{job_id:int}")
    async def job_page(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        job_id: int,
    ) -> Template:
        job = await own_job(db_session, actor, job_id)
        report = report_from_job(job)
        rows = []
        if report is not None:
            rows = sorted(
                (r for r in report.rows if r.result == "rejected" or r.issues),
                key=lambda r: (r.result != "rejected", r.row or 0),
            )
        return render(
            request,
            "intake/job.html",
            job=job,
            report=report,
            error=(job.report or {}).get("error"),
            running=job.status in RUNNING,
            can_commit=job.status == ImportStatus.PREVIEW
            and job.id in _PENDING
            and not actor.is_admin,
            rows=rows[:SHOWN_ROWS],
            hidden_rows=max(0, len(rows) - SHOWN_ROWS),
            outcomes=OUTCOMES,
            outcome_labels=OUTCOME_LABELS,
            mode_labels=MODE_LABELS,
            progress=_PROGRESS.get(job.id),
            limits=LIMITS,
        )

    @get("/{job_id:int}/fortschritt")
    async def progress_partial(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        job_id: int,
    ) -> Template | Response[str]:
        job = await own_job(db_session, actor, job_id)
        if job.status not in RUNNING:
            # Finished: let HTMX load the whole page with the report.
            return Response("", headers={"HX-Redirect": f"/import/{job.id}"})
        return render(request, "intake/_progress.html", job=job, progress=_PROGRESS.get(job.id))

    @post("/{job_id:int}/uebernehmen", guards=[landlord_only])
    async def commit(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        job_id: int,
    ) -> Redirect:
        job = await own_job(db_session, actor, job_id)
        raw = await form_dict(request)
        mode = parse_mode(str(raw.get("mode") or ""), "all_or_nothing")
        if job.status != ImportStatus.PREVIEW or job.id not in _PENDING:
            flash(request, "Diese Vorschau kann nicht mehr übernommen werden.")
            return Redirect(f"/import/{job.id}")
        job.status = ImportStatus.COMMITTING
        job.mode = mode
        return Redirect(
            f"/import/{job.id}",
            background=BackgroundTask(commit_job, request.app.state, actor, job.id, mode),
        )

    @post("/{job_id:int}/verwerfen", guards=[landlord_only])
    async def discard(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        job_id: int,
    ) -> Redirect:
        job = await own_job(db_session, actor, job_id)
        if job.status == ImportStatus.PREVIEW:
            _PENDING.pop(job.id, None)
            job.status = ImportStatus.FAILED
            job.finished_at = utcnow()
            job.report = {**(job.report or {}), "error": "Vorschau verworfen; nichts gespeichert."}
        flash(request, "Die Vorschau wurde verworfen. Es wurde nichts gespeichert.")
        return Redirect("/import")

    @get("/{job_id:int}/bericht.csv")
    async def report_download(
        self, actor: Actor, db_session: AsyncSession, job_id: int
    ) -> Response[bytes]:
        job = await own_job(db_session, actor, job_id)
        report = report_from_job(job)
        if report is None:
            raise NotFound("Bericht")
        return _download(report_csv(report), f"import-{job.id}-bericht.csv", "text/csv")


class VacancyLifecyclePages(Controller):
    """The landlord's withdraw and "still available" buttons of one vacancy."""

    path = "/wohnungen"
    guards = [landlord_only]
    include_in_schema = False
    dependencies = {"actor": Provide(provide_actor), "vacancies": Provide(provide_vacancies)}

    @post("/{vacancy_id:int}/zurueckziehen")
    async def withdraw(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        vacancies: VacancyService,
        vacancy_id: int,
    ) -> Redirect:
        changed = await vacancies.withdraw_for(actor, vacancy_id)
        flash(
            request,
            "Das Angebot wurde zurückgezogen; offene Vorschläge wurden beendet."
            if changed
            else "Das Angebot war bereits zurückgezogen.",
        )
        return Redirect(f"/wohnungen/{vacancy_id}")

    @post("/{vacancy_id:int}/bestaetigen")
    async def confirm(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        vacancies: VacancyService,
        db_session: AsyncSession,
        vacancy_id: int,
    ) -> Redirect:
        vacancy = await vacancies.get_for(actor, vacancy_id, write=True)
        await lifecycle.confirm(db_session, actor, vacancy)
        flash(request, "Danke – das Angebot ist als weiterhin verfügbar bestätigt.")
        return Redirect(f"/wohnungen/{vacancy_id}")


class DuplicatePages(Controller):
    """The Fachstelle reviews flats offered twice (never merged or dropped automatically)."""

    path = "/admin/dubletten"
    guards = [admin_only]
    include_in_schema = False
    dependencies = {"actor": Provide(provide_actor)}

    @get("/")
    async def list_page(
        self, request: Request[Any, Any, Any], db_session: AsyncSession
    ) -> Template:
        return render(
            request,
            "admin/duplicates.html",
            open_pairs=await duplicates.pairs(db_session),
            reviewed_pairs=await duplicates.pairs(db_session, reviewed=True),
            org_names=await organisation_names(db_session),
        )

    @post("/{vacancy_id:int}")
    async def decide(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        vacancy_id: int,
    ) -> Redirect:
        raw = await form_dict(request)
        verdict = str(raw.get("verdict") or "")
        if verdict not in duplicates.REVIEWS:
            flash(request, "Bitte „bestätigt“ oder „kein Duplikat“ wählen.")
            return Redirect("/admin/dubletten")
        await duplicates.review(db_session, actor, vacancy_id, verdict)
        flash(
            request,
            "Als Dublette bestätigt."
            if verdict == duplicates.CONFIRMED
            else "Als „kein Duplikat“ markiert.",
        )
        return Redirect("/admin/dubletten")


ROUTES: list[Any] = [ImportPages, VacancyLifecyclePages, DuplicatePages]
