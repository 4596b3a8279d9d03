"""The member's anniversary (DATE, no year): how far off it is from a local date. Pure."""

from __future__ import annotations

import datetime
from typing import Final

MARK_DAYS_BEFORE: Final = 7  # anniversary prompts go in the week up to the day itself


def days_until(today: datetime.date, month: int, day: int) -> int:
    """0 on the day, up to 365; February 29 falls on February 28 in other years."""
    for year in (today.year, today.year + 1):
        try:
            next_one = datetime.date(year, month, day)
        except ValueError:  # February 29 in a common year
            next_one = datetime.date(year, month, day - 1)
        if next_one >= today:
            return (next_one - today).days
    raise ValueError(f"no anniversary on {month}/{day}")


def is_soon(today: datetime.date, month: int | None, day: int | None) -> bool:
    if month is None or day is None:
        return False
    return days_until(today, month, day) < MARK_DAYS_BEFORE
