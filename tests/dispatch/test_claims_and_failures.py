"""The dispatcher's writes on SQLite and PostgreSQL: claimed ids, the check right before each
request, and a pass that goes on when one subscriber's row fails."""

from __future__ import annotations

import datetime
import logging

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from service.dispatch.dispatcher import SEND_LEASE, Dispatcher, TickReport, retry_at
from service.dispatch.models import OutboundKind, OutboundMessage, OutboundStatus
from service.metrics import REGISTRY
from service.subscribers.models import Subscriber, SubscriberStatus
from tests.dispatch.conftest import add_active, numbers, run_tick

EVENING = datetime.datetime(2026, 3, 10, 23, 0, tzinfo=datetime.UTC)
DUE = EVENING - datetime.timedelta(minutes=1)


def rows_by_id(engine: Engine) -> dict[int, OutboundMessage]:
    with Session(engine) as session:
        return {row.id: row for row in session.exec(select(OutboundMessage)) if row.id is not None}


def failures(stage: str) -> float:
    return REGISTRY.get_sample_value("nudge_dispatch_failures_total", {"stage": stage}) or 0.0


def subscriber(engine: Engine, phone: str) -> Subscriber:
    with Session(engine) as session:
        return session.exec(select(Subscriber).where(Subscriber.phone == phone)).one()


def test_each_claimed_id_is_the_row_written_for_its_subscriber(
    dispatcher: Dispatcher, engine: Engine
) -> None:
    phones = numbers(7)
    # Different due times, so the claim order differs from the insertion order.
    for minutes, phone in enumerate(reversed(phones)):
        add_active(engine, [phone], EVENING - datetime.timedelta(minutes=minutes + 1))
    claimed, looked_at = dispatcher.claim_due(EVENING, TickReport())
    assert looked_at == 7 and len(set(claimed)) == 7
    rows = rows_by_id(engine)
    assert sorted(rows[row_id].phone for row_id in claimed) == phones
    for row_id in claimed:
        row = rows[row_id]
        assert (row.status, row.created_at, row.kind) == (
            OutboundStatus.CLAIMED,
            EVENING,
            OutboundKind.PROMPT,
        )
        assert row.slot_at == subscriber(engine, row.phone).created_at  # the slot it was due
        assert row.lease_until is not None and row.lease_until > EVENING


def test_the_check_sends_only_rows_of_subscribers_still_active(
    dispatcher: Dispatcher, engine: Engine
) -> None:
    phones = numbers(4)
    add_active(engine, phones, DUE)
    claimed, _ = dispatcher.claim_due(EVENING, TickReport())
    rows = rows_by_id(engine)
    gone = {rows[claimed[1]].phone}
    with Session(engine) as session:
        session.execute(
            update(Subscriber)
            .where(col(Subscriber.phone).in_(gone))
            .values(status=SubscriberStatus.OPTED_OUT)
        )
        session.commit()
    lease_start = EVENING + datetime.timedelta(seconds=30)
    started = {row_id: dispatcher.start_sending(row_id, EVENING, lease_start) for row_id in claimed}
    again = dispatcher.start_sending(claimed[0], EVENING, lease_start)
    rows = rows_by_id(engine)
    for row_id, outgoing in started.items():
        row = rows[row_id]
        if row.phone in gone:
            assert outgoing is None
            assert (row.status, row.attempts) == (OutboundStatus.CANCELLED, 0)
        else:
            assert outgoing is not None and outgoing.phone == row.phone and outgoing.body
            assert (row.status, row.attempts) == (OutboundStatus.SENDING, 1)
            assert row.lease_until == lease_start + SEND_LEASE
    assert again is None  # a row is started once: a second check finds it taken


@pytest.mark.parametrize("minutes", [0, 1, 2, 3, 4, 5, 30])
def test_retries_back_off_exponentially(minutes: int) -> None:
    first = retry_at(EVENING, 1)
    assert first == EVENING + datetime.timedelta(minutes=2)
    later = EVENING + datetime.timedelta(minutes=minutes)
    for attempts in range(1, 6):
        assert retry_at(later, attempts + 1) - later == 2 * (retry_at(later, attempts) - later)


def _broken_timezone(engine: Engine, phone: str) -> None:
    with Session(engine) as session:
        session.execute(
            update(Subscriber).where(col(Subscriber.phone) == phone).values(timezone="Mars/Olympus")
        )
        session.commit()


def _slot_already_taken(engine: Engine, phone: str) -> None:
    """A row already holds this subscriber's due slot (what a re-join bug once caused)."""
    member = subscriber(engine, phone)
    with Session(engine) as session:
        session.add(
            OutboundMessage(
                subscriber_id=member.id,
                phone=phone,
                kind=OutboundKind.PROMPT,
                slot_at=member.next_prompt_at,
                body="an earlier prompt",
                status=OutboundStatus.ACCEPTED,
                created_at=EVENING - datetime.timedelta(days=1),
                updated_at=EVENING - datetime.timedelta(days=1),
            )
        )
        session.commit()


@pytest.mark.parametrize("breakage", [_broken_timezone, _slot_already_taken])
def test_one_subscriber_s_failure_leaves_the_pass_going_for_everyone_else(
    breakage: object,
    dispatcher: Dispatcher,
    engine: Engine,
    fake_twilio: object,
    caplog: pytest.LogCaptureFixture,
) -> None:
    phones = numbers(30)
    add_active(engine, phones, DUE)
    broken = phones[7]
    breakage(engine, broken)  # type: ignore[operator]
    dispatcher.batch_size = 10  # the failure lands in one of several batches
    failures_before = failures("claim")
    with caplog.at_level(logging.ERROR):
        report = run_tick(dispatcher, EVENING)
    assert report.sent == 29 and report.skipped == 1
    sent_to = sorted(m.to for m in fake_twilio.messages)  # type: ignore[attr-defined]
    assert sent_to == sorted(set(phones) - {broken})
    assert failures("claim") == failures_before + 1
    assert subscriber(engine, broken).next_prompt_at == DUE  # left as it was, for next time
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "the pass goes on" in logged and broken not in logged
