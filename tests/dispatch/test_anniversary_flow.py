"""DATE gives the anniversary; in the week before it, the prompt marks it: end to end through
signed webhooks and real ticks."""

from __future__ import annotations

import datetime

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from service.catalog.traits import Occasion
from service.dispatch.dispatcher import Dispatcher
from service.dispatch.models import OutboundKind, OutboundMessage
from tests.dispatch.conftest import run_tick
from tests.dispatch.test_small_wins_flow import MONDAY_MORNING, Clock, subscriber
from tests.phone import Phone


def prompts_sent(engine: Engine, number: str) -> list[OutboundMessage]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(OutboundMessage)
                .where(OutboundMessage.phone == number, OutboundMessage.kind == OutboundKind.PROMPT)
                .order_by(col(OutboundMessage.id))
            )
        )


def test_an_anniversary_given_with_date_is_marked_in_the_week_before(
    client: TestClient, phone: Phone, engine: Engine, dispatcher: Dispatcher
) -> None:
    clock = Clock(client, MONDAY_MORNING)  # Monday 9 March 2026
    phone.join()
    assert "Mar 20" in (phone.text("DATE March 20") or "")
    member = subscriber(engine, phone.number)
    assert (member.anniversary_month, member.anniversary_day) == (3, 20)
    assert "Try DATE June 14" in (phone.text("date feb 30") or "")
    # Six weeks of prompts: the anniversary ones only in the week up to March 20 (and 2027's
    # is out of reach), and at least one there.
    end = MONDAY_MORNING + datetime.timedelta(weeks=6)
    while (at := subscriber(engine, phone.number).next_prompt_at) is not None and at < end:
        clock.now = at
        run_tick(dispatcher, at)
    marked = []
    for row in prompts_sent(engine, phone.number):
        prompt = dispatcher.catalog.prompt(row.prompt_id or "")
        assert prompt is not None
        if prompt.traits.occasion is Occasion.ANNIVERSARY:
            marked.append(row.created_at.date())
    assert marked, "no anniversary prompt in the week before it"
    assert all(datetime.date(2026, 3, 13) <= day <= datetime.date(2026, 3, 21) for day in marked)


def test_without_a_date_no_anniversary_prompt_is_sent(
    client: TestClient, phone: Phone, engine: Engine, dispatcher: Dispatcher
) -> None:
    clock = Clock(client, MONDAY_MORNING)
    phone.join()
    end = MONDAY_MORNING + datetime.timedelta(weeks=4)
    while (at := subscriber(engine, phone.number).next_prompt_at) is not None and at < end:
        clock.now = at
        run_tick(dispatcher, at)
    sent = prompts_sent(engine, phone.number)
    assert len(sent) >= 10
    for row in sent:
        prompt = dispatcher.catalog.prompt(row.prompt_id or "")
        assert prompt is not None and prompt.traits.occasion is None
