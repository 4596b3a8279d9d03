"""The overview's check-in section, worked out from the check-in figures: pure, no I/O."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from markupsafe import Markup

from service.checkins.figures import Closeness, Distribution
from service.checkins.scores import HIGHEST
from service.dashboard.charts import Notes, Point, bar_chart, line_chart, percent
from service.dashboard.views import Figure


@dataclass(frozen=True)
class Row:
    """One line of the distribution table: a group, its answers, their average, each score."""

    label: str
    answers: int
    average: float
    counts: tuple[int, ...]


@dataclass(frozen=True)
class ClosenessView:
    figures: list[Figure]
    charts: list[Markup]
    rows: list[Row]  # by month in the programme
    has_answers: bool


def calendar_label(month: str) -> str:
    """ "2026-03" as "Mar 2026"."""
    return f"{datetime.date.fromisoformat(month + '-01'):%b %Y}"


def programme_label(month: int) -> str:
    return f"Month {month}"


def _answers(groups: list[Distribution[str]] | list[Distribution[int]]) -> Notes:
    return Notes("Answers", [str(group.answers) for group in groups])


def closeness_view(figures: Closeness) -> ClosenessView:
    calendar, tenure = figures.by_calendar_month, figures.by_programme_month
    charts = [
        line_chart(
            [Point(calendar_label(group.key), group.average) for group in calendar],
            title=f"Average closeness by calendar month (1 far, {HIGHEST} very close)",
            label_header="Month",
            value_header="Average",
            chart_id="chart-closeness-month",
            scale_max=HIGHEST,
            notes=_answers(calendar),
        ),
        bar_chart(
            [Point(programme_label(group.key), group.average) for group in tenure],
            title="Average closeness by month in the programme",
            label_header="Month in the programme",
            value_header="Average",
            chart_id="chart-closeness-tenure",
            scale_max=HIGHEST,
            notes=_answers(tenure),
        ),
    ]
    return ClosenessView(
        figures=[
            Figure("Check-ins sent", str(figures.asked)),
            Figure("Answered", str(figures.answered), "with a score of 1 to 5 within 3 days"),
            Figure("Answer rate", percent(figures.response_rate), "answered of those sent"),
        ],
        charts=charts,
        rows=[
            Row(programme_label(group.key), group.answers, group.average, group.counts)
            for group in tenure
        ],
        has_answers=figures.answered > 0,
    )
