"""The field contract: range, unit and German label of every number the engine ranks on.

Specified once, here, because the engine is the innermost layer: ``scoring.inputs`` checks
its tables against these ranges, and the domain (``matching``: API schemas, HTML forms, the
CSV/XLSX/OpenImmo import) builds its constraints from the same objects - so a value the API
accepts is a value the engine can rank. Three disagreeing copies (floor −2..40 against
−5..100, rent ≤ 100.000 € against ≤ 20.000 €) let the API store flats the engine refused.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["HOUSEHOLD_FIELDS", "VACANCY_FIELDS", "NumberField"]


@dataclass(frozen=True)
class NumberField:
    """A number field: inclusive ``low`` (exclusive when ``low_open``) to ``high``."""

    name: str
    label: str
    unit: str
    low: float
    high: float
    low_open: bool = False
    step: float | None = None
    required: bool = False

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies in the range (``step`` multiples included)."""
        above = value > self.low if self.low_open else value >= self.low
        on_step = self.step is None or (value / self.step) == round(value / self.step)
        return above and value <= self.high and on_step

    def describe(self) -> str:
        """German range text: ``"zwischen 0 und 20.000 €"``."""
        unit = f" {self.unit}" if self.unit else ""
        low = "größer als 0" if self.low_open and self.low == 0 else f"mindestens {_de(self.low)}"
        return f"{low} und höchstens {_de(self.high)}{unit}"


def _de(value: float) -> str:
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


_V = [
    NumberField("rooms", "Zimmer", "", 0.5, 20, step=0.5, required=True),
    NumberField("living_area", "Wohnfläche", "m²", 0, 1000, low_open=True, required=True),
    NumberField("floor", "Etage", "", -2, 40, step=1, required=True),
    NumberField("net_cold_rent", "Nettokaltmiete", "€", 0, 20_000, required=True),
    NumberField("cold_service_charges", "Kalte Nebenkosten", "€", 0, 5_000, required=True),
    NumberField("heating_costs", "Heizkosten", "€", 0, 5_000),
    NumberField("deposit", "Kaution", "€", 0, 60_000),
    NumberField("min_persons", "Mindestens Personen", "", 1, 20, step=1),
    NumberField("max_persons", "Höchstens Personen", "", 1, 20, step=1),
]
_H = [
    NumberField("own_max_rent", "Eigene Höchstmiete (warm)", "€", 0, 20_000, low_open=True),
    NumberField("max_floor_without_lift", "Höchste Etage ohne Aufzug", "", 0, 30, step=1),
    NumberField("max_distance_km", "Höchste Entfernung", "km", 0, 200),
]
VACANCY_FIELDS: dict[str, NumberField] = {f.name: f for f in _V}
HOUSEHOLD_FIELDS: dict[str, NumberField] = {f.name: f for f in _H}
