"""Training, evaluation and safe storage of the acceptance model.

The pipeline: a ``ColumnTransformer`` (ordinal codes for the two categories, the numbers as
they are, NaN = unknown) feeding a ``HistGradientBoostingClassifier``, wrapped in
``CalibratedClassifierCV`` (isotonic, fitted on the latest quarter of the training rows, so a
page of 50 rows costs one prediction). Evaluation is on the latest 20 % of proposals by
sending time, against the baseline "each landlord's acceptance rate" (from the training rows).

Storage: skops (``.skops``, no pickle) plus a JSON card beside it (version, training window,
metrics, features, calibration table). Loading trusts only the types listed in
:data:`TRUSTED_PREFIXES`; a file with other types or other features is refused, never run.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import polars as pl
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder

from matching.acceptance.features import (
    CATEGORICAL,
    FEATURES,
    NUMERIC,
    Columns,
    as_columns,
    feature_columns,
    feature_frame,
    feature_matrix,
    raw_columns,
)

__all__ = [
    "MIN_ANSWERED",
    "MIN_LANDLORD_HISTORY",
    "FastPath",
    "ModelCard",
    "ModelRefused",
    "TrainedModel",
    "band",
    "calibration_table",
    "expected_calibration_error",
    "load_model",
    "save_model",
    "train",
]

log = logging.getLogger(__name__)

MIN_ANSWERED = 200
"""Fewer answered proposals: the chance is not shown ("noch zu wenig Erfahrung")."""
MIN_LANDLORD_HISTORY = 30
"""A landlord with fewer answered proposals is "andere" for the model."""
TEST_SHARE = 0.2
CALIBRATION_SHARE = 0.25
MODEL_FILE = "acceptance.skops"
CARD_FILE = "acceptance.json"
TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.")
TRUSTED_EXACT = frozenset({"functools.partial"})
"""``partial`` wraps scikit-learn's own ``check_array``; the wrapped function is listed and
checked by skops separately, so a partial of foreign code is still refused."""


class ModelRefused(Exception):
    """A stored model that must not be used; ``reason`` is German, for the admin."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ModelCard:
    """What the model card page and the API show about a trained model."""

    version: str
    trained_at: str
    window_start: str
    window_end: str
    test_start: str
    answered: int
    train_rows: int
    test_rows: int
    features: list[str]
    landlords: list[int]
    roc_auc: float | None
    brier: float
    baseline_brier: float
    ece: float
    acceptance_rate: float
    calibration: list[dict[str, float]] = field(default_factory=list)
    sklearn_version: str = sklearn.__version__

    @property
    def beats_baseline(self) -> bool:
        return self.brier < self.baseline_brier

    @property
    def usable(self) -> bool:
        """Shown only while it beats the baseline and has enough experience."""
        return self.beats_baseline and self.answered >= MIN_ANSWERED

    @property
    def reason_not_shown(self) -> str | None:
        if self.answered < MIN_ANSWERED:
            return (
                f"noch zu wenig Erfahrung: {self.answered} beantwortete Vorschläge "
                f"(mindestens {MIN_ANSWERED})"
            )
        if not self.beats_baseline:
            return (
                "noch zu wenig Erfahrung: das Modell ist nicht besser als die Zusagequote des "
                "jeweiligen Vermieters"
            )
        return None


