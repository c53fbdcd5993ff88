"""Household pages for counselors (own organisation only)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.params import Parameter
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from api.dependencies import provide_actor, provide_households
from api.guards import counselor_or_admin
from api.views.forms import flash, form_dict, render
from matching.actors import Actor
from matching.cases.service import CaseService
from matching.db.models import Municipality
from matching.enums import HouseholdStatus, IncomeBasis, Urgency
from matching.households.repository import LARGE_HOUSEHOLD, HouseholdFilter
from matching.households.schemas import HouseholdCreate, HouseholdUpdate
from matching.households.service import HouseholdService
from matching.numbers import plain_int
from matching.reference.queries import municipalities
from matching.validation import ValidationFailed, validate

PAGE_SIZE = 25


def _children(raw: Any) -> Any:
    """ "3, 7" -> [3, 7]; kept as text when it cannot be read, so the error names the field."""
    if raw is None or str(raw).strip() == "":
        return []
    parts = [p.strip() for p in str(raw).replace(";", ",").split(",") if p.strip()]
    try:
        return [int(p) for p in parts]
    except ValueError:
        return str(raw)


def _household_form(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    data["children_ages"] = _children(data.get("children_ages"))
    return data


class HouseholdPages(Controller):
    path = "/haushalte"
    guards = [counselor_or_admin]
    include_in_schema = False
    dependencies = {
        "actor": Provide(provide_actor),
        "households": Provide(provide_households),
    }

    @get("/")
    async def list_page(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        households: HouseholdService,
        db_session: AsyncSession,
        status: HouseholdStatus | None = None,
        urgency: Urgency | None = None,
        town: Annotated[str | None, Parameter(pattern=r"^\d{8}$")] = None,
        size: Annotated[int | None, Parameter(ge=1, le=LARGE_HOUSEHOLD)] = None,
        page: Annotated[int, Parameter(ge=1, le=100_000)] = 1,
    ) -> Template:
        """Filters only (no personal data): they may stand in the address."""
        flt = HouseholdFilter(status=status, urgency=urgency, municipality_ags=town, persons=size)
        return await _list(request, actor, households, db_session, flt, page)

    @post("/suche")
    async def search_page(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        households: HouseholdService,
        db_session: AsyncSession,
    ) -> Template:
        """Search by name or reference code: sent in the body, so a name never lands in an
        address, a log or the browser history."""
        raw = await form_dict(request)
        flt, page = _search_filter(raw)
        return await _list(request, actor, households, db_session, flt, page)

    @get("/neu")
    async def new_page(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        return render(
            request,
            "households/form.html",
            values={"adults": 1, "children_ages": ""},
            errors={},
            towns=await municipalities(db_session),
            household=None,
            **_choices(),
        )

    @post("/")
    async def create(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        households: HouseholdService,
        db_session: AsyncSession,
    ) -> Template | Redirect:
        raw = await form_dict(request, lists=("preferred_ags",))
        try:
            data = validate(HouseholdCreate, _household_form(raw), from_form=True)
            household = await households.create_for(actor, data)
        except ValidationFailed as exc:
            return _form_again(request, raw, exc, await municipalities(db_session), None)
        flash(request, f"Haushalt {household.reference_code} wurde angelegt.")
        return Redirect(f"/haushalte/{household.id}")

    @get("/{household_id:int}")
    async def detail(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        households: HouseholdService,
        db_session: AsyncSession,
        household_id: int,
    ) -> Template:
        household = await households.get_for(actor, household_id)
        town_names = {m.ags: m.name for m in await municipalities(db_session)}
        cases = CaseService(session=db_session)
        case_rows, _ = await cases.list_for(actor, household_id=household.id, limit=50)
        return render(
            request,
            "households/detail.html",
            household=household,
            towns=town_names,
            case_rows=case_rows,
            urgency_reason=await cases.urgency_reason(household),
        )

    @get("/{household_id:int}/bearbeiten")
    async def edit_page(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        households: HouseholdService,
        db_session: AsyncSession,
        household_id: int,
    ) -> Template:
        household = await households.get_for(actor, household_id)
        values = {
            c: getattr(household, c)
            for c in HouseholdUpdate.__struct_fields__
            if hasattr(household, c)
        }
        values["children_ages"] = ", ".join(str(a) for a in household.children_ages or [])
        return render(
            request,
            "households/form.html",
            values=values,
            errors={},
            towns=await municipalities(db_session),
            household=household,
            **_choices(),
        )

    @post("/{household_id:int}")
    async def update(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        households: HouseholdService,
        db_session: AsyncSession,
        household_id: int,
    ) -> Template | Redirect:
        household = await households.get_for(actor, household_id, audit_read=False)
        raw = await form_dict(request, lists=("preferred_ags",))
        try:
            data = validate(HouseholdUpdate, _household_form(raw), from_form=True)
            # The form sends every field it shows: an emptied optional field arrives as
            # None and the service clears it (checked and audited like any change).
            await households.update_for(actor, household_id, data)
        except ValidationFailed as exc:
            return _form_again(request, raw, exc, await municipalities(db_session), household)
        flash(request, "Änderungen gespeichert.")
        return Redirect(f"/haushalte/{household_id}")


def _enum_or_none(enum: type[Any], raw: Any) -> Any:
    return enum(raw) if raw in {e.value for e in enum} else None


def _int_in(raw: Any, low: int, high: int) -> int | None:
    number = plain_int(raw)
    return number if number is not None and low <= number <= high else None


def _search_filter(raw: dict[str, Any]) -> tuple[HouseholdFilter, int]:
    """The search form's fields as a filter; anything unreadable counts as "all"."""
    town = str(raw.get("town") or "")
    flt = HouseholdFilter(
        status=_enum_or_none(HouseholdStatus, raw.get("status")),
        urgency=_enum_or_none(Urgency, raw.get("urgency")),
        municipality_ags=town if len(town) == 8 and town.isdigit() else None,
        persons=_int_in(raw.get("size"), 1, LARGE_HOUSEHOLD),
        query=str(raw.get("q") or "").strip()[:200] or None,
    )
    return flt, _int_in(raw.get("page"), 1, 100_000) or 1


async def _list(
    request: Request[Any, Any, Any],
    actor: Actor,
    households: HouseholdService,
    db_session: AsyncSession,
    flt: HouseholdFilter,
    page: int,
) -> Template:
    rows, total = await households.list_for(actor, flt, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    return render(
        request,
        "households/list.html",
        households=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        towns=await municipalities(db_session),
        filters={
            "status": flt.status,
            "urgency": flt.urgency,
            "town": flt.municipality_ags,
            "size": flt.persons,
        },
        query=flt.query or "",
        statuses=list(HouseholdStatus),
        urgencies=list(Urgency),
        sizes=[(n, f"{n} und mehr" if n == LARGE_HOUSEHOLD else str(n)) for n in range(1, 6)],
    )


def _choices() -> dict[str, Any]:
    return {
        "income_bases": list(IncomeBasis),
        "urgencies": list(Urgency),
        "statuses": list(HouseholdStatus),
    }


def _form_again(
    request: Request[Any, Any, Any],
    raw: dict[str, Any],
    exc: ValidationFailed,
    town_rows: list[Municipality],
    household: Any,
) -> Template:
    return render(
        request,
        "households/form.html",
        status_code=422,
        values=raw,
        errors=exc.as_dict(),
        towns=town_rows,
        household=household,
        **_choices(),
    )
