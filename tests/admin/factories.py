"""A small programme written straight into the database, with every figure known in advance.

"Now" is Wednesday 2026-03-18 12:00 UTC; weeks start on Mondays (UTC): Mar 2, Mar 9, Mar 16.

- A (+14155550001) joined Mar 3 and is active: a prompt in each week, the first and the last
  answered (the last one twice); the middle one (category "play") got no reply.
- B (+14155550002) joined Mar 10 and opted out on Sunday Mar 15 23:59:59 (still the Mar 9
  week); the one prompt meant for B failed with Twilio error 30003.
- C (+14155550003) texted JOIN on Mar 17 and never confirmed.
- D (+14155550004) confirmed at Mon Mar 16 00:00:00 exactly (the Mar 16 week) and was flagged
  by the safety net on Mar 17 for one text ("he hit me again", no win).
"""

from __future__ import annotations

import datetime
import itertools

from sqlalchemy import Engine
from sqlmodel import Session

from service.conversation.models import InboundMessage
from service.dispatch.models import OutboundKind, OutboundMessage, OutboundStatus
from service.safety.models import SafetyFlag
from service.subscribers.models import (
    ConsentEvent,
    ConsentKind,
    ConsentMethod,
    Subscriber,
    SubscriberStatus,
)
from service.wins.models import Win

NOW = datetime.datetime(2026, 3, 18, 12, 0, tzinfo=datetime.UTC)
WEEKS = [datetime.date(2026, 3, 2), datetime.date(2026, 3, 9), datetime.date(2026, 3, 16)]
A, B, C, D = "+14155550001", "+14155550002", "+14155550003", "+14155550004"
_sids = itertools.count(1)


def at(day: int, hour: int = 12, minute: int = 0, second: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 3, day, hour, minute, second, tzinfo=datetime.UTC)


def subscriber(
    session: Session,
    phone: str,
    status: SubscriberStatus,
    created: datetime.datetime,
    **fields: object,
) -> Subscriber:
    row = Subscriber(
        phone=phone,
        status=status,
        timezone="America/Los_Angeles",
        created_at=created,
        updated_at=created,
        **fields,  # type: ignore[arg-type]
    )
    session.add(row)
    session.flush()
    return row


def consent(
    session: Session, person: Subscriber, kind: ConsentKind, when: datetime.datetime, text: str
) -> None:
    session.add(
        ConsentEvent(
            subscriber_id=person.id,
            phone=person.phone,
            kind=kind,
            method=ConsentMethod.KEYWORD,
            message_sid=f"SMconsent{next(_sids)}",
            text=text,
            occurred_at=when,
        )
    )


def prompt(
    session: Session,
    person: Subscriber,
    when: datetime.datetime,
    *,
    prompt_id: str,
    category: str,
    status: OutboundStatus = OutboundStatus.DELIVERED,
    error_code: int | None = None,
) -> OutboundMessage:
    row = OutboundMessage(
        subscriber_id=person.id,
        phone=person.phone,
        kind=OutboundKind.PROMPT,
        prompt_id=prompt_id,
        category=category,
        slot_at=when,
        body=f"Prompt {prompt_id}",
        status=status,
        error_code=error_code,
        created_at=when,
        sent_at=when,
        updated_at=when,
    )
    session.add(row)
    session.flush()
    return row


def reply(
    session: Session,
    person: Subscriber,
    when: datetime.datetime,
    body: str,
    answers: OutboundMessage | None,
) -> InboundMessage:
    inbound = InboundMessage(
        message_sid=f"SMinbound{next(_sids)}",
        phone=person.phone,
        body=body,
        subscriber_id=person.id,
        intent="message",
        received_at=when,
    )
    session.add(inbound)
    session.flush()
    assert person.id is not None and inbound.id is not None
    session.add(
        Win(
            subscriber_id=person.id,
            inbound_id=inbound.id,
            outbound_id=answers.id if answers else None,
            prompt_id=answers.prompt_id if answers else None,
            category=answers.category if answers else None,
            created_at=when,
        )
    )
    return inbound


def seed_programme(engine: Engine) -> dict[str, int]:
    """Write the programme described above; returns the subscribers' ids by letter."""
    with Session(engine) as session:
        a = subscriber(session, A, SubscriberStatus.ACTIVE, at(3))
        consent(session, a, ConsentKind.OPT_IN, at(3, 9), "JOIN")
        consent(session, a, ConsentKind.CONFIRMATION, at(3, 10), "YES")
        first = prompt(session, a, at(4), prompt_id="appreciation-001", category="appreciation")
        reply(session, a, at(4, 13), "We hugged", first)
        prompt(session, a, at(11), prompt_id="play-001", category="play")
        third = prompt(session, a, at(17), prompt_id="appreciation-002", category="appreciation")
        reply(session, a, at(17, 13), '=HYPERLINK("x") she laughed', third)
        reply(session, a, at(17, 14), "and again", third)

        b = subscriber(session, B, SubscriberStatus.OPTED_OUT, at(10))
        consent(session, b, ConsentKind.OPT_IN, at(10, 9), "START")
        consent(session, b, ConsentKind.CONFIRMATION, at(10, 10), "YES")
        prompt(
            session,
            b,
            at(11),
            prompt_id="play-002",
            category="play",
            status=OutboundStatus.FAILED,
            error_code=30003,
        )
        consent(session, b, ConsentKind.OPT_OUT, at(15, 23, 59, 59), "STOP")

        c = subscriber(session, C, SubscriberStatus.PENDING, at(17))
        consent(session, c, ConsentKind.OPT_IN, at(17, 9), "JOIN")

        d = subscriber(session, D, SubscriberStatus.ACTIVE, at(15), safety_flagged_at=at(17, 20))
        consent(session, d, ConsentKind.OPT_IN, at(15, 22), "JOIN")
        consent(session, d, ConsentKind.CONFIRMATION, at(16, 0), "YES")
        flagged = InboundMessage(
            message_sid=f"SMinbound{next(_sids)}",
            phone=D,
            body="he hit me again",
            subscriber_id=d.id,
            intent="message",
            received_at=at(17, 20),
        )
        session.add(flagged)
        session.add(
            SafetyFlag(
                subscriber_id=d.id,
                phone=D,
                message_sid=flagged.message_sid,
                families="violence",
                matched="violence: hit me",
                resources_sent=True,
                created_at=at(17, 20),
            )
        )
        session.commit()
        return {"A": a.id or 0, "B": b.id or 0, "C": c.id or 0, "D": d.id or 0}
