"""What happens to a subscriber whoever asks for it: the webhook, the dispatcher, an operator."""

from __future__ import annotations

import datetime

from sqlalchemy import Connection, insert, update

from service.couples.service import end_pair
from service.database import table_of
from service.dispatch.outbox import cancel_unsent
from service.subscribers.models import (
    ConsentEvent,
    ConsentKind,
    ConsentMethod,
    Subscriber,
    SubscriberStatus,
)

_subscriber = table_of(Subscriber)

# Opting out ends everything at once: nothing scheduled, no pause left to run out.
OPTED_OUT = {
    "status": SubscriberStatus.OPTED_OUT,
    "next_prompt_at": None,
    "next_recap_at": None,
    "paused_until": None,
}


def opt_out(
    connection: Connection,
    *,
    subscriber_id: int,
    phone: str,
    method: ConsentMethod,
    now: datetime.datetime,
    message_sid: str | None = None,
    text: str | None = None,
) -> int | None:
    """Opt the subscriber out in the connection's transaction: their schedule is cleared,
    every prompt claimed but not yet handed to Twilio is cancelled, their pairing ends, and
    the consent event is recorded (each time: a repeated STOP is a fact of the consent log
    too). The former partner's id, if they were paired."""
    connection.execute(
        update(_subscriber)
        .where(_subscriber.c.id == subscriber_id)
        .values(**OPTED_OUT, updated_at=now)
    )
    connection.execute(
        insert(table_of(ConsentEvent)).values(
            subscriber_id=subscriber_id,
            phone=phone,
            kind=ConsentKind.OPT_OUT,
            method=method,
            message_sid=message_sid,
            text=text,
            occurred_at=now,
        )
    )
    cancel_unsent(connection, subscriber_id, now)
    return end_pair(connection, subscriber_id, now)
