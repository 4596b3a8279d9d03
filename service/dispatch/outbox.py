"""Reads and writes on the outbound messages that both the webhook and the dispatcher need."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import Connection, func, select, update

from service.database import table_of
from service.dispatch.models import OutboundKind, OutboundMessage, OutboundStatus

_outbound = table_of(OutboundMessage)


def prompt_histories(connection: Connection, subscriber_ids: Sequence[int]) -> dict[int, list[str]]:
    """Per subscriber, the ids of prompts sent or about to be sent, oldest first."""
    histories: dict[int, list[str]] = defaultdict(list)
    rows = connection.execute(
        select(_outbound.c.subscriber_id, _outbound.c.prompt_id)
        .where(
            _outbound.c.subscriber_id.in_(subscriber_ids),
            _outbound.c.kind == OutboundKind.PROMPT,
            _outbound.c.prompt_id.is_not(None),
        )
        .order_by(_outbound.c.id)
    )
    for subscriber_id, prompt_id in rows:
        histories[subscriber_id].append(prompt_id)
    return histories


def cancel_unsent(connection: Connection, subscriber_id: int, now: datetime.datetime) -> None:
    """A STOP wins over any prompt claimed but not yet handed to Twilio."""
    connection.execute(
        update(_outbound)
        .where(
            _outbound.c.subscriber_id == subscriber_id,
            _outbound.c.status == OutboundStatus.CLAIMED,
        )
        .values(status=OutboundStatus.CANCELLED, updated_at=now)
    )


class LatestSlots(NamedTuple):
    prompt: datetime.datetime | None
    recap: datetime.datetime | None


def latest_slots(connection: Connection, subscriber_id: int) -> LatestSlots:
    """The latest scheduled prompt and recap slots already given an outbound row: a schedule
    that starts again (RESUME, JOIN after STOP) must begin after them, since each is sent once."""
    rows = connection.execute(
        select(_outbound.c.kind, func.max(_outbound.c.slot_at))
        .where(_outbound.c.subscriber_id == subscriber_id, _outbound.c.slot_at.is_not(None))
        .group_by(_outbound.c.kind)
    )
    latest = {OutboundKind(kind): slot for kind, slot in rows}
    return LatestSlots(latest.get(OutboundKind.PROMPT), latest.get(OutboundKind.RECAP))
