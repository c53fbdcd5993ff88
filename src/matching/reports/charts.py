"""Server-side SVG charts: readable without JavaScript, by a screen reader and in print.

One small renderer instead of a charting library: horizontal bars (one or a few series per
category), German number format, a ``<title>`` and ``<desc>`` for assistive technology. The
numbers always stand beside the chart as a table too (the page's job); a value hidden by the
small-number rule (``None``) is drawn as a hatched stub labelled "geschützt", never as a bar.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from matching.reports.suppression import SUPPRESSED_MARK

PALETTE = ("#1f5f8b", "#d4862a", "#4a8a3c", "#8a3c6e", "#5b5b5b")
"""Colours with at least 4.5:1 contrast against white (WCAG 2.1 AA for the value labels)."""

_ids = itertools.count(1)


@dataclass(frozen=True)
class _Scale:
    """Where zero is and how many pixels one unit takes (negative values grow leftwards)."""

    zero_x: float
    per_unit: float


@dataclass(frozen=True)
class Series:
    """One row of bars: a name (shown in the legend) and one value per category."""

    name: str
    values: Sequence[float | None]


def german_number(value: float, decimals: int = 0) -> str:
    """``1234.5`` → ``1.234,5`` (German thousands and decimal separators)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def bar_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    description: str = "",
    unit: str = "",
    decimals: int = 0,
    width: int = 560,
) -> Markup:
    """A horizontal bar chart as inline SVG markup (escaped, safe to embed in a page).

    ``description`` becomes the SVG's ``<desc>``; when empty a sentence listing every value is
    generated, so a screen reader gets the figures even without the table.
    """
    chart_id = f"chart-{next(_ids)}"
    bar_h, gap, label_w, value_w, top = 14, 8, 190, 70, 8
    per_category = bar_h * len(series) + gap
    legend, legend_rows = _legend(series, top + per_category * len(categories) + 4, label_w, width)
    height = top + per_category * max(len(categories), 1) + 22 * legend_rows + 4
    known = [v for s in series for v in s.values if v is not None]
    low, high = min([*known, 0.0]), max([*known, 0.0])
    # Negative values (a supply gap below zero) get their own room left of the zero line,
    # with a value column of their own so their labels do not run into the categories.
    left = label_w + (value_w if low < 0 else 0)
    plot_w = max(width - left - value_w, 40)
    scale = _Scale(left + plot_w * -low / ((high - low) or 1.0), plot_w / ((high - low) or 1.0))
    desc = description or _describe(categories, series, unit, decimals)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
        f'<defs><pattern id="{chart_id}-h" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" '
        'stroke="#767676" stroke-width="2"/></pattern></defs>',
    ]
    if low < 0:
        parts.append(
            f'<line x1="{scale.zero_x:.1f}" y1="{top}" x2="{scale.zero_x:.1f}" '
            f'y2="{top + per_category * len(categories)}" stroke="#5b5b5b" stroke-width="1"/>'
        )
    for i, category in enumerate(categories):
        y0 = top + i * per_category
        parts.append(
            f'<text x="{label_w - 6}" y="{y0 + per_category / 2}" text-anchor="end" '
            f'dominant-baseline="middle" font-size="12">{escape(_clip(category))}</text>'
        )
        for j, s in enumerate(series):
            value = s.values[i] if i < len(s.values) else None
            y = y0 + j * bar_h
            parts.append(_bar(chart_id, value, j, y, bar_h, scale, unit, decimals))
    parts.append(legend)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  # nosec B704 - every text part above is escaped


def _bar(
    chart_id: str,
    value: float | None,
    j: int,
    y: float,
    bar_h: int,
    scale: _Scale,
    unit: str,
    decimals: int,
) -> str:
    zero = scale.zero_x
    if value is None:
        return (
            f'<rect x="{zero:.1f}" y="{y + 1}" width="18" height="{bar_h - 2}" '
            f'fill="url(#{chart_id}-h)"/>'
            f'<text x="{zero + 24:.1f}" y="{y + bar_h / 2}" dominant-baseline="middle" '
            f'font-size="11">{escape(SUPPRESSED_MARK)}</text>'
        )
    w = abs(value) * scale.per_unit
    x = zero - w if value < 0 else zero
    colour = PALETTE[j % len(PALETTE)]
    text = german_number(value, decimals) + (f" {unit}" if unit else "")
    label = f'x="{x - 4:.1f}" text-anchor="end"' if value < 0 else f'x="{zero + w + 4:.1f}"'
    return (
        f'<rect x="{x:.1f}" y="{y + 1}" width="{w:.1f}" height="{bar_h - 2}" fill="{colour}"/>'
        f'<text {label} y="{y + bar_h / 2}" dominant-baseline="middle" '
        f'font-size="11">{escape(text)}</text>'
    )


def _legend(series: Sequence[Series], y: float, x0: int, width: int) -> tuple[str, int]:
    """The legend (only for several series), wrapped onto as many rows as the width needs;
    returns the markup and the number of rows."""
    if len(series) < 2:
        return "", 0
    parts: list[str] = []
    x, row = float(x0), 0
    for j, s in enumerate(series):
        item_w = 16 + 7 * len(s.name) + 18
        if x > x0 and x + item_w - 18 > width:
            x, row = float(x0), row + 1
        colour = PALETTE[j % len(PALETTE)]
        top = y + 22 * row
        parts.append(
            f'<rect x="{x:.0f}" y="{top}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16:.0f}" y="{top + 10}" font-size="11">{escape(s.name)}</text>'
        )
        x += item_w
    return "".join(parts), row + 1


def _describe(categories: Sequence[str], series: Sequence[Series], unit: str, decimals: int) -> str:
    items: list[str] = []
    for i, category in enumerate(categories):
        values = []
        for s in series:
            value = s.values[i] if i < len(s.values) else None
            shown = (
                f"{SUPPRESSED_MARK} (nicht ausgewiesen)"
                if value is None
                else german_number(value, decimals) + (f" {unit}" if unit else "")
            )
            values.append(f"{s.name} {shown}" if len(series) > 1 else shown)
        items.append(f"{category}: {', '.join(values)}")
    return "; ".join(items) + "." if items else "Keine Werte im gewählten Zeitraum."


def _clip(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
