"""Programme figures for operators: who is subscribed, what was sent, what landed."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Engine, func
from sqlmodel import Session, col, select

from service.admin.weeks import (
    WeekFigures,
    active_at_week_ends,
    as_date,
    assemble_weeks,
    week_bucket,
    week_starts,
    weeks_since,
)
from service.catalog import Catalog
from service.dispatch.models import OutboundKind, OutboundMessage, OutboundStatus
from service.subscribers.models import ConsentEvent, ConsentKind, Subscriber, SubscriberStatus
from service.wins.models import Win

DELIVERED_OR_ON_ITS_WAY = (
    OutboundStatus.ACCEPTED,
    OutboundStatus.QUEUED,
    OutboundStatus.SENT,
    OutboundStatus.DELIVERED,
    OutboundStatus.REPLIED_INLINE,
)
JOIN_KINDS = (ConsentKind.CONFIRMATION, ConsentKind.RESUBSCRIBE)
UNCATEGORISED = "(none)"


class CategoryRate(BaseModel):
    category: str
    label: str
    sent: int
    replied: int
    reply_rate: float


class WeekRow(BaseModel):
    week_start: datetime.date
    joins: int
    opt_outs: int
    prompts_sent: int
    wins: int
    active: int


class ProgrammeStats(BaseModel):
    """`subscribers`, `prompts_sent` and `wins` are promised by the contract."""

    subscribers: dict[str, int]
    prompts_sent: int
    wins: int
    reply_rate: float  # prompts that got at least one reply / prompts sent
    reply_rate_by_category: list[CategoryRate]
    safety_flagged: int
    delivery_failures: dict[str, int]  # Twilio error code -> messages
    weeks: list[WeekRow]  # oldest first, ending with the current (partial) week


def rate(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 0.0


def sent_prompt() -> ColumnElement[bool]:
    """A prompt that left (or is leaving) for the phone: what a reply rate is measured on."""
    return (col(OutboundMessage.kind) == OutboundKind.PROMPT) & col(OutboundMessage.status).in_(
        DELIVERED_OR_ON_ITS_WAY
    )


def category_rates(
    sent: Mapping[str | None, int], replied: Mapping[str | None, int], labels: Mapping[str, str]
) -> list[CategoryRate]:
    """Reply rate per category, best first; categories never sent are listed with zeros."""
    keys: list[str | None] = list(dict.fromkeys([*labels, *sent]))
    rows = [
        CategoryRate(
            category=key or UNCATEGORISED,
            label=labels.get(key, key) if key else UNCATEGORISED,
            sent=int(sent.get(key, 0)),
            replied=int(replied.get(key, 0)),
            reply_rate=rate(int(replied.get(key, 0)), int(sent.get(key, 0))),
        )
        for key in keys
    ]
    return sorted(rows, key=lambda row: (-row.reply_rate, -row.sent, row.category))


def programme_stats(
    engine: Engine,
    catalog: Catalog | None = None,
    now: datetime.datetime | None = None,
    weeks: int | None = 12,
) -> ProgrammeStats:
    """Figures as of `now`; `weeks` of weekly rows, or None for every week since the first."""
    now = now or datetime.datetime.now(datetime.UTC)
    labels: Mapping[str, str] = catalog.categories if catalog else {}
    with Session(engine) as session:
        by_status = dict(
            session.exec(
                select(Subscriber.status, func.count()).group_by(col(Subscriber.status))
            ).all()
        )
        sent_by_category: dict[str | None, int] = dict(
            session.exec(
                select(OutboundMessage.category, func.count())
                .where(sent_prompt())
                .group_by(col(OutboundMessage.category))
            ).all()
        )
        replied_by_category: dict[str | None, int] = dict(
            session.exec(
                select(OutboundMessage.category, func.count(func.distinct(Win.outbound_id)))
                .join(Win, col(Win.outbound_id) == col(OutboundMessage.id))
                .where(sent_prompt())
                .group_by(col(OutboundMessage.category))
            ).all()
        )
        wins = session.exec(select(func.count()).select_from(Win)).one()
        flagged = session.exec(
            select(func.count()).where(col(Subscriber.safety_flagged_at).is_not(None))
        ).one()
        failures = dict(
            session.exec(
                select(OutboundMessage.error_code, func.count())
                .where(col(OutboundMessage.error_code).is_not(None))
                .group_by(col(OutboundMessage.error_code))
            ).all()
        )
        week_rows = weekly_figures(session, now, weeks)
    prompts_sent = sum(sent_by_category.values())
    return ProgrammeStats(
        subscribers={status.value: int(by_status.get(status, 0)) for status in SubscriberStatus},
        prompts_sent=prompts_sent,
        wins=int(wins),
        reply_rate=rate(sum(replied_by_category.values()), prompts_sent),
        reply_rate_by_category=category_rates(sent_by_category, replied_by_category, labels),
        safety_flagged=int(flagged),
        delivery_failures={str(code): int(n) for code, n in sorted(failures.items())},
        weeks=[WeekRow(**vars(row)) for row in week_rows],
    )


def latest_activity(session: Session) -> datetime.datetime | None:
    """The newest consent event, prompt or win."""
    moments = [
        session.exec(select(func.max(ConsentEvent.occurred_at))).one(),
        session.exec(select(func.max(OutboundMessage.created_at))).one(),
        session.exec(select(func.max(Win.created_at))).one(),
    ]
    known = [moment for moment in moments if moment is not None]
    return max(known) if known else None


def weekly_figures(
    session: Session, now: datetime.datetime, weeks: int | None
) -> list[WeekFigures]:
    """Weeks ending with the current one, or with the week of the latest activity when that is
    later (the phone simulator runs ahead of the clock, and what it did should show). `weeks`
    None means every week since the first consent event."""
    latest = latest_activity(session)
    end = max(now, latest) if latest else now
    if weeks is None:
        weeks = weeks_since(session.exec(select(func.min(ConsentEvent.occurred_at))).one(), end)
    starts = week_starts(end, weeks)
    since = datetime.datetime.combine(starts[0], datetime.time(), datetime.UTC)
    dialect = session.get_bind().dialect

    def per_week(column: Any, *where: ColumnElement[bool]) -> dict[datetime.date, int]:
        bucket = week_bucket(column, dialect)
        query = select(bucket, func.count()).where(column >= since, *where).group_by(bucket)
        return {as_date(day): int(n) for day, n in session.execute(query)}

    consent_at = col(ConsentEvent.occurred_at)
    events = [
        (occurred_at, phone, kind)
        for occurred_at, phone, kind in session.execute(
            select(ConsentEvent.occurred_at, ConsentEvent.phone, ConsentEvent.kind)
        )
    ]
    return assemble_weeks(
        starts,
        joins=per_week(consent_at, col(ConsentEvent.kind).in_(JOIN_KINDS)),
        opt_outs=per_week(consent_at, col(ConsentEvent.kind) == ConsentKind.OPT_OUT),
        prompts_sent=per_week(col(OutboundMessage.created_at), sent_prompt()),
        wins=per_week(col(Win.created_at)),
        active=active_at_week_ends(events, starts),
    )
