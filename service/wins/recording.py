"""Logging a reply as a small win, linked to the prompt it answers."""

from __future__ import annotations

import datetime

from sqlalchemy import Connection, func, insert, select

from service.database import table_of
from service.dispatch.models import OutboundKind, OutboundMessage, OutboundStatus
from service.wins.models import Win

# A reply this long after the latest prompt is a win of its own rather than an answer to it.
REPLY_LINK_WINDOW = datetime.timedelta(days=4)

UNSENT = (OutboundStatus.CLAIMED, OutboundStatus.CANCELLED, OutboundStatus.EXPIRED)
ANSWERABLE = (OutboundKind.PROMPT, OutboundKind.RECAP)

_outbound = table_of(OutboundMessage)
_win = table_of(Win)


def record_win(
    connection: Connection,
    subscriber_id: int,
    inbound_id: int,
    now: datetime.datetime,
    week_since: datetime.datetime,
) -> int:
    """Writes the win for the stored text `inbound_id`, linked to the prompt it answers if
    there is one (the latest sent within REPLY_LINK_WINDOW); the number of wins since
    `week_since` (the start of the subscriber's week), this one included."""
    answered = connection.execute(
        select(_outbound.c.id, _outbound.c.prompt_id, _outbound.c.category)
        .where(
            _outbound.c.subscriber_id == subscriber_id,
            _outbound.c.kind.in_(ANSWERABLE),
            _outbound.c.status.not_in(UNSENT),
            _outbound.c.created_at >= now - REPLY_LINK_WINDOW,
        )
        .order_by(_outbound.c.created_at.desc(), _outbound.c.id.desc())
        .limit(1)
    ).first()
    connection.execute(
        insert(_win).values(
            subscriber_id=subscriber_id,
            inbound_id=inbound_id,
            outbound_id=answered.id if answered else None,
            prompt_id=answered.prompt_id if answered else None,
            category=answered.category if answered else None,
            created_at=now,
        )
    )
    return int(
        connection.execute(
            select(func.count()).where(
                _win.c.subscriber_id == subscriber_id, _win.c.created_at >= week_since
            )
        ).scalar_one()
    )
