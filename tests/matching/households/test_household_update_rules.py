"""Household updates run the validation of creation on the household they would leave: every
change creation refuses, an update refuses for the same field, and stores nothing."""

from __future__ import annotations

from typing import Any

import pytest

from matching.actors import Actor
from matching.db.models import Household
from matching.enums import IncomeBasis, OrganisationKind, Role, Urgency
from matching.households.schemas import HouseholdCreate, HouseholdFields, HouseholdUpdate
from matching.households.service import HouseholdService
from matching.validation import ValidationFailed

pytestmark = pytest.mark.anyio


def counselor(world: Any) -> Actor:
    user = world.users["counselor_a"]
    return Actor(
        kind="user",
        organisation_id=user.organisation_id,
        role=Role.COUNSELOR,
        organisation_kind=OrganisationKind.COUNSELING,
        user_id=user.id,
        label="counselor_a",
    )


async def stored(session: Any, household_id: int) -> dict[str, Any]:
    session.expire_all()
    household = await session.get(Household, household_id)
    assert household is not None
    return {f: getattr(household, f) for f in (*HouseholdFields.__struct_fields__, "version")}


# The world's household: one adult, Bürgergeld, notice received, no own rent limit.
REFUSED_CHANGES = [
    pytest.param({"urgency": Urgency.EVICTION_SCHEDULED}, "eviction_date", id="raeumung"),
    pytest.param({"income_basis": IncomeBasis.OWN_INCOME}, "own_max_rent", id="eigenes-einkommen"),
    pytest.param({"own_max_rent": 450.555}, "own_max_rent", id="bruchteil-cent"),
    pytest.param({"email": "keine-adresse"}, "email", id="e-mail"),
    pytest.param({"name": "Erika\nMustermann"}, "name", id="zeilenumbruch"),
    pytest.param({"adults": 15, "children_ages": [1, 2, 3, 4, 5, 6]}, "children_ages", id="21"),
    pytest.param({"preferred_ags": ["05779999"]}, "preferred_ags", id="unbekannter-ort"),
]


@pytest.mark.parametrize(("changes", "field"), REFUSED_CHANGES)
async def test_an_update_is_refused_by_the_rules_of_creation(
    session: Any, world: Any, changes: dict[str, Any], field: str
) -> None:
    hid, actor = world.households["a"].id, counselor(world)
    service = HouseholdService(session=session)
    before = await stored(session, hid)
    with pytest.raises(ValidationFailed) as updated:
        await service.update_for(actor, hid, HouseholdUpdate(**changes))
    assert field in updated.value.as_dict()
    await session.rollback()
    assert await stored(session, hid) == before  # nothing stored
    merged = {k: v for k, v in {**before, **changes}.items() if v is not None}
    merged = {k: v for k, v in merged.items() if k in HouseholdCreate.__struct_fields__}
    with pytest.raises(ValidationFailed) as created:
        await service.create_for(actor, HouseholdCreate(**merged))
    assert field in created.value.as_dict()  # the same household new: the same field
    await session.rollback()


async def test_a_valid_update_of_the_same_fields_is_stored(session: Any, world: Any) -> None:
    hid, actor = world.households["a"].id, counselor(world)
    await HouseholdService(session=session).update_for(
        actor,
        hid,
        HouseholdUpdate(income_basis=IncomeBasis.OWN_INCOME, own_max_rent=650.5),
    )
    await session.commit()
    after = await stored(session, hid)
    assert (after["income_basis"], str(after["own_max_rent"])) == (IncomeBasis.OWN_INCOME, "650.50")
