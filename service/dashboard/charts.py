"""Charts as SVG, drawn on the server: pure functions from numbers to markup.

Nothing is loaded at run time. Every chart is a <figure> whose <svg> has role="img", a <title>
and a <desc> that states the figures in words, followed by the same figures as a table, so a
screen reader (or someone who prefers numbers) gets everything the picture shows.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
HEIGHT = 260
LEFT = 48
RIGHT = 16
TOP = 16
BOTTOM = 36
HBAR_ROW = 52


@dataclass(frozen=True)
class Point:
    label: str
    value: float


def nice_step(rough: float, *, whole: bool) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) at least as big as `rough`."""
    if rough <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(rough))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * power
        if step >= rough and (not whole or step == int(step)):
            return float(step)
    return float(10 * power)


def axis(max_value: float, *, whole: bool, ticks: int = 4) -> tuple[float, list[float]]:
    """The top of the axis and its gridlines, from zero, in round steps."""
    step = nice_step(max_value / ticks, whole=whole) if max_value > 0 else 1.0
    if whole:
        step = max(step, 1.0)
    top = step * max(1, math.ceil(max_value / step))
    return top, [step * n for n in range(round(top / step) + 1)]


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "chart"


def _describe(points: Sequence[Point], formatter: Callable[[float], str]) -> str:
    return "; ".join(f"{point.label}: {formatter(point.value)}" for point in points)


def _figure(
    chart_id: str, title: str, svg_body: str, height: int, summary: str, table: str
) -> Markup:
    return Markup(
        f'<figure class="chart" id="{chart_id}">'
        f'<figcaption id="{chart_id}-caption">{escape(title)}</figcaption>'
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(summary)}</desc>'
        f"{svg_body}</svg>"
        f"<details><summary>Show the figures</summary>{table}</details>"
        "</figure>"
    )


def _table(
    points: Sequence[Point],
    label_header: str,
    value_header: str,
    fmt: Callable[[float], str],
    notes: Notes | None = None,
) -> str:
    """The figures as a table; `notes` adds a column (say, how many answers an average is of)."""
    extra = [f"<td>{escape(note)}</td>" for note in notes.cells] if notes else [""] * len(points)
    rows = "".join(
        f'<tr><th scope="row">{escape(p.label)}</th><td>{escape(fmt(p.value))}</td>{cell}</tr>'
        for p, cell in zip(points, extra, strict=True)
    )
    notes_header = f'<th scope="col">{escape(notes.header)}</th>' if notes else ""
    return (
        f'<table><thead><tr><th scope="col">{escape(label_header)}</th>'
        f'<th scope="col">{escape(value_header)}</th>{notes_header}</tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def _grid(top: float, ticks: list[float], fmt: Callable[[float], str]) -> str:
    plot_height = HEIGHT - TOP - BOTTOM
    parts = []
    for tick in ticks:
        y = TOP + plot_height - (tick / top) * plot_height
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(fmt(tick))}</text>"
        )
    return "".join(parts)


def _x_labels(points: Sequence[Point], centres: list[float]) -> str:
    every = max(1, math.ceil(len(points) / 6))  # at most six labels fit a phone screen
    return "".join(
        f'<text class="tick" x="{x:.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle">'
        f"{escape(point.label)}</text>"
        for n, (point, x) in enumerate(zip(points, centres, strict=True))
        if (len(points) - 1 - n) % every == 0  # counted from the newest, always shown
    )


@dataclass(frozen=True)
class Notes:
    """A column beside a chart's figures, one cell per point."""

    header: str
    cells: Sequence[str]


@dataclass(frozen=True)
class _TimeAxis:
    """Where each point of a series over time sits: one slot per point, a shared value scale."""

    top: float
    ticks: list[float]
    slot: float
    centres: list[float]

    @classmethod
    def of(cls, points: Sequence[Point], scale_max: float | None = None) -> _TimeAxis:
        """`scale_max`: the top of a fixed scale (5 for a 1-5 score: a gridline per step of
        it), else the axis fits the largest value."""
        if scale_max is not None:
            top, ticks = axis(scale_max, whole=True, ticks=max(1, math.ceil(scale_max)))
        else:
            top, ticks = axis(max((p.value for p in points), default=0), whole=True)
        slot = (WIDTH - LEFT - RIGHT) / max(len(points), 1)
        return cls(top, ticks, slot, [LEFT + slot * (n + 0.5) for n in range(len(points))])

    def y(self, value: float) -> float:
        plot_height = HEIGHT - TOP - BOTTOM
        return TOP + plot_height - (value / self.top) * plot_height


