"""The acceptance model: recovers the demo's rule, is stored safely, refuses bad files."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
import skops.io as sio
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from matching.acceptance.features import (
    as_columns,
    feature_columns,
    feature_frame,
    feature_matrix,
    raw_columns,
)
from matching.acceptance.model import (
    MIN_ANSWERED,
    FastPath,
    ModelRefused,
    TrainedModel,
    _CalibratedTrees,
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

    def p(frame: pl.DataFrame) -> float:
        return float(model.predict(feature_frame(frame, model.card.landlords))[0])

    assert p(cheap) > p(dear) + 0.1
    assert p(cheap) > p(far) + 0.05


# With so few answers a calibration fold holds only a few acceptances; sklearn says so.
@pytest.mark.filterwarnings("ignore:The least populated class in y:UserWarning")
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
    frame = feature_frame(rows.head(50), model.card.landlords)
    assert np.allclose(loaded.predict(frame), model.predict(frame))
    assert loaded.card == model.card
    service = AcceptanceService(tmp_path)
    status = service.status()
    assert status.available and status.card is not None
    chances = service.predict(rows.head(3))
    assert chances is not None and len(chances) == 3
    assert all(c.model_version == model.card.version for c in chances)


def _page_features(model: TrainedModel, rows: pl.DataFrame) -> dict[str, np.ndarray]:
    """Feature columns with what a page may bring besides the history: a landlord without
    history, an income basis never seen, unknown rent margins and distances."""
    columns = feature_columns(raw_columns(rows), model.card.landlords)
    n = len(columns["landlord"])
    columns["landlord"][::7] = "andere"
    columns["income_basis"][3::11] = "neu"
    for name, step in (("rent_margin", 5), ("distance_km", 3), ("size_fit", 13)):
        columns[name][::step] = np.nan
    assert n > 1000
    return columns


def test_fast_path_gives_the_pipelines_probabilities(tmp_path: Path) -> None:
    """What a page shows (the fast path) is ``predict_proba`` to 1e-9, for one row, a page
    of 50 and thousands, before and after the skops round trip."""
    model, rows = _trained()
    columns = _page_features(model, rows)
    save_model(model, tmp_path)
    loaded = load_model(tmp_path)
    for candidate in (model, loaded):
        assert candidate.fast is not None
        for size in (1, 50, len(columns["landlord"])):
            page = {name: values[:size] for name, values in columns.items()}
            expected = candidate.pipeline.predict_proba(feature_matrix(page))[:, 1]
            assert np.abs(candidate.predict(page) - expected).max() <= 1e-9
    frame = feature_frame(rows.head(50), model.card.landlords)  # the frame entry agrees too
    assert np.abs(model.predict(frame) - model.predict(as_columns(frame))).max() <= 1e-9


def test_a_fast_path_that_differs_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """If scikit-learn's internals change so that the fast path would give other numbers,
    or lack what it reads, the model predicts through ``predict_proba`` again."""
    model, rows = _trained()
    columns = _page_features(model, rows)
    expected = model.pipeline.predict_proba(feature_matrix(columns))[:, 1]
    original = _CalibratedTrees.proba

    def off(self: _CalibratedTrees, features: Any, height: int) -> Any:
        return original(self, features, height) + 1e-6

    monkeypatch.setattr(_CalibratedTrees, "proba", off)
    shifted = TrainedModel(model.pipeline, model.card)
    assert shifted.fast is None
    assert np.array_equal(shifted.predict(columns), expected)
    monkeypatch.undo()
    inner = model.pipeline.calibrated_classifiers_[0].estimator.estimator
    stripped = copy.deepcopy(model.pipeline)
    del stripped.calibrated_classifiers_[0].estimator.estimator.named_steps["boost"]._predictors
    assert FastPath.build(stripped) is None
    assert inner.named_steps["boost"]._predictors  # the model itself is untouched


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
