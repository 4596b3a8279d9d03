"""Who gets what at a tick: pure planning, including the weekly recap in local time."""

from __future__ import annotations

import datetime

from service.dispatch.models import OutboundKind
from service.dispatch.planning import DueSubscriber, plan_due
from service.scheduling.schedule import SendWindow, inside_every_window
from service.scheduling.state_rules import default_rules, rule_for
from service.scheduling.zones import zones_of

WINDOW = SendWindow(datetime.time(8), datetime.time(21))
UTC = datetime.UTC
# Sunday 15 March 2026 in New York (EDT, UTC-4).
SUNDAY_EVENING = datetime.datetime(2026, 3, 15, 23, 0, tzinfo=UTC)  # 19:00 local


def schedule(
    next_prompt: datetime.datetime | None,
    next_recap: datetime.datetime | None,
    *,
    phone: str = "+12125550100",
    timezone: str = "America/New_York",
    candidate_zones: str | None = None,
) -> DueSubscriber:
    return DueSubscriber(
        id=1,
        phone=phone,
        timezone=timezone,
        candidate_zones=candidate_zones,
        preferred_time=datetime.time(18, 30),
        prompts_per_week=3,
        recap_weekday=6,
        next_prompt_at=next_prompt,
        next_recap_at=next_recap,
        partner_name=None,
        love_language=None,
        language="en",
        created_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC),
        anniversary_month=None,
        anniversary_day=None,
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


def test_a_number_in_several_zones_is_sent_only_when_every_one_is_awake() -> None:
    """An Idaho number (Boise or Los Angeles) due at 07:30 in Boise: 06:30 in Los Angeles is
    too early, so it waits for 08:00 there."""
    due_at = datetime.datetime(2026, 3, 10, 13, 30, tzinfo=UTC)  # 07:30 MDT, 06:30 PDT
    idaho = schedule(
        due_at,
        None,
        phone="+12085551234",
        timezone="America/Boise",
        candidate_zones="America/Boise America/Los_Angeles",
    )
    plan = plan_due(idaho, due_at, WINDOW, wins_this_week=0, prompted_today=False)
    assert plan.send is None
    assert plan.next_prompt_at == datetime.datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    later = plan_due(idaho, plan.next_prompt_at, WINDOW, wins_this_week=0, prompted_today=False)
    assert later.send is OutboundKind.PROMPT
    assert later.next_prompt_at is not None
    assert inside_every_window(later.next_prompt_at, zones_of("", idaho.candidate_zones), WINDOW)


def test_zones_that_share_no_daytime_wait_for_the_subscriber_to_name_one() -> None:
    spread = schedule(
        SUNDAY_EVENING,
        None,
        timezone="America/New_York",
        candidate_zones="America/New_York Pacific/Guam Europe/London",
    )
    plan = plan_due(spread, SUNDAY_EVENING, WINDOW, wins_this_week=0, prompted_today=False)
    assert (plan.send, plan.next_prompt_at) == (None, None)


def test_a_florida_number_gets_nothing_after_eight_pm() -> None:
    miami = schedule(SUNDAY_EVENING, None, phone="+13055551234")
    at_8_30_pm = SUNDAY_EVENING + datetime.timedelta(minutes=90)  # 20:30 in Miami
    rule = rule_for(miami.phone, default_rules())
    plan = plan_due(miami, at_8_30_pm, WINDOW, wins_this_week=0, prompted_today=False, rule=rule)
    assert plan.send is None
    assert plan.next_prompt_at == datetime.datetime(2026, 3, 16, 12, 0, tzinfo=UTC)  # 08:00
    unruled = plan_due(miami, at_8_30_pm, WINDOW, wins_this_week=0, prompted_today=False)
    assert unruled.send is OutboundKind.PROMPT  # with STATE_RULES off, 21:00 is the limit


def test_a_reached_daily_cap_waits_until_it_clears() -> None:
    miami = schedule(SUNDAY_EVENING, None, phone="+13055551234")
    rule = rule_for(miami.phone, default_rules())
    clears = SUNDAY_EVENING + datetime.timedelta(hours=14)  # 09:00 Monday in Miami
    plan = plan_due(
        miami,
        SUNDAY_EVENING,
        WINDOW,
        wins_this_week=0,
        prompted_today=False,
        rule=rule,
        cap_clears_at=clears,
    )
    assert (plan.send, plan.next_prompt_at) == (None, clears)


def test_the_sender_s_pace_keeps_a_handover_inside_the_window() -> None:
    """Due at 20:59:30 with 60 messages queued ahead at 1 a second: it would reach Twilio
    after 21:00, so it waits for the morning instead of being delivered at night."""
    late = datetime.datetime(2026, 3, 16, 0, 59, 30, tzinfo=UTC)  # 20:59:30 in New York
    due = schedule(late, None)
    in_time = plan_due(
        due,
        late,
        WINDOW,
        wins_this_week=0,
        prompted_today=False,
        reaches_twilio_at=late + datetime.timedelta(seconds=20),
    )
    assert in_time.send is OutboundKind.PROMPT
    too_late = plan_due(
        due,
        late,
        WINDOW,
        wins_this_week=0,
        prompted_today=False,
        reaches_twilio_at=late + datetime.timedelta(seconds=60),
    )
    assert too_late.send is None
    assert too_late.next_prompt_at == datetime.datetime(2026, 3, 16, 12, 0, tzinfo=UTC)
