"""Logging a reply as a small win, linked to the prompt it answers."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, insert, select

from service.database import table_of
from service.dispatch.models import OutboundKind, OutboundMessage, OutboundStatus
from service.wins.models import Win

# A reply this long after the latest prompt is a win of its own rather than an answer to it.
REPLY_LINK_WINDOW = datetime.timedelta(days=4)

UNSENT = (OutboundStatus.CLAIMED, OutboundStatus.CANCELLED, OutboundStatus.EXPIRED)

_outbound = table_of(OutboundMessage)
_LATEST_PROMPT = (
    select(_outbound.c.id, _outbound.c.prompt_id, _outbound.c.category)
    .where(
        _outbound.c.subscriber_id == bindparam("owner"),
        _outbound.c.kind.in_((OutboundKind.PROMPT, OutboundKind.RECAP)),
        _outbound.c.status.not_in(UNSENT),
        _outbound.c.created_at >= bindparam("since"),
    )
    .order_by(_outbound.c.created_at.desc(), _outbound.c.id.desc())
    .limit(1)
)
_INSERT_WIN = insert(table_of(Win))


@dataclass(frozen=True)
class AnsweredPrompt:
    outbound_id: int
    prompt_id: str | None
    category: str | None


def latest_prompt(
    connection: Connection, subscriber_id: int, now: datetime.datetime
) -> AnsweredPrompt | None:
    """The prompt (or recap) a reply answers: the latest one sent within a few days."""
    parameters = {"owner": subscriber_id, "since": now - REPLY_LINK_WINDOW}
    row = connection.execute(_LATEST_PROMPT, parameters).first()
    return AnsweredPrompt(int(row[0]), row[1], row[2]) if row is not None else None


def record_win(
    connection: Connection, subscriber_id: int, inbound_id: int, now: datetime.datetime
) -> None:
    """Writes the win, linked to the prompt it answers if there is one."""
    prompt = latest_prompt(connection, subscriber_id, now)
    connection.execute(
        _INSERT_WIN,
        {
            "subscriber_id": subscriber_id,
            "inbound_id": inbound_id,
            "outbound_id": prompt.outbound_id if prompt else None,
            "prompt_id": prompt.prompt_id if prompt else None,
            "category": prompt.category if prompt else None,
            "created_at": now,
        },
    )
