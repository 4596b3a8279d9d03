"""One phone's conversation with the service, read back from the database.

What the phone shows is what the service stored: every text the number sent, and every message
that left for it (replies in the webhook's TwiML and scheduled prompts alike). Messages that were
claimed but never left, or were cancelled by a STOP, are not on the phone, so not here either.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from service.admin.stats import DELIVERED_OR_ON_ITS_WAY
from service.conversation.models import InboundMessage
from service.dispatch.models import OutboundMessage
from service.subscribers.models import Subscriber

MAX_MESSAGES = 300


class Bubble(BaseModel):
    direction: str  # "sent" by the phone, or "received" from the service
    body: str
    at: datetime.datetime
    kind: str  # for received: reply, prompt or recap


class Conversation(BaseModel):
    phone: str
    status: str | None  # None until the number has texted something the service kept
    next_prompt_at: datetime.datetime | None
    timezone: str | None  # the subscriber's: the phone shows times as they live them
    offset_minutes: int
    simulated_now: datetime.datetime
    messages: list[Bubble]


@dataclass(frozen=True)
class _Row:
    at: datetime.datetime
    order: int  # what the phone sent comes before the answer written in the same instant
    id: int
    bubble: Bubble


def read_conversation(
    engine: Engine, phone: str, offset_minutes: int, simulated_now: datetime.datetime
) -> Conversation:
    with Session(engine) as session:
        subscriber = session.exec(select(Subscriber).where(Subscriber.phone == phone)).first()
        sent = session.exec(
            select(InboundMessage)
            .where(InboundMessage.phone == phone)
            .order_by(col(InboundMessage.id).desc())
            .limit(MAX_MESSAGES)
        ).all()
        received = session.exec(
            select(OutboundMessage)
            .where(
                OutboundMessage.phone == phone,
                col(OutboundMessage.status).in_(DELIVERED_OR_ON_ITS_WAY),
            )
            .order_by(col(OutboundMessage.id).desc())
            .limit(MAX_MESSAGES)
        ).all()
    rows = [
        _Row(
            m.received_at,
            0,
            m.id or 0,
            Bubble(direction="sent", body=m.body, at=m.received_at, kind="text"),
        )
        for m in sent
    ] + [
        _Row(
            m.sent_at or m.created_at,
            1,
            m.id or 0,
            Bubble(
                direction="received",
                body=m.body,
                at=m.sent_at or m.created_at,
                kind=m.kind.value,
            ),
        )
        for m in received
    ]
    rows.sort(key=lambda row: (row.at, row.order, row.id))
    return Conversation(
        phone=phone,
        status=subscriber.status.value if subscriber else None,
        next_prompt_at=subscriber.next_prompt_at if subscriber else None,
        timezone=subscriber.timezone if subscriber else None,
        offset_minutes=offset_minutes,
        simulated_now=simulated_now,
        messages=[row.bubble for row in rows[-MAX_MESSAGES:]],
    )


def minutes_until(moment: datetime.datetime, real_now: datetime.datetime) -> int:
    """The offset, in whole minutes from the real now, that lands just past `moment`."""
    return math.ceil((moment - real_now).total_seconds() / 60) + 1


def offset_past_next_prompt(
    offset: int, next_prompts: Iterable[datetime.datetime | None], real_now: datetime.datetime
) -> int:
    """The offset just past the earliest next prompt of the phones shown (two play a pair, and
    each gets a shared question at their own next prompt), never back in time."""
    upcoming = [moment for moment in next_prompts if moment is not None]
    if not upcoming:
        return offset
    return max(offset, minutes_until(min(upcoming), real_now))
