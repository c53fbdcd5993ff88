"""Jinja2 set-up: German formatting filters, autoescape everywhere, templates from /templates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, Template, select_autoescape
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from markupsafe import Markup

from matching.enums import label

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates"
BERLIN = ZoneInfo("Europe/Berlin")


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


def de_date(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, datetime):
        return value.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(value)


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
    env.filters.update(money=money, number=number, area=area, de_date=de_date, label=label)
    return env


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(make_environment()))
