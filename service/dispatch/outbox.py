"""Reads and writes on the outbound messages that both the webhook and the dispatcher need."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, exists, func, select, update

from service.catalog.choice import Pacing
from service.database import table_of
from service.dispatch.models import OutboundKind, OutboundMessage, OutboundStatus
from service.scheduling.anniversary import is_soon
from service.wins.models import Win

_outbound = table_of(OutboundMessage)
_win = table_of(Win)


class SentPrompt(NamedTuple):
    prompt_id: str
    answered: bool  # the member's reply to it was counted as a win


def prompt_records(
    connection: Connection, subscriber_ids: Sequence[int]
) -> dict[int, list[SentPrompt]]:
    """Per subscriber, the prompts sent or about to be sent, oldest first, and whether each
    was answered."""
    records: dict[int, list[SentPrompt]] = defaultdict(list)
    rows = connection.execute(
        select(
            _outbound.c.subscriber_id,
            _outbound.c.prompt_id,
            exists().where(_win.c.outbound_id == _outbound.c.id).label("answered"),
        )
        .where(
            _outbound.c.subscriber_id.in_(subscriber_ids),
            _outbound.c.kind == OutboundKind.PROMPT,
            _outbound.c.prompt_id.is_not(None),
        )
        .order_by(_outbound.c.id)
    )
    for subscriber_id, prompt_id, answered in rows:
        records[subscriber_id].append(SentPrompt(prompt_id, bool(answered)))
    return records


def pacing_at(
    at: datetime.datetime,
    zone: ZoneInfo,
    joined_at: datetime.datetime,
    records: Sequence[SentPrompt],
    anniversary: tuple[int | None, int | None] = (None, None),
) -> Pacing:
    """Where the member is when a prompt reaches them at `at` (catalog.choice.Pacing);
    `anniversary`: (month, day) as they gave it with DATE."""
    local = at.astimezone(zone)
    return Pacing(
        local_time=local.time(),
        days_in=(at - joined_at).days,
        unanswered=unanswered_in_a_row(records),
        anniversary_soon=is_soon(local.date(), *anniversary),
    )


def unanswered_in_a_row(records: Sequence[SentPrompt]) -> int:
    """How many of the latest prompts, counting back, got no reply."""
    count = 0
    for record in reversed(records):
        if record.answered:
            break
        count += 1
    return count


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
    # A check-in is sent at a prompt's slot, in its place.
    prompt_slots = [latest.get(kind) for kind in (OutboundKind.PROMPT, OutboundKind.CHECK_IN)]
    prompt = max((slot for slot in prompt_slots if slot is not None), default=None)
    return LatestSlots(prompt, latest.get(OutboundKind.RECAP))
