"""Logging a reply as a small win, linked to the prompt it answers."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, ScalarSelect, bindparam, func, insert, or_, select
from sqlalchemy.sql.elements import ColumnElement

from service.conversation.models import InboundMessage
from service.database import PreparedStatement, table_of
from service.dispatch.models import OutboundKind, OutboundMessage, OutboundStatus
from service.wins.models import Win

# A reply this long after the latest prompt is a win of its own rather than an answer to it.
REPLY_LINK_WINDOW = datetime.timedelta(days=4)

UNSENT = (OutboundStatus.CLAIMED, OutboundStatus.CANCELLED, OutboundStatus.EXPIRED)
ANSWERABLE = (OutboundKind.PROMPT, OutboundKind.RECAP)

_outbound = table_of(OutboundMessage)


def _of_latest_prompt(column: ColumnElement[Any]) -> ScalarSelect[Any]:
    """`column` of the prompt (or recap) a reply answers: the latest sent within a few days."""
    return (
        select(column)
        .where(
            _outbound.c.subscriber_id == bindparam("owner"),
            or_(*(_outbound.c.kind == kind for kind in ANSWERABLE)),
            *(_outbound.c.status != status for status in UNSENT),
            _outbound.c.created_at >= bindparam("since"),
        )
        .order_by(_outbound.c.created_at.desc(), _outbound.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )


_inbound = table_of(InboundMessage)
# The win's own text, by its MessageSid: the webhook does not wait for the text's INSERT to
# hand back its id (see `pipelined`).
_OWN_INBOUND = (
    select(_inbound.c.id)
    .where(_inbound.c.message_sid == bindparam("message_sid"))
    .scalar_subquery()
)

_earlier = table_of(Win).alias("earlier")
# The subscriber's other wins since their week began. Its own row is left out by its inbound
# id, whether or not the RETURNING clause sees it (PostgreSQL's does not, SQLite's may).
_OTHER_WINS_THIS_WEEK = (
    select(func.count())
    .where(
        _earlier.c.subscriber_id == bindparam("owner"),
        _earlier.c.created_at >= bindparam("week_since"),
        _earlier.c.inbound_id != _OWN_INBOUND,
    )
    .scalar_subquery()
)

# The link to the prompt is looked up, and the week's wins counted, by the INSERT itself:
# one statement per win.
_INSERT_WIN = PreparedStatement(
    insert(table_of(Win))
    .values(
        inbound_id=_OWN_INBOUND,
        outbound_id=_of_latest_prompt(_outbound.c.id),
        prompt_id=_of_latest_prompt(_outbound.c.prompt_id),
        category=_of_latest_prompt(_outbound.c.category),
    )
    .returning(_OTHER_WINS_THIS_WEEK),
    columns=("subscriber_id", "created_at"),
)


def record_win(
    connection: Connection,
    subscriber_id: int,
    message_sid: str,
    now: datetime.datetime,
    week_since: datetime.datetime,
) -> Callable[[], int]:
    """Writes the win for the text `message_sid` (already stored), linked to the prompt it
    answers if there is one. Returns how to read the number of wins since `week_since` (the
    start of the subscriber's week), this one included: reading it is what waits for the
    database, so a caller can send more statements first (see `pipelined`)."""
    others = _INSERT_WIN.later(
        connection,
        {
            "subscriber_id": subscriber_id,
            "created_at": now,
            "owner": subscriber_id,
            "since": now - REPLY_LINK_WINDOW,
            "week_since": week_since,
            "message_sid": message_sid,
        },
    )
    return lambda: int(others()[0][0]) + 1
