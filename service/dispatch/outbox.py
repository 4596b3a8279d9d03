"""Reads and writes on the outbound messages that both the webhook and the dispatcher need."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import update
from sqlmodel import Session, col, select

from service.dispatch.models import OutboundKind, OutboundMessage, OutboundStatus


def prompt_histories(session: Session, subscriber_ids: Sequence[int]) -> dict[int, list[str]]:
    """Per subscriber, the ids of prompts sent or about to be sent, oldest first."""
    query = (
        select(OutboundMessage.subscriber_id, OutboundMessage.prompt_id)
        .where(
            col(OutboundMessage.subscriber_id).in_(subscriber_ids),
            col(OutboundMessage.kind) == OutboundKind.PROMPT,
            col(OutboundMessage.prompt_id).is_not(None),
        )
        .order_by(col(OutboundMessage.id))
    )
    histories: dict[int, list[str]] = defaultdict(list)
    for subscriber_id, prompt_id in session.execute(query):
        histories[subscriber_id].append(prompt_id)
    return histories


def cancel_unsent(session: Session, subscriber_id: int | None, now: datetime.datetime) -> None:
    """A STOP wins over any prompt claimed but not yet handed to Twilio."""
    session.execute(
        update(OutboundMessage)
        .where(
            col(OutboundMessage.subscriber_id) == subscriber_id,
            col(OutboundMessage.status) == OutboundStatus.CLAIMED,
        )
        .values(status=OutboundStatus.CANCELLED, updated_at=now)
    )
