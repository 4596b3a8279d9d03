"""Dispatch through the real SDK to a local Twilio-compatible server, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime
import itertools
import time

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from service.dispatch.dispatcher import MAX_ATTEMPTS, Dispatcher, TickReport
from service.dispatch.models import OutboundMessage, OutboundStatus
from service.subscribers.models import ConsentEvent, ConsentMethod, Subscriber, SubscriberStatus
from tests.dispatch.conftest import SENDER, add_active, numbers, run_tick
from tests.fake_twilio import FakeTwilio
from tests.phone import Phone

# Tuesday 10 March 2026, 19:00 in New York (daylight time began on the 8th).
EVENING = datetime.datetime(2026, 3, 10, 23, 0, tzinfo=datetime.UTC)
NIGHT = datetime.datetime(2026, 3, 11, 4, 0, tzinfo=datetime.UTC)  # midnight in New York


def outbound(engine: Engine) -> list[OutboundMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboundMessage).order_by(col(OutboundMessage.id))))


def load(engine: Engine, phone: str) -> Subscriber:
    with Session(engine) as session:
        subscriber = session.exec(select(Subscriber).where(Subscriber.phone == phone)).one()
        return subscriber


def test_a_due_subscriber_gets_exactly_one_prompt(
    dispatcher: Dispatcher, fake_twilio: FakeTwilio, engine: Engine
) -> None:
    add_active(engine, numbers(3), EVENING - datetime.timedelta(minutes=5))
    report = run_tick(dispatcher, EVENING)
    assert report.sent == 3
    assert sorted(m.to for m in fake_twilio.messages) == numbers(3)
    assert all(m.from_ == SENDER for m in fake_twilio.messages)
    assert all(
        m.status_callback == "https://nudge.example.test/sms/status" for m in fake_twilio.messages
    )
    rows = outbound(engine)
    assert [r.status for r in rows] == [OutboundStatus.ACCEPTED] * 3
    assert {r.twilio_sid for r in rows} == {m.sid for m in fake_twilio.messages}
    # The same minute again, and an hour later: nothing more is due.
    assert run_tick(dispatcher, EVENING).sent == 0
    assert run_tick(dispatcher, EVENING + datetime.timedelta(hours=1)).sent == 0
    assert len(fake_twilio.messages) == 3
    assert load(engine, numbers(1)[0]).next_prompt_at > EVENING + datetime.timedelta(hours=12)  # type: ignore[operator]


def test_missed_slots_give_one_prompt_not_a_burst(
    dispatcher: Dispatcher, fake_twilio: FakeTwilio, engine: Engine
) -> None:
    add_active(engine, numbers(1), EVENING - datetime.timedelta(days=9))
    assert run_tick(dispatcher, EVENING).sent == 1
    assert run_tick(dispatcher, EVENING + datetime.timedelta(minutes=1)).sent == 0
    assert len(fake_twilio.messages) == 1


def test_nothing_goes_out_at_night_and_it_waits_for_the_window(
    dispatcher: Dispatcher, fake_twilio: FakeTwilio, engine: Engine
) -> None:
    add_active(engine, numbers(1), NIGHT - datetime.timedelta(hours=1))
    report = run_tick(dispatcher, NIGHT)
    assert report.sent == 0 and report.deferred == 1
    assert fake_twilio.messages == []
    opening = datetime.datetime(2026, 3, 11, 12, 0, tzinfo=datetime.UTC)  # 08:00 in New York
    assert load(engine, numbers(1)[0]).next_prompt_at == opening
    assert run_tick(dispatcher, opening).sent == 1


def test_prompts_do_not_repeat_and_fill_the_partner_placeholder(
    dispatcher: Dispatcher, fake_twilio: FakeTwilio, engine: Engine
) -> None:
    add_active(engine, numbers(1), EVENING)
    at = EVENING
    for _ in range(12):
        run_tick(dispatcher, at)
        at = load(engine, numbers(1)[0]).next_prompt_at  # type: ignore[assignment]
    rows = outbound(engine)
    assert len(rows) == 12
    assert len({r.prompt_id for r in rows}) == 12
    # Categories change from one prompt to the next, but for a series going on part by part.
    catalog = dispatcher.catalog
    for before, after in itertools.pairwise(rows):
        previous, chosen = (
            catalog.prompt(before.prompt_id or ""),
            catalog.prompt(after.prompt_id or ""),
        )
        assert previous is not None and chosen is not None
        series_goes_on = chosen.traits.series is not None and chosen.traits.part != 1
        assert before.category != after.category or series_goes_on
        assert (
            chosen.traits.series is None
            or chosen.traits.part == 1
            or (previous.traits.series == chosen.traits.series)
        )
    assert all("{" not in r.body for r in rows)


def test_stop_during_a_pass_prevents_the_send(
    dispatcher: Dispatcher, fake_twilio: FakeTwilio, engine: Engine, phone: Phone
) -> None:
    stopping = phone.number
    add_active(engine, [*numbers(2), stopping], EVENING - datetime.timedelta(minutes=1))
    claimed, _ = dispatcher.claim_due(EVENING, TickReport())
    assert len(claimed) == 3
    assert phone.text("STOP") is not None  # arrives between the claim and the send

    async def send() -> None:
        try:
            await dispatcher.send_claimed(claimed, EVENING)
        finally:
            await dispatcher.transport.aclose()

    asyncio.run(send())
    assert sorted(m.to for m in fake_twilio.messages) == numbers(2)
    statuses = {r.phone: r.status for r in outbound(engine) if r.kind == "prompt"}
    assert statuses[stopping] == OutboundStatus.CANCELLED


def test_carrier_opt_out_21610_is_recorded_and_never_retried(
    dispatcher: Dispatcher, fake_twilio: FakeTwilio, engine: Engine
) -> None:
    gone = numbers(1)[0]
    add_active(engine, [gone], EVENING)
    fake_twilio.fail(gone, 400, 21610, times=None)
    report = run_tick(dispatcher, EVENING)
    assert report.sent == 0 and fake_twilio.request_count == 1
    subscriber = load(engine, gone)
    assert subscriber.status == SubscriberStatus.OPTED_OUT and subscriber.next_prompt_at is None
    with Session(engine) as session:
        methods = [e.method for e in session.exec(select(ConsentEvent))]
    assert methods == [ConsentMethod.TWILIO_ERROR_21610]
    run_tick(dispatcher, EVENING + datetime.timedelta(days=3))
    assert fake_twilio.request_count == 1


def test_invalid_numbers_stop_being_scheduled(
    dispatcher: Dispatcher, fake_twilio: FakeTwilio, engine: Engine
) -> None:
    landline, fine = numbers(2)
    add_active(engine, [landline, fine], EVENING)
    fake_twilio.fail(landline, 400, 21614, times=None)
    assert run_tick(dispatcher, EVENING).sent == 1
    subscriber = load(engine, landline)
    assert subscriber.undeliverable_at == EVENING and subscriber.next_prompt_at is None
    assert {r.error_code for r in outbound(engine) if r.phone == landline} == {21614}


def test_rate_limits_are_retried_with_backoff_and_the_prompt_goes_once(
    dispatcher: Dispatcher, fake_twilio: FakeTwilio, engine: Engine
) -> None:
    busy = numbers(1)[0]
    add_active(engine, [busy], EVENING)
    fake_twilio.fail(busy, 429, 20429, times=2)
    assert run_tick(dispatcher, EVENING).retry_later == 1
    assert run_tick(dispatcher, EVENING + datetime.timedelta(minutes=1)).outcomes == {}
    assert fake_twilio.request_count == 1  # still backing off: 2 minutes after the first try
    assert run_tick(dispatcher, EVENING + datetime.timedelta(minutes=3)).retry_later == 1
    assert run_tick(dispatcher, EVENING + datetime.timedelta(minutes=6)).outcomes == {}
    assert run_tick(dispatcher, EVENING + datetime.timedelta(minutes=8)).sent == 1
    assert [m.to for m in fake_twilio.messages] == [busy]
    assert fake_twilio.request_count == 3


def test_an_outage_that_outlasts_every_retry_fails_the_prompt(
    dispatcher: Dispatcher, fake_twilio: FakeTwilio, engine: Engine
) -> None:
    add_active(engine, numbers(1), EVENING)
    fake_twilio.fail(None, 503, 20503, times=None)
    for hour in range(MAX_ATTEMPTS + 2):
        run_tick(dispatcher, EVENING + datetime.timedelta(hours=hour))
    assert fake_twilio.request_count == MAX_ATTEMPTS
    [prompt] = outbound(engine)
    assert prompt.status == OutboundStatus.FAILED and prompt.error_code == 20503


def test_a_timeout_after_sending_is_unknown_and_not_resent(
    dispatcher: Dispatcher, fake_twilio: FakeTwilio, engine: Engine, twilio_settings: object
) -> None:
    slow = numbers(1)[0]
    add_active(engine, [slow], EVENING)
    dispatcher.transport.client.http_client.timeout = 0.2  # type: ignore[attr-defined]
    fake_twilio.delay(slow, 1.0)
    report = run_tick(dispatcher, EVENING)
    assert report.unknown == 1 and report.sent == 0
    assert run_tick(dispatcher, EVENING + datetime.timedelta(hours=1)).unknown == 0
    assert fake_twilio.request_count == 1
    assert [r.status for r in outbound(engine)] == [OutboundStatus.UNKNOWN]
    # Twilio did take it in the end: exactly why an unknown send is never repeated.
    deadline = time.monotonic() + 5
    while not fake_twilio.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [m.to for m in fake_twilio.messages] == [slow]


def test_join_yes_then_a_tick_days_ahead_sends_the_first_prompt(
    dispatcher: Dispatcher, fake_twilio: FakeTwilio, engine: Engine, phone: Phone
) -> None:
    phone.text("JOIN")
    phone.text("YES")
    first = load(engine, phone.number).next_prompt_at
    assert first is not None
    assert run_tick(dispatcher, first + datetime.timedelta(days=2)).sent == 1
    # (Only this phone's: a slow request from an earlier test may still land on the shared fake.)
    assert [m.to for m in fake_twilio.messages if m.to == phone.number] == [phone.number]
    assert phone.text("We did it, she laughed") is not None
    with Session(engine) as session:
        from service.wins.models import Win

        (win,) = session.exec(select(Win)).all()
    assert win.prompt_id is not None


@pytest.mark.parametrize("leave, come_back", [("STOP", "JOIN"), ("PAUSE", "RESUME")])
def test_coming_back_never_reuses_a_slot_already_sent(
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    engine: Engine,
    phone: Phone,
    leave: str,
    come_back: str,
) -> None:
    phone.join()
    first = load(engine, phone.number).next_prompt_at
    assert first is not None
    assert run_tick(dispatcher, first + datetime.timedelta(days=2)).sent == 1
    # The webhook's clock has not moved since joining: the same first slot would come back.
    phone.text(leave)
    phone.text(come_back)
    again = load(engine, phone.number).next_prompt_at
    assert again is not None and again > first
    report = run_tick(dispatcher, again + datetime.timedelta(days=2))
    assert report.sent == 1 and report.failed == 0
    assert len([m for m in fake_twilio.messages if m.to == phone.number]) == 2
