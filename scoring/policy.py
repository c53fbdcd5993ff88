"""Scoring policies: versioned TOML files with weights and component parameters.

A policy is validated completely when loaded (every key known, every value in range, weights
summing to 100, urgency values ordered from most to least urgent); any problem raises
:class:`~scoring.errors.PolicyError` naming the key, so an app refuses to start with a broken
policy instead of ranking with it. Every ranking result records ``name`` and ``version``.
"""

from __future__ import annotations

import itertools
import math
import tomllib
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path
from typing import Any

from scoring.codes import Component
from scoring.errors import PolicyError
from scoring.formatting import format_number

__all__ = [
    "DEFAULT_POLICY",
    "AcceptanceParams",
    "AffordabilityParams",
    "LocationParams",
    "Policy",
    "SizeFitParams",
    "UrgencyParams",
    "Weights",
    "available_policies",
    "load_policy",
    "parse_policy",
]

DEFAULT_POLICY = "dringlichkeit"


@dataclass(frozen=True)
class Weights:
    """Maximum points per component; they sum to 100."""

    urgency: float
    waiting: float
    size_fit: float
    location: float
    affordability: float
    acceptance: float = 0.0
    """The learned acceptance chance; optional in a policy file (absent = 0)."""

    def of(self, component: Component) -> float:
        """Weight of ``component``."""
        return float(getattr(self, component.value))


@dataclass(frozen=True)
class UrgencyParams:
    """Urgency values in [0, 1], ordered: eviction soon > homeless (longer higher) > notice >
    inadequate > threatened > none."""

    eviction_near: float
    eviction_far: float
    eviction_horizon_days: int
    homeless_long: float
    homeless_recent: float
    homeless_saturation_days: int
    notice_received: float
    inadequate_housing: float
    threatened: float
    none: float


@dataclass(frozen=True)
class WaitingParams:
    """Waiting time counts linearly up to ``saturation_days``."""

    saturation_days: int


@dataclass(frozen=True)
class SizeFitParams:
    """Shape of the size fit: deviations at which the area and rooms fits reach 0."""

    area_tolerance: float
    rooms_tolerance: float
    area_share: float


@dataclass(frozen=True)
class LocationParams:
    """Outside the preferred towns the value is ``decay_km / (decay_km + distance)``."""

    decay_km: float
    neutral: float


@dataclass(frozen=True)
class AffordabilityParams:
    """Headroom (fraction under the limit or budget) giving full points; neutral value."""

    full_headroom: float
    neutral: float


@dataclass(frozen=True)
class AcceptanceParams:
    """The value of a pair without an estimated acceptance chance (model not trained or not
    shown, pair unknown to it): neither favoured nor held back."""

    neutral: float = 0.5


@dataclass(frozen=True)
class Policy:
    """A named, versioned set of weights and parameters."""

    name: str
    version: str
    description: str
    weights: Weights
    urgency: UrgencyParams
    waiting: WaitingParams
    size_fit: SizeFitParams
    location: LocationParams
    affordability: AffordabilityParams
    # What a person reads instead of ``name`` ("Dringlichkeit zuerst").
    title: str = ""
    acceptance: AcceptanceParams = AcceptanceParams()

    def acceptance_text(self) -> str:
        """The German sentence the policy description carries about the acceptance chance."""
        weight = self.weights.acceptance
        if weight == 0:
            return (
                "Die geschätzte Zusage-Chance hat das Gewicht 0 und ändert die Reihenfolge nicht."
            )
        neutral = format_number(self.acceptance.neutral * 100, 1, trim=True)
        return (
            f"Die geschätzte Zusage-Chance zählt mit bis zu {format_number(weight, 1, trim=True)} "
            f"von 100 Punkten; ohne Schätzung (noch zu wenig Erfahrung) wird sie neutral mit "
            f"{neutral} % bewertet."
        )


# (kind, low, high) per key; kind "f" = number, "i" = integer
_Spec = tuple[str, float, float]
_SCHEMA: dict[str, dict[str, _Spec]] = {
    "weights": {c.value: ("f", 0.0, 100.0) for c in Component},
    "urgency": {
        "eviction_near": ("f", 0.0, 1.0),
        "eviction_far": ("f", 0.0, 1.0),
        "eviction_horizon_days": ("i", 1, 3650),
        "homeless_long": ("f", 0.0, 1.0),
        "homeless_recent": ("f", 0.0, 1.0),
        "homeless_saturation_days": ("i", 1, 3650),
        "notice_received": ("f", 0.0, 1.0),
        "inadequate_housing": ("f", 0.0, 1.0),
        "threatened": ("f", 0.0, 1.0),
        "none": ("f", 0.0, 1.0),
    },
    "waiting": {"saturation_days": ("i", 1, 3650)},
    "size_fit": {
        "area_tolerance": ("f", 0.01, 10.0),
        "rooms_tolerance": ("f", 0.5, 20.0),
        "area_share": ("f", 0.0, 1.0),
    },
    "location": {"decay_km": ("f", 0.1, 1000.0), "neutral": ("f", 0.0, 1.0)},
    "affordability": {"full_headroom": ("f", 0.01, 1.0), "neutral": ("f", 0.0, 1.0)},
    "acceptance": {"neutral": ("f", 0.0, 1.0)},
}
_OPTIONAL_SECTIONS = frozenset({"acceptance"})
"""Sections a policy file may leave out (every key then takes its default)."""
_OPTIONAL_KEYS: dict[str, float] = {"weights.acceptance": 0.0, "acceptance.neutral": 0.5}
"""Keys a policy file may leave out, with their defaults (the shipped policies give the
acceptance chance no weight and need not mention it)."""
_SECTION_TYPES: dict[str, type[Any]] = {
    "weights": Weights,
    "urgency": UrgencyParams,
    "waiting": WaitingParams,
    "size_fit": SizeFitParams,
    "location": LocationParams,
    "affordability": AffordabilityParams,
    "acceptance": AcceptanceParams,
}
# most urgent first; each value must be >= the next one
_URGENCY_ORDER = (
    "eviction_near",
    "eviction_far",
    "homeless_long",
    "homeless_recent",
    "notice_received",
    "inadequate_housing",
    "threatened",
    "none",
)


