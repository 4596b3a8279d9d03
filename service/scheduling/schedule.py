"""When a subscriber's next message goes out: pure functions of the instants they are given.

Every function here takes the current time as an argument and never reads the clock; the only
"randomness" is jitter derived from a stable key with hashlib, so a schedule can be replayed.
Instants go in and come out timezone-aware, in UTC. Local wall-clock times (the send window,
the preferred time) are read in the subscriber's IANA zone, and every conversion from a local
time to an instant goes through `_instant_at_local`, which settles daylight-saving edge cases:

- a local time that does not exist (skipped by a spring-forward gap) becomes the first valid
  instant after it, i.e. the end of the gap (02:30 on the US spring-forward day -> 03:00);
- a local time that happens twice (repeated by a fall-back) takes its first occurrence.

Cadence rule. A subscriber with `n` prompts per week gets them on `n` fixed weekdays: the
offsets `floor(i * 7 / n)` for `i` in `0..n-1`, rotated by a per-subscriber phase derived from
the jitter key (so not everybody is prompted on Mondays). Every ISO week (Monday to Sunday) thus
holds exactly `n` prompt days, spaced as evenly as whole days allow: 3/week gives gaps of
2, 2 and 3 days, 7/week every day, 1/week every 7 days. The next prompt always goes on the first
prompt day after the local date of the actual send, so a late send never causes a make-up burst.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

__all__ = [
    "CADENCE_STEPS",
    "DEFAULT_PREFERRED_TIME",
    "DEFAULT_PROMPTS_PER_WEEK",
    "DEFAULT_RECAP_TIME",
    "DEFAULT_RECAP_WEEKDAY",
    "DEFAULT_SEND_WINDOW",
    "FIRST_PROMPT_MIN_LEAD",
    "MAX_JITTER_MINUTES",
    "MIN_GAP_BETWEEN_PROMPTS",
    "RESCHEDULE_MIN_LEAD",
    "SendWindow",
    "first_moment_inside_window",
    "first_prompt_at",
    "is_inside_window",
    "jitter_minutes",
    "less_often",
    "more_often",
    "next_prompt_at",
    "next_recap_at",
    "prompt_weekdays",
    "rescheduled_for_new_time",
    "restarted_schedule",
    "resume_at",
    "week_start",
    "window_opening_on",
]


@dataclass(frozen=True)
class SendWindow:
    """Local wall-clock hours inside which scheduled messages may go out: [start, end)."""

    start: time  # inclusive
    end: time  # exclusive

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("send window times are local wall-clock times; drop the tzinfo")
        if self.end <= self.start:
            raise ValueError(
                f"send window must end after it starts (no overnight windows): "
                f"{self.start.isoformat()}-{self.end.isoformat()}"
            )

    def contains(self, local_time: time) -> bool:
        return self.start <= local_time < self.end


DEFAULT_SEND_WINDOW: Final = SendWindow(time(8, 0), time(21, 0))

CADENCE_STEPS: Final[tuple[int, ...]] = (1, 2, 3, 4, 5, 7)
DEFAULT_PROMPTS_PER_WEEK: Final = 3
DEFAULT_PREFERRED_TIME: Final = time(18, 30)
DEFAULT_RECAP_WEEKDAY: Final = 6  # Sunday
DEFAULT_RECAP_TIME: Final = time(19, 0)

MAX_JITTER_MINUTES: Final = 20
MIN_GAP_BETWEEN_PROMPTS: Final = timedelta(hours=12)
FIRST_PROMPT_MIN_LEAD: Final = timedelta(hours=2)
# Long enough that a reschedule never races the dispatcher's current pass.
RESCHEDULE_MIN_LEAD: Final = timedelta(minutes=5)

# Clamped times stay this far before the window's (exclusive) end.
_LAST_SLOT_BEFORE_END: Final = timedelta(minutes=1)
# How far ahead the day-by-day searches look before declaring a bug. Generous: a DST gap can
# swallow a whole narrow window for a day, which pushes a weekly slot out by another week.
_SEARCH_DAYS: Final = 22
# datetime's resolution: "strictly after" an instant, for searches that accept an equal one.
_SMALLEST_STEP: Final = timedelta(microseconds=1)


# Cadence -------------------------------------------------------------------------------------


def more_often(prompts_per_week: int) -> int:
    """One cadence step up (MORE), clamped at the top; an off-step value snaps to the next step."""
    return next((step for step in CADENCE_STEPS if step > prompts_per_week), CADENCE_STEPS[-1])


def less_often(prompts_per_week: int) -> int:
    """One cadence step down (LESS), clamped at the bottom."""
    return next(
        (step for step in reversed(CADENCE_STEPS) if step < prompts_per_week), CADENCE_STEPS[0]
    )


def prompt_weekdays(prompts_per_week: int, jitter_key: str) -> frozenset[int]:
    """The weekdays (Monday=0) on which this subscriber's prompts go out; see the module doc."""
    _check_prompts_per_week(prompts_per_week)
    phase = _stable_number(f"weekday-phase|{jitter_key}") % 7
    return frozenset(
        (phase + index * 7 // prompts_per_week) % 7 for index in range(prompts_per_week)
    )


def jitter_minutes(jitter_key: str, local_date: date) -> int:
    """A stable offset in [-20, +20] minutes, so subscribers with the same time don't all
    arrive in one burst, and one subscriber's prompt isn't at the identical minute every day."""
    span = 2 * MAX_JITTER_MINUTES + 1
    return (
        _stable_number(f"jitter|{jitter_key}|{local_date.isoformat()}") % span - MAX_JITTER_MINUTES
    )


# The send window -----------------------------------------------------------------------------


def is_inside_window(at: datetime, tz: ZoneInfo, window: SendWindow) -> bool:
    return window.contains(_as_utc(at, "at").astimezone(tz).time())


def window_opening_on(local_date: date, tz: ZoneInfo, window: SendWindow) -> datetime | None:
    """The first instant of `local_date` inside the window, or None when a DST gap swallows the
    whole window that day (e.g. a 02:00-03:00 window on the US spring-forward Sunday)."""
    opening = _instant_at_local(datetime.combine(local_date, window.start), tz)
    return opening if _is_inside_on(opening, local_date, tz, window) else None


def first_moment_inside_window(at: datetime, tz: ZoneInfo, window: SendWindow) -> datetime:
    """`at` itself if inside the window, else the first later instant that is inside it."""
    at_utc = _as_utc(at, "at")
    if is_inside_window(at_utc, tz, window):
        return at_utc
    # The instants inside the window begin either where local time reaches window.start
    # (either occurrence, if a fall-back repeats it) or at a DST transition whose jump lands
    # inside the window. A transition before the first opening, landing inside, wins.
    local_date = at_utc.astimezone(tz).date()
    earliest_opening = _first_opening_after(at_utc, local_date - timedelta(days=1), tz, window)
    transition = _first_offset_change(at_utc, earliest_opening, tz)
    if transition is not None and is_inside_window(transition, tz, window):
        return transition
    return earliest_opening


SHARED_SEARCH: Final = timedelta(days=8)


def inside_every_window(at: datetime, zones: Sequence[ZoneInfo], window: SendWindow) -> bool:
    return all(is_inside_window(at, zone, window) for zone in zones)


def first_shared_moment(
    at: datetime, zones: Sequence[ZoneInfo], window: SendWindow
) -> datetime | None:
    """The first instant at or after `at` inside the window in every zone, or None when there
    is none within a week (zones half a world apart share no daytime).

    The shared hours are an intersection of each zone's windows, so they begin at `at` or at
    the moment some zone's window opens: those are the only instants worth trying.
    """
    if len(zones) == 1:
        return first_moment_inside_window(at, zones[0], window)
    candidates = {at}
    for zone in zones:
        start = at.astimezone(zone).date() - timedelta(days=1)
        for offset in range(SHARED_SEARCH.days + 2):
            opening = first_moment_inside_window(
                datetime.combine(start + timedelta(days=offset), time(0), zone), zone, window
            )
            if at <= opening <= at + SHARED_SEARCH:
                candidates.add(opening)
    for moment in sorted(candidates):
        if inside_every_window(moment, zones, window):
            return moment
    return None


# Prompts -------------------------------------------------------------------------------------


def next_prompt_at(
    *,
    sent_at: datetime,
    tz: ZoneInfo,
    preferred: time,
    prompts_per_week: int,
    window: SendWindow,
    jitter_key: str,
    weekday_key: str | None = None,
) -> datetime:
    """The next prompt after one actually went out at `sent_at`.

    It goes on the first prompt day (see `prompt_weekdays`) after sent_at's local date, at the
    preferred time +/- jitter clamped into the window, and at least 12 hours after sent_at (a
    prompt day that would come sooner is passed over). Computed from the real send, so however
    many slots were missed there is exactly one next time and no backlog.

    `weekday_key` (default: `jitter_key`) picks the prompt days: the two partners of a pair
    share one, so they are prompted on the same local dates.
    """
    sent_utc = _as_utc(sent_at, "sent_at")
    weekdays = prompt_weekdays(prompts_per_week, weekday_key or jitter_key)
    earliest = sent_utc + MIN_GAP_BETWEEN_PROMPTS
    sent_date = sent_utc.astimezone(tz).date()
    for day in range(1, _SEARCH_DAYS):
        local_date = sent_date + timedelta(days=day)
        if local_date.weekday() not in weekdays:
            continue
        candidate = _prompt_instant_on(local_date, tz, preferred, window, jitter_key)
        if candidate is not None and candidate >= earliest:
            return candidate
    raise RuntimeError(f"no prompt day found after {sent_utc.isoformat()} in {tz}")


def first_prompt_at(
    *,
    confirmed_at: datetime,
    tz: ZoneInfo,
    preferred: time,
    window: SendWindow,
    jitter_key: str,
    after_slot: datetime | None = None,
) -> datetime:
    """The first prompt after someone confirms: today's slot (preferred time +/- jitter, clamped
    into the window) if it is at least 2 hours away, otherwise tomorrow's.

    Strictly, the first day whose slot is at least 2 hours away: normally today or tomorrow,
    later only when a DST gap swallows the window or a midnight-adjacent window puts tomorrow's
    slot less than 2 hours out. `after_slot` is the latest slot already sent: someone coming
    back (RESUME, JOIN after STOP) may not be given it again, since each slot is sent once.
    """
    confirmed_utc = _as_utc(confirmed_at, "confirmed_at")
    not_before = confirmed_utc + FIRST_PROMPT_MIN_LEAD
    if after_slot is not None:
        not_before = max(not_before, _as_utc(after_slot, "after_slot") + _SMALLEST_STEP)
    return _first_slot_from(
        confirmed_utc.astimezone(tz).date(),
        not_before=not_before,
        tz=tz,
        preferred=preferred,
        window=window,
        jitter_key=jitter_key,
    )


def restarted_schedule(
    *,
    now: datetime,
    zones: Sequence[ZoneInfo],
    preferred: time,
    recap_weekday: int,
    window: SendWindow,
    jitter_key: str,
    last_prompt_slot: datetime | None,
    last_recap_slot: datetime | None,
) -> tuple[datetime | None, datetime | None]:
    """The next prompt and recap of a schedule that starts (YES) or starts again (RESUME, JOIN
    after STOP), each strictly after any slot of its kind already sent. Computed in the first
    zone, then moved to a moment inside the window in every zone; None when the zones share
    no such moment (nothing is scheduled until the subscriber names their zone)."""
    tz = zones[0]
    first_prompt = first_prompt_at(
        confirmed_at=now,
        tz=tz,
        preferred=preferred,
        window=window,
        jitter_key=jitter_key,
        after_slot=last_prompt_slot,
    )
    recap_after = max(now, last_recap_slot) if last_recap_slot is not None else now
    recap = next_recap_at(after=recap_after, tz=tz, weekday=recap_weekday, window=window)
    return (
        first_shared_moment(first_prompt, zones, window),
        first_shared_moment(recap, zones, window),
    )


def rescheduled_for_new_time(
    *,
    now: datetime,
    current_next: datetime | None,
    tz: ZoneInfo,
    preferred: time,
    window: SendWindow,
    jitter_key: str,
) -> datetime:
    """The pending prompt moved to a new preferred time (TIME 7pm).

    Keeps the local date of `current_next` (today when there is none, or when it is overdue) and
    moves to the new time; if that is not at least 5 minutes after `now`, the next day's slot.
    """
    now_utc = _as_utc(now, "now")
    today = now_utc.astimezone(tz).date()
    keep_date = today
    if current_next is not None:
        keep_date = max(today, _as_utc(current_next, "current_next").astimezone(tz).date())
    return _first_slot_from(
        keep_date,
        not_before=now_utc + RESCHEDULE_MIN_LEAD,
        tz=tz,
        preferred=preferred,
        window=window,
        jitter_key=jitter_key,
    )


def resume_at(*, now: datetime, days: int) -> datetime:
    """When a pause of `days` days (24-hour periods) that starts at `now` ends.

    The dispatcher puts the result through the window (first_moment_inside_window or
    first_prompt_at) before sending; a pause itself does not care about local hours.
    """
    if days < 0:
        raise ValueError(f"a pause cannot last a negative number of days: {days}")
    return _as_utc(now, "now") + timedelta(days=days)


# Weekly recap and weeks ----------------------------------------------------------------------


def next_recap_at(
    *,
    after: datetime,
    tz: ZoneInfo,
    weekday: int = DEFAULT_RECAP_WEEKDAY,
    at: time = DEFAULT_RECAP_TIME,
    window: SendWindow,
) -> datetime:
    """The first `weekday` (Monday=0..Sunday=6) at local time `at`, clamped into the window,
    strictly after `after`."""
    _check_weekday(weekday)
    after_utc = _as_utc(after, "after")
    start_date = after_utc.astimezone(tz).date()
    recap_time = _clamped_into_window(_time_of_day(at), window)
    for day in range(_SEARCH_DAYS):
        local_date = start_date + timedelta(days=day)
        if local_date.weekday() != weekday:
            continue
        candidate = _instant_inside_window_on(local_date, recap_time, tz, window)
        if candidate is not None and candidate > after_utc:
            return candidate
    raise RuntimeError(f"no recap day found after {after_utc.isoformat()} in {tz}")


def week_start(at: datetime, tz: ZoneInfo, first_weekday: int = 0) -> datetime:
    """The instant (UTC) of local midnight starting the local week that contains `at`.

    Where a DST change skips that midnight (America/Santiago), the week starts at the first
    valid instant of the day.
    """
    _check_weekday(first_weekday)
    local_date = _as_utc(at, "at").astimezone(tz).date()
    first_day = local_date - timedelta(days=(local_date.weekday() - first_weekday) % 7)
    return _instant_at_local(datetime.combine(first_day, time(0, 0)), tz)


# Internals -----------------------------------------------------------------------------------


def _first_slot_from(
    first_date: date,
    *,
    not_before: datetime,
    tz: ZoneInfo,
    preferred: time,
    window: SendWindow,
    jitter_key: str,
) -> datetime:
    for day in range(_SEARCH_DAYS):
        candidate = _prompt_instant_on(
            first_date + timedelta(days=day), tz, preferred, window, jitter_key
        )
        if candidate is not None and candidate >= not_before:
            return candidate
    raise RuntimeError(f"no prompt slot found after {not_before.isoformat()} in {tz}")


def _first_opening_after(
    after: datetime, first_date: date, tz: ZoneInfo, window: SendWindow
) -> datetime:
    """The first instant after `after` whose local time is window.start (either occurrence
    when a fall-back repeats it, the gap's end when a spring-forward skips it)."""
    for day in range(_SEARCH_DAYS):
        naive_start = datetime.combine(first_date + timedelta(days=day), window.start)
        openings = [
            opening
            for fold in (0, 1)
            if (opening := _instant_at_local(naive_start, tz, fold=fold)) > after
            and is_inside_window(opening, tz, window)
        ]
        if openings:
            return min(openings)
    raise RuntimeError(f"the send window never opens after {after.isoformat()} in {tz}")


def _prompt_instant_on(
    local_date: date, tz: ZoneInfo, preferred: time, window: SendWindow, jitter_key: str
) -> datetime | None:
    """The preferred time +/- that day's jitter, clamped into the window, as an instant."""
    jittered = _time_of_day(preferred) + timedelta(minutes=jitter_minutes(jitter_key, local_date))
    return _instant_inside_window_on(local_date, _clamped_into_window(jittered, window), tz, window)


def _instant_inside_window_on(
    local_date: date, local_time: time, tz: ZoneInfo, window: SendWindow
) -> datetime | None:
    """`local_time` on `local_date` as an instant; if a DST gap pushes it out of the window,
    the window's opening that day instead (None when the gap swallows the whole window)."""
    instant = _instant_at_local(datetime.combine(local_date, local_time), tz)
    if _is_inside_on(instant, local_date, tz, window):
        return instant
    return window_opening_on(local_date, tz, window)


def _clamped_into_window(time_of_day: timedelta, window: SendWindow) -> time:
    """A time of day (possibly before midnight or past it, after jitter) moved into the window:
    never before its start, never at or after its end."""
    earliest = _time_of_day(window.start)
    latest = max(earliest, _time_of_day(window.end) - _LAST_SLOT_BEFORE_END)
    clamped = min(max(time_of_day, earliest), latest)
    return (datetime.min + clamped).time()


def _instant_at_local(naive_local: datetime, tz: ZoneInfo, *, fold: int = 0) -> datetime:
    """The UTC instant of a local wall-clock time: the `fold` occurrence when it is repeated
    (0 = first), the first valid instant after it when it is skipped."""
    instant = naive_local.replace(tzinfo=tz, fold=fold).astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) == naive_local:
        return instant
    # Skipped by a gap: its two readings (offset before / after the change) bracket the change.
    readings = [naive_local.replace(tzinfo=tz, fold=f).astimezone(UTC) for f in (0, 1)]
    transition = _first_offset_change(min(readings), max(readings), tz)
    if transition is None:  # pragma: no cover - zoneinfo always brackets a gap
        raise RuntimeError(f"{naive_local.isoformat()} in {tz} is neither valid nor skipped")
    return transition


