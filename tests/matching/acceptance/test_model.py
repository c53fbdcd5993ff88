"""The acceptance model: recovers the demo's rule, is stored safely, refuses bad files."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import skops.io as sio
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from matching.acceptance.model import (
    MIN_ANSWERED,
    ModelRefused,
    TrainedModel,
    band,
    load_model,
    save_model,
    train,
)
from matching.acceptance.service import AcceptanceService
from tests.matching.acceptance.synthetic import history


@cache
def _trained() -> tuple[TrainedModel, pl.DataFrame]:
    raw, answered, accepted, _ = history(12_000, 10_000)
    rows = raw.filter(answered)
    model = train(
        rows.drop("household_index", "sent_on", "scope"),
        accepted[answered],
        rows["sent_on"].to_list(),
    )
    return model, rows.drop("household_index", "sent_on", "scope")


def test_model_recovers_the_synthetic_rule_on_later_proposals() -> None:
    model, _ = _trained()
    card = model.card
    assert card.test_rows > 2000 and card.test_start > card.window_start
    assert card.roc_auc is not None and card.roc_auc >= 0.70
    assert card.ece <= 0.05
    assert card.brier < card.baseline_brier  # beats each landlord's acceptance rate
    assert card.usable and card.reason_not_shown is None
    # every probability bin of the held-out calibration table is close to what happened
    big = [b for b in card.calibration if b["count"] >= 200]
    assert big and all(abs(b["predicted"] - b["observed"]) < 0.1 for b in big)


def test_rule_directions_are_learned() -> None:
    model, rows = _trained()
    base = rows.head(1).with_columns(
        pl.lit("sgb2").alias("income_basis"),
        pl.lit(400.0).alias("rent_limit"),
        pl.lit(45.0).alias("living_area"),
        pl.lit(1).cast(pl.Int64).alias("persons"),
        pl.lit(0.0).alias("distance_km"),
    )
    cheap = base.with_columns(pl.lit(340.0).alias("gross_cold_rent"))
    dear = base.with_columns(pl.lit(440.0).alias("gross_cold_rent"))
    far = cheap.with_columns(pl.lit(30.0).alias("distance_km"))
    from matching.acceptance.features import feature_frame

    def p(frame: pl.DataFrame) -> float:
        return float(model.predict(feature_frame(frame, model.card.landlords))[0])

    assert p(cheap) > p(dear) + 0.1
    assert p(cheap) > p(far) + 0.05


def test_too_little_experience_is_not_shown() -> None:
    raw, answered, accepted, _ = history(1500, 60, seed=9)
    rows = raw.filter(answered)
    assert rows.height < MIN_ANSWERED
    model = train(
        rows.drop("household_index", "sent_on", "scope"),
        accepted[answered],
        rows["sent_on"].to_list(),
    )
    assert not model.card.usable
    assert model.card.reason_not_shown is not None
    assert model.card.reason_not_shown.startswith("noch zu wenig Erfahrung")


def test_band_names() -> None:
    assert [band(x) for x in (0.1, 0.5, 0.9)] == ["gering", "mittel", "hoch"]


def test_round_trip_through_skops(tmp_path: Path) -> None:
    model, rows = _trained()
    save_model(model, tmp_path)
    assert not list(tmp_path.glob("*.tmp"))
    loaded = load_model(tmp_path)
    from matching.acceptance.features import feature_frame

    frame = feature_frame(rows.head(50), model.card.landlords)
    assert np.allclose(loaded.predict(frame), model.predict(frame))
    assert loaded.card == model.card
    service = AcceptanceService(tmp_path)
    status = service.status()
    assert status.available and status.card is not None
    chances = service.predict(rows.head(3))
    assert chances is not None and len(chances) == 3
    assert all(c.model_version == model.card.version for c in chances)


def _refused(directory: Path) -> str:
    with pytest.raises(ModelRefused) as info:
        load_model(directory)
    service = AcceptanceService(directory)
    status = service.status()
    assert not status.available and status.problem == info.value.reason
    assert service.predict(pl.DataFrame()) is None  # the app goes on without the chance
    return info.value.reason


def test_missing_model_is_not_a_problem(tmp_path: Path) -> None:
    service = AcceptanceService(tmp_path)
    status = service.status()
    assert not status.available and status.problem is None
    assert status.reason is not None and "noch zu wenig Erfahrung" in status.reason


def test_broken_model_file_is_refused(tmp_path: Path) -> None:
    model, _ = _trained()
    save_model(model, tmp_path)
    (tmp_path / "acceptance.skops").write_bytes(b"PK\x03\x04 not a model")
    assert "kann nicht geladen" in _refused(tmp_path)


def test_model_for_other_features_is_refused(tmp_path: Path) -> None:
    model, _ = _trained()
    save_model(model, tmp_path)
    card = json.loads((tmp_path / "acceptance.json").read_text())
    card["features"] = [*card["features"], "name"]
    (tmp_path / "acceptance.json").write_text(json.dumps(card))
    assert "andere Merkmale" in _refused(tmp_path)


def _evil(x: object) -> object:
    return x


def test_model_with_foreign_code_is_refused(tmp_path: Path) -> None:
    model, _ = _trained()
    save_model(model, tmp_path)
    foreign = Pipeline([("f", FunctionTransformer(_evil))])
    sio.dump(foreign, tmp_path / "acceptance.skops")
    assert "unbekannte Typen" in _refused(tmp_path)
