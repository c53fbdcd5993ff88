"""The acceptance chance beside the score: API rows, "Warum?", ranking page, model card,
and the app going on without it when the model file is bad."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from matching.acceptance.model import TrainedModel, save_model, train
from matching.acceptance.service import model_directory
from tests.conftest import login
from tests.matching.acceptance.synthetic import history
from tests.support.world import PASSWORD

pytestmark = pytest.mark.anyio


@cache
def _model() -> TrainedModel:
    raw, answered, accepted, _ = history(3000, 900, seed=11)
    rows = raw.filter(answered)
    return train(
        rows.drop("household_index", "sent_on", "scope"),
        accepted[answered],
        rows["sent_on"].to_list(),
    )


def _install(var_dir: Path) -> TrainedModel:
    model = _model()
    assert model.card.usable, model.card
    save_model(model, model_directory(var_dir))
    return model


def _key(world: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.keys['counseling_a:households:read']}"}


async def test_matches_api_and_pair_carry_the_chance(
    client: Any, world: Any, settings: Any
) -> None:
    model = _install(settings.var_dir)
    vacancy, household = world.vacancies["a"].id, world.households["a"].id
    response = await client.get(f"/api/v1/vacancies/{vacancy}/matches", headers=_key(world))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["acceptance_note"] is None
    chance = body["items"][0]["acceptance"]
    assert 0.0 <= chance["probability"] <= 1.0
    assert chance["band"] in {"gering", "mittel", "hoch"}
    assert chance["model_version"] == model.card.version
    # the chance changes no order: the ranking equals the one without a model
    assert [i["rank"] for i in body["items"]] == list(range(1, len(body["items"]) + 1))
    pair = await client.get(f"/api/v1/vacancies/{vacancy}/matches/{household}", headers=_key(world))
    assert pair.json()["acceptance"]["probability"] == chance["probability"]
    # the reverse ranking (open flats for one household) carries it too, equal for the pair
    flats = await client.get(f"/api/v1/households/{household}/matches", headers=_key(world))
    assert flats.status_code == 200, flats.text
    by_flat = {i["vacancy_id"]: i["acceptance"] for i in flats.json()["items"]}
    assert by_flat[vacancy]["probability"] == chance["probability"]


async def test_pages_show_the_chance_and_the_card(client: Any, world: Any, settings: Any) -> None:
    model = _install(settings.var_dir)
    await login(client, world.email("counselor_a"), PASSWORD)
    vacancy, household = world.vacancies["a"].id, world.households["a"].id
    page = await client.get(f"/wohnungen/{vacancy}")
    assert "Zusage-Chance" in page.text and " %" in page.text
    flats = await client.get(f"/haushalte/{household}/wohnungen")
    assert "Zusage-Chance" in flats.text and " %" in flats.text
    why = await client.get(f"/wohnungen/{vacancy}/haushalte/{household}/warum")
    assert "Zusage-Chance (geschätzt)" in why.text
    assert "ändert die Reihenfolge nicht" in why.text
    card = await client.get("/berichte/zusage-chance")
    assert card.status_code == 200
    assert model.card.version in card.text
    assert "Nie, um einen Haushalt auszuschließen" in card.text
    assert "<svg" in card.text and "Kalibrierung" in card.text


async def test_bad_model_file_leaves_the_app_running_and_tells_the_admin(
    client: Any, world: Any, settings: Any
) -> None:
    _install(settings.var_dir)
    (model_directory(settings.var_dir) / "acceptance.skops").write_bytes(b"kaputt")
    vacancy = world.vacancies["a"].id
    response = await client.get(f"/api/v1/vacancies/{vacancy}/matches", headers=_key(world))
    assert response.status_code == 200
    body = response.json()
    assert body["items"] and body["items"][0]["acceptance"] is None
    assert "nicht verfügbar" in body["acceptance_note"]
    await login(client, world.email("admin"), PASSWORD)
    card = await client.get("/berichte/zusage-chance")
    assert "wird nicht verwendet" in card.text and "kann nicht geladen" in card.text


async def test_model_card_is_not_for_landlords(client: Any, world: Any) -> None:
    await login(client, world.email("landlord_a"), PASSWORD)
    response = await client.get("/berichte/zusage-chance")
    assert response.status_code in (403, 404)
