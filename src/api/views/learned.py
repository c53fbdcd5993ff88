"""Pages about the learned signals: the acceptance model's card and the fairness monitor."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.di import Provide
from litestar.params import Parameter
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from api.dependencies import provide_actor
from api.guards import admin_only, counselor_or_admin
from api.views.forms import render
from matching import clock
from matching.acceptance.features import FEATURE_LABELS_DE, FEATURES
from matching.acceptance.model import MIN_ANSWERED, MIN_LANDLORD_HISTORY
from matching.acceptance.service import AcceptanceService
from matching.actors import Actor
from matching.fairness.service import fairness_report
from matching.fairness.stats import ALARM_RATIO
from matching.reports.charts import Series, bar_chart
from matching.reports.suppression import MIN_COUNT, SUPPRESSION_NOTE
from matching.validation import FieldError, ValidationFailed


def _acceptance(request: Request[Any, Any, Any]) -> AcceptanceService:
    service: AcceptanceService = request.app.state.acceptance
    return service


class ModelCardPage(Controller):
    path = "/berichte/zusage-chance"
    include_in_schema = False

    @get("/", guards=[counselor_or_admin])
    async def card(self, request: Request[Any, Any, Any]) -> Template:
        """The model card: what the chance is for, what it learns from, how good it is."""
        status = _acceptance(request).status()
        chart = None
        card = status.card
        if card is not None and card.calibration:
            bins = card.calibration
            chart = bar_chart(
                "Kalibrierung: geschätzte und tatsächliche Zusagequote",
                [f"geschätzt um {round(b['predicted'] * 100)} %" for b in bins],
                [
                    Series("geschätzt", [b["predicted"] * 100 for b in bins]),
                    Series("tatsächlich", [b["observed"] * 100 for b in bins]),
                ],
                unit=" %",
            )
        return render(
            request,
            "learned/model_card.html",
            status=status,
            card=card,
            chart=chart,
            features=[(name, FEATURE_LABELS_DE[name]) for name in FEATURES],
            min_answered=MIN_ANSWERED,
            min_landlord=MIN_LANDLORD_HISTORY,
        )


def _day(raw: str | None, default: dt.date) -> dt.date | None:
    if not raw:
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


class FairnessPage(Controller):
    path = "/berichte/fairness"
    include_in_schema = False
    guards = [admin_only]
    dependencies = {"actor": Provide(provide_actor)}

    @get("/")
    async def page(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        von: Annotated[str | None, Parameter(max_length=10)] = None,
        bis: Annotated[str | None, Parameter(max_length=10)] = None,
    ) -> Template:
        """The fairness monitor for a period (default: the last twelve months)."""
        today = clock.today()
        start, end = _day(von, today - dt.timedelta(days=365)), _day(bis, today)
        errors: list[FieldError] = []
        if start is None:
            errors.append(FieldError("von", "Bitte ein Datum wie 2026-01-31 angeben."))
        if end is None:
            errors.append(FieldError("bis", "Bitte ein Datum wie 2026-12-31 angeben."))
        report = None
        if start is not None and end is not None:
            try:
                report = await fairness_report(
                    db_session,
                    actor,
                    request.app.state.ranking,
                    _acceptance(request),
                    start,
                    end,
                )
            except ValidationFailed as exc:
                errors += exc.errors
        return render(
            request,
            "learned/fairness.html",
            status_code=422 if errors else 200,
            report=report,
            errors=errors,
            von=von or (start.isoformat() if start else ""),
            bis=bis or (end.isoformat() if end else ""),
            alarm_ratio=ALARM_RATIO,
            min_count=MIN_COUNT,
            suppression_note=SUPPRESSION_NOTE,
        )


ROUTES: list[Any] = [ModelCardPage, FairnessPage]
