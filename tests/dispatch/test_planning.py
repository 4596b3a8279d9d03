"""Who gets what at a tick: pure planning, including the weekly recap in local time."""

from __future__ import annotations

import datetime

from service.dispatch.models import OutboundKind
from service.dispatch.planning import DueSubscriber, plan_due
from service.scheduling.schedule import SendWindow

WINDOW = SendWindow(datetime.time(8), datetime.time(21))
UTC = datetime.UTC
# Sunday 15 March 2026 in New York (EDT, UTC-4).
SUNDAY_EVENING = datetime.datetime(2026, 3, 15, 23, 0, tzinfo=UTC)  # 19:00 local


def schedule(
    next_prompt: datetime.datetime | None, next_recap: datetime.datetime | None
) -> DueSubscriber:
    return DueSubscriber(
        id=1,
        phone="+12125550100",
        timezone="America/New_York",
        preferred_time=datetime.time(18, 30),
        prompts_per_week=3,
        recap_weekday=6,
        next_prompt_at=next_prompt,
        next_recap_at=next_recap,
        partner_name=None,
        love_language=None,
    )


def test_recap_goes_to_those_with_wins_this_week() -> None:
    plan = plan_due(
        schedule(SUNDAY_EVENING + datetime.timedelta(days=2), SUNDAY_EVENING),
        SUNDAY_EVENING,
        WINDOW,
        wins_this_week=2,
        prompted_today=False,
    )
    assert plan.send is OutboundKind.RECAP
    assert plan.next_recap_at == SUNDAY_EVENING + datetime.timedelta(days=7)


def test_no_wins_no_recap() -> None:
    plan = plan_due(
        schedule(SUNDAY_EVENING + datetime.timedelta(days=2), SUNDAY_EVENING),
        SUNDAY_EVENING,
        WINDOW,
        wins_this_week=0,
        prompted_today=False,
    )
    assert plan.send is None
    assert plan.next_recap_at == SUNDAY_EVENING + datetime.timedelta(days=7)


def test_recap_replaces_the_prompt_on_recap_day() -> None:
    """It counts toward the cadence: no extra message that day."""
    prompt_time = SUNDAY_EVENING - datetime.timedelta(minutes=30)
    plan = plan_due(
        schedule(prompt_time, SUNDAY_EVENING),
        prompt_time,
        WINDOW,
        wins_this_week=1,
        prompted_today=False,
    )
    assert plan.send is OutboundKind.RECAP
    assert plan.next_prompt_at is not None and plan.next_prompt_at > SUNDAY_EVENING
    assert plan.next_recap_at is not None and plan.next_recap_at > SUNDAY_EVENING


def test_recap_skipped_when_a_prompt_already_went_out_that_day() -> None:
    plan = plan_due(
        schedule(SUNDAY_EVENING + datetime.timedelta(days=2), SUNDAY_EVENING),
        SUNDAY_EVENING,
        WINDOW,
        wins_this_week=3,
        prompted_today=True,
    )
    assert plan.send is None


def test_due_at_night_waits_for_the_window_opening() -> None:
    night = datetime.datetime(2026, 3, 16, 3, 0, tzinfo=UTC)  # 23:00 local
    plan = plan_due(schedule(night, None), night, WINDOW, wins_this_week=0, prompted_today=False)
    assert plan.send is None
    assert plan.next_prompt_at == datetime.datetime(2026, 3, 16, 12, 0, tzinfo=UTC)
