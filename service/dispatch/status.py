"""Twilio's delivery status callbacks: recorded, never moving a message backwards."""

from __future__ import annotations

import datetime

from sqlalchemy import Engine
from sqlmodel import select

from service.database import session_scope
from service.dispatch.models import OutboundMessage, OutboundStatus

# How far along each status is; a late-arriving "sent" never overwrites "delivered".
PROGRESS = {
    OutboundStatus.CLAIMED: 0,
    OutboundStatus.SENDING: 1,
    OutboundStatus.UNKNOWN: 1,
    OutboundStatus.ACCEPTED: 2,
    OutboundStatus.QUEUED: 3,
    OutboundStatus.SENT: 4,
    OutboundStatus.DELIVERED: 5,
    OutboundStatus.UNDELIVERED: 5,
    OutboundStatus.FAILED: 5,
}
TWILIO_STATUSES = {
    "accepted": OutboundStatus.ACCEPTED,
    "queued": OutboundStatus.QUEUED,
    "sending": OutboundStatus.QUEUED,
    "sent": OutboundStatus.SENT,
    "delivered": OutboundStatus.DELIVERED,
    "undelivered": OutboundStatus.UNDELIVERED,
    "failed": OutboundStatus.FAILED,
}


def next_status(current: OutboundStatus, reported: OutboundStatus) -> OutboundStatus:
    """Pure: the status to keep when Twilio reports `reported` for a message at `current`."""
    if current not in PROGRESS:
        return current
    return reported if PROGRESS[reported] > PROGRESS[current] else current


def record_status(
    engine: Engine,
    message_sid: str,
    reported: str,
    error_code: int | None,
    now: datetime.datetime,
) -> bool:
    """False when no message of ours has that sid (Twilio then gets a 200 all the same)."""
    status = TWILIO_STATUSES.get(reported.lower())
    with session_scope(engine) as session:
        message = session.exec(
            select(OutboundMessage)
            .where(OutboundMessage.twilio_sid == message_sid)
            .with_for_update()
        ).first()
        if message is None:
            return False
        if status is not None:
            updated = next_status(message.status, status)
            if updated is not message.status:
                message.status = updated
                message.updated_at = now
        if error_code is not None and message.error_code is None:
            message.error_code = error_code
        return True
