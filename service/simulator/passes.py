"""Dispatch passes for the simulator's "advance time".

The scheduler ticks all along; the simulator jumps. A message queued for later (a partner's
notice waits for their send window, a revealed answer for the first to answer's) is sent by
the first tick after it falls due, and a claimed message is never sent more than 12 hours
late (dispatcher.STALE_AFTER). So a jump of a day runs a pass at each moment such a message
falls due on the way, as the scheduler would have, and then one as of the moment it lands on.
"""

from __future__ import annotations

import datetime

import anyio
from sqlalchemy import Engine, func, select

from service.database import table_of
from service.dispatch.dispatcher import Dispatcher
from service.dispatch.models import OutboundMessage, OutboundStatus
from service.metrics import timed_tick

MAX_PASSES_ON_THE_WAY = 50  # a bound, should a message stay queued whatever a pass does
_outbound = table_of(OutboundMessage)


def next_queued(engine: Engine, before: datetime.datetime) -> datetime.datetime | None:
    """When the earliest message waiting `claimed` falls due, if that is before `before`."""
    with engine.connect() as connection:
        due: datetime.datetime | None = connection.execute(
            select(func.min(_outbound.c.lease_until)).where(
                _outbound.c.status == OutboundStatus.CLAIMED,
                _outbound.c.lease_until < before,
            )
        ).scalar_one()
    return due


async def advance(
    dispatcher: Dispatcher, start: datetime.datetime, target: datetime.datetime
) -> int:
    """Passes from `start` to `target`, never back in time; how many messages they sent."""
    sent = 0
    moment = start
    for _ in range(MAX_PASSES_ON_THE_WAY):
        due = await anyio.to_thread.run_sync(next_queued, dispatcher.engine, target)
        if due is None:
            break
        moment = max(moment, due)
        sent += (await timed_tick(dispatcher, moment)).sent
    return sent + (await timed_tick(dispatcher, target)).sent
