"""Logging a reply as a small win, linked to the prompt it answers."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from sqlmodel import Session, col, select

from service.dispatch.models import OutboundKind, OutboundMessage, OutboundStatus
from service.subscribers.models import Subscriber
from service.wins.models import Win

# A reply this long after the latest prompt is a win of its own rather than an answer to it.
REPLY_LINK_WINDOW = datetime.timedelta(days=4)

UNSENT = (OutboundStatus.CLAIMED, OutboundStatus.CANCELLED, OutboundStatus.EXPIRED)


@dataclass(frozen=True)
class AnsweredPrompt:
    outbound_id: int
    prompt_id: str | None
    category: str | None


def latest_prompt(
    session: Session, subscriber: Subscriber, now: datetime.datetime
) -> AnsweredPrompt | None:
    """The prompt (or recap) a reply answers: the latest one sent within a few days."""
    query = (
        select(OutboundMessage.id, OutboundMessage.prompt_id, OutboundMessage.category)
        .where(
            OutboundMessage.subscriber_id == subscriber.id,
            col(OutboundMessage.kind).in_((OutboundKind.PROMPT, OutboundKind.RECAP)),
            col(OutboundMessage.status).not_in(UNSENT),
            col(OutboundMessage.created_at) >= now - REPLY_LINK_WINDOW,
        )
        .order_by(col(OutboundMessage.created_at).desc(), col(OutboundMessage.id).desc())
        .limit(1)
    )
    row = session.exec(query).first()
    return AnsweredPrompt(int(row[0]), row[1], row[2]) if row and row[0] is not None else None


def record_win(
    session: Session, subscriber: Subscriber, inbound_id: int, now: datetime.datetime
) -> Win:
    """Adds the win to the session; it is written with the rest of the answer at commit."""
    prompt = latest_prompt(session, subscriber, now)
    assert subscriber.id is not None
    win = Win(
        subscriber_id=subscriber.id,
        inbound_id=inbound_id,
        outbound_id=prompt.outbound_id if prompt else None,
        prompt_id=prompt.prompt_id if prompt else None,
        category=prompt.category if prompt else None,
        created_at=now,
    )
    session.add(win)
    return win
