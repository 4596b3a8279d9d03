"""Weekly figures: the pure parts (week boundaries, the consent replay)."""

from __future__ import annotations

import datetime

import pytest

from service.admin.weeks import (
    MAX_WEEKS,
    active_at_week_ends,
    as_date,
    week_start,
    week_starts,
    weeks_since,
)
from service.subscribers.models import ConsentKind

UTC = datetime.UTC


def moment(day: int, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(2026, 3, day, hour, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "monday"),
    [(16, 16), (18, 16), (22, 16), (23, 23), (1, -1)],  # Sunday Mar 1 belongs to Feb 23
)
def test_week_start_is_the_monday(day: int, monday: int) -> None:
    expected = datetime.date(2026, 2, 23) if monday == -1 else datetime.date(2026, 3, monday)
    assert week_start(datetime.date(2026, 3, day)) == expected


def test_week_starts_end_with_the_current_week_in_utc() -> None:
    # 23:30 in New York on Sunday Mar 22 is already Monday Mar 23 in UTC.
    late_sunday = datetime.datetime(
        2026, 3, 22, 23, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=-4))
    )
    assert week_starts(late_sunday, 3) == [
        datetime.date(2026, 3, 9),
        datetime.date(2026, 3, 16),
        datetime.date(2026, 3, 23),
    ]


def test_weeks_since_counts_inclusive_weeks_and_is_bounded() -> None:
    assert weeks_since(None, moment(18)) == 1
    assert weeks_since(moment(16), moment(18)) == 1
    assert weeks_since(moment(3), moment(18)) == 3
    long_ago = datetime.datetime(1990, 1, 1, tzinfo=UTC)
    assert weeks_since(long_ago, moment(18)) == MAX_WEEKS


def test_as_date_reads_every_shape_a_database_returns() -> None:
    day = datetime.date(2026, 3, 16)
    assert as_date(day) == day
    assert as_date(datetime.datetime(2026, 3, 16, 0, 0)) == day
    assert as_date("2026-03-16") == day
    assert as_date("2026-03-16 00:00:00") == day
    with pytest.raises(TypeError):
        as_date(20260316)


def test_active_replays_the_consent_log_in_time_order() -> None:
    starts = [datetime.date(2026, 3, 2), datetime.date(2026, 3, 9), datetime.date(2026, 3, 16)]
    events = [
        # given out of order on purpose
        (moment(11), "b", ConsentKind.OPT_OUT),
        (moment(3), "a", ConsentKind.OPT_IN),
        (moment(3, 13), "a", ConsentKind.CONFIRMATION),
        (moment(4), "b", ConsentKind.CONFIRMATION),
        (moment(5), "c", ConsentKind.OPT_IN),  # never confirmed: never counted
        (moment(17), "b", ConsentKind.RESUBSCRIBE),
        (moment(17, 14), "a", ConsentKind.OPT_OUT),
    ]
    assert active_at_week_ends(events, starts) == [2, 1, 1]


def test_an_event_at_monday_midnight_belongs_to_the_new_week() -> None:
    starts = [datetime.date(2026, 3, 9), datetime.date(2026, 3, 16)]
    midnight = datetime.datetime(2026, 3, 16, tzinfo=UTC)
    events = [(midnight, "a", ConsentKind.CONFIRMATION)]
    assert active_at_week_ends(events, starts) == [0, 1]
