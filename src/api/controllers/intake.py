"""JSON API for landlord software: idempotent upsert by own id, withdrawal, bulk import."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from api.dependencies import provide_actor, provide_vacancies
from api.errors import problem
from api.guards import requires_scope
from matching.actors import Actor
from matching.intake import MAX_FILE_BYTES, FileTooLarge
from matching.intake.importer import MODES, ImportReport, Mode, parse_upload, record_job, run_import
from matching.vacancies import upsert
from matching.vacancies.lifecycle import end_vacancy
from matching.vacancies.schemas import VacancyCreate, VacancyOut
from matching.vacancies.service import to_out
from matching.validation import FieldError

#: Largest accepted file; a module attribute so tests can make it small.
UPLOAD_LIMIT = MAX_FILE_BYTES
#: Multipart framing around the file (boundaries, part headers, the small form fields).
MULTIPART_SLACK = 64 * 1024
#: Hard cut for the request body (Litestar stops reading beyond it: chunked uploads, lies).
BODY_LIMIT = MAX_FILE_BYTES + 1024 * 1024

ExternalId = Annotated[str, Parameter(min_length=1, max_length=100)]


class UpsertOut(msgspec.Struct, kw_only=True):
    result: Literal["created", "updated", "unchanged"]
    vacancy: VacancyOut


class WithdrawOut(msgspec.Struct, kw_only=True):
    result: Literal["withdrawn", "unchanged"]
    vacancy: VacancyOut


def too_large(size: int) -> Exception:
    """413 problem details naming the limit (German, like every message)."""
    return problem(413, str(FileTooLarge(size, UPLOAD_LIMIT)), code="too-large")


def _precondition_failed(exc: upsert.PreconditionFailed) -> Exception:
    headers = {"ETag": exc.current} if exc.current else None
    return problem(412, str(exc), code="precondition-failed", headers=headers)


async def read_upload(request: Request[Any, Any, Any]) -> tuple[bytes, str, dict[str, str]]:
    """The uploaded file (bounded; 413 before reading when Content-Length says too much), its
    name and the other form fields. The bytes live only for this request."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > UPLOAD_LIMIT + MULTIPART_SLACK:
        raise too_large(int(length))
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise problem(
            422,
            "Bitte eine Datei im Feld „file“ senden (multipart/form-data).",
            code="validation",
            errors=[FieldError("file", "Datei fehlt.")],
        )
    data = await upload.read(UPLOAD_LIMIT + 1)
    await upload.close()
    if len(data) > UPLOAD_LIMIT:
        raise too_large(len(data))
    fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    return data, upload.filename or "upload", fields


def parse_mode(raw: str | None, default: Mode = "all_or_nothing") -> Mode:
    if raw is None or raw == "":
        return default
    for mode in MODES:
        if raw == mode:
            return mode
    raise problem(
        422,
        "Unbekannter Modus.",
        code="validation",
        errors=[FieldError("mode", "Erlaubt: all_or_nothing oder valid_only.")],
    )


def parse_flag(raw: str | None) -> bool:
    return (raw or "").strip().lower() in {"1", "true", "ja", "yes", "on"}


class IntakeApi(Controller):
    path = "/api/v1/vacancies"
    tags = ["Wohnungsangebote"]
    dependencies = {"actor": Provide(provide_actor), "vacancies": Provide(provide_vacancies)}

    @get(
        "/by-external-id/{external_id:str}",
        guards=[requires_scope("vacancies:read")],
        summary="Eigenes Wohnungsangebot über die eigene ID lesen (mit ETag)",
    )
    async def get_by_external_id(
        self, actor: Actor, db_session: AsyncSession, external_id: ExternalId
    ) -> Response[VacancyOut]:
        vacancy = await upsert.find_for(db_session, actor, external_id)
        return Response(to_out(vacancy), headers={"ETag": upsert.etag(vacancy)})

    @put(
        "/by-external-id/{external_id:str}",
        guards=[requires_scope("vacancies:write")],
        summary="Wohnungsangebot idempotent anlegen oder ändern (Upsert über die eigene ID)",
        description=(
            "Gleicher Inhalt zweimal: eine Wohnung, Antwort `unchanged` (bestätigt das Angebot). "
            "Geänderter Inhalt: `updated`, Version +1. `If-Match` mit dem ETag verhindert das "
            "Überschreiben fremder Änderungen (412)."
        ),
    )
    async def put_by_external_id(
        self,
        actor: Actor,
        db_session: AsyncSession,
        external_id: ExternalId,
        data: VacancyCreate,
        if_match: Annotated[str | None, Parameter(header="If-Match")] = None,
    ) -> Response[UpsertOut]:
        try:
            outcome = await upsert.upsert_by_external_id(
                db_session, actor, external_id, data, if_match=if_match
            )
        except upsert.PreconditionFailed as exc:
            raise _precondition_failed(exc) from exc
        vacancy = outcome.vacancy
        await db_session.refresh(vacancy)
        return Response(
            UpsertOut(result=outcome.result, vacancy=to_out(vacancy)),
            status_code=HTTP_201_CREATED if outcome.result == "created" else HTTP_200_OK,
            headers={"ETag": upsert.etag(vacancy)},
        )

    @delete(
        "/by-external-id/{external_id:str}",
        guards=[requires_scope("vacancies:write")],
        status_code=HTTP_200_OK,
        summary="Wohnungsangebot über die eigene ID zurückziehen (idempotent)",
    )
    async def delete_by_external_id(
        self,
        actor: Actor,
        db_session: AsyncSession,
        external_id: ExternalId,
        if_match: Annotated[str | None, Parameter(header="If-Match")] = None,
    ) -> WithdrawOut:
        vacancy = await upsert.find_for(db_session, actor, external_id)
        if not upsert.etag_matches(if_match, vacancy):
            raise _precondition_failed(upsert.PreconditionFailed(upsert.etag(vacancy)))
        changed = await end_vacancy(db_session, actor, vacancy)
        return WithdrawOut(result="withdrawn" if changed else "unchanged", vacancy=to_out(vacancy))

    @post(
        "/import",
        guards=[requires_scope("vacancies:write")],
        status_code=HTTP_200_OK,
        request_max_body_size=BODY_LIMIT,
        summary="Datei importieren (CSV, XLSX, OpenImmo-XML/ZIP) mit Bericht je Zeile",
        description=(
            "multipart/form-data mit `file`; `mode` = all_or_nothing (Standard) oder valid_only, "
            "`dry_run` = true für eine Vorschau ohne Speichern. Höchstens 20 MB und 50.000 "
            "Zeilen je Datei."
        ),
    )
    async def import_file(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        mode: Literal["all_or_nothing", "valid_only"] | None = None,
        dry_run: bool | None = None,
    ) -> ImportReport:
        if not actor.is_landlord:
            raise problem(403, "Wohnungsangebote importieren nur Vermieter.", code="forbidden")
        data, filename, fields = await read_upload(request)
        chosen_mode = mode or parse_mode(fields.get("mode"))
        preview = dry_run if dry_run is not None else parse_flag(fields.get("dry_run"))
        result = await parse_upload(
            db_session, data, filename, organisation_id=actor.organisation_id
        )
        del data
        if not result.ok:  # the file as a whole: nothing to report per row
            raise problem(
                422,
                "Die Datei wurde abgelehnt; nichts gespeichert.",
                code="file-rejected",
                errors=[FieldError("file", e.message) for e in result.errors],
            )
        report = await run_import(
            db_session, actor, result, filename=filename, mode=chosen_mode, dry_run=preview
        )
        if not preview:
            await record_job(db_session, actor, report)
        return report
