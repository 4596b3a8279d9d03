"""When a check-in is due, how long an answer counts, which month it speaks for: pure."""

from __future__ import annotations

import datetime
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.checkins.timing import (
    ANSWER_WINDOW,
    EVERY,
    History,
    answers_in_time,
    is_due,
    programme_month,
)

JOINED = datetime.datetime(2026, 3, 2, 17, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("days_since_joining", "last_asked_days_ago", "prompts", "due"),
    [
        (28, None, 2, True),
        (27.9, None, 2, False),  # not yet a month in
        (28, None, 1, False),  # never a member's first prompts
        (28, None, 0, False),
        (200, None, 1, False),  # however long, after at least two prompts
        (90, None, 40, True),
        (60, 27.9, 20, False),  # asked less than 28 days ago
        (60, 28, 20, True),
        (60, 1, 20, False),
    ],
)
def test_due_28_days_after_joining_or_the_last_one_and_after_two_prompts(
    days_since_joining: float, last_asked_days_ago: float | None, prompts: int, due: bool
) -> None:
    now = JOINED + days_since_joining * DAY
    asked = None if last_asked_days_ago is None else now - last_asked_days_ago * DAY
    assert is_due(History(JOINED, asked, prompts), now) is due


@given(
    joined=st.datetimes(
        min_value=datetime.datetime(2020, 1, 1),
        max_value=datetime.datetime(2040, 1, 1),
        timezones=st.just(datetime.UTC),
    ),
    gap=st.timedeltas(min_value=datetime.timedelta(0), max_value=400 * DAY),
    prompts=st.integers(0, 500),
    later=st.timedeltas(min_value=datetime.timedelta(0), max_value=400 * DAY),
)
def test_once_due_a_check_in_stays_due_until_asked(
    joined: datetime.datetime, gap: datetime.timedelta, prompts: int, later: datetime.timedelta
) -> None:
    history = History(joined, None, prompts)
    now, after = joined + gap, joined + gap + later
    if is_due(history, now):
        assert is_due(history, after)
        assert not is_due(History(joined, now, prompts), now)  # asked now: not again at once


@pytest.mark.parametrize(
    ("after", "counts"),
    [
        (datetime.timedelta(minutes=1), True),
        (ANSWER_WINDOW - datetime.timedelta(seconds=1), True),
        (ANSWER_WINDOW, False),
        (ANSWER_WINDOW + datetime.timedelta(minutes=1), False),
        (-datetime.timedelta(hours=2), True),  # "before" it by the clock: a tick run ahead
    ],
)
def test_an_answer_counts_for_3_days(after: datetime.timedelta, counts: bool) -> None:
    assert answers_in_time(JOINED, JOINED + after) is counts


@pytest.mark.parametrize(
    ("days", "month"),
    [
        (0, 1),
        (10, 1),
        (28, 1),  # the first check-in at the earliest
        (35, 1),  # ...and at a weekly member's latest
        (45, 1),
        (46, 2),
        (56, 2),
        (70, 2),
        (365, 12),
        (730, 24),
    ],
)
def test_a_check_in_speaks_for_the_month_it_closes(days: int, month: int) -> None:
    assert programme_month(JOINED, JOINED + days * DAY) == month


@given(
    first=st.timedeltas(min_value=datetime.timedelta(0), max_value=3000 * DAY),
    second=st.timedeltas(min_value=datetime.timedelta(0), max_value=3000 * DAY),
)
def test_months_in_the_programme_never_go_back(
    first: datetime.timedelta, second: datetime.timedelta
) -> None:
    earlier, later = sorted((first, second))
    assert 1 <= programme_month(JOINED, JOINED + earlier) <= programme_month(JOINED, JOINED + later)


@given(checks=st.integers(1, 36), slot_wait=st.integers(0, 7))
def test_check_ins_a_month_apart_fall_in_successive_months(checks: int, slot_wait: int) -> None:
    """Asked every 28 days plus the wait for the next prompt slot (a week at most): the months
    they speak for never go back and never skip more than one."""
    asked = [JOINED + n * (EVERY + slot_wait * DAY) for n in range(1, checks + 1)]
    months = [programme_month(JOINED, at) for at in asked]
    assert months[0] == 1
    assert all(0 <= b - a <= 2 for a, b in itertools.pairwise(months))
