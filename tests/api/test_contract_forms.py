"""The forms show each contract field as the contract specifies it (issue 10, "one contract per
field"): label, unit, range, step and required come from ``scoring.fields``, and no template
writes a label or a range of a contract field itself."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from api.templating import TEMPLATE_DIR
from matching import clock
from matching.vacancies.schemas import available_from_window
from scoring.fields import HOUSEHOLD_FIELDS, VACANCY_FIELDS, NumberField
from tests.conftest import csrf_headers, login
from tests.support.world import PASSWORD


class _Form(HTMLParser):
    """Inputs by id, label texts by their ``for``, hint/error texts by id, summary links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inputs: dict[str, dict[str, str | None]] = {}
        self.labels: dict[str, str] = {}
        self.texts: dict[str, str] = {}
        self.links: dict[str, str] = {}
        self._open: list[tuple[str, str]] = []  # (kind, key) of the element whose text we read

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "input" and a.get("id"):
            self.inputs[str(a["id"])] = a
        elif tag == "label" and a.get("for"):
            self._open.append(("label", str(a["for"])))
        elif tag in ("small", "p") and a.get("id"):
            self._open.append(("text", str(a["id"])))
        elif tag == "a" and str(a.get("href", "")).startswith("#"):
            self._open.append(("link", str(a["href"])[1:]))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("label", "small", "p", "a") and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if not self._open:
            return
        kind, key = self._open[-1]
        target = {"label": self.labels, "text": self.texts, "link": self.links}[kind]
        target[key] = " ".join(f"{target.get(key, '')} {data}".split())


def _parse(html: str) -> _Form:
    form = _Form()
    form.feed(html)
    return form


def _expected_label(spec: NumberField) -> str:
    return f"{spec.label} in {spec.unit}" if spec.unit else spec.label


def _assert_contract_inputs(html: str, fields: dict[str, NumberField]) -> None:
    """Every contract field is on the form, labelled, marked and bounded as the contract says."""
    form = _parse(html)
    for name, spec in fields.items():
        fid = f"f-{name}"
        assert fid in form.inputs, f"{name} fehlt im Formular"
        attrs = form.inputs[fid]
        label = form.labels[fid]
        marker = " *" if spec.required else ""
        assert label == _expected_label(spec) + marker, (name, label)
        assert ("required" in attrs) is spec.required, name
        if spec.step == 1:  # whole numbers: the browser knows the range
            assert attrs["type"] == "number", name
            low = spec.low + 1 if spec.low_open else spec.low
            assert (attrs["min"], attrs["max"], attrs["step"]) == (
                str(int(low)),
                str(int(spec.high)),
                "1",
            ), name
        else:  # German decimals ("1.200,50"): text with a decimal keypad, no browser bounds
            assert attrs["type"] == "text" and attrs["inputmode"] == "decimal", name
            assert not {"min", "max", "step"} & attrs.keys(), name
        described = str(attrs.get("aria-describedby") or "").split()
        assert f"h-{name}" in described, name
        hint = form.texts[f"h-{name}"]
        assert spec.describe().lower() in hint.lower(), (name, hint)


pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("edit", [False, True], ids=["neu", "bearbeiten"])
async def test_vacancy_form_shows_the_contract(client: Any, world: Any, edit: bool) -> None:
    await login(client, world.email("landlord_a"), PASSWORD)
    url = f"/wohnungen/{world.vacancies['a'].id}/bearbeiten" if edit else "/wohnungen/neu"
    page = await client.get(url)
    assert page.status_code == 200
    _assert_contract_inputs(page.text, VACANCY_FIELDS)
    available = _parse(page.text).inputs["f-available_from"]
    if edit:  # the window is a rule for new offers (VacancyCreate), as in the API
        assert "min" not in available and "max" not in available
    else:
        earliest, latest = available_from_window(clock.today())
        assert (available["min"], available["max"]) == (earliest.isoformat(), latest.isoformat())
        hint = _parse(page.text).texts["h-available_from"]
        assert earliest.strftime("%d.%m.%Y") in hint and latest.strftime("%d.%m.%Y") in hint


