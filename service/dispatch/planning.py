"""What a due subscriber gets at this tick: a prompt, the weekly recap, or nothing yet.

Pure: the subscriber's schedule, a few facts and `now` in; a plan out.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import NamedTuple

from service.couples.rhythm import Rhythm
from service.dispatch.models import OutboundKind
from service.scheduling.schedule import (
    SendWindow,
    first_shared_moment,
    inside_every_window,
    next_prompt_at,
    next_recap_at,
)
from service.scheduling.state_rules import StateRule, narrowed
from service.scheduling.zones import zones_of


class DueSubscriber(NamedTuple):
    """What a claim reads of a due subscriber: a plain row (a NamedTuple is built from a row
    in C). plan_due reads the schedule fields; the dispatcher composes with the rest."""

    id: int
    phone: str
    timezone: str
    candidate_zones: str | None
    preferred_time: datetime.time
    prompts_per_week: int
    recap_weekday: int
    next_prompt_at: datetime.datetime | None
    next_recap_at: datetime.datetime | None
    partner_name: str | None
    love_language: str | None
    language: str
    created_at: datetime.datetime  # when they joined
    anniversary_month: int | None
    anniversary_day: int | None


@dataclass(frozen=True)
class Plan:
    send: OutboundKind | None
    slot_at: datetime.datetime | None  # the scheduled instant this message fulfils
    next_prompt_at: datetime.datetime | None
    next_recap_at: datetime.datetime | None


def plan_due(
    due: DueSubscriber,
    now: datetime.datetime,
    window: SendWindow,
    *,
    wins_this_week: int,
    prompted_today: bool,
    reaches_twilio_at: datetime.datetime | None = None,
    rule: StateRule | None = None,
    cap_clears_at: datetime.datetime | None = None,
    rhythm: Rhythm | None = None,
) -> Plan:
    """`reaches_twilio_at`: when the sender's pace would hand this message over (now, when
    unpaced); `rule`: the number's state rule, if any; `cap_clears_at`: when its daily cap
    would allow another scheduled message, if it is reached now; `rhythm`: a paired
    member's shared cadence and prompt days (couples.rhythm), which replace their own."""
    zones = zones_of(due.timezone, due.candidate_zones)
    zone = zones[0]  # the schedule's own zone; sends then move into every zone's window
    window = narrowed(window, rule)
    prompt_due = due.next_prompt_at is not None and due.next_prompt_at <= now
    recap_due = due.next_recap_at is not None and due.next_recap_at <= now
    handed_over = reaches_twilio_at or now

    if not inside_every_window(handed_over, zones, window) or cap_clears_at is not None:
        # Due at night (say the service was down), or the pace would deliver it after the
        # window closes, or the state's cap is reached: wait, never catch up.
        opening = first_shared_moment(max(handed_over, cap_clears_at or handed_over), zones, window)
        return Plan(
            send=None,
            slot_at=None,
            next_prompt_at=opening if prompt_due else due.next_prompt_at,
            next_recap_at=opening if recap_due else due.next_recap_at,
        )

    def following_prompt() -> datetime.datetime | None:
        slot = next_prompt_at(
            sent_at=now,
            tz=zone,
            preferred=due.preferred_time,
            prompts_per_week=rhythm.prompts_per_week if rhythm else due.prompts_per_week,
            window=window,
            jitter_key=due.phone,
            weekday_key=rhythm.weekday_key if rhythm else None,
        )
        return first_shared_moment(slot, zones, window)

    def following_recap(after: datetime.datetime) -> datetime.datetime | None:
        recap = next_recap_at(after=after, tz=zone, weekday=due.recap_weekday, window=window)
        return first_shared_moment(recap, zones, window)

    today = now.astimezone(zone).date()
    if recap_due:
        assert due.next_recap_at is not None
        later_recap = following_recap(now)
        if wins_this_week > 0 and not prompted_today:
            # The recap is that day's message: a prompt due today waits for its next slot.
            prompt_today = due.next_prompt_at is not None and (
                prompt_due or due.next_prompt_at.astimezone(zone).date() == today
            )
            return Plan(
                send=OutboundKind.RECAP,
                slot_at=due.next_recap_at,
                next_prompt_at=following_prompt() if prompt_today else due.next_prompt_at,
                next_recap_at=later_recap,
            )
        if not prompt_due:
            return Plan(None, None, due.next_prompt_at, later_recap)
        return Plan(OutboundKind.PROMPT, due.next_prompt_at, following_prompt(), later_recap)

    if not prompt_due:
        return Plan(None, None, due.next_prompt_at, due.next_recap_at)

    recap_later_today = (
        due.next_recap_at is not None and due.next_recap_at.astimezone(zone).date() == today
    )
    if recap_later_today and wins_this_week > 0:
        assert due.next_recap_at is not None
        # Recap day: celebrate instead of prompting, so nobody gets two texts that day.
        return Plan(
            send=OutboundKind.RECAP,
            slot_at=due.next_recap_at,
            next_prompt_at=following_prompt(),
            next_recap_at=following_recap(due.next_recap_at),
        )
    return Plan(OutboundKind.PROMPT, due.next_prompt_at, following_prompt(), due.next_recap_at)