def _first_offset_change(after: datetime, until: datetime, tz: ZoneInfo) -> datetime | None:
    """The instant in (after, until] where tz's UTC offset changes, if it does (searched to the
    second, which is the granularity of tz transitions; assumes at most one change between)."""
    offset_after = until.astimezone(tz).utcoffset()
    if after.astimezone(tz).utcoffset() == offset_after:
        return None
    low = after.replace(microsecond=0)  # still before the change
    high = until.replace(microsecond=0) + timedelta(seconds=1 if until.microsecond else 0)
    while high - low > timedelta(seconds=1):
        middle = low + timedelta(seconds=(high - low).total_seconds() // 2)
        if middle.astimezone(tz).utcoffset() == offset_after:
            high = middle
        else:
            low = middle
    return high


def _is_inside_on(instant: datetime, local_date: date, tz: ZoneInfo, window: SendWindow) -> bool:
    local = instant.astimezone(tz)
    return local.date() == local_date and window.contains(local.time())


def _time_of_day(clock: time) -> timedelta:
    return timedelta(
        hours=clock.hour, minutes=clock.minute, seconds=clock.second, microseconds=clock.microsecond
    )


def _stable_number(text: str) -> int:
    # hashlib, not hash(): the same key must give the same schedule in every process.
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _as_utc(instant: datetime, name: str) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {instant.isoformat()}")
    return instant.astimezone(UTC)


def _check_prompts_per_week(prompts_per_week: int) -> None:
    # The spacing rule works for any 1..7, so an off-step setting (6) is accepted, not an error.
    if not 1 <= prompts_per_week <= 7:
        raise ValueError(f"prompts per week must be between 1 and 7, got {prompts_per_week}")


def _check_weekday(weekday: int) -> None:
    if not 0 <= weekday <= 6:
        raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {weekday}")
