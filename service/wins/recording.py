"""Logging a reply as a small win, linked to the prompt it answers."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Connection, bindparam, exists, insert, select

from service.conversation.tone import ReplyTone
from service.database import table_of
from service.dispatch.models import OutboundKind, OutboundMessage, OutboundStatus
from service.wins.models import Win

# A text this long after the latest prompt answers nothing: it is not a win.
REPLY_WINDOW = datetime.timedelta(hours=48)

UNSENT = (OutboundStatus.CLAIMED, OutboundStatus.CANCELLED, OutboundStatus.EXPIRED)
# What a text may answer. A check-in is one: it takes a prompt's place, so a text after it no
# longer answers the prompt before it (service/checkins).
ANSWERABLE = (OutboundKind.PROMPT, OutboundKind.RECAP, OutboundKind.CHECK_IN)

_outbound = table_of(OutboundMessage)
_win = table_of(Win)


@dataclass(frozen=True)
class LatestPrompt:
    id: int
    prompt_id: str | None
    category: str | None
    created_at: datetime.datetime
    answered: bool  # a win already links to it
    kind: OutboundKind = OutboundKind.PROMPT


class ReplyTo(StrEnum):
    """What a member's text is to their latest prompt."""

    NOTHING = "nothing"  # no prompt yet, or the latest is too old
    FIRST = "first"  # the first reply: a small win
    AGAIN = "again"  # a later text on a prompt already answered


# The latest prompt handed over, and whether a win already answers it: one statement, built
# once, run for every text.
_LATEST_PROMPT = (
    select(
        _outbound.c.id,
        _outbound.c.prompt_id,
        _outbound.c.category,
        _outbound.c.created_at,
        exists().where(_win.c.outbound_id == _outbound.c.id).label("answered"),
        _outbound.c.kind,
    )
    .where(
        _outbound.c.subscriber_id == bindparam("owner"),
        _outbound.c.kind.in_(ANSWERABLE),
        _outbound.c.status.not_in(UNSENT),
    )
    .order_by(_outbound.c.id.desc())
    .limit(1)
)


def latest_prompt(connection: Connection, subscriber_id: int) -> LatestPrompt | None:
    """The latest prompt (or recap) handed over to this subscriber, in the order they were
    sent (by id, not by clock: a tick run "as of" a later moment still comes first)."""
    row = connection.execute(_LATEST_PROMPT, {"owner": subscriber_id}).first()
    if row is None:
        return None
    return LatestPrompt(
        row.id, row.prompt_id, row.category, row.created_at, bool(row.answered), row.kind
    )


def reply_to(prompt: LatestPrompt | None, now: datetime.datetime) -> ReplyTo:
    """Pure: a text at `now` answers `prompt` when it came less than REPLY_WINDOW after it
    (or "before" it by the clock, as a tick run ahead of time leaves it). A check-in is not a
    prompt: what follows it is no small win (its score is kept apart, by service/checkins)."""
    if prompt is None or prompt.kind is OutboundKind.CHECK_IN:
        return ReplyTo.NOTHING
    if now - prompt.created_at >= REPLY_WINDOW:
        return ReplyTo.NOTHING
    return ReplyTo.AGAIN if prompt.answered else ReplyTo.FIRST


def record_win(
    connection: Connection,
    subscriber_id: int,
    inbound_id: int,
    prompt: LatestPrompt,
    now: datetime.datetime,
    tone: ReplyTone | None,
) -> None:
    """Writes the win for the stored text `inbound_id`, the first reply to `prompt`, with how
    it sounded."""
    connection.execute(
        insert(_win).values(
            subscriber_id=subscriber_id,
            inbound_id=inbound_id,
            outbound_id=prompt.id,
            prompt_id=prompt.prompt_id,
            category=prompt.category,
            created_at=now,
            tone=tone,
        )
    )


@dataclass(frozen=True)
class RecentWin:
    created_at: datetime.datetime
    tone: ReplyTone | None  # None for wins from before tones were kept


# A member's wins since a moment, newest first: built once, run for each first reply.
_RECENT_WINS = (
    select(_win.c.created_at, _win.c.tone)
    .where(_win.c.subscriber_id == bindparam("owner"), _win.c.created_at >= bindparam("since"))
    .order_by(_win.c.id.desc())
)


def recent_wins(
    connection: Connection, subscriber_id: int, since: datetime.datetime
) -> tuple[RecentWin, ...]:
    """This subscriber's wins since `since`, newest first (by id: the order they were
    counted). A few a week at most, so a run of weeks is a short read."""
    rows = connection.execute(_RECENT_WINS, {"owner": subscriber_id, "since": since})
    return tuple(RecentWin(row.created_at, row.tone) for row in rows)
