"""Schedule functions: concrete DST tables, then hypothesis properties over many zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.scheduling.schedule import (
    CADENCE_STEPS,
    DEFAULT_SEND_WINDOW,
    MAX_JITTER_MINUTES,
    SendWindow,
    first_moment_inside_window,
    first_prompt_at,
    is_inside_window,
    jitter_minutes,
    less_often,
    more_often,
    next_prompt_at,
    next_recap_at,
    prompt_weekdays,
    rescheduled_for_new_time,
    resume_at,
    week_start,
    window_opening_on,
)

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
KOLKATA = ZoneInfo("Asia/Kolkata")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
AUCKLAND = ZoneInfo("Pacific/Auckland")
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
SANTIAGO = ZoneInfo("America/Santiago")

DAY_WINDOW = SendWindow(time(8, 0), time(21, 0))
NARROW_WINDOW = SendWindow(time(9, 0), time(10, 0))
# Preferred times outside DAY_WINDOW by more than the jitter: they always clamp to an edge,
# which makes expected instants exact whatever the jitter key.
TOO_EARLY = time(6, 0)
TOO_LATE = time(23, 0)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(instant: datetime, tz: ZoneInfo) -> datetime:
    return instant.astimezone(tz)


# SendWindow and cadence steps ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (time(9, 0), time(9, 0)),
        (time(21, 0), time(8, 0)),  # overnight windows are not supported
        (time(8, 0, tzinfo=UTC), time(21, 0)),
    ],
)
def test_send_window_rejects_empty_overnight_and_zoned_windows(start: time, end: time) -> None:
    with pytest.raises(ValueError):
        SendWindow(start, end)


@pytest.mark.parametrize(
    ("local_time", "inside"),
    [
        (time(7, 59, 59), False),
        (time(8, 0), True),
        (time(18, 30), True),
        (time(20, 59, 59, 999999), True),
        (time(21, 0), False),
        (time(23, 0), False),
    ],
)
def test_send_window_start_is_inclusive_and_end_exclusive(local_time: time, inside: bool) -> None:
    assert DEFAULT_SEND_WINDOW.contains(local_time) is inside


@pytest.mark.parametrize(
    ("current", "more", "less"),
    [
        (1, 2, 1),
        (2, 3, 1),
        (3, 4, 2),
        (4, 5, 3),
        (5, 7, 4),
        (7, 7, 5),
        (6, 7, 5),  # an off-step value (e.g. from settings) snaps to its neighbours
    ],
)
def test_more_and_less_move_one_step_and_clamp(current: int, more: int, less: int) -> None:
    assert more_often(current) == more
    assert less_often(current) == less


@pytest.mark.parametrize("prompts_per_week", CADENCE_STEPS)
@pytest.mark.parametrize("jitter_key", ["+15551234567", "+447700900123", ""])
def test_a_week_holds_exactly_the_cadence(prompts_per_week: int, jitter_key: str) -> None:
    assert len(prompt_weekdays(prompts_per_week, jitter_key)) == prompts_per_week


@pytest.mark.parametrize(
    ("prompts_per_week", "gaps_in_days"),
    [(1, [7]), (2, [3, 4]), (3, [2, 2, 3]), (4, [1, 2, 2, 2]), (7, [1] * 7)],
)
def test_prompt_days_are_spread_over_the_week(
    prompts_per_week: int, gaps_in_days: list[int]
) -> None:
    for jitter_key in ("alice", "bob", "carol"):
        days = sorted(prompt_weekdays(prompts_per_week, jitter_key))
        gaps = [later - earlier for earlier, later in pairwise([*days, days[0] + 7])]
        assert sorted(gaps) == gaps_in_days


def test_prompt_days_differ_between_subscribers() -> None:
    day_sets = {prompt_weekdays(1, f"+1555000{n:04d}") for n in range(50)}
    assert len(day_sets) == 7


@pytest.mark.parametrize("prompts_per_week", [0, 8, -3])
def test_an_impossible_cadence_is_refused(prompts_per_week: int) -> None:
    with pytest.raises(ValueError):
        prompt_weekdays(prompts_per_week, "key")


def test_jitter_is_stable_bounded_and_varied() -> None:
    days = [date(2024, 1, 1) + timedelta(days=n) for n in range(60)]
    values = [jitter_minutes("+15551234567", day) for day in days]
    assert values == [jitter_minutes("+15551234567", day) for day in days]
    assert all(-MAX_JITTER_MINUTES <= value <= MAX_JITTER_MINUTES for value in values)
    assert len(set(values)) > 15
    assert values != [jitter_minutes("+15557654321", day) for day in days]


# The send window -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "tz", "inside"),
    [
        (utc(2024, 6, 1, 12, 0), NEW_YORK, True),  # 08:00 EDT
        (utc(2024, 6, 1, 11, 59), NEW_YORK, False),  # 07:59 EDT
        (utc(2024, 1, 15, 12, 0), NEW_YORK, False),  # 07:00 EST: same UTC hour, other offset
        (utc(2024, 6, 2, 1, 0), NEW_YORK, False),  # 21:00 EDT, end is exclusive
        (utc(2024, 6, 1, 2, 30), KOLKATA, True),  # 08:00 IST
        (utc(2024, 6, 1, 2, 29), KOLKATA, False),
    ],
)
def test_is_inside_window_reads_local_time(at: datetime, tz: ZoneInfo, inside: bool) -> None:
    assert is_inside_window(at, tz, DAY_WINDOW) is inside


@pytest.mark.parametrize(
    ("at", "tz", "window", "expected"),
    [
        # inside: unchanged
        (utc(2024, 6, 1, 15, 0), NEW_YORK, DAY_WINDOW, utc(2024, 6, 1, 15, 0)),
        # before the start: the same local day's start
        (utc(2024, 6, 1, 9, 0), NEW_YORK, DAY_WINDOW, utc(2024, 6, 1, 12, 0)),
        # at the (exclusive) end: the next local day's start
        (utc(2024, 6, 2, 1, 0), NEW_YORK, DAY_WINDOW, utc(2024, 6, 2, 12, 0)),
        # window start 02:00 skipped by spring-forward: the first valid instant, 03:00 EDT
        (utc(2024, 3, 10, 5, 0), NEW_YORK, SendWindow(time(2), time(21)), utc(2024, 3, 10, 7, 0)),
        # 02:30 is skipped too: the first valid instant after it is still 03:00, not 03:30
        (
            utc(2024, 3, 10, 5, 0),
            NEW_YORK,
            SendWindow(time(2, 30), time(21)),
            utc(2024, 3, 10, 7, 0),
        ),
        # fall-back, outside in the repeated hour: the second 01:45 (EST), not the passed first
        (
            utc(2024, 11, 3, 6, 15),
            NEW_YORK,
            SendWindow(time(1, 45), time(21)),
            utc(2024, 11, 3, 6, 45),
        ),
        # fall-back jumps from 01:59 EDT back into a 00:00-01:30 window at 01:00 EST
        (
            utc(2024, 11, 3, 5, 45),
            NEW_YORK,
            SendWindow(time(0), time(1, 30)),
            utc(2024, 11, 3, 6, 0),
        ),
        # the whole 02:00-03:00 window is skipped that day: the next day's opening
        (utc(2024, 3, 10, 5, 0), NEW_YORK, SendWindow(time(2), time(3)), utc(2024, 3, 11, 6, 0)),
        # Europe/London spring-forward skips 01:00-02:00
        (utc(2024, 3, 31, 0, 30), LONDON, SendWindow(time(1), time(21)), utc(2024, 3, 31, 1, 0)),
        (utc(2024, 10, 27, 8, 30), LONDON, NARROW_WINDOW, utc(2024, 10, 27, 9, 0)),
        (utc(2024, 10, 27, 10, 0), LONDON, NARROW_WINDOW, utc(2024, 10, 28, 9, 0)),
        # Asia/Kolkata, +05:30
        (utc(2024, 6, 1, 0, 0), KOLKATA, DAY_WINDOW, utc(2024, 6, 1, 2, 30)),
        # Australia/Lord_Howe skips only 02:00-02:30
        (
            utc(2024, 10, 5, 15, 0),
            LORD_HOWE,
            SendWindow(time(2), time(21)),
            utc(2024, 10, 5, 15, 30),
        ),
        (
            utc(2024, 10, 5, 15, 0),
            LORD_HOWE,
            SendWindow(time(2, 15), time(21)),
            utc(2024, 10, 5, 15, 30),
        ),
        # Pacific/Auckland skips 02:00-03:00
        (
            utc(2024, 9, 28, 13, 30),
            AUCKLAND,
            SendWindow(time(2), time(21)),
            utc(2024, 9, 28, 14, 0),
        ),
        # America/Sao_Paulo, -03 all year: 21:30 is after the end
        (utc(2024, 6, 1, 0, 30), SAO_PAULO, DAY_WINDOW, utc(2024, 6, 1, 11, 0)),
    ],
)
def test_first_moment_inside_window(
    at: datetime, tz: ZoneInfo, window: SendWindow, expected: datetime
) -> None:
    assert first_moment_inside_window(at, tz, window) == expected


def test_window_opening_is_none_only_when_a_gap_swallows_the_window() -> None:
    window = SendWindow(time(2), time(3))
    assert window_opening_on(date(2024, 3, 10), NEW_YORK, window) is None
    assert window_opening_on(date(2024, 3, 11), NEW_YORK, window) == utc(2024, 3, 11, 6, 0)


def test_instants_in_any_zone_are_accepted_and_returned_in_utc() -> None:
    inside_new_york = datetime(2024, 6, 1, 15, 0, tzinfo=NEW_YORK)
    moment = first_moment_inside_window(inside_new_york, NEW_YORK, DAY_WINDOW)
    assert moment == utc(2024, 6, 1, 19, 0)
    assert moment.tzinfo is UTC
    resumed = resume_at(now=inside_new_york, days=1)
    assert resumed == utc(2024, 6, 2, 19, 0)
    assert resumed.tzinfo is UTC


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        first_moment_inside_window(datetime(2024, 6, 1, 12), NEW_YORK, DAY_WINDOW)


# next_prompt_at ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent_at", "tz", "preferred", "window", "expected"),
    [
        # New York, spring-forward night in between: 08:00 EST then 08:00 EDT, 23 hours apart
        (utc(2024, 3, 9, 13, 0), NEW_YORK, TOO_EARLY, DAY_WINDOW, utc(2024, 3, 10, 12, 0)),
        # New York, fall-back night in between: 08:00 EDT then 08:00 EST, 25 hours apart
        (utc(2024, 11, 2, 12, 0), NEW_YORK, TOO_EARLY, DAY_WINDOW, utc(2024, 11, 3, 13, 0)),
        # 23:00 is clamped to the last minute before the 21:00 end
        (utc(2024, 3, 9, 13, 0), NEW_YORK, TOO_LATE, DAY_WINDOW, utc(2024, 3, 11, 0, 59)),
        (utc(2024, 3, 30, 8, 0), LONDON, TOO_EARLY, DAY_WINDOW, utc(2024, 3, 31, 7, 0)),
        (utc(2024, 10, 26, 7, 0), LONDON, TOO_LATE, NARROW_WINDOW, utc(2024, 10, 27, 9, 59)),
        (utc(2024, 6, 1, 2, 30), KOLKATA, TOO_EARLY, DAY_WINDOW, utc(2024, 6, 2, 2, 30)),
        (utc(2024, 6, 1, 2, 30), KOLKATA, TOO_EARLY, NARROW_WINDOW, utc(2024, 6, 2, 3, 30)),
        # Lord Howe moves by half an hour: +10:30 -> +11 in October, back in April
        (utc(2024, 10, 4, 21, 30), LORD_HOWE, TOO_EARLY, DAY_WINDOW, utc(2024, 10, 5, 21, 0)),
        (utc(2024, 4, 5, 21, 0), LORD_HOWE, TOO_EARLY, DAY_WINDOW, utc(2024, 4, 6, 21, 30)),
        (utc(2024, 9, 27, 20, 0), AUCKLAND, TOO_EARLY, DAY_WINDOW, utc(2024, 9, 28, 19, 0)),
        (utc(2024, 6, 1, 11, 0), SAO_PAULO, TOO_LATE, DAY_WINDOW, utc(2024, 6, 2, 23, 59)),
        # clamped to 02:00, which the spring-forward skips: moves forward to 03:00 EDT
        (
            utc(2024, 3, 9, 7, 0),
            NEW_YORK,
            time(0, 0),
            SendWindow(time(2), time(21)),
            utc(2024, 3, 10, 7, 0),
        ),
        # clamped to 02:30, inside the skipped hour: the first valid instant after it, 03:00
        (
            utc(2024, 3, 9, 7, 30),
            NEW_YORK,
            time(0, 0),
            SendWindow(time(2, 30), time(21)),
            utc(2024, 3, 10, 7, 0),
        ),
        # clamped to 01:00, which the fall-back repeats: the first occurrence (EDT)
        (
            utc(2024, 11, 2, 5, 0),
            NEW_YORK,
            time(0, 0),
            SendWindow(time(1), time(21)),
            utc(2024, 11, 3, 5, 0),
        ),
        # the whole 02:00-03:00 window is skipped on the 10th: the 11th instead
        (
            utc(2024, 3, 9, 7, 30),
            NEW_YORK,
            time(0, 0),
            SendWindow(time(2), time(3)),
            utc(2024, 3, 11, 6, 0),
        ),
    ],
)
def test_next_daily_prompt_across_zones_and_dst(
    sent_at: datetime, tz: ZoneInfo, preferred: time, window: SendWindow, expected: datetime
) -> None:
    scheduled = next_prompt_at(
        sent_at=sent_at,
        tz=tz,
        preferred=preferred,
        prompts_per_week=7,
        window=window,
        jitter_key="+15551234567",
    )
    assert scheduled == expected


@pytest.mark.parametrize("jitter_key", ["+15551234567", "+61255501234", "+919876543210"])
def test_preferred_time_gets_bounded_jitter(jitter_key: str) -> None:
    scheduled = next_prompt_at(
        sent_at=utc(2024, 6, 1, 22, 30),
        tz=NEW_YORK,
        preferred=time(18, 30),
        prompts_per_week=7,
        window=DAY_WINDOW,
        jitter_key=jitter_key,
    )
    local_scheduled = local(scheduled, NEW_YORK)
    assert local_scheduled.date() == date(2024, 6, 2)
    minutes_off = (local_scheduled.hour * 60 + local_scheduled.minute) - (18 * 60 + 30)
    assert minutes_off == jitter_minutes(jitter_key, date(2024, 6, 2))


@pytest.mark.parametrize(
    ("prompts_per_week", "gaps_in_a_week"),
    [(1, [7]), (2, [3, 4]), (3, [2, 2, 3]), (4, [1, 2, 2, 2]), (5, [1, 1, 1, 2, 2]), (7, [1] * 7)],
)
def test_consecutive_prompts_follow_the_weekly_spacing(
    prompts_per_week: int, gaps_in_a_week: list[int]
) -> None:
    sent_at = utc(2024, 5, 5, 22)  # a Sunday evening in New York
    send_dates = []
    for _ in range(2 * prompts_per_week + 1):
        sent_at = next_prompt_at(
            sent_at=sent_at,
            tz=NEW_YORK,
            preferred=time(18, 30),
            prompts_per_week=prompts_per_week,
            window=DAY_WINDOW,
            jitter_key="+15551234567",
        )
        send_dates.append(local(sent_at, NEW_YORK).date())
    gaps = [(later - earlier).days for earlier, later in pairwise(send_dates)]
    assert sorted(gaps) == sorted(gaps_in_a_week * 2)


def test_a_week_late_send_gives_one_next_time_not_a_backlog() -> None:
    key = "+15551234567"
    slot = next_prompt_at(
        sent_at=utc(2024, 5, 6, 22, 0),
        tz=NEW_YORK,
        preferred=time(18, 30),
        prompts_per_week=3,
        window=DAY_WINDOW,
        jitter_key=key,
    )
    # The service was down: the prompt due at `slot` actually went out a week late.
    late_send = slot + timedelta(days=7, hours=1)
    following = next_prompt_at(
        sent_at=late_send,
        tz=NEW_YORK,
        preferred=time(18, 30),
        prompts_per_week=3,
        window=DAY_WINDOW,
        jitter_key=key,
    )
    assert late_send + timedelta(hours=12) <= following <= late_send + timedelta(days=4)
    assert local(following, NEW_YORK).weekday() in prompt_weekdays(3, key)


def test_a_prompt_day_less_than_twelve_hours_away_is_passed_over() -> None:
    window = SendWindow(time(0, 0), time(23, 30))
    sent_at = utc(2024, 6, 2, 3, 0)  # 23:00 EDT on June 1
    scheduled = next_prompt_at(
        sent_at=sent_at,
        tz=NEW_YORK,
        preferred=time(0, 30),  # 00:10-00:50 on June 2: too soon
        prompts_per_week=7,
        window=window,
        jitter_key="key",
    )
    assert local(scheduled, NEW_YORK).date() == date(2024, 6, 3)


# first_prompt_at, rescheduled_for_new_time, resume_at -----------------------------------------


@pytest.mark.parametrize(
    ("confirmed_at", "tz", "expected"),
    [
        (utc(2024, 6, 1, 9, 0), NEW_YORK, utc(2024, 6, 1, 12, 0)),  # 05:00 -> today 08:00
        (utc(2024, 6, 1, 10, 30), NEW_YORK, utc(2024, 6, 2, 12, 0)),  # 06:30: only 1.5h away
        (utc(2024, 6, 1, 15, 0), NEW_YORK, utc(2024, 6, 2, 12, 0)),  # 11:00: passed
        (utc(2024, 3, 9, 14, 0), NEW_YORK, utc(2024, 3, 10, 12, 0)),  # tomorrow is DST day
        (utc(2024, 6, 1, 0, 0), KOLKATA, utc(2024, 6, 1, 2, 30)),  # 05:30 IST
    ],
)
def test_first_prompt_today_when_two_hours_away_else_tomorrow(
    confirmed_at: datetime, tz: ZoneInfo, expected: datetime
) -> None:
    scheduled = first_prompt_at(
        confirmed_at=confirmed_at, tz=tz, preferred=TOO_EARLY, window=DAY_WINDOW, jitter_key="k"
    )
    assert scheduled == expected


@pytest.mark.parametrize(
    ("after_slot", "expected"),
    [
        (None, utc(2024, 6, 1, 12, 0)),  # nothing sent yet: today 08:00
        (utc(2024, 5, 31, 12, 0), utc(2024, 6, 1, 12, 0)),  # yesterday's slot is no obstacle
        (utc(2024, 6, 1, 12, 0), utc(2024, 6, 2, 12, 0)),  # today's was sent: tomorrow
        (utc(2024, 6, 2, 12, 0), utc(2024, 6, 3, 12, 0)),  # a tick ahead of the clock sent it
    ],
)
def test_a_first_prompt_never_reuses_a_slot_already_sent(
    after_slot: datetime | None, expected: datetime
) -> None:
    scheduled = first_prompt_at(
        confirmed_at=utc(2024, 6, 1, 9, 0),
        tz=NEW_YORK,
        preferred=TOO_EARLY,
        window=DAY_WINDOW,
        jitter_key="k",
        after_slot=after_slot,
    )
    assert scheduled == expected


@pytest.mark.parametrize(
    ("now", "current_next", "preferred", "expected"),
    [
        # pending prompt tomorrow at 18:30ish; new time 06:00 clamps to tomorrow 08:00
        (utc(2024, 6, 1, 16, 0), utc(2024, 6, 2, 22, 30), TOO_EARLY, utc(2024, 6, 2, 12, 0)),
        # pending prompt today; new time (08:00) already passed: tomorrow
        (utc(2024, 6, 1, 16, 0), utc(2024, 6, 1, 22, 30), TOO_EARLY, utc(2024, 6, 2, 12, 0)),
        # new time only 3 minutes away: too close to now, tomorrow
        (utc(2024, 6, 1, 11, 57), utc(2024, 6, 1, 22, 30), TOO_EARLY, utc(2024, 6, 2, 12, 0)),
        # nothing pending: today when still ahead
        (utc(2024, 6, 1, 9, 0), None, TOO_EARLY, utc(2024, 6, 1, 12, 0)),
        # nothing pending, late evening: the clamped 20:59 is passed, tomorrow
        (utc(2024, 6, 2, 1, 30), None, TOO_LATE, utc(2024, 6, 3, 0, 59)),
        # an overdue pending prompt does not drag the new time into the past
        (utc(2024, 6, 5, 9, 0), utc(2024, 6, 1, 22, 30), TOO_EARLY, utc(2024, 6, 5, 12, 0)),
        (utc(2024, 9, 5, 9, 0), utc(2024, 6, 1, 22, 30), TOO_EARLY, utc(2024, 9, 5, 12, 0)),
    ],
)
def test_rescheduled_keeps_the_date_and_moves_the_time(
    now: datetime, current_next: datetime | None, preferred: time, expected: datetime
) -> None:
    scheduled = rescheduled_for_new_time(
        now=now,
        current_next=current_next,
        tz=NEW_YORK,
        preferred=preferred,
        window=DAY_WINDOW,
        jitter_key="k",
    )
    assert scheduled == expected


@pytest.mark.parametrize(
    ("days", "expected"),
    [(0, utc(2024, 6, 1, 12, 0)), (1, utc(2024, 6, 2, 12, 0)), (14, utc(2024, 6, 15, 12, 0))],
)
def test_resume_at(days: int, expected: datetime) -> None:
    assert resume_at(now=utc(2024, 6, 1, 12, 0), days=days) == expected


def test_resume_at_refuses_negative_days() -> None:
    with pytest.raises(ValueError):
        resume_at(now=utc(2024, 6, 1, 12, 0), days=-1)


# Recap and weeks -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("after", "tz", "weekday", "window", "expected"),
    [
        # Friday -> Sunday 19:00, which is EDT after that morning's spring-forward
        (utc(2024, 3, 8, 12, 0), NEW_YORK, 6, DAY_WINDOW, utc(2024, 3, 10, 23, 0)),
        # strictly after: exactly at the recap gives next week's
        (utc(2024, 3, 10, 23, 0), NEW_YORK, 6, DAY_WINDOW, utc(2024, 3, 17, 23, 0)),
        # same Sunday, earlier in the day
        (utc(2024, 11, 3, 14, 0), NEW_YORK, 6, DAY_WINDOW, utc(2024, 11, 4, 0, 0)),
        # 19:00 is outside a 09:00-10:00 window: clamped to 09:59
        (utc(2024, 3, 8, 12, 0), NEW_YORK, 6, NARROW_WINDOW, utc(2024, 3, 10, 13, 59)),
        (utc(2024, 6, 1, 0, 0), KOLKATA, 0, DAY_WINDOW, utc(2024, 6, 3, 13, 30)),  # Monday
        (utc(2024, 10, 2, 0, 0), LORD_HOWE, 6, DAY_WINDOW, utc(2024, 10, 6, 8, 0)),
        (utc(2024, 6, 1, 0, 0), SAO_PAULO, 6, DAY_WINDOW, utc(2024, 6, 2, 22, 0)),
    ],
)
def test_next_recap_at(
    after: datetime, tz: ZoneInfo, weekday: int, window: SendWindow, expected: datetime
) -> None:
    assert next_recap_at(after=after, tz=tz, weekday=weekday, window=window) == expected


@pytest.mark.parametrize(
    ("at", "tz", "first_weekday", "expected"),
    [
        (utc(2024, 3, 13, 15, 0), NEW_YORK, 0, utc(2024, 3, 11, 4, 0)),  # Monday 00:00 EDT
        (utc(2024, 3, 13, 15, 0), NEW_YORK, 6, utc(2024, 3, 10, 5, 0)),  # Sunday 00:00 EST
        (utc(2024, 3, 11, 3, 59), NEW_YORK, 0, utc(2024, 3, 4, 5, 0)),  # Sunday 23:59 EDT
        (utc(2024, 6, 5, 12, 0), KOLKATA, 0, utc(2024, 6, 2, 18, 30)),
        # Santiago skips midnight on 8 Sept 2024: the week starts at 01:00 -03
        (utc(2024, 9, 10, 12, 0), SANTIAGO, 6, utc(2024, 9, 8, 4, 0)),
    ],
)
def test_week_start(at: datetime, tz: ZoneInfo, first_weekday: int, expected: datetime) -> None:
    assert week_start(at, tz, first_weekday) == expected


# Properties ----------------------------------------------------------------------------------

ZONES = [
    "UTC",
    "America/New_York",
    "America/Los_Angeles",
    "America/St_Johns",  # -03:30 with DST
    "America/Sao_Paulo",
    "America/Santiago",  # DST change at local midnight
    "America/Havana",  # DST change at local midnight
    "Europe/London",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Kathmandu",  # +05:45
    "Asia/Tokyo",
    "Australia/Adelaide",  # +09:30 with DST
    "Australia/Lord_Howe",  # 30-minute DST
    "Pacific/Auckland",
    "Pacific/Chatham",  # +12:45 with DST
]

zones = st.sampled_from(ZONES).map(ZoneInfo)
instants = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
)
cadences = st.sampled_from(CADENCE_STEPS)
jitter_keys = st.text(max_size=16)


def _clock(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


@st.composite
def windows(draw: st.DrawFn) -> SendWindow:
    last_minute = 23 * 60 + 59
    start = draw(st.integers(0, last_minute - 60))
    end = draw(st.integers(start + 60, last_minute))
    return SendWindow(_clock(start), _clock(end))


def _a_day_without_window(tz: ZoneInfo, window: SendWindow, first: date, last: date) -> bool:
    """True when a DST gap swallowed the whole window on some local date in [first, last]."""
    days = (last - first).days
    return any(
        window_opening_on(first + timedelta(days=n), tz, window) is None for n in range(days + 1)
    )


@settings(max_examples=200, deadline=None)
@given(zones, instants, st.times(), cadences, windows(), jitter_keys)
def test_next_prompt_is_inside_the_window(
    tz: ZoneInfo,
    sent_at: datetime,
    preferred: time,
    prompts_per_week: int,
    window: SendWindow,
    jitter_key: str,
) -> None:
    scheduled = next_prompt_at(
        sent_at=sent_at,
        tz=tz,
        preferred=preferred,
        prompts_per_week=prompts_per_week,
        window=window,
        jitter_key=jitter_key,
    )
    assert is_inside_window(scheduled, tz, window)
    assert scheduled.tzinfo is UTC


@settings(max_examples=200, deadline=None)
@given(zones, instants, st.times(), cadences, windows(), jitter_keys)
def test_next_prompt_is_between_twelve_hours_and_eight_days_later(
    tz: ZoneInfo,
    sent_at: datetime,
    preferred: time,
    prompts_per_week: int,
    window: SendWindow,
    jitter_key: str,
) -> None:
    scheduled = next_prompt_at(
        sent_at=sent_at,
        tz=tz,
        preferred=preferred,
        prompts_per_week=prompts_per_week,
        window=window,
        jitter_key=jitter_key,
    )
    assert scheduled - sent_at >= timedelta(hours=12)
    # Only a window swallowed whole by a DST gap on a prompt day can push it further out.
    assert scheduled - sent_at <= timedelta(days=8) or _a_day_without_window(
        tz, window, local(sent_at, tz).date(), local(scheduled, tz).date()
    )


@settings(max_examples=200, deadline=None)
@given(zones, instants, windows())
def test_first_moment_inside_window_is_the_first(
    tz: ZoneInfo, at: datetime, window: SendWindow
) -> None:
    moment = first_moment_inside_window(at, tz, window)
    assert moment >= at
    assert is_inside_window(moment, tz, window)
    if is_inside_window(at, tz, window):
        assert moment == at
    else:
        # Nothing earlier qualifies: the instant just before was still outside.
        assert not is_inside_window(moment - timedelta(microseconds=1), tz, window)


@settings(max_examples=200, deadline=None)
@given(zones, instants, st.times(), cadences, windows(), jitter_keys)
def test_twelve_simulated_weeks_send_the_cadence_once_a_day_at_most(
    tz: ZoneInfo,
    start: datetime,
    preferred: time,
    prompts_per_week: int,
    window: SendWindow,
    jitter_key: str,
) -> None:
    end = start + timedelta(weeks=12)
    sends = []
    sent_at = start
    while (
        sent_at := next_prompt_at(
            sent_at=sent_at,
            tz=tz,
            preferred=preferred,
            prompts_per_week=prompts_per_week,
            window=window,
            jitter_key=jitter_key,
        )
    ) < end:
        sends.append(sent_at)
    assert abs(len(sends) - prompts_per_week * 12) <= 2
    local_dates = [local(sent, tz).date() for sent in sends]
    assert len(set(local_dates)) == len(local_dates)


@settings(max_examples=200, deadline=None)
@given(zones, instants, st.integers(0, 6), st.times(), windows())
def test_recap_lands_on_the_weekday_inside_the_window_within_a_week(
    tz: ZoneInfo, after: datetime, weekday: int, at: time, window: SendWindow
) -> None:
    recap = next_recap_at(after=after, tz=tz, weekday=weekday, at=at, window=window)
    assert local(recap, tz).weekday() == weekday
    assert is_inside_window(recap, tz, window)
    assert recap > after
    # A week, give or take the hour a DST change adds; more only past a swallowed window.
    assert recap - after <= timedelta(days=7, hours=1) or _a_day_without_window(
        tz, window, local(after, tz).date(), local(recap, tz).date()
    )


@settings(max_examples=200, deadline=None)
@given(zones, instants, st.times(), windows(), jitter_keys, st.booleans())
def test_first_and_rescheduled_prompts_are_inside_the_window_and_ahead(
    tz: ZoneInfo,
    now: datetime,
    preferred: time,
    window: SendWindow,
    jitter_key: str,
    has_pending_prompt: bool,
) -> None:
    first = first_prompt_at(
        confirmed_at=now, tz=tz, preferred=preferred, window=window, jitter_key=jitter_key
    )
    assert is_inside_window(first, tz, window)
    assert timedelta(hours=2) <= first - now <= timedelta(days=2, hours=1) or (
        _a_day_without_window(tz, window, local(now, tz).date(), local(first, tz).date())
    )
    again = first_prompt_at(
        confirmed_at=now,
        tz=tz,
        preferred=preferred,
        window=window,
        jitter_key=jitter_key,
        after_slot=first,
    )
    assert again > first and is_inside_window(again, tz, window)
    moved = rescheduled_for_new_time(
        now=now,
        current_next=first if has_pending_prompt else None,
        tz=tz,
        preferred=preferred,
        window=window,
        jitter_key=jitter_key,
    )
    assert is_inside_window(moved, tz, window)
    assert moved >= now + timedelta(minutes=5)