def _value(key: str, raw: object, spec: _Spec) -> float | int:
    kind, low, high = spec
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise PolicyError(f"{key}: muss eine Zahl sein, nicht {raw!r}", key=key)
    if kind == "i" and not isinstance(raw, int):
        raise PolicyError(f"{key}: muss eine ganze Zahl sein, nicht {raw!r}", key=key)
    if not math.isfinite(raw) or not low <= raw <= high:
        raise PolicyError(f"{key}: {raw!r} liegt nicht zwischen {low:g} und {high:g}", key=key)
    return raw


def parse_policy(data: dict[str, Any], *, source: str = "policy") -> Policy:
    """Validate a parsed TOML document and build the :class:`Policy`."""
    allowed = {"name", "version", "title", "description", "acceptance_weight", *_SCHEMA}
    for key in data:
        if key not in allowed:
            raise PolicyError(f"{source}: unbekannter Schlüssel {key!r}", key=key)
    # The earlier key, from when the chance could only weigh 0: a file that still says 0
    # loads unchanged; any other value is named with its replacement.
    if data.get("acceptance_weight", 0) not in (0, 0.0) or isinstance(
        data.get("acceptance_weight"), bool
    ):
        raise PolicyError(
            f"{source}: acceptance_weight ist ersetzt durch [weights] acceptance "
            "(zählt in die Summe von 100)",
            key="acceptance_weight",
        )
    for key in ("name", "version"):
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise PolicyError(f"{source}: {key} fehlt oder ist leer", key=key)
    description = data.get("description", "")
    if not isinstance(description, str):
        raise PolicyError(f"{source}: description muss Text sein", key="description")
    title = data.get("title", "")
    if not isinstance(title, str):
        raise PolicyError(f"{source}: title muss Text sein", key="title")
    sections: dict[str, Any] = {}
    for section, schema in _SCHEMA.items():
        table = data.get(section, {} if section in _OPTIONAL_SECTIONS else None)
        if not isinstance(table, dict):
            raise PolicyError(f"{source}: Abschnitt [{section}] fehlt", key=section)
        for key in table:
            if key not in schema:
                raise PolicyError(
                    f"{source}: unbekannter Schlüssel {section}.{key}", key=f"{section}.{key}"
                )
        values: dict[str, float | int] = {}
        for key, spec in schema.items():
            name = f"{section}.{key}"
            if key not in table and name not in _OPTIONAL_KEYS:
                raise PolicyError(f"{source}: {name} fehlt", key=name)
            values[key] = _value(name, table.get(key, _OPTIONAL_KEYS.get(name)), spec)
        cls = _SECTION_TYPES[section]
        sections[section] = cls(**{f.name: values[f.name] for f in fields(cls)})
    weights: Weights = sections["weights"]
    total = sum(weights.of(c) for c in Component)
    if abs(total - 100.0) > 1e-9:
        raise PolicyError(
            f"{source}: weights müssen zusammen 100 ergeben, nicht {total:g}", key="weights"
        )
    urgency: UrgencyParams = sections["urgency"]
    for more, less in itertools.pairwise(_URGENCY_ORDER):
        if getattr(urgency, more) < getattr(urgency, less):
            raise PolicyError(
                f"{source}: urgency.{less} darf nicht größer sein als urgency.{more}",
                key=f"urgency.{less}",
            )
    return Policy(
        name=data["name"].strip(),
        version=data["version"].strip(),
        description=description.strip(),
        title=title.strip() or str(data["name"]).capitalize(),
        **sections,
    )


def _policy_dir() -> Path:
    return Path(str(resources.files("scoring") / "policies"))


def available_policies() -> tuple[str, ...]:
    """Names of the bundled policies, sorted."""
    return tuple(sorted(p.stem for p in _policy_dir().glob("*.toml")))


def load_policy(name_or_path: str | Path = DEFAULT_POLICY) -> Policy:
    """Load a bundled policy by name, or a policy file by path; validated.

    Raises :class:`PolicyError` for an unknown name (listing the available names), for a
    file that is not valid TOML and for every invalid key.
    """
    if isinstance(name_or_path, Path) or str(name_or_path).endswith(".toml"):
        path = Path(name_or_path)
    else:
        names = available_policies()
        if name_or_path not in names:
            raise PolicyError(
                f"unbekannte Policy {name_or_path!r}; verfügbar: {', '.join(names)}", key="name"
            )
        path = _policy_dir() / f"{name_or_path}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise PolicyError(f"Policy-Datei {path} nicht gefunden", key="name") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path.name}: kein gültiges TOML ({exc})") from exc
    return parse_policy(data, source=path.name)
