"""Server-rendered SVG charts: accessible, escaped, scaled to round numbers."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest

from service.dashboard.charts import Point, axis, bar_chart, line_chart, nice_step, rate_chart

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    ("rough", "whole", "step"),
    [
        (0.3, False, 0.5),
        (0.3, True, 1.0),
        (3, True, 5.0),
        (7, True, 10.0),
        (12, True, 20.0),
        (2.2, False, 2.5),
        (2.2, True, 5.0),
        (0, True, 1.0),
    ],
)
def test_nice_steps(rough: float, whole: bool, step: float) -> None:
    assert nice_step(rough, whole=whole) == step


def test_axis_covers_the_largest_value_in_round_steps() -> None:
    assert axis(0, whole=True) == (1.0, [0.0, 1.0])
    assert axis(7, whole=True) == (8.0, [0.0, 2.0, 4.0, 6.0, 8.0])
    top, ticks = axis(37, whole=True)
    assert top >= 37 and ticks[0] == 0 and ticks[-1] == top


def _svg(markup: str) -> ElementTree.Element:
    match = re.search(r"<svg.*</svg>", markup, re.S)
    assert match
    return ElementTree.fromstring(match.group())


def test_bar_chart_has_one_bar_per_point_and_a_text_alternative() -> None:
    points = [Point("Mar 2", 1), Point("Mar 9", 0), Point("Mar 16", 4)]
    markup = str(bar_chart(points, title="Wins per week", chart_id="wins"))
    svg = _svg(markup)
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "wins-title wins-desc"
    assert svg.find(f"{SVG}title").text == "Wins per week"  # type: ignore[union-attr]
    desc = svg.find(f"{SVG}desc").text  # type: ignore[union-attr]
    assert desc == "Wins per week. Mar 2: 1; Mar 9: 0; Mar 16: 4"
    bars = svg.findall(f"{SVG}rect")
    assert len(bars) == 3
    heights = [float(bar.get("height", "0")) for bar in bars]
    assert heights[1] == 0 and heights[2] > heights[0] > 0
    assert "<table>" in markup and "<td>4</td>" in markup


def test_line_chart_draws_a_line_through_every_point() -> None:
    points = [Point("a", 1), Point("b", 3), Point("c", 2)]
    svg = _svg(str(line_chart(points, title="Active")))
    line = svg.find(f"{SVG}polyline")
    assert line is not None and len(line.get("points", "").split()) == 3
    assert len(svg.findall(f"{SVG}circle")) == 3


def test_rate_chart_shows_percentages() -> None:
    points = [Point("Play", 0.5), Point("Repair", 1.0)]
    markup = str(rate_chart(points, title="Reply rate", notes=["1 of 2", "3 of 3"]))
    svg = _svg(markup)
    widths = [float(rect.get("width", "0")) for rect in svg.findall(f"{SVG}rect")]
    assert widths[1] == pytest.approx(2 * widths[0])
    assert "50%" in markup and "100%" in markup and "1 of 2" in markup


def test_labels_are_escaped() -> None:
    markup = str(bar_chart([Point("<script>x</script>", 1)], title="A & <b>"))
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert "A &amp; &lt;b&gt;" in markup
    _svg(markup)  # still well-formed XML


def test_empty_charts_render() -> None:
    for chart in (bar_chart, line_chart, rate_chart):
        _svg(str(chart([], title="Nothing yet")))