class FastPath:
    """The stored pipeline's ``predict_proba`` for a page of rows without its per-call checks.

    Why: on the 50 rows of a ranking page, ``predict_proba`` spends about 10 ms in input
    validation, two column transformers and joblib dispatch, and well under 1 ms in the trees
    (issue 14). This runs the same fitted parts of the same pipeline — the category codes
    both encoders give (looked up once), each fitted tree's own predictor, the fitted
    calibrator, in the order scikit-learn adds them up — so the probabilities are the same.
    It leans on private attributes of ``HistGradientBoostingClassifier``; :meth:`build`
    checks the result against ``predict_proba`` and returns ``None`` (the pipeline is used
    then) when anything differs or is missing, e.g. after a scikit-learn update.
    """

    def __init__(self, pipeline: Any) -> None:
        self._parts = [_CalibratedTrees(c) for c in pipeline.calibrated_classifiers_]

    @classmethod
    def build(cls, pipeline: Any) -> FastPath | None:
        """The fast path, if it gives ``predict_proba``'s numbers (to 1e-9) for probe rows."""
        try:
            fast = cls(pipeline)
            probe = fast.probe()
            expected = pipeline.predict_proba(feature_matrix(probe))[:, 1]
            same = bool(np.abs(fast(probe) - expected).max() <= 1e-9)
        except Exception:  # any change of scikit-learn's internals: use the pipeline
            same = False
        if not same:
            log.warning("acceptance model: no fast path, pages predict through the pipeline")
            return None
        return fast

    def probe(self) -> Columns:
        """64 rows with every known category, an unknown one, and numbers from 0.001 to
        thousands, some unknown (NaN), in a fixed pseudo-random mix."""
        height = 64
        rng = np.random.default_rng(14)
        columns: Columns = {
            name: _category_rows(values, height)
            for name, values in zip(CATEGORICAL, self._parts[0].categories, strict=True)
        }
        for name in NUMERIC:
            column = np.expm1(rng.uniform(0.001, 8.0, height))
            column[rng.random(height) < 0.2] = math.nan
            columns[name] = column
        return columns

    def __call__(self, features: Mapping[str, npt.NDArray[Any]]) -> npt.NDArray[np.float64]:
        """Calibrated probability of "accepted" per row (``predict_proba(...)[:, 1]``)."""
        height = len(features[FEATURES[0]])
        mean = np.zeros(height)
        for part in self._parts:
            mean += part.proba(features, height)
        mean /= len(self._parts)
        return mean


class _CalibratedTrees:
    """One calibrated classifier of ``CalibratedClassifierCV``: encoders, trees, calibrator."""

    def __init__(self, calibrated: Any) -> None:
        pipeline = calibrated.estimator.estimator  # FrozenEstimator(Pipeline)
        encode, boost = pipeline.named_steps["encode"], pipeline.named_steps["boost"]
        if (
            len(calibrated.calibrators) != 1
            or list(calibrated.classes) != [0, 1]
            or list(boost.classes_) != [0, 1]
            or boost.n_trees_per_iteration_ != 1
            or calibrated.method not in ("isotonic", "sigmoid")
        ):
            raise ValueError("unexpected model structure")
        self.categories = encode.named_transformers_["categories"].categories_
        self.codes, self.unknown = self._category_codes(encode, boost)
        from sklearn.ensemble._hist_gradient_boosting._predictor import (
            _predict_from_raw_data,  # what TreePredictor.predict calls, minus an allocation
        )

        self.predict_tree = _predict_from_raw_data
        self.trees = [(t[0].nodes, t[0].raw_left_cat_bitsets) for t in boost._predictors]
        self.bitsets, self.feature_map = boost._bin_mapper.make_known_categories_bitsets()
        self.baseline = boost._baseline_prediction
        self.calibrate = _calibration(calibrated.calibrators[0])

    def _category_codes(
        self, encode: Any, boost: Any
    ) -> tuple[list[dict[str, float]], list[float]]:
        """Per category column: the code the trees see for each known value, and for others.

        Found by running both fitted encoders (the pipeline's and the one inside the boosted
        trees) once over every known value, so the codes are theirs by construction.
        """
        height = max(len(c) for c in self.categories) + 1
        x = np.zeros((height, len(FEATURES)), dtype=object)
        for j, values in enumerate(self.categories):
            x[:, j] = _category_rows(values, height)
        coded = boost._preprocessor.transform(encode.transform(x))
        codes = [
            {str(v): float(coded[i, j]) for i, v in enumerate(values)}
            for j, values in enumerate(self.categories)
        ]
        return codes, [float(coded[-1, j]) for j in range(len(self.categories))]

    def proba(self, features: Mapping[str, npt.NDArray[Any]], height: int) -> npt.NDArray[Any]:
        x = np.empty((height, len(FEATURES)), dtype=np.float64)
        for j, name in enumerate(CATEGORICAL):
            codes, unknown = self.codes[j], self.unknown[j]
            x[:, j] = [codes.get(v, unknown) for v in features[name]]
        for j, name in enumerate(NUMERIC, start=len(CATEGORICAL)):
            x[:, j] = features[name]
        # Row 0 the baseline, row k the leaves of tree k (one thread: 50 rows are too few to
        # share); the running sum adds them in scikit-learn's order, in one call, not 100.
        terms = np.empty((len(self.trees) + 1, height), dtype=self.baseline.dtype)
        terms[0] = self.baseline.reshape(-1)
        for k, (nodes, left) in enumerate(self.trees, start=1):
            self.predict_tree(nodes, x, left, self.bitsets, self.feature_map, 1, terms[k])
        raw = np.cumsum(terms, axis=0)[-1]
        p = np.asarray(self.calibrate(raw), dtype=np.float64)
        p[(p > 1.0) & (p <= 1.0 + 1e-5)] = 1.0  # as CalibratedClassifierCV does
        return p


