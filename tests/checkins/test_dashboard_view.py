"""The overview's check-in section: its figures, charts on the 1-5 scale, and honest words."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from service.checkins.figures import Closeness, Distribution
from service.dashboard.closeness import calendar_label, closeness_view

FIGURES = Closeness(
    asked=10,
    by_calendar_month=[
        Distribution("2026-03", (0, 0, 1, 1, 0)),
        Distribution("2026-04", (1, 0, 0, 0, 2)),
    ],
    by_programme_month=[Distribution(1, (1, 0, 1, 1, 0)), Distribution(2, (0, 0, 0, 0, 2))],
)


def test_month_labels() -> None:
    assert calendar_label("2026-03") == "Mar 2026"
    assert calendar_label("2027-12") == "Dec 2027"


def test_figures_charts_and_the_distribution_rows() -> None:
    view = closeness_view(FIGURES)
    assert [(f.label, f.value) for f in view.figures] == [
        ("Check-ins sent", "10"),
        ("Answered", "5"),
        ("Answer rate", "50%"),
    ]
    by_month, by_tenure = (str(chart) for chart in view.charts)
    assert "Mar 2026: 3.5; Apr 2026: 3.7" in by_month
    assert "Month 1: 2.7; Month 2: 5" in by_tenure
    # The 1-5 scale, whatever the averages: a gridline at each step up to 5, none above.
    ticks = re.findall(r'<text class="tick"[^>]*text-anchor="end">([^<]+)</text>', by_month)
    assert ticks == ["0", "1", "2", "3", "4", "5"]
    assert '<th scope="col">Answers</th>' in by_month and "<td>3</td>" in by_month
    assert [(r.label, r.answers, r.average, r.counts) for r in view.rows] == [
        ("Month 1", 3, 2.7, (1, 0, 1, 1, 0)),
        ("Month 2", 2, 5.0, (0, 0, 0, 0, 2)),
    ]
    assert view.has_answers


def test_an_empty_programme_says_no_check_in_was_answered(signed_in: TestClient) -> None:
    page = signed_in.get("/").text
    assert "Closeness check-in" in page and "self-reports" in page and "no control group" in page
    assert "No check-in has been answered yet." in page
    assert "chart-closeness-month" not in page
    assert 'href="/export/check-ins.csv"' in page


def test_the_answers_are_only_for_operators(browser: TestClient, client: TestClient) -> None:
    assert browser.get("/export/check-ins.csv").headers.get("location") == "/login"
    assert client.get("/admin/export/check-ins.csv").status_code == 401
