"""When the check-in is asked, when an answer still counts, and which month of the programme
it speaks for: pure, with every moment passed in."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Final

EVERY: Final = datetime.timedelta(days=28)  # about once a month
PROMPTS_FIRST: Final = 2  # never someone's first prompt: they have had a few before being asked
ANSWER_WINDOW: Final = datetime.timedelta(days=3)
# The length of an average Gregorian month, so that month 12 falls a year in.
AVERAGE_MONTH: Final = datetime.timedelta(days=365.2425 / 12)


@dataclass(frozen=True)
class History:
    """What deciding on a member's next check-in needs to know about them."""

    joined_at: datetime.datetime  # their first confirmation (YES)
    last_asked_at: datetime.datetime | None  # their latest check-in handed over, if any
    prompts_sent: int  # prompts that reached them (the reader may stop counting at PROMPTS_FIRST)


def is_due(history: History, now: datetime.datetime) -> bool:
    """A check-in takes the place of the prompt due at `now` when the member has had at least
    PROMPTS_FIRST prompts and EVERY has passed since joining or since the last check-in."""
    if history.prompts_sent < PROMPTS_FIRST:
        return False
    since = history.last_asked_at or history.joined_at
    return now - since >= EVERY


def answers_in_time(asked_at: datetime.datetime, now: datetime.datetime) -> bool:
    """A text at `now` can answer a check-in asked at `asked_at` for ANSWER_WINDOW. A text that is
    "earlier" by the clock (a tick run as of a later moment, clocks apart between processes)
    still came after it: the order of sending decides, as for wins."""
    return now - asked_at < ANSWER_WINDOW


def programme_month(joined_at: datetime.datetime, asked_at: datetime.datetime) -> int:
    """Which month of the programme a check-in asked at `asked_at` looks back on: the time since
    joining in months, rounded, at least 1. A check-in comes at a prompt slot on or after 28 days
    since the last one, so the first lands in days 28-35 (month 1), the second near day 60
    (month 2); rounding, not counting whole months, keeps each of them in its own month."""
    return max(1, round((asked_at - joined_at) / AVERAGE_MONTH))
