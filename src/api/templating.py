"""Jinja2 set-up: German formatting filters, autoescape everywhere, templates from /templates."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, Template, select_autoescape
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from markupsafe import Markup

from api.form_fields import CONTRACT, input_value, vacancy_available_window
from matching.clock import BERLIN
from matching.enums import label
from matching.german import FIELD_LABELS, count
from scoring.errors import PolicyError
from scoring.policy import Policy, load_policy

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates"


def money(value: Any) -> str:
    """1234.5 -> "1.234,50 €"."""
    if value is None or value == "":
        return "–"
    text = f"{Decimal(str(value)):,.2f}"
    return text.replace(",", "X").replace(".", ",").replace("X", ".") + " €"


def number(value: Any, places: int = 1) -> str:
    if value is None or value == "":
        return "–"
    text = f"{float(value):,.{places}f}"
    text = text.replace(",", "X").replace(".", ",").replace("X", ".")
    if places and text.endswith("," + "0" * places):
        text = text[: -(places + 1)]
    return text


def area(value: Any) -> str:
    return "–" if value is None else f"{number(value, 1)} m²"


def yes_no(value: Any) -> str:
    if value is None or value == "":
        return "–"
    return "ja" if value else "nein"


@lru_cache(maxsize=32)
def _policy(name: str) -> Policy | None:
    try:
        return load_policy(name)
    except PolicyError:
        return None


def policy_title(name: Any) -> str:
    """A ranking policy's German title instead of its key ("Dringlichkeit zuerst")."""
    policy = _policy(str(name))
    return policy.title if policy else "unbekannte Gewichtung"


def policy_description(name: Any) -> str:
    """The policy's German description, with what it does with the acceptance chance."""
    policy = _policy(str(name))
    return f"{policy.description} {policy.acceptance_text()}".strip() if policy else ""


def de_date(value: Any) -> str:
    """Dates and times in German form; ISO text (as in exports) is read first."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(value, datetime):
        return value.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(value)


_DE_DAY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def iso_date(value: Any) -> str:
    """A value for ``<input type="date">`` (which only takes YYYY-MM-DD): dates and German
    "31.12.2026" become ISO; anything else (an invalid entry) is kept as typed."""
    if isinstance(value, datetime):
        return value.astimezone(BERLIN).date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value or "").strip()
    if m := _DE_DAY.match(text):
        try:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1))).isoformat()
        except ValueError:
            return text
    return text


class _CsrfSafeTemplate(Template):
    """Litestar hands ``csrf_input`` over as a plain string (token already HTML-escaped);
    autoescape would print the tag as text and every form would fail the CSRF check."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        if isinstance(kwargs.get("csrf_input"), str):
            kwargs["csrf_input"] = Markup(kwargs["csrf_input"])  # noqa: S704  # nosec B704 # escaped by Litestar
        return super().render(*args, **kwargs)


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.template_class = _CsrfSafeTemplate
    env.filters.update(
        money=money,
        number=number,
        area=area,
        de_date=de_date,
        label=label,
        count=count,
        yes_no=yes_no,
        policy_title=policy_title,
        policy_description=policy_description,
        iso_date=iso_date,
        input_value=input_value,
    )
    env.globals["field_labels"] = FIELD_LABELS
    env.globals["contract"] = CONTRACT  # the forms' labels and ranges (partials/field.html)
    env.globals["vacancy_available_window"] = vacancy_available_window
    return env


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(make_environment()))
