"""A jump of the simulated clock sends a queued message when it fell due, as the scheduler
would have, instead of letting it go stale."""

from __future__ import annotations

import asyncio
import datetime
import io

from sqlmodel import Session, select

from service.couples.notices import notify_member
from service.deps import Runtime
from service.dispatch.dispatcher import Dispatcher
from service.dispatch.models import OutboundMessage, OutboundStatus
from service.simulator import passes
from service.subscribers.models import Subscriber, SubscriberStatus
from service.transport.console import ConsoleTransport
from tests.dispatch.conftest import run_tick

NIGHT = datetime.datetime(2026, 3, 10, 7, 0, tzinfo=datetime.UTC)  # midnight in Los Angeles (PDT)
WINDOW_OPENS = datetime.datetime(2026, 3, 10, 15, 0, tzinfo=datetime.UTC)  # 08:00 there (PDT)
A_DAY_ON = NIGHT + datetime.timedelta(days=1)


def queued_notice(runtime: Runtime) -> None:
    """A partner's notice written at night: it waits for their window to open."""
    with Session(runtime.engine) as session:
        member = Subscriber(
            phone="+14155550100",
            status=SubscriberStatus.ACTIVE,
            timezone="America/Los_Angeles",
            next_prompt_at=NIGHT + datetime.timedelta(days=30),  # no prompt on the way
            created_at=NIGHT,
            updated_at=NIGHT,
        )
        session.add(member)
        session.commit()
        assert member.id is not None
    with runtime.engine.begin() as connection:
        notify_member(
            connection, runtime.settings, runtime.catalog, member.id, "pairing_ended", NIGHT
        )


def the_notice(runtime: Runtime) -> OutboundMessage:
    with Session(runtime.engine) as session:
        return session.exec(select(OutboundMessage)).one()


def dispatcher(runtime: Runtime) -> Dispatcher:
    return Dispatcher(
        runtime.engine, runtime.settings, runtime.catalog, ConsoleTransport(io.StringIO())
    )


def test_a_day_s_jump_sends_a_queued_notice_when_its_window_opened(runtime: Runtime) -> None:
    queued_notice(runtime)
    assert the_notice(runtime).lease_until == WINDOW_OPENS
    assert asyncio.run(passes.advance(dispatcher(runtime), NIGHT, A_DAY_ON)) == 1
    notice = the_notice(runtime)
    assert notice.status is OutboundStatus.ACCEPTED and notice.sent_at == WINDOW_OPENS


def test_one_pass_a_day_on_would_find_it_stale(runtime: Runtime) -> None:
    """Why the simulator passes by the moments on the way: the scheduler would have."""
    queued_notice(runtime)
    report = run_tick(dispatcher(runtime), A_DAY_ON)
    assert report.expired == 1 and the_notice(runtime).status is OutboundStatus.EXPIRED


def test_with_nothing_queued_a_jump_is_one_pass(runtime: Runtime) -> None:
    assert passes.next_queued(runtime.engine, A_DAY_ON) is None
    assert asyncio.run(passes.advance(dispatcher(runtime), NIGHT, A_DAY_ON)) == 0
