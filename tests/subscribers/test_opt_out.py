"""The one opt-out: whoever asks (a STOP, the carrier's 21610, an operator's erasure), the same
rows change, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from service.dispatch.models import OutboundKind, OutboundMessage, OutboundStatus
from service.subscribers.models import (
    ConsentEvent,
    ConsentKind,
    ConsentMethod,
    Subscriber,
    SubscriberStatus,
)
from service.subscribers.service import opt_out
from tests.phone import Phone

NOW = datetime.datetime(2026, 3, 10, 23, 0, tzinfo=datetime.UTC)


def paused_member_with_a_claimed_prompt(engine: Engine, phone: str) -> int:
    with Session(engine) as session:
        member = Subscriber(
            phone=phone,
            status=SubscriberStatus.PAUSED,
            timezone="America/New_York",
            next_prompt_at=NOW + datetime.timedelta(days=1),
            next_recap_at=NOW + datetime.timedelta(days=3),
            paused_until=NOW + datetime.timedelta(days=2),
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(member)
        session.flush()
        assert member.id is not None
        session.add(
            OutboundMessage(
                subscriber_id=member.id,
                phone=phone,
                kind=OutboundKind.PROMPT,
                body="a prompt on its way",
                status=OutboundStatus.CLAIMED,
                created_at=NOW,
                updated_at=NOW,
            )
        )
        session.commit()
        return member.id


def assert_opted_out(engine: Engine, phone: str, method: ConsentMethod) -> None:
    with Session(engine) as session:
        member = session.exec(select(Subscriber).where(Subscriber.phone == phone)).one()
        assert member.status is SubscriberStatus.OPTED_OUT
        assert (member.next_prompt_at, member.next_recap_at, member.paused_until) == (
            None,
            None,
            None,
        )
        statuses = session.exec(
            select(OutboundMessage.status).where(OutboundMessage.kind == OutboundKind.PROMPT)
        ).all()
        assert statuses == [OutboundStatus.CANCELLED]
        events = session.exec(select(ConsentEvent).where(ConsentEvent.phone == phone)).all()
        assert [(e.kind, e.method) for e in events] == [(ConsentKind.OPT_OUT, method)]


@pytest.mark.parametrize("method", [ConsentMethod.TWILIO_ERROR_21610, ConsentMethod.OPERATOR])
def test_opting_out_ends_the_schedule_the_pause_and_every_unsent_prompt(
    engine: Engine, method: ConsentMethod
) -> None:
    phone = "+14155550161"
    member_id = paused_member_with_a_claimed_prompt(engine, phone)
    with engine.begin() as connection:
        opt_out(connection, subscriber_id=member_id, phone=phone, method=method, now=NOW)
    assert_opted_out(engine, phone, method)


def test_a_stop_text_opts_out_through_the_same_function(phone: Phone, engine: Engine) -> None:
    paused_member_with_a_claimed_prompt(engine, phone.number)
    assert phone.text("STOP") is not None
    assert_opted_out(engine, phone.number, ConsentMethod.KEYWORD)
