"""Subscribers for operators: a filtered, paged list and one person's history.

Numbers are shown masked (all but the last four digits) everywhere here; a search matches the
end of the number, so an operator can look someone up by the last digits or by the whole number
without ever seeing other people's numbers.
"""

from __future__ import annotations

import datetime
import re

from pydantic import BaseModel, Field
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from service.checkins.models import CheckIn
from service.conversation.models import InboundMessage
from service.dispatch.models import OutboundKind, OutboundMessage, OutboundStatus
from service.phones import mask_phone
from service.subscribers.models import ConsentEvent, Subscriber, SubscriberStatus
from service.wins.models import Win

MAX_PAGE = 200
MAX_OFFSET = 1_000_000_000
HISTORY_LIMIT = 500  # per kind of record, newest first


class SubscriberFilter(BaseModel):
    status: SubscriberStatus | None = None
    number: str | None = Field(
        default=None, max_length=40, description="digits the number ends with"
    )
    flagged: bool | None = None
    limit: int = Field(default=50, ge=1, le=MAX_PAGE)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)


class SubscriberSummary(BaseModel):
    id: int
    phone: str  # masked
    status: SubscriberStatus
    timezone: str
    # The zones the number could be in while the subscriber has not named one (ZONE).
    candidate_zones: list[str]
    zone_confirmed: bool
    language: str
    prompts_per_week: int
    wins: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    paused_until: datetime.datetime | None
    safety_flagged_at: datetime.datetime | None
    undeliverable_at: datetime.datetime | None


class SubscriberPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[SubscriberSummary]


class SentMessage(BaseModel):
    id: int
    kind: OutboundKind
    prompt_id: str | None
    category: str | None
    body: str
    status: OutboundStatus
    error_code: int | None
    created_at: datetime.datetime
    replied: bool


class ReceivedMessage(BaseModel):
    id: int
    body: str
    intent: str | None
    received_at: datetime.datetime
    win: bool
    check_in_score: int | None = None  # the text answered the monthly check-in with this


class ConsentRecord(BaseModel):
    id: int
    kind: str
    method: str
    text: str | None
    message_sid: str | None
    occurred_at: datetime.datetime


class SubscriberHistory(BaseModel):
    subscriber: SubscriberSummary
    partner_name: str | None
    love_language: str | None
    preferred_time: datetime.time
    next_prompt_at: datetime.datetime | None
    prompts: list[SentMessage]  # prompts, recaps and replies the service sent, newest first
    replies: list[ReceivedMessage]  # what the person texted, newest first
    consent: list[ConsentRecord]  # oldest first, as the log was written


def number_suffix(raw: str | None) -> str | None:
    """The digits of a search, or None when there are none to search by."""
    digits = re.sub(r"\D", "", raw or "")
    return digits[-15:] or None


def list_subscribers(engine: Engine, wanted: SubscriberFilter) -> SubscriberPage:
    conditions = []
    if wanted.status is not None:
        conditions.append(col(Subscriber.status) == wanted.status)
    suffix = number_suffix(wanted.number)
    if suffix is not None:  # digits only, so no LIKE wildcards can sneak in
        conditions.append(col(Subscriber.phone).like(f"%{suffix}"))
    if wanted.flagged is not None:
        flagged_at = col(Subscriber.safety_flagged_at)
        conditions.append(flagged_at.is_not(None) if wanted.flagged else flagged_at.is_(None))
    with Session(engine) as session:
        total = session.exec(select(func.count()).select_from(Subscriber).where(*conditions)).one()
        rows = session.exec(
            select(Subscriber)
            .where(*conditions)
            .order_by(col(Subscriber.id).desc())
            .limit(wanted.limit)
            .offset(wanted.offset)
        ).all()
        wins = _wins_by_subscriber(session, [row.id for row in rows if row.id is not None])
    return SubscriberPage(
        total=int(total),
        limit=wanted.limit,
        offset=wanted.offset,
        items=[_summary(row, wins.get(row.id or 0, 0)) for row in rows],
    )


def subscriber_history(engine: Engine, subscriber_id: int) -> SubscriberHistory | None:
    with Session(engine) as session:
        subscriber = session.get(Subscriber, subscriber_id)
        if subscriber is None:
            return None
        wins = session.exec(select(Win).where(Win.subscriber_id == subscriber_id)).all()
        answered = {win.outbound_id for win in wins}
        won = {win.inbound_id for win in wins}
        scores = dict(
            session.exec(
                select(CheckIn.inbound_id, CheckIn.score).where(
                    CheckIn.subscriber_id == subscriber_id
                )
            ).all()
        )
        answered |= set(
            session.exec(
                select(CheckIn.outbound_id).where(CheckIn.subscriber_id == subscriber_id)
            ).all()
        )
        sent = session.exec(
            select(OutboundMessage)
            .where(OutboundMessage.subscriber_id == subscriber_id)
            .order_by(col(OutboundMessage.created_at).desc(), col(OutboundMessage.id).desc())
            .limit(HISTORY_LIMIT)
        ).all()
        received = session.exec(
            select(InboundMessage)
            .where(InboundMessage.subscriber_id == subscriber_id)
            .order_by(col(InboundMessage.received_at).desc(), col(InboundMessage.id).desc())
            .limit(HISTORY_LIMIT)
        ).all()
        consent = session.exec(
            select(ConsentEvent)
            .where(ConsentEvent.subscriber_id == subscriber_id)
            .order_by(col(ConsentEvent.occurred_at), col(ConsentEvent.id))
            .limit(HISTORY_LIMIT)
        ).all()
        return SubscriberHistory(
            subscriber=_summary(subscriber, len(wins)),
            partner_name=subscriber.partner_name,
            love_language=subscriber.love_language,
            preferred_time=subscriber.preferred_time,
            next_prompt_at=subscriber.next_prompt_at,
            prompts=[
                SentMessage(
                    id=row.id or 0,
                    kind=row.kind,
                    prompt_id=row.prompt_id,
                    category=row.category,
                    body=row.body,
                    status=row.status,
                    error_code=row.error_code,
                    created_at=row.created_at,
                    replied=row.id in answered,
                )
                for row in sent
            ],
            replies=[
                ReceivedMessage(
                    id=row.id or 0,
                    body=row.body,
                    intent=row.intent,
                    received_at=row.received_at,
                    win=row.id in won,
                    check_in_score=scores.get(row.id or 0),
                )
                for row in received
            ],
            consent=[
                ConsentRecord(
                    id=row.id or 0,
                    kind=row.kind.value,
                    method=row.method.value,
                    text=row.text,
                    message_sid=row.message_sid,
                    occurred_at=row.occurred_at,
                )
                for row in consent
            ],
        )


def _wins_by_subscriber(session: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    query = (
        select(Win.subscriber_id, func.count())
        .where(col(Win.subscriber_id).in_(ids))
        .group_by(col(Win.subscriber_id))
    )
    return {int(subscriber_id): int(n) for subscriber_id, n in session.exec(query)}


def _summary(row: Subscriber, wins: int) -> SubscriberSummary:
    return SubscriberSummary(
        id=row.id or 0,
        phone=mask_phone(row.phone),
        status=row.status,
        timezone=row.timezone,
        candidate_zones=row.candidate_zones.split() if row.candidate_zones else [],
        zone_confirmed=row.zone_confirmed,
        language=row.language,
        prompts_per_week=row.prompts_per_week,
        wins=wins,
        created_at=row.created_at,
        updated_at=row.updated_at,
        paused_until=row.paused_until,
        safety_flagged_at=row.safety_flagged_at,
        undeliverable_at=row.undeliverable_at,
    )