@pytest.mark.parametrize("edit", [False, True], ids=["neu", "bearbeiten"])
async def test_household_form_shows_the_contract(client: Any, world: Any, edit: bool) -> None:
    await login(client, world.email("counselor_a"), PASSWORD)
    url = f"/haushalte/{world.households['a'].id}/bearbeiten" if edit else "/haushalte/neu"
    page = await client.get(url)
    assert page.status_code == 200
    _assert_contract_inputs(page.text, HOUSEHOLD_FIELDS)


async def test_error_summary_names_and_links_a_contract_field(client: Any, world: Any) -> None:
    """The summary calls the field what its label calls it and links to its input."""
    await login(client, world.email("counselor_a"), PASSWORD)
    spec = HOUSEHOLD_FIELDS["max_floor_without_lift"]
    response = await client.post(
        "/haushalte/",
        data={
            "adults": "1",
            "income_basis": "sgb2",
            "urgency": "none",
            "max_floor_without_lift": str(int(spec.high) + 1),
        },
        headers=csrf_headers(client),
    )
    assert response.status_code == 422
    form = _parse(response.text)
    link = form.links["f-max_floor_without_lift"]
    assert link.startswith(f"{spec.label}:") and "höchstens 30" in link
    assert "f-max_floor_without_lift" in form.inputs
    described = str(form.inputs["f-max_floor_without_lift"]["aria-describedby"]).split()
    assert described == ["e-max_floor_without_lift", "h-max_floor_without_lift"]


# --- no template restates a contract field ------------------------------------------------

_NAMES = "|".join(sorted({*VACANCY_FIELDS, *HOUSEHOLD_FIELDS}))
#: The ways a template could write a contract field's input by hand: the generic macros with
#: the field's name (``field("floor", "Etage", ..., attrs=...)``), or a raw ``name=``/``id=``.
_HAND_WRITTEN = re.compile(
    rf"""\b(?:field|date_field|checkbox|select)\(\s*["'](?P<a>{_NAMES})["']"""
    rf"""|\b(?:name|for|id)=["'](?:f-)?(?P<b>{_NAMES})["']"""
)


def _hand_written(text: str) -> list[str]:
    return [m.group("a") or m.group("b") for m in _HAND_WRITTEN.finditer(text)]


@pytest.mark.parametrize(
    "snippet",
    [
        """{{ field("floor", "Etage", errors, values, type="number", attrs='min="-2"') }}""",
        """{{ field('min_persons', "Min. Personen", errors, values) }}""",
        """<input id="f-own_max_rent" name="own_max_rent" type="text">""",
        """<label for="f-max_distance_km">Max. Entfernung</label>""",
    ],
)
def test_the_template_check_finds_a_hand_written_field(snippet: str) -> None:
    assert _hand_written(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        "{{ contract_field(c.floor, errors, values, hint='0 = Erdgeschoss') }}",
        """<input name="min_rooms" type="number">""",  # a list filter, not the field
        """{{ field("floors_total", "Geschosse", errors, values) }}""",
        "<dt>Etage</dt><dd>{{ vacancy.floor }}</dd>",  # showing a value is not a form field
    ],
)
def test_the_template_check_leaves_other_text_alone(snippet: str) -> None:
    assert _hand_written(snippet) == []


def test_no_template_writes_a_contract_field_by_hand() -> None:
    found = {
        str(path.relative_to(TEMPLATE_DIR)): names
        for path in sorted(Path(TEMPLATE_DIR).rglob("*"))
        if path.is_file() and (names := _hand_written(path.read_text(encoding="utf-8")))
    }
    assert found == {}, "Felder des Vertrags bitte mit contract_field(...) ausgeben"
