"""Progress in the words people use ("your third this week"), never as points."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, func, select

from service.conversation.models import InboundMessage
from service.scheduling.schedule import week_start
from service.sms_encoding import is_gsm7
from service.subscribers.models import Subscriber
from service.wins.models import Win

ORDINALS = (
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
)
QUOTE_LENGTH = 40


def ordinal(n: int) -> str:
    if 1 <= n <= len(ORDINALS):
        return ORDINALS[n - 1]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def progress_phrase(wins_this_week: int) -> str:
    if wins_this_week <= 0:
        return ""
    return f"That's your {ordinal(wins_this_week)} this week."


def brief_quote(text: str, limit: int = QUOTE_LENGTH) -> str:
    """A short, GSM-7-safe excerpt, so quoting it back never turns a reply into UCS-2."""
    plain = " ".join("".join(ch for ch in text if is_gsm7(ch)).split())
    plain = plain.replace('"', "'")
    return plain if len(plain) <= limit else plain[: limit - 3].rstrip() + "..."


def summary_text(total: int, since: datetime.date | None, latest: str | None) -> str:
    if total == 0 or since is None:
        return "You've logged 0 small wins so far. Reply to your next prompt and it counts as one!"
    noun = "win" if total == 1 else "wins"
    text = f"You've logged {total} small {noun} since {since.strftime('%b %-d')}."
    quote = brief_quote(latest or "")
    if quote:
        text += f' Latest: "{quote}"'
    return text + " Keep going!"


def wins_this_week(session: Session, subscriber: Subscriber, now: datetime.datetime) -> int:
    start = week_start(now, ZoneInfo(subscriber.timezone))
    query = select(func.count()).where(
        Win.subscriber_id == subscriber.id, col(Win.created_at) >= start
    )
    return int(session.exec(query).one())


def wins_this_week_phrase(
    session: Session, subscriber: Subscriber, now: datetime.datetime, *, pending: int = 0
) -> str:
    """`pending`: wins added to the session but not written yet (the one being logged)."""
    return progress_phrase(wins_this_week(session, subscriber, now) + pending)


def wins_summary(session: Session, subscriber: Subscriber) -> str:
    totals = session.exec(
        select(func.count(), func.min(Win.created_at)).where(Win.subscriber_id == subscriber.id)
    ).one()
    total, first = int(totals[0]), totals[1]
    latest = session.exec(
        select(InboundMessage.body)
        .join(Win, col(Win.inbound_id) == col(InboundMessage.id))
        .where(Win.subscriber_id == subscriber.id)
        .order_by(col(Win.created_at).desc(), col(Win.id).desc())
        .limit(1)
    ).first()
    since = None
    if first is not None:
        first_utc = first if first.tzinfo else first.replace(tzinfo=datetime.UTC)
        since = first_utc.astimezone(ZoneInfo(subscriber.timezone)).date()
    return summary_text(total, since, latest)
