"""How far off the member's anniversary is (pure)."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.scheduling.anniversary import MARK_DAYS_BEFORE, days_until, is_soon


@pytest.mark.parametrize(
    ("today", "month", "day", "days"),
    [
        (datetime.date(2026, 6, 14), 6, 14, 0),
        (datetime.date(2026, 6, 7), 6, 14, 7),
        (datetime.date(2026, 6, 15), 6, 14, 364),
        (datetime.date(2026, 12, 30), 1, 2, 3),  # across the new year
        (datetime.date(2026, 2, 20), 2, 29, 8),  # a common year: the 28th
        (datetime.date(2028, 2, 20), 2, 29, 9),  # a leap year: the 29th
    ],
)
def test_days_until_the_anniversary(today: datetime.date, month: int, day: int, days: int) -> None:
    assert days_until(today, month, day) == days


def test_soon_is_the_week_up_to_the_day() -> None:
    day = datetime.date(2026, 6, 14)
    assert is_soon(day, 6, 14)
    assert is_soon(day - datetime.timedelta(days=MARK_DAYS_BEFORE - 1), 6, 14)
    assert not is_soon(day - datetime.timedelta(days=MARK_DAYS_BEFORE), 6, 14)
    assert not is_soon(day + datetime.timedelta(days=1), 6, 14)
    assert not is_soon(day, None, None)


@given(
    st.dates(), st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2000, 12, 31))
)
def test_the_anniversary_is_never_more_than_a_year_off(
    today: datetime.date, anniversary: datetime.date
) -> None:
    days = days_until(today, anniversary.month, anniversary.day)
    assert 0 <= days <= 365
    on = today + datetime.timedelta(days=days)
    assert (on.month, on.day) == (anniversary.month, anniversary.day) or (
        (anniversary.month, anniversary.day) == (2, 29) and (on.month, on.day) == (2, 28)
    )
