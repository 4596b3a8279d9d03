"""What a due subscriber gets at this tick: a prompt, the weekly recap, or nothing yet.

Pure: the subscriber's schedule, a few facts and `now` in; a plan out.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import NamedTuple
from zoneinfo import ZoneInfo

from service.dispatch.models import OutboundKind
from service.scheduling.schedule import (
    SendWindow,
    first_moment_inside_window,
    is_inside_window,
    next_prompt_at,
    next_recap_at,
)


class DueSubscriber(NamedTuple):
    """What a claim reads of a due subscriber: a plain row (a NamedTuple is built from a row
    in C). plan_due reads the schedule fields; the dispatcher composes with the rest."""

    id: int
    phone: str
    timezone: str
    preferred_time: datetime.time
    prompts_per_week: int
    recap_weekday: int
    next_prompt_at: datetime.datetime | None
    next_recap_at: datetime.datetime | None
    partner_name: str | None
    love_language: str | None


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
) -> Plan:
    zone = ZoneInfo(due.timezone)
    prompt_due = due.next_prompt_at is not None and due.next_prompt_at <= now
    recap_due = due.next_recap_at is not None and due.next_recap_at <= now

    if not is_inside_window(now, zone, window):
        # Due at night (say the service was down): wait for the window, never catch up.
        opening = first_moment_inside_window(now, zone, window)
        return Plan(
            send=None,
            slot_at=None,
            next_prompt_at=opening if prompt_due else due.next_prompt_at,
            next_recap_at=opening if recap_due else due.next_recap_at,
        )

    def following_prompt() -> datetime.datetime:
        return next_prompt_at(
            sent_at=now,
            tz=zone,
            preferred=due.preferred_time,
            prompts_per_week=due.prompts_per_week,
            window=window,
            jitter_key=due.phone,
        )

    def following_recap(after: datetime.datetime) -> datetime.datetime:
        return next_recap_at(after=after, tz=zone, weekday=due.recap_weekday, window=window)

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