def _calibration(calibrator: Any) -> Callable[[npt.NDArray[np.float64]], Any]:
    """The fitted calibrator's mapping; for isotonic regression its interpolation itself.

    Why: ``IsotonicRegression.predict`` validates its input first, which costs ten times the
    interpolation on 50 values; with ``out_of_bounds="clip"`` it is clip, then ``f_``.
    """
    if not (isinstance(calibrator, IsotonicRegression) and calibrator.out_of_bounds == "clip"):
        return cast(Callable[[npt.NDArray[np.float64]], Any], calibrator.predict)
    low, high, interpolate = calibrator.X_min_, calibrator.X_max_, calibrator.f_
    dtype = calibrator.X_thresholds_.dtype

    def isotonic(raw: npt.NDArray[np.float64]) -> Any:
        values = np.clip(raw.astype(dtype, copy=False), low, high)
        return interpolate(values).astype(dtype)

    return isotonic


def _category_rows(known: Sequence[str], height: int) -> npt.NDArray[np.object_]:
    """``height`` values cycling through the known categories; the last one is unknown."""
    values = [str(known[i % len(known)]) for i in range(height - 1)]
    return np.array([*values, "\x00unbekannt"], dtype=object)


@dataclass
class TrainedModel:
    pipeline: Any
    card: ModelCard
    fast: FastPath | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.fast = FastPath.build(self.pipeline)

    def predict(self, features: pl.DataFrame | Columns) -> npt.NDArray[np.float64]:
        """Calibrated acceptance probability per feature row (a frame or numpy columns)."""
        columns = as_columns(features) if isinstance(features, pl.DataFrame) else features
        if len(columns[FEATURES[0]]) == 0:
            return np.zeros(0)
        if self.fast is not None:
            return self.fast(columns)
        with sklearn.config_context(assume_finite=True):
            proba = self.pipeline.predict_proba(feature_matrix(columns))[:, 1]
        return np.asarray(proba, dtype=np.float64)


def band(probability: float) -> str:
    """German band for a probability (the page shows the band, the API both)."""
    if probability < 0.35:
        return "gering"
    if probability < 0.65:
        return "mittel"
    return "hoch"


def _boosted() -> Pipeline:
    cats = list(range(len(CATEGORICAL)))
    nums = list(range(len(CATEGORICAL), len(FEATURES)))
    encode = ColumnTransformer(
        [
            (
                "categories",
                OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1),
                cats,
            ),
            ("numbers", "passthrough", nums),
        ]
    )
    boosted = HistGradientBoostingClassifier(
        max_iter=100,
        learning_rate=0.1,
        max_leaf_nodes=15,
        min_samples_leaf=40,
        l2_regularization=1.0,
        categorical_features=cats,
        random_state=0,
    )
    return Pipeline([("encode", encode), ("boost", boosted)])


