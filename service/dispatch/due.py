"""Who is due at a tick, and what a claim reads about them in one query per batch: their
week for the recap, and whether a state's daily cap holds them back."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Select, or_, select

from service.catalog.recaps import RecapWeek
from service.couples.models import SharedQuestion
from service.couples.service import Partner
from service.database import table_of
from service.dispatch.models import OutboundKind, OutboundMessage, OutboundStatus
from service.dispatch.planning import DueSubscriber
from service.scheduling.schedule import week_start
from service.scheduling.state_rules import StateRule
from service.subscribers.models import Subscriber, SubscriberStatus
from service.wins.models import Win

DAY = datetime.timedelta(days=1)
# What the schedule sends, and so what a state's daily cap counts.
SCHEDULED_KINDS = (OutboundKind.PROMPT, OutboundKind.RECAP, OutboundKind.CHECK_IN)
# Rows that never reached anyone, or were an answer in TwiML rather than a scheduled send.
NOT_SCHEDULED_SENDS = (
    OutboundStatus.CANCELLED,
    OutboundStatus.EXPIRED,
    OutboundStatus.REPLIED_INLINE,
    OutboundStatus.FAILED,
)

_outbound = table_of(OutboundMessage)
_subscriber = table_of(Subscriber)
_win = table_of(Win)
_question = table_of(SharedQuestion)
_DUE_COLUMNS = tuple(_subscriber.c[name] for name in DueSubscriber._fields)


def lock_due(
    connection: Connection,
    now: datetime.datetime,
    limit: int,
    *,
    exclude: set[int] | frozenset[int] = frozenset(),
) -> list[DueSubscriber]:
    """Lock up to `limit` due active subscribers, skipping rows other ticks hold.

    Two queries, each an index range scan that ends at `now` (ix_subscriber_due and
    ix_subscriber_recap_due): the cost follows the number due, never the table's size. One
    query with `prompt due OR recap due` has no such plan.
    """
    rows = list(connection.execute(prompt_due_query(now, limit, exclude)))
    if len(rows) < limit:
        rows += connection.execute(recap_due_query(now, limit - len(rows), exclude))
    return [DueSubscriber._make(row) for row in rows]


def prompt_due_query(
    now: datetime.datetime, limit: int, exclude: set[int] | frozenset[int] = frozenset()
) -> Select[Any]:
    """Active subscribers whose prompt is due, longest waiting first, locked."""
    query = select(*_DUE_COLUMNS).where(
        _subscriber.c.status == SubscriberStatus.ACTIVE,
        _subscriber.c.next_prompt_at <= now,
    )
    if exclude:
        query = query.where(_subscriber.c.id.not_in(exclude))
    return (
        query.order_by(_subscriber.c.next_prompt_at).limit(limit).with_for_update(skip_locked=True)
    )


def recap_due_query(
    now: datetime.datetime, limit: int, exclude: set[int] | frozenset[int] = frozenset()
) -> Select[Any]:
    """Active subscribers whose weekly recap is due and whose prompt is not, locked."""
    query = select(*_DUE_COLUMNS).where(
        _subscriber.c.status == SubscriberStatus.ACTIVE,
        _subscriber.c.next_recap_at <= now,
        or_(_subscriber.c.next_prompt_at.is_(None), _subscriber.c.next_prompt_at > now),
    )
    if exclude:
        query = query.where(_subscriber.c.id.not_in(exclude))
    return (
        query.order_by(_subscriber.c.next_recap_at).limit(limit).with_for_update(skip_locked=True)
    )


def recap_facts(
    connection: Connection,
    subscribers: Sequence[DueSubscriber],
    pairs: Mapping[int, tuple[Partner, int]],
    now: datetime.datetime,
) -> dict[int, tuple[RecapWeek, bool]]:
    """For recap-day subscribers: their week (wins, the latest win's category, shared questions
    the pair answered) and whether a prompt already went out today."""
    relevant = {
        s.id: s
        for s in subscribers
        if s.next_recap_at is not None and s.next_recap_at - now < datetime.timedelta(days=1)
    }
    if not relevant:
        return {}
    since = now - datetime.timedelta(days=8)
    wins: dict[int, list[tuple[datetime.datetime, str | None]]] = defaultdict(list)
    for subscriber_id, created_at, category in connection.execute(
        select(_win.c.subscriber_id, _win.c.created_at, _win.c.category)
        .where(_win.c.subscriber_id.in_(list(relevant)), _win.c.created_at >= since)
        .order_by(_win.c.created_at)
    ):
        wins[subscriber_id].append((created_at, category))
    prompted: dict[int, list[datetime.datetime]] = defaultdict(list)
    for subscriber_id, created_at in connection.execute(
        select(_outbound.c.subscriber_id, _outbound.c.created_at).where(
            _outbound.c.subscriber_id.in_(list(relevant)),
            _outbound.c.kind.in_((OutboundKind.PROMPT, OutboundKind.CHECK_IN)),
            _outbound.c.created_at >= now - datetime.timedelta(days=1),
            _outbound.c.status.not_in((OutboundStatus.CANCELLED, OutboundStatus.EXPIRED)),
        )
    ):
        prompted[subscriber_id].append(created_at)
    pair_ids = {pairs[s][0].pair_id for s in relevant if s in pairs}
    answered: dict[int, list[datetime.datetime]] = defaultdict(list)
    for pair_id, revealed_at in connection.execute(
        select(_question.c.pair_id, _question.c.revealed_at).where(
            _question.c.pair_id.in_(list(pair_ids)), _question.c.revealed_at >= since
        )
    ):
        answered[pair_id].append(revealed_at)
    facts: dict[int, tuple[RecapWeek, bool]] = {}
    for subscriber_id, subscriber in relevant.items():
        zone = ZoneInfo(subscriber.timezone)
        start = week_start(now, zone)
        today = now.astimezone(zone).date()
        this_week = [category for at, category in wins[subscriber_id] if at >= start]
        pair = pairs.get(subscriber_id)
        together = answered[pair[0].pair_id] if pair else []
        week = RecapWeek(
            tries=len(this_week),
            category=this_week[-1] if this_week else None,
            together=sum(1 for at in together if at >= start),
        )
        facts[subscriber_id] = (
            week,
            any(at.astimezone(zone).date() == today for at in prompted[subscriber_id]),
        )
    return facts


def caps_reached(
    connection: Connection, rules: Mapping[int, StateRule], now: datetime.datetime
) -> dict[int, datetime.datetime]:
    """For subscribers whose state caps scheduled messages and who reached the cap in the
    last 24 hours: when the oldest of those messages turns 24 hours old."""
    if not rules:
        return {}
    since = now - DAY
    sent: dict[int, list[datetime.datetime]] = defaultdict(list)
    for subscriber_id, created_at in connection.execute(
        select(_outbound.c.subscriber_id, _outbound.c.created_at).where(
            _outbound.c.subscriber_id.in_(list(rules)),
            _outbound.c.kind.in_(SCHEDULED_KINDS),
            _outbound.c.status.not_in(NOT_SCHEDULED_SENDS),
            _outbound.c.created_at > since,
        )
    ):
        sent[subscriber_id].append(created_at)
    reached: dict[int, datetime.datetime] = {}
    for subscriber_id, times in sent.items():
        cap = rules[subscriber_id].per_24_hours
        if len(times) >= cap:
            reached[subscriber_id] = sorted(times)[-cap] + DAY
    return reached
