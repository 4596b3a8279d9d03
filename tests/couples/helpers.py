"""What couples tests share: pairing two phones, asking both the shared question, and the
notices waiting for a partner."""

from __future__ import annotations

import datetime
import re

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from service.deps import Runtime
from service.dispatch.dispatcher import Dispatcher
from service.dispatch.models import OutboundMessage, OutboundStatus
from service.subscribers.models import Subscriber
from tests.dispatch.conftest import run_tick
from tests.phone import Phone


def paired(phone: Phone, partner: Phone) -> None:
    """Both join; `phone` asks for a code and `partner` texts it."""
    phone.join()
    partner.join()
    [code] = re.findall(r"\b\d{6}\b", phone.text("PAIR") or "")
    assert "paired" in (partner.text(f"PAIR {code}") or "")


def next_prompt(engine: Engine, number: str) -> datetime.datetime:
    with Session(engine) as session:
        at = session.exec(select(Subscriber).where(Subscriber.phone == number)).one()
    assert at.next_prompt_at is not None
    return at.next_prompt_at


def both_asked(
    runtime: Runtime,
    engine: Engine,
    dispatcher: Dispatcher,
    phone: Phone,
    partner: Phone,
    at: datetime.datetime,
) -> None:
    """Paired at `at`, then each partner's next prompt ticked: both have the shared question."""
    runtime.clock = lambda: at
    paired(phone, partner)
    for member in (phone, partner):
        due = next_prompt(engine, member.number)
        runtime.clock = lambda due=due: due
        run_tick(dispatcher, due)


def notices_to(engine: Engine, number: str) -> list[str]:
    """Messages waiting for a dispatch pass (a partner's notices wait so), oldest first."""
    with Session(engine) as session:
        rows = session.exec(
            select(OutboundMessage)
            .where(
                OutboundMessage.phone == number, OutboundMessage.status == OutboundStatus.CLAIMED
            )
            .order_by(col(OutboundMessage.id))
        )
        return [row.body for row in rows]