def _fit(x: npt.NDArray[np.object_], y: npt.NDArray[np.int_]) -> CalibratedClassifierCV:
    """Boosting on the older 75 % of the rows, isotonic calibration on the latest 25 %.

    Why a time-ordered calibration split instead of cross-validation: one fit instead of four
    (training on 200,000 proposals stays well under a minute) and the calibration reflects the
    landlords' most recent behaviour.
    """
    cut = int(len(y) * (1 - CALIBRATION_SHARE))
    if min(y[:cut].sum(), len(y[:cut]) - y[:cut].sum()) == 0:
        cut = len(y) // 2
    model = _boosted().fit(x[:cut], y[:cut])
    return CalibratedClassifierCV(FrozenEstimator(model), method="isotonic").fit(x[cut:], y[cut:])


def expected_calibration_error(
    y: npt.NDArray[np.int_], p: npt.NDArray[np.float64], bins: int = 10
) -> float:
    """Weighted mean |observed rate - mean prediction| over equal-width probability bins."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.sum() * abs(float(y[mask].mean()) - float(p[mask].mean()))
    return total / max(1, len(y))


def calibration_table(
    y: npt.NDArray[np.int_], p: npt.NDArray[np.float64], bins: int = 10
) -> list[dict[str, float]]:
    """Per probability bin: mean prediction, observed rate, count (for the chart)."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    out = []
    for b in range(bins):
        mask = which == b
        if mask.any():
            out.append(
                {
                    "predicted": round(float(p[mask].mean()), 4),
                    "observed": round(float(y[mask].mean()), 4),
                    "count": float(mask.sum()),
                }
            )
    return out


def _baseline(
    train_landlords: Sequence[int], y_train: npt.NDArray[np.int_], test_landlords: Sequence[int]
) -> npt.NDArray[np.float64]:
    """Each landlord's acceptance rate in the training window (overall rate for new ones)."""
    frame = pl.DataFrame({"landlord": list(train_landlords), "y": y_train})
    rates = dict(frame.group_by("landlord").agg(pl.col("y").mean()).iter_rows())
    overall = float(y_train.mean())
    return np.array([rates.get(x, overall) for x in test_landlords], dtype=np.float64)


def train(
    raw: pl.DataFrame,
    accepted: Sequence[bool] | npt.NDArray[np.bool_],
    sent_at: Sequence[dt.datetime] | Sequence[dt.date],
    *,
    now: dt.datetime | None = None,
) -> TrainedModel:
    """Fit on the older 80 % of answered proposals, evaluate on the latest 20 %, then refit
    on all of them (the card keeps the held-out figures).

    ``raw``: the columns of :data:`matching.acceptance.features.RAW_SCHEMA`, one row per
    answered proposal. Raises ``ValueError`` when there is nothing to learn from.
    """
    y = np.asarray(accepted, dtype=np.int_)
    if raw.height < 20 or y.min(initial=1) == y.max(initial=0):
        raise ValueError("Zu wenige beantwortete Vorschläge mit Zusagen und Absagen.")
    order = np.argsort([_as_datetime(s).timestamp() for s in sent_at], kind="stable")
    raw, y = raw[order.tolist()], y[order]
    times = [_as_datetime(sent_at[i]) for i in order]
    counts = raw.group_by("landlord_id").len()
    landlords = sorted(
        int(x) for x in counts.filter(pl.col("len") >= MIN_LANDLORD_HISTORY)["landlord_id"]
    )
    cut = int(raw.height * (1 - TEST_SHARE))
    x_all = feature_matrix(feature_columns(raw_columns(raw), landlords))
    held_out = _fit(x_all[:cut], y[:cut])
    p_test = np.asarray(held_out.predict_proba(x_all[cut:])[:, 1], dtype=np.float64)
    y_test = y[cut:]
    ids = raw["landlord_id"].to_list()
    base = _baseline(ids[:cut], y[:cut], ids[cut:])
    final = _fit(x_all, y)
    auc = float(roc_auc_score(y_test, p_test)) if 0 < y_test.sum() < len(y_test) else None
    moment = now or dt.datetime.now(dt.UTC)
    card = ModelCard(
        version=moment.strftime("%Y%m%d-%H%M%S"),
        trained_at=moment.isoformat(timespec="seconds"),
        window_start=times[0].date().isoformat(),
        window_end=times[-1].date().isoformat(),
        test_start=times[cut].date().isoformat(),
        answered=int(raw.height),
        train_rows=cut,
        test_rows=int(raw.height - cut),
        features=list(FEATURES),
        landlords=landlords,
        roc_auc=None if auc is None else round(auc, 4),
        brier=round(float(brier_score_loss(y_test, p_test)), 5),
        baseline_brier=round(float(brier_score_loss(y_test, base)), 5),
        ece=round(expected_calibration_error(y_test, p_test), 4),
        acceptance_rate=round(float(y.mean()), 4),
        calibration=calibration_table(y_test, p_test),
    )
    return TrainedModel(final, card)


