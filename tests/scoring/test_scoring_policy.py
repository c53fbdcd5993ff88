from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import pytest

from scoring import PolicyError, available_policies, load_policy
from scoring.policy import parse_policy

POLICY_DIR = Path(__file__).resolve().parents[2] / "scoring" / "policies"


def base() -> dict[str, Any]:
    return tomllib.loads((POLICY_DIR / "dringlichkeit.toml").read_text(encoding="utf-8"))


def test_bundled_policies_load_and_record_name_and_version() -> None:
    assert available_policies() == ("dringlichkeit", "passgenauigkeit", "wartezeit")
    for name in available_policies():
        policy = load_policy(name)
        assert policy.name == name
        assert policy.version
        assert sum(vars(policy.weights).values()) == 100
    assert load_policy().name == "dringlichkeit"


def test_unknown_name_lists_the_available_policies() -> None:
    with pytest.raises(PolicyError, match="dringlichkeit, passgenauigkeit, wartezeit"):
        load_policy("fairness")


def test_load_by_path(tmp_path: Path) -> None:
    path = tmp_path / "custom.toml"
    path.write_text((POLICY_DIR / "wartezeit.toml").read_text(encoding="utf-8"), "utf-8")
    assert load_policy(path).name == "wartezeit"
    with pytest.raises(PolicyError, match="nicht gefunden"):
        load_policy(tmp_path / "missing.toml")
    path.write_text("name = [", "utf-8")
    with pytest.raises(PolicyError, match="kein gültiges TOML"):
        load_policy(path)


def mutate(path: tuple[str, ...], value: object, *, delete: bool = False) -> dict[str, Any]:
    data = copy.deepcopy(base())
    target = data
    for key in path[:-1]:
        target = target[key]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("data", "key"),
    [
        (mutate(("colour",), "red"), "colour"),
        (mutate(("weights", "fairness"), 1), "weights.fairness"),
        (mutate(("weights", "urgency"), 40), "weights"),
        (mutate(("weights", "urgency"), -5), "weights.urgency"),
        (mutate(("weights", "urgency"), "35"), "weights.urgency"),
        (mutate(("weights", "urgency"), True), "weights.urgency"),
        (mutate(("urgency", "none"), 1.5), "urgency.none"),
        (mutate(("urgency", "threatened"), 0.99), "urgency.threatened"),
        (mutate(("urgency", "eviction_horizon_days"), 1.5), "urgency.eviction_horizon_days"),
        (mutate(("waiting", "saturation_days"), 0), "waiting.saturation_days"),
        (mutate(("location", "decay_km"), 0.0), "location.decay_km"),
        (mutate(("size_fit", "area_share"), 2.0), "size_fit.area_share"),
        (mutate(("affordability", "neutral"), float("nan")), "affordability.neutral"),
        (mutate(("location", "neutral"), None, delete=True), "location.neutral"),
        (mutate(("waiting",), None, delete=True), "waiting"),
        (mutate(("version",), ""), "version"),
        (mutate(("name",), None, delete=True), "name"),
        (mutate(("description",), 3), "description"),
    ],
)
def test_every_invalid_key_is_named(data: dict[str, Any], key: str) -> None:
    with pytest.raises(PolicyError) as info:
        parse_policy(data)
    assert info.value.key == key
    assert key.split(".")[-1] in str(info.value)


def test_acceptance_weight_is_zero_in_the_shipped_policies() -> None:
    for name in available_policies():
        policy = load_policy(name)
        assert policy.weights.acceptance == 0.0
        assert policy.acceptance.neutral == 0.5
        assert "Gewicht 0" in policy.acceptance_text()


def with_acceptance(weight: object, **acceptance: object) -> dict[str, Any]:
    """The default policy with ``weight`` for the chance, taken from the urgency weight."""
    data = base()
    data["weights"]["acceptance"] = weight
    if isinstance(weight, int) and not isinstance(weight, bool) and 0 <= weight <= 35:
        data["weights"]["urgency"] -= weight
    if acceptance:
        data["acceptance"] = acceptance
    return data


def test_an_acceptance_weight_is_read_from_the_weights_and_counts_in_the_sum() -> None:
    policy = parse_policy(with_acceptance(10, neutral=0.4))
    assert (policy.weights.acceptance, policy.weights.urgency) == (10, 25)
    assert policy.acceptance.neutral == 0.4
    text = policy.acceptance_text()
    assert "bis zu 10 von 100 Punkten" in text and "40 %" in text
    assert "Gewicht 0" not in text
    # an explicit 0 is the same policy as none at all
    assert parse_policy(with_acceptance(0)) == load_policy("dringlichkeit")
    # files of the earlier format (top-level acceptance_weight, which could only be 0) load
    assert parse_policy({**base(), "acceptance_weight": 0}) == load_policy("dringlichkeit")
    # the chance's weight counts in the sum of 100
    over = base()
    over["weights"]["acceptance"] = 10
    with pytest.raises(PolicyError, match="100") as info:
        parse_policy(over)
    assert info.value.key == "weights"


@pytest.mark.parametrize(
    ("data", "key"),
    [
        (with_acceptance(-5), "weights.acceptance"),
        (with_acceptance(101), "weights.acceptance"),
        (with_acceptance("10"), "weights.acceptance"),
        (with_acceptance(True), "weights.acceptance"),
        (with_acceptance(10, neutral=1.5), "acceptance.neutral"),
        (with_acceptance(10, neutral=-0.1), "acceptance.neutral"),
        (with_acceptance(10, floor=0.1), "acceptance.floor"),
        ({**base(), "acceptance_weight": 0.2}, "acceptance_weight"),
    ],
)
def test_bad_acceptance_settings_are_named(data: dict[str, Any], key: str) -> None:
    with pytest.raises(PolicyError) as info:
        parse_policy(data)
    assert info.value.key == key
