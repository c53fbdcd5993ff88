"""A policy weighing the acceptance chance orders by it, everywhere it scores pairs (SQLite
and PostgreSQL): the ranking page, the reverse page and "Warum?" use the chance of one model
version, the one the page then shows beside the row."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from matching.acceptance.history import PairFacts
from matching.acceptance.model import save_model
from matching.acceptance.service import AcceptanceService
from matching.ranking import RankingService
from scoring import Component, ComponentScore
from tests.matching.acceptance.test_page_chances import _expected, _households, _model
from tests.matching.ranking.ranking_support import actor, add_household, add_vacancy

pytestmark = pytest.mark.anyio
POLICIES = Path(__file__).resolve().parents[3] / "scoring" / "policies"


def _only_the_chance(tmp_path: Path) -> Path:
    """A policy file giving all 100 points to the acceptance chance (others: 0)."""
    data = tomllib.loads((POLICIES / "dringlichkeit.toml").read_text("utf-8"))
    text = (POLICIES / "dringlichkeit.toml").read_text("utf-8")
    weights = "\n".join(f"{key} = 0" for key in data["weights"])
    text = text.replace('name = "dringlichkeit"', 'name = "zusage"')
    head, rest = text.split("[weights]", 1)
    rest = rest.split("[urgency]", 1)[1]
    path = tmp_path / "zusage.toml"
    path.write_text(f"{head}[weights]\n{weights}\nacceptance = 100\n\n[urgency]{rest}", "utf-8")
    return path


def _chance(components: tuple[ComponentScore, ...]) -> ComponentScore:
    return {c.component: c for c in components}[Component.ACCEPTANCE]


async def test_a_weighted_chance_orders_the_ranking(
    session: Any, world: Any, tmp_path: Path
) -> None:
    model = _model(world.orgs["landlord_a"].id)
    save_model(model, tmp_path / "model")
    service = AcceptanceService(tmp_path / "model")
    ranking = RankingService(_only_the_chance(tmp_path), chances=service)
    assert ranking.policy("zusage").weights.acceptance == 100
    households, scopes = await _households(session, world)
    vacancy = await add_vacancy(session, world.orgs["landlord_a"].id)
    admin = await actor(session, world, "admin")

    result = await ranking.rank_vacancy(session, admin, vacancy, policy="zusage", limit=50)
    ours = [h for h in households if h.id in {r.household_id for r in result.rows}]
    assert len(ours) >= 4, "the test households should pass the vacancy's rules"
    ref = ranking.reference.cached
    assert ref is not None
    facts = PairFacts(ref.municipalities, ref.rent_limits)
    expected = _expected(model, facts, vacancy, ours, scopes, result.reference_date)
    assert len({round(p, 6) for p in expected.values()}) > 1  # the order has something to do

    used = result.used_chances
    assert used is not None and used.model_version == model.card.version
    chances = [_chance(r.components).value for r in result.rows]
    assert chances == sorted(chances, reverse=True)  # all 100 points: the order is the chance
    for row in result.rows:
        assert round(sum(c.points for c in row.components) * 100) == round(row.total * 100)
        assert _chance(row.components).value == used.by_id[row.household_id]
        assert _chance(row.components).reason.startswith("Geschätzte Zusage-Chance")
    for h in ours:
        assert abs(used.by_id[h.id] - expected[h.id]) <= 1e-9

    # the page shows the chance the order used, of the same model version
    page = await service.for_vacancy(session, ranking, result)
    assert {i: c.probability for i, c in page.chances.items()} == dict(used.by_id)
    assert {c.model_version for c in page.chances.values()} == {model.card.version}

    # "Warum?" of a pair gives the same points and shows the same chance
    for row in result.rows[:3]:
        pair = await ranking.explain(session, admin, vacancy.id, row.household_id, policy="zusage")
        assert (pair.explanation.total, pair.explanation.components) == (
            row.total,
            row.components,
        )
        shown = await service.for_explained(session, ranking, pair)
        assert shown.chances[row.household_id].probability == used.by_id[row.household_id]

    # the reverse page (open flats of one household) scores the same pair alike
    reverse = await ranking.household_matches(session, admin, ours[0].id, policy="zusage")
    flat = next(r for r in reverse.rows if r.vacancy_id == vacancy.id)
    assert abs(_chance(flat.components).value - expected[ours[0].id]) <= 1e-9


async def test_without_a_model_a_weighted_chance_is_neutral(
    session: Any, world: Any, tmp_path: Path
) -> None:
    ranking = RankingService(
        _only_the_chance(tmp_path), chances=AcceptanceService(tmp_path / "none")
    )
    await _households(session, world)
    vacancy = await add_vacancy(session, world.orgs["landlord_a"].id)
    admin = await actor(session, world, "admin")
    result = await ranking.rank_vacancy(session, admin, vacancy, policy="zusage", limit=50)
    assert result.rows and result.used_chances is None
    for row in result.rows:
        chance = _chance(row.components)
        assert (chance.value, chance.points, row.total) == (0.5, 50.0, 50.0)
        assert chance.reason.startswith("Keine Schätzung der Zusage-Chance")


class _Refusing:
    """A chance source that must not be asked (the shipped policies give the chance 0)."""

    async def household_chances(self, *args: Any, **kwargs: Any) -> None:
        raise AssertionError("asked for chances a policy does not weigh")

    vacancy_chances = household_chances


async def test_the_shipped_policies_never_ask_for_a_chance(session: Any, world: Any) -> None:
    plain, asked = RankingService(), RankingService(chances=_Refusing())  # type: ignore[arg-type]
    households, _ = await _households(session, world)
    vacancy = await add_vacancy(session, world.orgs["landlord_a"].id)
    admin = await actor(session, world, "admin")
    for name in plain.policy_names:
        before = await plain.rank_vacancy(session, admin, vacancy, policy=name)
        after = await asked.rank_vacancy(session, admin, vacancy, policy=name)
        assert after == before and after.used_chances is None
        assert all(
            Component.ACCEPTANCE not in {c.component for c in r.components} for r in after.rows
        )
        await asked.household_matches(session, admin, households[0].id, policy=name)
        await asked.explain(session, admin, vacancy.id, households[0].id, policy=name)


class _CountingSource:
    """A chance source that answers 0.5 and keeps which households it was prepared for."""

    def __init__(self) -> None:
        self.prepared: list[set[int]] = []

    async def household_chances(self, *args: Any, **kwargs: Any) -> Any:
        ids = args[6] if len(args) > 6 else kwargs.get("household_ids")
        self.prepared.append(set() if ids is None else set(ids.tolist()))

        class Half:
            model_version = "test"

            def __call__(self, household_ids: Any, vacancy_ids: Any) -> Any:
                return np.full(len(household_ids), 0.5)

        return Half()

    async def vacancy_chances(self, *args: Any, **kwargs: Any) -> Any:
        return None


async def test_only_the_households_passing_the_rules_are_prepared(
    session: Any, world: Any, tmp_path: Path
) -> None:
    """The chance reads consents: it is prepared for the households the flat's hard rules
    let through, not for every household of the snapshot (tens of thousands of consents)."""
    source = _CountingSource()
    ranking = RankingService(_only_the_chance(tmp_path), chances=source)  # type: ignore[arg-type]
    await _households(session, world)
    shut_out = await add_household(
        session, world.orgs["counseling_a"].id, "HH-2026-30099", needs_wheelchair=True
    )  # the flat is not wheelchair accessible
    vacancy = await add_vacancy(session, world.orgs["landlord_a"].id)
    admin = await actor(session, world, "admin")
    result = await ranking.rank_vacancy(session, admin, vacancy, policy="zusage", limit=50)
    assert shut_out.id not in {row.household_id for row in result.rows}
    table = ranking.households.cached
    assert table is not None and len(table) > result.eligible_count > 0
    assert source.prepared == [{row.household_id for row in result.rows}]
    assert len(result.rows) == result.eligible_count  # every passing household is on the page


async def test_the_allocation_says_it_does_not_weigh_the_chance(
    session: Any, world: Any, tmp_path: Path
) -> None:
    ranking = RankingService(_only_the_chance(tmp_path), chances=_CountingSource())  # type: ignore[arg-type]
    await _households(session, world)
    await add_vacancy(session, world.orgs["landlord_a"].id)
    admin = await actor(session, world, "admin")
    weighted = await ranking.allocation(session, admin, policy="zusage")
    assert any("Zuteilung noch nicht berücksichtigt" in w.text for w in weighted.warnings)
    shipped = await ranking.allocation(session, admin, policy="dringlichkeit")
    assert not any("Zusage-Chance" in w.text for w in shipped.warnings)
