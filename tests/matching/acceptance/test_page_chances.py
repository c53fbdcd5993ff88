"""The chances on a ranking page (and the reverse page) are the pipeline's probabilities for
the same pairs, built the way training builds them (SQLite and PostgreSQL).

Why this test: the page path reads the households from the ranking's snapshot arrays, the
consents as bare columns and predicts through :class:`~matching.acceptance.model.FastPath`;
here every feature is built again from the stored rows, the known consents and
``raw_row`` + ``feature_frame``, and scored by scikit-learn's own ``predict_proba``.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from matching.acceptance.features import RAW_SCHEMA, feature_frame, feature_matrix
from matching.acceptance.history import PairFacts, raw_row
from matching.acceptance.model import TrainedModel, save_model, train
from matching.acceptance.service import AcceptanceService
from matching.consent import service as consent
from matching.db.models import Household, Vacancy
from matching.enums import IncomeBasis
from matching.ranking import RankingService
from tests.matching.acceptance.synthetic import LANDLORDS, history
from tests.matching.ranking.ranking_support import actor, add_household, add_vacancy

pytestmark = pytest.mark.anyio
IDENTITY = ["composition", "income_basis", "name"]
BASIC = ["composition", "income_basis"]


@cache
def _model(landlord_id: int) -> TrainedModel:
    """A model that knows the world's landlord A by name (the demo's first landlord)."""
    raw, answered, accepted, _ = history(3000, 900, seed=11)
    rows = raw.filter(answered).drop("household_index", "sent_on", "scope")
    rows = rows.with_columns(pl.col("landlord_id").replace({LANDLORDS[0]: landlord_id}))
    model = train(rows, accepted[answered], raw.filter(answered)["sent_on"].to_list())
    assert model.card.usable and landlord_id in model.card.landlords
    return model


async def _households(session: Any, world: Any) -> tuple[list[Household], dict[int, list[str]]]:
    """Households of office A that differ in every feature, and the scope each consent gives
    landlord A (none: not in the dict)."""
    org = world.orgs["counseling_a"].id
    today = date.today()
    made = [
        await add_household(session, org, "HH-2026-30001"),
        await add_household(
            session,
            org,
            "HH-2026-30002",
            income_basis=IncomeBasis.OWN_INCOME,
            own_max_rent=Decimal("640"),
            adults=2,
            children_ages=[4],
            preferred_ags=["05770004", "05770032"],
            registered_at=today - timedelta(days=700),
        ),
        await add_household(
            session,
            org,
            "HH-2026-30003",
            income_basis=IncomeBasis.WOHNGELD,
            own_max_rent=Decimal("900"),
            adults=2,
            preferred_ags=["05770044"],
            registered_at=today - timedelta(days=3),
        ),
        await add_household(
            session, org, "HH-2026-30004", income_basis=IncomeBasis.SGB12, preferred_ags=[]
        ),
        await add_household(session, org, "HH-2026-30005", adults=3, children_ages=[2, 9]),
    ]
    counselor = await actor(session, world, "counselor_a")
    landlord, other = world.orgs["landlord_a"].id, world.orgs["landlord_b"].id
    for household, scope, to in (
        (made[0], IDENTITY, []),
        (made[1], BASIC, [landlord]),
        (made[2], IDENTITY, [other]),  # names landlord B only: nothing for landlord A
    ):
        await consent.record_consent(
            session,
            counselor,
            household.id,
            scope=scope,
            recipients="named" if to else "network",
            recipient_organisation_ids=to,
            given_at=today - timedelta(days=10),
            valid_until=today + timedelta(days=100),
            form_reference="Blatt 7",
        )
    await session.commit()
    return made, {made[0].id: IDENTITY, made[1].id: BASIC}


def _expected(
    model: TrainedModel,
    facts: PairFacts,
    vacancy: Vacancy,
    households: list[Household],
    scopes: dict[int, list[str]],
    today: date,
) -> dict[int, float]:
    """The training path: ``raw_row`` per pair, a polars frame, ``predict_proba``."""
    rows = [
        raw_row(
            facts,
            town=vacancy.municipality_ags,
            available_from=vacancy.available_from,
            gross_cold_rent=float(vacancy.net_cold_rent + vacancy.cold_service_charges),
            heating_costs=float(vacancy.heating_costs),
            rooms=float(vacancy.rooms),
            living_area=float(vacancy.living_area),
            landlord_id=vacancy.organisation_id,
            persons=h.persons,
            income_basis=h.income_basis.value,
            own_max_rent=None if h.own_max_rent is None else float(h.own_max_rent),
            preferred=list(h.preferred_ags or []),
            registered_at=h.registered_at,
            on=today,
            scope=scopes.get(h.id, []),
        )
        for h in households
    ]
    frame = feature_frame(pl.DataFrame(rows, schema=RAW_SCHEMA), model.card.landlords)
    proba = model.pipeline.predict_proba(feature_matrix(frame))[:, 1]
    return {h.id: float(p) for h, p in zip(households, proba, strict=True)}


async def test_page_chances_are_the_pipelines_probabilities(
    session: Any, world: Any, tmp_path: Path
) -> None:
    model = _model(world.orgs["landlord_a"].id)
    assert model.fast is not None  # the page does not go through predict_proba
    save_model(model, tmp_path)
    service, ranking = AcceptanceService(tmp_path), RankingService()
    households, scopes = await _households(session, world)
    vacancy = await add_vacancy(session, world.orgs["landlord_a"].id)
    admin = await actor(session, world, "admin")
    result = await ranking.rank_vacancy(session, admin, vacancy, limit=50)
    ranked = [r.household_id for r in result.rows]
    ours = [h for h in households if h.id in ranked]
    assert len(ours) >= 4, "the test households should pass the vacancy's rules"
    ref = ranking.reference.cached
    assert ref is not None
    facts = PairFacts(ref.municipalities, ref.rent_limits)
    today = result.reference_date
    expected = _expected(model, facts, vacancy, ours, scopes, today)

    page = await service.for_vacancy(session, ranking, result)
    assert page.note is None and set(page.chances) == set(ranked)
    got = {h: page.chances[h].probability for h in expected}
    assert np.allclose(list(got.values()), list(expected.values()), rtol=0, atol=1e-9)
    assert {page.chances[h].model_version for h in ranked} == {model.card.version}
    assert len({round(p, 12) for p in got.values()}) > 1  # the pairs differ, so do the chances

    for household in ours:  # the reverse page (open flats of one household) agrees
        reverse = await ranking.household_matches(session, admin, household.id, limit=50)
        flats = await service.for_household(session, ranking, reverse)
        assert set(flats.chances) == {r.vacancy_id for r in reverse.rows}
        assert abs(flats.chances[vacancy.id].probability - expected[household.id]) <= 1e-9
    pair = await service.for_pair(session, ranking, True, vacancy.id, ours[0].id, today)
    assert abs(pair.chances[ours[0].id].probability - expected[ours[0].id]) <= 1e-9
