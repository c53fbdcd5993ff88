"""The ranking service: who sees which households, funnel counts, explanations, bad input,
the proposal checker and the allocation (SQLite and PostgreSQL)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from matching.db.models import Proposal
from matching.enums import IncomeBasis, ProposalStatus
from matching.errors import Forbidden, NotFound
from matching.proposals.checker import PairEvaluation
from matching.ranking import RankingService
from matching.validation import ValidationFailed
from scoring import PolicyError
from tests.matching.ranking.ranking_support import actor, add_household, add_vacancy, api_actor

pytestmark = pytest.mark.anyio


async def _households(session: Any, world: Any) -> dict[str, Any]:
    """Counselling office A: one household passes vacancy A, four fail one rule each."""
    org_a = world.orgs["counseling_a"].id
    org_b = world.orgs["counseling_b"].id
    return {
        "large": await add_household(session, org_a, "HH-2026-20001", adults=6),
        "wheelchair": await add_household(session, org_a, "HH-2026-20002", needs_wheelchair=True),
        "budget": await add_household(
            session,
            org_a,
            "HH-2026-20003",
            income_basis=IncomeBasis.OWN_INCOME,
            own_max_rent=Decimal("400"),
        ),
        "outside": await add_household(
            session, org_a, "HH-2026-20004", preferred_ags=["05770004"], preferences_hard=True
        ),
        "other_b": await add_household(session, org_b, "HH-2026-20005", adults=6),
    }


async def test_counselor_ranks_and_counts_only_own_households(session: Any, world: Any) -> None:
    hh = await _households(session, world)
    service = RankingService()
    counselor = await actor(session, world, "counselor_a")
    result = await service.vacancy_matches(session, counselor, world.vacancies["a"].id)
    assert result.scope == "organisation"
    assert [r.household_id for r in result.rows] == [world.households["a"].id]
    assert all(r.own for r in result.rows)
    assert result.rows[0].reference_code == world.households["a"].reference_code
    funnel = result.funnel
    assert (funnel.total, funnel.eligible, funnel.excluded) == (5, 1, 4)
    counts = funnel.counts()
    assert counts["HOUSEHOLD_TOO_LARGE"] == 1
    assert counts["NOT_WHEELCHAIR_ACCESSIBLE"] == 1
    assert counts["RENT_ABOVE_BUDGET"] == 1
    assert counts["OUTSIDE_AREA"] == 1
    assert funnel.summary().startswith("4 Haushalte ausgeschlossen: ")
    assert hh["other_b"].id not in {r.household_id for r in result.rows}
    row = result.rows[0]
    assert round(sum(c.points for c in row.components), 2) == row.total
    assert result.policy_name == "dringlichkeit" and result.policy_version
    assert any(w.code == "RENT_LIMITS_EXAMPLE" for w in result.warnings)
    assert "Beispielwerte – nicht amtlich" in result.warnings[0].text


async def test_api_key_of_a_counselling_office_sees_the_same(session: Any, world: Any) -> None:
    await _households(session, world)
    service = RankingService()
    by_key = await service.vacancy_matches(
        session, api_actor(world, "counseling_b"), world.vacancies["a"].id
    )
    assert [r.household_id for r in by_key.rows] == [world.households["b"].id]
    assert by_key.funnel.total == 2


async def test_admin_sees_all_households(session: Any, world: Any) -> None:
    await _households(session, world)
    service = RankingService()
    admin = await actor(session, world, "admin")
    result = await service.vacancy_matches(session, admin, world.vacancies["b"].id)
    assert result.scope == "all"
    assert {r.household_id for r in result.rows} == {
        world.households["a"].id,
        world.households["b"].id,
    }
    assert result.funnel.total == 7
    assert result.funnel.counts()["HOUSEHOLD_TOO_LARGE"] == 2


async def test_landlords_and_other_offices_get_not_found(session: Any, world: Any) -> None:
    service = RankingService()
    landlord = await actor(session, world, "landlord_a")
    with pytest.raises(NotFound):
        await service.vacancy_matches(session, landlord, world.vacancies["a"].id)
    with pytest.raises(NotFound):
        await service.household_matches(session, landlord, world.households["a"].id)
    counselor_b = await actor(session, world, "counselor_b")
    with pytest.raises(NotFound):
        await service.household_matches(session, counselor_b, world.households["a"].id)
    with pytest.raises(NotFound):
        await service.explain(
            session, counselor_b, world.vacancies["a"].id, world.households["a"].id
        )
    with pytest.raises(NotFound):
        await service.vacancy_matches(session, counselor_b, 999_999)


async def test_live_and_declined_proposals_exclude(session: Any, world: Any) -> None:
    for key, status in (("a", ProposalStatus.SENT), ("b", ProposalStatus.DECLINED)):
        household = world.households[key]
        session.add(
            Proposal(
                vacancy_id=world.vacancies["a"].id,
                household_id=household.id,
                landlord_organisation_id=world.orgs["landlord_a"].id,
                counseling_organisation_id=household.organisation_id,
                status=status,
            )
        )
    await session.commit()
    service = RankingService()
    admin = await actor(session, world, "admin")
    result = await service.vacancy_matches(session, admin, world.vacancies["a"].id)
    assert result.rows == ()
    assert result.funnel.counts()["ALREADY_PROPOSED"] == 1
    assert result.funnel.counts()["DECLINED_BEFORE"] == 1
    pair = await service.explain(session, admin, world.vacancies["a"].id, world.households["a"].id)
    assert [x.code for x in pair.explanation.exclusions] == ["ALREADY_PROPOSED"]


async def test_pair_explanation_gives_every_sentence(session: Any, world: Any) -> None:
    org_a = world.orgs["counseling_a"].id
    both = await add_household(
        session, org_a, "HH-2026-20010", adults=6, needs_wheelchair=True, has_pets=True
    )
    await add_vacancy(session, world.orgs["landlord_a"].id, pets="no", external_id="NOPETS")
    service = RankingService()
    counselor = await actor(session, world, "counselor_a")
    result = await service.explain(session, counselor, world.vacancies["a"].id, both.id)
    e = result.explanation
    assert not e.eligible and e.total is None
    codes = [x.code for x in e.exclusions]
    assert codes == ["HOUSEHOLD_TOO_LARGE", "NOT_WHEELCHAIR_ACCESSIBLE"]
    assert "6 Personen" in e.exclusions[0].text and "m²" in e.exclusions[0].text
    assert result.reference_code == "HH-2026-20010"
    ok = await service.explain(
        session, counselor, world.vacancies["a"].id, world.households["a"].id, policy="wartezeit"
    )
    assert ok.explanation.eligible and ok.explanation.total is not None
    assert ok.policy_name == "wartezeit"
    assert round(sum(c.points for c in ok.explanation.components), 2) == ok.explanation.total
    assert all(c.reason for c in ok.explanation.components)


async def test_vacancy_without_floor_answers_422_naming_it(session: Any, world: Any) -> None:
    vacancy = await add_vacancy(
        session, world.orgs["landlord_a"].id, floor=None, external_id="NOFLOOR"
    )
    service = RankingService()
    admin = await actor(session, world, "admin")
    with pytest.raises(ValidationFailed) as caught:
        await service.vacancy_matches(session, admin, vacancy.id)
    assert [e.field for e in caught.value.errors] == ["floor"]
    assert "Stockwerk" in caught.value.errors[0].message
    context = await service.vacancy_context(session, admin, vacancy)
    assert context["result"] is None and context["errors"][0].field == "floor"


async def test_absurd_vacancy_values_are_refused_by_the_engine(session: Any, world: Any) -> None:
    vacancy = await add_vacancy(
        session,
        world.orgs["landlord_a"].id,
        net_cold_rent=Decimal("25000"),
        external_id="ABSURD",
    )
    service = RankingService()
    admin = await actor(session, world, "admin")
    with pytest.raises(ValidationFailed) as caught:
        await service.vacancy_matches(session, admin, vacancy.id)
    assert "net_cold_rent" in [e.field for e in caught.value.errors]


async def test_unknown_policy_and_bad_page_answer_422(session: Any, world: Any) -> None:
    service = RankingService()
    admin = await actor(session, world, "admin")
    with pytest.raises(ValidationFailed) as caught:
        await service.vacancy_matches(session, admin, world.vacancies["a"].id, policy="gibtsnicht")
    error = caught.value.errors[0]
    assert error.field == "policy"
    assert "dringlichkeit, passgenauigkeit, wartezeit" in error.message
    with pytest.raises(ValidationFailed) as caught:
        await service.vacancy_matches(session, admin, world.vacancies["a"].id, limit=0)
    assert caught.value.errors[0].field == "limit"


async def test_household_matches_rank_open_vacancies(session: Any, world: Any) -> None:
    service = RankingService()
    counselor = await actor(session, world, "counselor_a")
    result = await service.household_matches(session, counselor, world.households["a"].id)
    assert {r.vacancy_id for r in result.rows} == {v.id for v in world.vacancies.values()}
    assert result.rows[0].town == "Minden"
    assert result.reference_code == world.households["a"].reference_code
    assert result.funnel.total == 2 and result.eligible_count == 2


async def test_checker_for_the_proposal_workflow(session: Any, world: Any) -> None:
    large = await add_household(session, world.orgs["counseling_a"].id, "HH-2026-20020", adults=6)
    service = RankingService()
    bad = await service.evaluate(session, world.vacancies["a"].id, large.id)
    assert isinstance(bad, PairEvaluation)
    assert bad.score is None and bad.exclusions[0][0] == "HOUSEHOLD_TOO_LARGE"
    assert bad.policy_name == "dringlichkeit" and bad.policy_version
    good = await service.evaluate(session, world.vacancies["a"].id, world.households["a"].id)
    assert good.exclusions == [] and good.score is not None
    assert set(good.components) == {
        "urgency",
        "waiting",
        "size_fit",
        "location",
        "affordability",
    }
    assert round(sum(good.components.values()), 2) == good.score


async def test_allocation_for_the_admin_only(session: Any, world: Any) -> None:
    await _households(session, world)
    await add_vacancy(
        session,
        world.orgs["landlord_b"].id,
        living_area=Decimal("120"),
        rooms=Decimal("5"),
        net_cold_rent=Decimal("700"),
        external_id="BIG",
    )
    service = RankingService()
    admin = await actor(session, world, "admin")
    result = await service.allocation(session, admin)
    assert len(result.items) == 3
    assigned = [i.household_id for i in result.items if i.household_id is not None]
    assert len(assigned) == len(set(assigned))  # one household per vacancy at most
    counts = [i.eligible_count for i in result.items]
    assert counts == sorted(counts)  # hard to place first
    assert result.items[0].hard_to_place
    assert await service.allocation(session, admin) is result  # unchanged data: kept
    with pytest.raises(Forbidden):
        await service.allocation(session, await actor(session, world, "counselor_a"))


async def test_invalid_household_is_reported_to_its_own_office(session: Any, world: Any) -> None:
    await add_household(
        session,
        world.orgs["counseling_a"].id,
        "HH-2026-20030",
        income_basis=IncomeBasis.OWN_INCOME,
        own_max_rent=Decimal("0"),
    )
    service = RankingService()
    a = await service.vacancy_matches(
        session, await actor(session, world, "counselor_a"), world.vacancies["a"].id
    )
    b = await service.vacancy_matches(
        session, await actor(session, world, "counselor_b"), world.vacancies["a"].id
    )
    assert any(w.code == "HOUSEHOLDS_SKIPPED" for w in a.warnings)
    assert not any(w.code == "HOUSEHOLDS_SKIPPED" for w in b.warnings)


def test_broken_policy_file_stops_the_service(tmp_path: Path) -> None:
    path = tmp_path / "kaputt.toml"
    source = (Path(__file__).parents[3] / "scoring" / "policies" / "dringlichkeit.toml").read_text()
    path.write_text(source.replace("urgency = 35", "urgency = 36"), encoding="utf-8")
    with pytest.raises(PolicyError, match="weights"):
        RankingService(path)
    with pytest.raises(PolicyError, match="gibtsnicht"):
        RankingService("gibtsnicht")
    custom = tmp_path / "eigene.toml"
    custom.write_text(source.replace('name = "dringlichkeit"', 'name = "eigene"'), "utf-8")
    assert RankingService(custom).default_policy == "eigene"
