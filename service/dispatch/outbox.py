"""Reads and writes on the outbound messages that both the webhook and the dispatcher need.

Statements are built once and run as plain rows on a Connection: both callers are hot paths,
and building a statement costs more in Python than running it does in the database.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, Integer, Select, any_, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.expression import ColumnElement

from service.database import PreparedStatement, table_of
from service.dispatch.models import OutboundKind, OutboundMessage, OutboundStatus

_outbound = table_of(OutboundMessage)


def _prompt_histories_of(owners: ColumnElement[bool]) -> Select[tuple[Any, Any]]:
    return (
        select(_outbound.c.subscriber_id, _outbound.c.prompt_id)
        .where(owners, _outbound.c.kind == OutboundKind.PROMPT, _outbound.c.prompt_id.is_not(None))
        .order_by(_outbound.c.id)
    )


_PROMPT_HISTORIES = _prompt_histories_of(
    _outbound.c.subscriber_id.in_(bindparam("subscriber_ids", expanding=True))
)
# PostgreSQL: the ids as one array, since psycopg re-parses a query of more than 50 parameters
# (a dispatcher batch's expanded IN) on every execution.
_PROMPT_HISTORIES_ARRAY = PreparedStatement(
    _prompt_histories_of(
        _outbound.c.subscriber_id == any_(bindparam("subscriber_ids", type_=ARRAY(Integer)))
    )
)

_CANCEL_UNSENT = PreparedStatement(
    update(_outbound)
    .where(
        _outbound.c.subscriber_id == bindparam("owner"),
        _outbound.c.status == OutboundStatus.CLAIMED,
    )
    .values(status=OutboundStatus.CANCELLED),
    columns=("updated_at",),
)

_LATEST_SLOTS = PreparedStatement(
    select(_outbound.c.kind, func.max(_outbound.c.slot_at))
    .where(_outbound.c.subscriber_id == bindparam("owner"), _outbound.c.slot_at.is_not(None))
    .group_by(_outbound.c.kind)
)


def prompt_histories(connection: Connection, subscriber_ids: Sequence[int]) -> dict[int, list[str]]:
    """Per subscriber, the ids of prompts sent or about to be sent, oldest first."""
    histories: dict[int, list[str]] = defaultdict(list)
    parameters = {"subscriber_ids": list(subscriber_ids)}
    rows: Iterable[Any] = (
        _PROMPT_HISTORIES_ARRAY.rows(connection, parameters)
        if connection.dialect.name == "postgresql"
        else connection.execute(_PROMPT_HISTORIES, parameters)
    )
    for subscriber_id, prompt_id in rows:
        histories[subscriber_id].append(prompt_id)
    return histories


def cancel_unsent(connection: Connection, subscriber_id: int, now: datetime.datetime) -> None:
    """A STOP wins over any prompt claimed but not yet handed to Twilio."""
    _CANCEL_UNSENT.rows(connection, {"owner": subscriber_id, "updated_at": now})


class LatestSlots(NamedTuple):
    prompt: datetime.datetime | None
    recap: datetime.datetime | None


def latest_slots(connection: Connection, subscriber_id: int) -> LatestSlots:
    """The latest scheduled prompt and recap slots already given an outbound row: a schedule
    that starts again (RESUME, JOIN after STOP) must begin after them, since each is sent once."""
    rows = _LATEST_SLOTS.rows(connection, {"owner": subscriber_id})
    latest = {OutboundKind(kind): slot for kind, slot in rows}
    return LatestSlots(latest.get(OutboundKind.PROMPT), latest.get(OutboundKind.RECAP))
