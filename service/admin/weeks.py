"""Weekly figures: pure functions over counts and consent events, plus the SQL week bucket.

Weeks are ISO weeks in UTC (Monday 00:00 UTC to the next Monday): a programme-wide view does
not need each subscriber's own calendar, and one convention keeps charts and CSV comparable.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Dialect, func

from service.subscribers.models import ConsentKind

MAX_WEEKS = 520  # ten years: the whole history of any plausible programme

# What each consent event means for "is this number subscribed (confirmed, not opted out)?"
_BECOMES_ACTIVE = frozenset({ConsentKind.CONFIRMATION, ConsentKind.RESUBSCRIBE})
_BECOMES_INACTIVE = frozenset({ConsentKind.OPT_OUT})


@dataclass(frozen=True)
class WeekFigures:
    week_start: datetime.date
    joins: int = 0
    opt_outs: int = 0
    prompts_sent: int = 0
    wins: int = 0
    active: int = 0  # subscribed at the end of the week (or now, for the current week)


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def week_starts(now: datetime.datetime, weeks: int) -> list[datetime.date]:
    """The `weeks` most recent week starts, oldest first, ending with the current week."""
    current = week_start(now.astimezone(datetime.UTC).date())
    return [current - datetime.timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def weeks_since(first: datetime.datetime | None, now: datetime.datetime) -> int:
    """How many weeks cover the span from `first` to `now` (at least 1, at most MAX_WEEKS)."""
    if first is None:
        return 1
    first_week = week_start(first.astimezone(datetime.UTC).date())
    this_week = week_start(now.astimezone(datetime.UTC).date())
    return max(1, min(MAX_WEEKS, (this_week - first_week).days // 7 + 1))


def as_date(value: object) -> datetime.date:
    """A week bucket as the database returns it (a date, a timestamp or ISO text)."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        return datetime.date.fromisoformat(value[:10])
    raise TypeError(f"not a week bucket: {value!r}")


def week_bucket(
    column: ColumnElement[datetime.datetime], dialect: Dialect
) -> ColumnElement[object]:
    """SQL for the Monday (UTC) of the week a timestamp falls in."""
    if dialect.name == "postgresql":
        return func.date_trunc("week", func.timezone("UTC", column))
    if dialect.name == "sqlite":  # stored as naive UTC text: next Sunday (or today), minus 6 days
        return func.date(column, "weekday 0", "-6 days")
    raise NotImplementedError(f"weekly figures are not written for {dialect.name}")


def fill_weeks(counts: Mapping[datetime.date, int], starts: Sequence[datetime.date]) -> list[int]:
    return [int(counts.get(start, 0)) for start in starts]


def active_at_week_ends(
    events: Iterable[tuple[datetime.datetime, str, ConsentKind]],
    starts: Sequence[datetime.date],
) -> list[int]:
    """Numbers subscribed at the end of each week, replaying the consent log in time order.

    Confirming (or coming back) makes a number subscribed; opting out ends it; a JOIN that was
    never confirmed does not count. `events` are (occurred_at, phone, kind), in any order.
    """
    ordered = sorted(events, key=lambda event: event[0])
    subscribed: set[str] = set()
    figures: list[int] = []
    index = 0
    for start in starts:
        end = datetime.datetime.combine(
            start + datetime.timedelta(weeks=1), datetime.time(), datetime.UTC
        )
        while index < len(ordered) and ordered[index][0] < end:
            _, phone, kind = ordered[index]
            if kind in _BECOMES_ACTIVE:
                subscribed.add(phone)
            elif kind in _BECOMES_INACTIVE:
                subscribed.discard(phone)
            index += 1
        figures.append(len(subscribed))
    return figures


def assemble_weeks(
    starts: Sequence[datetime.date],
    *,
    joins: Mapping[datetime.date, int],
    opt_outs: Mapping[datetime.date, int],
    prompts_sent: Mapping[datetime.date, int],
    wins: Mapping[datetime.date, int],
    active: Sequence[int],
) -> list[WeekFigures]:
    return [
        WeekFigures(
            week_start=start,
            joins=int(joins.get(start, 0)),
            opt_outs=int(opt_outs.get(start, 0)),
            prompts_sent=int(prompts_sent.get(start, 0)),
            wins=int(wins.get(start, 0)),
            active=active[n],
        )
        for n, start in enumerate(starts)
    ]
