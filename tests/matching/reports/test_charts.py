"""The SVG bar chart: accessible, escaped, German numbers, hidden values never drawn as bars."""

from __future__ import annotations

from defusedxml import ElementTree as ET

from matching.reports.charts import Series, bar_chart, german_number

SVG = "{http://www.w3.org/2000/svg}"


def test_chart_is_valid_svg_with_title_description_and_one_bar_per_value() -> None:
    svg = bar_chart(
        "Haushalte nach Größe",
        ["1 Person", "2 Personen", "<script>"],
        [Series("Haushalte", [1234.0, None, 7.0])],
        unit="HH",
    )
    root = ET.fromstring(str(svg))
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and title.text == "Haushalte nach Größe"
    assert desc is not None and "1.234 HH" in (desc.text or "")
    assert "geschützt" in (desc.text or "")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    bars = [r for r in root.iter(f"{SVG}rect") if (r.get("fill") or "").startswith("#")]
    assert len(bars) == 2  # the hidden value is a hatched stub, not a bar
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "<script>" in texts  # escaped in the markup, parsed back as text
    assert "<script>" not in str(svg)


def test_bars_scale_to_the_largest_value_and_series_get_a_legend() -> None:
    svg = bar_chart("T", ["A", "B"], [Series("x", [10.0, 5.0]), Series("y", [2.5, 0.0])])
    root = ET.fromstring(str(svg))
    widths = [float(r.get("width") or 0) for r in root.iter(f"{SVG}rect") if r.get("y")]
    bars = widths[:4]
    assert bars[0] == max(bars) and abs(bars[1] - bars[0] / 4) < 0.2
    assert [t.text for t in root.iter(f"{SVG}text")][-2:] == ["x", "y"]


def test_german_number() -> None:
    assert german_number(1234567.891, 2) == "1.234.567,89"
    assert german_number(0.5, 1) == "0,5"


def _chart_rects(svg: str) -> list[tuple[float, float]]:
    root = ET.fromstring(svg)
    return [
        (float(r.get("x") or 0), float(r.get("width") or 0))
        for r in root.iter(f"{SVG}rect")
        if (r.get("fill") or "").startswith("#")  # bars (one series: no legend squares)
    ]


def test_negative_values_are_bars_left_of_a_zero_line() -> None:
    """The supply gap is negative where flats outnumber households: those bars had width 0
    (only the number was drawn). They grow leftwards from a zero line, scaled like the rest."""
    svg = str(bar_chart("Lücke", ["A", "B", "C"], [Series("1 Person", [90.0, -45.0, 0.0])]))
    root = ET.fromstring(svg)
    (zero_line,) = [x for x in root.iter(f"{SVG}line") if x.get("stroke") == "#5b5b5b"]
    zero = float(zero_line.get("x1") or 0)
    (pos_x, pos_w), (neg_x, neg_w), (_, nil_w) = _chart_rects(svg)
    assert pos_x == zero and abs(pos_w - 2 * neg_w) < 0.2 and nil_w == 0
    assert abs(neg_x + neg_w - zero) < 0.2
    labels = {t.text: float(t.get("x") or 0) for t in root.iter(f"{SVG}text")}
    assert labels["-45"] < neg_x  # the number stands left of its bar, right of the category
    assert labels["-45"] > 190


def test_a_long_legend_wraps_inside_the_chart() -> None:
    names = ["1 Person", "2 Personen", "3 Personen", "4 Personen", "5 und mehr Personen"]
    svg = str(bar_chart("T", ["A"], [Series(n, [1.0]) for n in names], width=560))
    root = ET.fromstring(svg)
    texts = {t.text: t for t in root.iter(f"{SVG}text")}
    for name in names:  # every name starts inside the drawing and ends (roughly) inside it
        assert float(texts[name].get("x") or 0) + 7 * len(name) <= 560
    rows = {texts[n].get("y") for n in names}
    assert len(rows) == 2
    assert float(root.get("height") or 0) >= max(float(y or 0) for y in rows)