def _over_time(
    points: Sequence[Point],
    time_axis: _TimeAxis,
    marks: str,
    *,
    title: str,
    label_header: str,
    value_header: str,
    chart_id: str | None,
    notes: Notes | None = None,
) -> Markup:
    body = (
        _grid(time_axis.top, time_axis.ticks, _fmt) + marks + _x_labels(points, time_axis.centres)
    )
    summary = f"{title}. " + _describe(points, _fmt)
    return _figure(
        chart_id or slug(title),
        title,
        body,
        HEIGHT,
        summary,
        _table(points, label_header, value_header, _fmt, notes),
    )


def bar_chart(
    points: Sequence[Point],
    *,
    title: str,
    label_header: str = "Week",
    value_header: str = "Count",
    chart_id: str | None = None,
    scale_max: float | None = None,
    notes: Notes | None = None,
) -> Markup:
    """Vertical bars for counts over time (weeks), or for a score on a fixed scale."""
    time_axis = _TimeAxis.of(points, scale_max)
    bar = time_axis.slot * 0.7
    baseline = time_axis.y(0)
    bars = "".join(
        f'<rect class="bar" x="{centre - bar / 2:.1f}" y="{time_axis.y(point.value):.1f}" '
        f'width="{bar:.1f}" height="{baseline - time_axis.y(point.value):.1f}">'
        f"<title>{escape(point.label)}: {escape(_fmt(point.value))}</title></rect>"
        for point, centre in zip(points, time_axis.centres, strict=True)
    )
    return _over_time(
        points,
        time_axis,
        bars,
        title=title,
        label_header=label_header,
        value_header=value_header,
        chart_id=chart_id,
        notes=notes,
    )


def line_chart(
    points: Sequence[Point],
    *,
    title: str,
    label_header: str = "Week",
    value_header: str = "Count",
    chart_id: str | None = None,
    scale_max: float | None = None,
    notes: Notes | None = None,
) -> Markup:
    """A line with a dot per point, for a level over time (subscribers, an average score)."""
    time_axis = _TimeAxis.of(points, scale_max)
    coords = [(x, time_axis.y(p.value)) for p, x in zip(points, time_axis.centres, strict=True)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    dots = "".join(
        f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="4">'
        f"<title>{escape(p.label)}: {escape(_fmt(p.value))}</title></circle>"
        for p, (x, y) in zip(points, coords, strict=True)
    )
    line = f'<polyline class="line" points="{path}"/>' if len(coords) > 1 else ""
    return _over_time(
        points,
        time_axis,
        line + dots,
        title=title,
        label_header=label_header,
        value_header=value_header,
        chart_id=chart_id,
        notes=notes,
    )


def rate_chart(
    points: Sequence[Point],
    *,
    title: str,
    label_header: str = "Category",
    value_header: str = "Reply rate",
    notes: Sequence[str] | None = None,
    chart_id: str | None = None,
) -> Markup:
    """Horizontal bars for rates between 0 and 1 (reply rate by category), each under its label
    so that long labels stay whole on a narrow screen."""
    chart_id = chart_id or slug(title)
    height = TOP + HBAR_ROW * max(len(points), 1)
    plot_width = WIDTH - RIGHT - 64  # room for the value after a full bar
    rows = []
    for n, point in enumerate(points):
        y = TOP + n * HBAR_ROW
        width = max(0.0, min(point.value, 1.0)) * plot_width
        note = f" ({notes[n]})" if notes else ""
        rows.append(
            f'<text class="label" x="0" y="{y + 16}">{escape(point.label)}{escape(note)}</text>'
            f'<rect class="bar" x="0" y="{y + 24}" width="{width:.1f}" height="16">'
            f"<title>{escape(point.label)}: {escape(percent(point.value))}{escape(note)}</title>"
            f'</rect><text class="value" x="{width + 6:.1f}" y="{y + 38}">'
            f"{escape(percent(point.value))}</text>"
        )
    summary = f"{title}. " + _describe(points, percent)
    return _figure(
        chart_id,
        title,
        "".join(rows),
        height,
        summary,
        _table(points, label_header, value_header, percent),
    )
