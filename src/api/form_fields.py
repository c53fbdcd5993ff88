"""HTML inputs built from the field contract, so a form never restates a label or a range.

The contract (:mod:`scoring.fields`) names each number the engine ranks on once: label, unit,
range, step, required. The API schemas take their msgspec constraints from it
(:func:`matching.validation.contract_meta`), the import its range checks; this module gives
the forms the same facts as ``<input>`` attributes and a German hint, registered once as the
Jinja global ``contract``. Before, the forms said "Min. Personen" and 0..30 while the contract
said "Mindestens Personen", and a clerk learnt the real range only from the error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from matching.numbers import format_german_decimal
from matching.vacancies.schemas import available_from_window
from scoring.fields import HOUSEHOLD_FIELDS, VACANCY_FIELDS, NumberField
from scoring.formatting import format_number

__all__ = [
    "CONTRACT",
    "ContractInput",
    "DateWindow",
    "contract_input",
    "input_value",
    "vacancy_available_window",
]


@dataclass(frozen=True)
class ContractInput:
    """How one contract field is typed in a form.

    Whole numbers (``step == 1``: floor, persons) are ``type="number"`` with the contract's
    ``min``/``max``/``step`` (no ``inputmode="numeric"``: that keypad lacks the minus of
    floor -2). Everything else - euro amounts, areas, rooms in half steps,
    kilometres - stays a text input with ``inputmode="decimal"``: people type German numbers
    ("1.200,50", "2,5") that :mod:`matching.numbers` parses, and a browser ``min`` or
    ``step`` would either be ignored (text) or refuse them (number). Their range is told in
    the hint instead, and the server checks it with the same contract.
    """

    spec: NumberField
    input_type: Literal["number", "text"]
    attrs: dict[str, str]
    range_hint: str

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def required(self) -> bool:
        return self.spec.required

    @property
    def label_text(self) -> str:
        """The contract's label with its unit: "Wohnfläche in m²"; "Etage" has none."""
        return f"{self.spec.label} in {self.spec.unit}" if self.spec.unit else self.spec.label

    @property
    def is_money(self) -> bool:
        return self.spec.unit == "€"

    def hint(self, extra: str | None = None) -> str:
        """The range, then the form's own remark (an example, what 0 means)."""
        return f"{self.range_hint}; {extra}" if extra else self.range_hint

    def form_value(self, value: object) -> object:
        """``value`` as this input shows it. Text is what someone typed (a form shown again
        with its errors) and stays as it is; a stored number is written the way the field is
        typed: euro amounts with cents ("1.200,50"), other decimals exactly and without
        trailing zeros ("54,5", "2,5"), whole numbers for ``type="number"`` as the browser
        reads them ("-2"). Before, the edit form showed Python's "389.5" in a German form."""
        number = _as_decimal(value)
        if number is None:
            return value
        if self.input_type == "number":
            return _html_number(number)
        return format_german_decimal(number, 2 if self.is_money else None)


def _as_decimal(value: object) -> Decimal | None:
    """The exact number ``value`` is (a float by its shortest repr), or None for non-numbers."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def input_value(value: object, input_type: str = "text") -> object:
    """What an ``<input>`` of ``input_type`` shows for ``value`` (the Jinja filter
    ``input_value`` of every form field, contract or not - the cases form's amounts, too):
    numbers German and exact in text inputs (``Decimal("389.50")`` → "389,50": a Decimal
    keeps its cents), HTML numbers in ``type="number"`` inputs; whole numbers and anything
    else unchanged."""
    number = _as_decimal(value)
    if number is None or isinstance(value, int):
        return value  # whole numbers (a count, a year) as they are: never "2.026"
    if input_type == "number":
        return _html_number(number)
    exponent = number.as_tuple().exponent
    return format_german_decimal(number, max(0, -exponent) if isinstance(exponent, int) else None)


def _html_number(value: float | Decimal) -> str:
    """A valid HTML floating-point number: "-2", "0.5", "20000"."""
    if value == int(value):
        return str(int(value))
    return f"{value:f}" if isinstance(value, Decimal) else repr(value)


def contract_input(spec: NumberField) -> ContractInput:
    """The input for ``spec``: attributes and hint, both read from the contract."""
    step_text = ""
    if spec.step is not None and spec.step != 1:
        step_text = f", in Schritten von {format_number(spec.step, 2, trim=True)}"
    described = spec.describe()
    range_hint = f"{described[:1].upper()}{described[1:]}{step_text}"
    if spec.step == 1:
        low = spec.low + 1 if spec.low_open else spec.low
        attrs = {"min": _html_number(low), "max": _html_number(spec.high), "step": "1"}
        return ContractInput(spec, "number", attrs, range_hint)
    return ContractInput(spec, "text", {"inputmode": "decimal"}, range_hint)


#: The Jinja global ``contract``: ``contract.vacancy.floor``, ``contract.household.own_max_rent``.
CONTRACT: dict[str, dict[str, ContractInput]] = {
    "vacancy": {name: contract_input(spec) for name, spec in VACANCY_FIELDS.items()},
    "household": {name: contract_input(spec) for name, spec in HOUSEHOLD_FIELDS.items()},
}


@dataclass(frozen=True)
class DateWindow:
    """A date input's bounds: ``min``/``max`` for the picker and the same in German words."""

    earliest: date
    latest: date

    @property
    def attrs(self) -> dict[str, str]:
        return {"min": self.earliest.isoformat(), "max": self.latest.isoformat()}

    @property
    def hint(self) -> str:
        return (
            f"zwischen {self.earliest.strftime('%d.%m.%Y')} und {self.latest.strftime('%d.%m.%Y')}"
        )


def vacancy_available_window() -> DateWindow:
    """Today's window for a new offer's "Verfügbar ab" (the API's and the import's rule);
    computed per request from the Berlin clock, never a date written into a template."""
    return DateWindow(*available_from_window())
