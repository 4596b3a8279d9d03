"""The sign-in throttle's policy: how long an address waits after wrong tokens."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.dashboard.throttle import (
    ATTEMPTS,
    PERIOD,
    retry_after_seconds,
    wait_before_next_try,
)

NOW = datetime.datetime(2026, 3, 18, 12, 0, tzinfo=datetime.UTC)
MINUTE = datetime.timedelta(minutes=1)


@pytest.mark.parametrize(
    ("minutes_ago", "expected"),
    [
        ([], None),
        ([0] * (ATTEMPTS - 1), None),  # one short
        ([0] * ATTEMPTS, PERIOD),  # all just now: the whole period
        (list(range(ATTEMPTS)), PERIOD - (ATTEMPTS - 1) * MINUTE),  # the oldest counts down
        ([15] + [0] * (ATTEMPTS - 1), None),  # the oldest is a whole period old
        ([14] + [0] * (ATTEMPTS - 1), MINUTE),
        ([60] * 50 + [0] * (ATTEMPTS - 1), None),  # old failures never count
        ([-5] * ATTEMPTS, None),  # failures after now (a clock moved back) do not count
    ],
)
def test_wait_before_next_try(minutes_ago: list[int], expected: datetime.timedelta | None) -> None:
    failures = [NOW - minutes * MINUTE for minutes in minutes_ago]
    assert wait_before_next_try(failures, NOW) == expected


@given(st.lists(st.integers(0, 30 * 60), max_size=40))
def test_a_wait_is_within_the_period_and_ends_when_a_failure_ages_out(
    seconds_ago: list[int],
) -> None:
    failures = [NOW - datetime.timedelta(seconds=s) for s in seconds_ago]
    wait = wait_before_next_try(failures, NOW)
    recent = [s for s in seconds_ago if s < PERIOD.total_seconds()]
    assert (wait is not None) == (len(recent) >= ATTEMPTS)
    if wait is not None:
        assert datetime.timedelta(0) < wait <= PERIOD
        assert wait_before_next_try(failures, NOW + wait) is None or len(recent) > ATTEMPTS
        assert 1 <= retry_after_seconds(wait) <= PERIOD.total_seconds()