def _as_datetime(value: dt.datetime | dt.date) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)


def save_model(model: TrainedModel, directory: Path) -> Path:
    """Write ``acceptance.skops`` and its card atomically (readers never see half a file)."""
    import skops.io as sio

    directory.mkdir(parents=True, exist_ok=True)
    target, card = directory / MODEL_FILE, directory / CARD_FILE
    tmp_model, tmp_card = directory / f"{MODEL_FILE}.tmp", directory / f"{CARD_FILE}.tmp"
    sio.dump(model.pipeline, tmp_model)
    tmp_card.write_text(json.dumps(asdict(model.card), indent=2), encoding="utf-8")
    tmp_model.replace(target)
    tmp_card.replace(card)
    return target


def load_model(directory: Path) -> TrainedModel:
    """Load and check a stored model; ``ModelRefused`` (German reason) when it must not run."""
    import skops.io as sio

    target, card_path = directory / MODEL_FILE, directory / CARD_FILE
    if not target.exists() or not card_path.exists():
        raise ModelRefused("Es ist noch kein Modell trainiert.")
    try:
        data = json.loads(card_path.read_text(encoding="utf-8"))
        card = ModelCard(**data)
    except (ValueError, TypeError) as exc:
        raise ModelRefused("Die Modellbeschreibung ist beschädigt.") from exc
    if list(card.features) != list(FEATURES):
        raise ModelRefused(
            "Das gespeicherte Modell wurde für andere Merkmale trainiert; bitte neu trainieren."
        )
    try:
        untrusted = sio.get_untrusted_types(file=target)
        unknown = [
            t for t in untrusted if not (t.startswith(TRUSTED_PREFIXES) or t in TRUSTED_EXACT)
        ]
        if unknown:
            raise ModelRefused("Die Modelldatei enthält unbekannte Typen und wird nicht geladen.")
        pipeline = sio.load(target, trusted=untrusted)
        probe = feature_frame(_probe_row(), card.landlords)
        proba = pipeline.predict_proba(feature_matrix(probe))
    except ModelRefused:
        raise
    except Exception as exc:  # a broken or foreign file must never stop the app
        raise ModelRefused("Die Modelldatei kann nicht geladen werden.") from exc
    if proba.shape != (1, 2) or not math.isfinite(float(proba[0, 1])):
        raise ModelRefused("Die Modelldatei liefert keine gültigen Wahrscheinlichkeiten.")
    return TrainedModel(pipeline, card)


def _probe_row() -> pl.DataFrame:
    from matching.acceptance.features import RAW_SCHEMA

    values: dict[str, Any] = {
        "gross_cold_rent": 400.0,
        "warm_rent": 480.0,
        "rent_limit": 420.0,
        "own_max_rent": None,
        "income_basis": "sgb2",
        "persons": 1,
        "rooms": 1.0,
        "living_area": 45.0,
        "distance_km": None,
        "waiting_days": 100,
        "shares_identity": False,
        "shares_income": True,
        "landlord_id": 0,
    }
    return pl.DataFrame([values], schema=RAW_SCHEMA)
