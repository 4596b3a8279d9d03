"""The dispatcher's bulk writes, on SQLite and PostgreSQL: ids, the CAS and outcome rows."""

from __future__ import annotations

import asyncio
import datetime
from typing import Any

import pytest
from sqlalchemy import Engine, event, update
from sqlmodel import Session, col, select

from service.deps import Runtime
from service.dispatch.dispatcher import (
    MAX_ATTEMPTS,
    SEND_LEASE,
    UNWRITTEN_SENDS_PER_REQUEST_SLOT,
    Claimed,
    Dispatcher,
    TickReport,
)
from service.dispatch.models import OutboundMessage, OutboundStatus
from service.dispatch.worker import make_transport
from service.fake_twilio import FakeTwilio
from service.settings import Settings
from service.subscribers.models import Subscriber, SubscriberStatus
from service.transport import Delivery, SendResult
from tests.dispatch.conftest import add_active, numbers

EVENING = datetime.datetime(2026, 3, 10, 23, 0, tzinfo=datetime.UTC)


def write_and_start(
    dispatcher: Dispatcher,
    engine: Engine,
    outcomes: list[tuple[int, SendResult]],
    ids: list[int],
    report: TickReport | None = None,
) -> list[tuple[int, str, str]]:
    """One transaction of the send lane: write outcomes, move rows to `sending`."""
    with engine.connect() as lane:
        return dispatcher._write_and_start(lane, outcomes, ids, EVENING, report or TickReport())


def claim_due_subscribers(dispatcher: Dispatcher, engine: Engine, count: int) -> list[Claimed]:
    """`count` active subscribers, due a minute before EVENING, claimed."""
    add_active(engine, numbers(count), EVENING - datetime.timedelta(minutes=1))
    return dispatcher.claim_due(EVENING, TickReport())


def opt_out(engine: Engine, phones: set[str]) -> None:
    """These subscribers leave between the claim and the send."""
    with Session(engine) as session:
        session.execute(
            update(Subscriber)
            .where(col(Subscriber.phone).in_(phones))
            .values(status=SubscriberStatus.OPTED_OUT)
        )
        session.commit()


def rows_by_id(engine: Engine) -> dict[int, OutboundMessage]:
    with Session(engine) as session:
        return {row.id: row for row in session.exec(select(OutboundMessage)) if row.id is not None}


def test_each_claimed_id_is_the_row_written_for_that_phone(
    dispatcher: Dispatcher, engine: Engine
) -> None:
    phones = numbers(7)
    # Different due times, so the claim order differs from the insertion order.
    for minutes, phone in enumerate(reversed(phones)):
        add_active(engine, [phone], EVENING - datetime.timedelta(minutes=minutes + 1))
    claimed = dispatcher.claim_due(EVENING, TickReport())
    rows = rows_by_id(engine)
    assert sorted(c.phone for c in claimed) == phones
    assert len({c.outbound_id for c in claimed}) == len(phones)
    for c in claimed:
        row = rows[c.outbound_id]
        assert (row.phone, row.status, row.created_at) == (c.phone, OutboundStatus.CLAIMED, EVENING)
        assert row.lease_until is not None and row.lease_until > EVENING


def test_start_sending_moves_only_the_given_rows_of_active_subscribers(
    dispatcher: Dispatcher, engine: Engine
) -> None:
    claimed = claim_due_subscribers(dispatcher, engine, 9)
    gone = {claimed[1].phone, claimed[3].phone}
    opt_out(engine, gone)
    chunk = claimed[:5]  # not a power of two: SQLite pads the id list
    started = write_and_start(dispatcher, engine, [], [c.outbound_id for c in chunk])
    assert sorted(phone for _, phone, _ in started) == sorted(
        c.phone for c in chunk if c.phone not in gone
    )
    assert all(body for _, _, body in started)
    rows = rows_by_id(engine)
    for c in chunk:
        row = rows[c.outbound_id]
        if c.phone in gone:
            assert (row.status, row.attempts) == (OutboundStatus.CANCELLED, 0)
        else:
            assert (row.status, row.attempts) == (OutboundStatus.SENDING, 1)
            assert row.lease_until == EVENING + SEND_LEASE
    # Rows outside the chunk are left as they were, padding or not.
    assert {rows[c.outbound_id].status for c in claimed[5:]} == {OutboundStatus.CLAIMED}


def test_one_outcome_batch_of_every_kind_writes_each_row(
    dispatcher: Dispatcher, engine: Engine
) -> None:
    claimed = claim_due_subscribers(dispatcher, engine, 5)
    ids = [c.outbound_id for c in claimed]
    assert len(write_and_start(dispatcher, engine, [], ids)) == 5
    report = TickReport()
    write_and_start(
        dispatcher,
        engine,
        [
            (ids[0], SendResult(Delivery.ACCEPTED, sid="SM" + "a" * 32)),
            (ids[1], SendResult(Delivery.RETRY_LATER, error_code=20429)),
            (ids[2], SendResult(Delivery.UNKNOWN)),
            (ids[3], SendResult(Delivery.FAILED, error_code=21601)),
            (ids[4], SendResult(Delivery.ACCEPTED, sid="SM" + "b" * 32)),
        ],
        [],
        report,
    )
    rows = rows_by_id(engine)
    assert [rows[i].status for i in ids] == [
        OutboundStatus.ACCEPTED,
        OutboundStatus.CLAIMED,
        OutboundStatus.UNKNOWN,
        OutboundStatus.FAILED,
        OutboundStatus.ACCEPTED,
    ]
    assert [rows[i].twilio_sid for i in ids] == ["SM" + "a" * 32, None, None, None, "SM" + "b" * 32]
    assert [rows[i].error_code for i in ids] == [None, 20429, None, 21601, None]
    assert rows[ids[0]].sent_at == EVENING and rows[ids[3]].sent_at is None
    assert all(rows[i].updated_at == EVENING for i in ids)
    # First attempt: retried after the base backoff (attempts is 1 < MAX_ATTEMPTS).
    assert MAX_ATTEMPTS > 1
    assert rows[ids[1]].lease_until == EVENING + datetime.timedelta(minutes=2)
    assert (report.sent, report.retry_later, report.unknown, report.failed) == (2, 1, 1, 1)


def test_outcomes_and_the_next_rows_are_written_in_one_transaction(
    dispatcher: Dispatcher, engine: Engine
) -> None:
    """The usual burst (outcomes written blind): on PostgreSQL a pipelined transaction."""
    claimed = claim_due_subscribers(dispatcher, engine, 6)
    ids = [c.outbound_id for c in claimed]
    assert len(write_and_start(dispatcher, engine, [], ids[:3])) == 3
    opt_out(engine, {claimed[4].phone})
    report = TickReport()
    started = write_and_start(
        dispatcher,
        engine,
        [
            (ids[0], SendResult(Delivery.ACCEPTED, sid="SM" + "c" * 32)),
            (ids[1], SendResult(Delivery.UNKNOWN)),
            (ids[2], SendResult(Delivery.FAILED, error_code=21601)),
        ],
        ids[3:],
        report,
    )
    assert sorted(row_id for row_id, _, _ in started) == sorted([ids[3], ids[5]])
    rows = rows_by_id(engine)
    assert [rows[i].status for i in ids] == [
        OutboundStatus.ACCEPTED,
        OutboundStatus.UNKNOWN,
        OutboundStatus.FAILED,
        OutboundStatus.SENDING,
        OutboundStatus.CANCELLED,
        OutboundStatus.SENDING,
    ]
    assert rows[ids[0]].twilio_sid == "SM" + "c" * 32 and rows[ids[2]].error_code == 21601
    assert (report.sent, report.unknown, report.failed) == (1, 1, 1)


def test_a_failed_lane_transaction_writes_nothing_and_leaves_the_connection_usable(
    dispatcher: Dispatcher, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [c.outbound_id for c in claim_due_subscribers(dispatcher, engine, 3)]
    assert len(write_and_start(dispatcher, engine, [], ids[:1])) == 1
    move = dispatcher._move_to_sending

    def move_then_fail(*arguments: Any) -> Any:
        move(*arguments)  # both statements reach the database, then the transaction fails
        raise RuntimeError("the lane failed mid-transaction")

    with engine.connect() as lane:
        monkeypatch.setattr(dispatcher, "_move_to_sending", move_then_fail)
        with pytest.raises(RuntimeError):
            dispatcher._write_and_start(
                lane,
                [(ids[0], SendResult(Delivery.ACCEPTED, sid="SM" + "d" * 32))],
                ids[1:],
                EVENING,
                TickReport(),
            )
        rows = rows_by_id(engine)
        assert [rows[i].status for i in ids] == [OutboundStatus.SENDING] + [
            OutboundStatus.CLAIMED
        ] * 2
        assert rows[ids[0]].twilio_sid is None  # the failed transaction's outcome is gone
        monkeypatch.setattr(dispatcher, "_move_to_sending", move)
        again = dispatcher._write_and_start(lane, [], ids[1:], EVENING, TickReport())
    assert sorted(row_id for row_id, _, _ in again) == sorted(ids[1:])


@pytest.mark.parametrize("max_in_flight", [1, 4])
def test_the_lane_waits_for_outcomes_instead_of_committing_empty_transactions(
    twilio_settings: Settings,
    runtime: Runtime,
    engine: Engine,
    fake_twilio: FakeTwilio,
    max_in_flight: int,
) -> None:
    """While the last requests are in flight there is nothing to write and nothing to start:
    the lane waits (it once ran empty transactions in a loop until the answers came)."""
    settings = twilio_settings.model_copy(update={"max_in_flight": max_in_flight})
    dispatcher = Dispatcher(engine, settings, runtime.catalog, make_transport(settings))
    claimed = claim_due_subscribers(dispatcher, engine, 3)
    fake_twilio.set_latency(0.2)
    commits: list[object] = []

    def count(connection: object) -> None:
        commits.append(connection)

    event.listen(engine, "commit", count)

    async def send() -> None:
        try:
            await dispatcher.send_claimed(claimed, EVENING, TickReport())
        finally:
            await dispatcher.transport.aclose()

    try:
        asyncio.run(send())
    finally:
        event.remove(engine, "commit", count)
    assert len(fake_twilio.messages) == 3
    # At most one transaction per row moved and one per outcome: nothing idle in between.
    assert len(commits) <= 6


def test_one_pass_sends_batch_after_batch_through_one_pipeline(
    twilio_settings: Settings, runtime: Runtime, engine: Engine, fake_twilio: FakeTwilio
) -> None:
    """Batches of 4 with 3 requests in flight: every due subscriber gets one prompt, and
    claiming never runs far ahead of what is sent."""
    settings = twilio_settings.model_copy(update={"tick_batch_size": 4, "max_in_flight": 3})
    dispatcher = Dispatcher(engine, settings, runtime.catalog, make_transport(settings))
    phones = numbers(60)
    add_active(engine, phones, EVENING - datetime.timedelta(minutes=1))
    fake_twilio.set_latency(0.01)
    claimed_ahead: list[int] = []
    claim = dispatcher.claim_due

    def watched_claim(now: datetime.datetime, report: TickReport) -> list[Claimed]:
        claimed_ahead.append(report.claimed - len(fake_twilio.messages))
        return claim(now, report)

    dispatcher.claim_due = watched_claim  # type: ignore[method-assign]

    async def run() -> TickReport:
        try:
            return await dispatcher.tick(EVENING)
        finally:
            await dispatcher.transport.aclose()

    report = asyncio.run(run())
    assert sorted(m.to for m in fake_twilio.messages) == phones
    assert (report.claimed, report.sent) == (60, 60)
    assert {row.status for row in rows_by_id(engine).values()} == {OutboundStatus.ACCEPTED}
    # Claimed but not yet at the fake: rows in `sending` (at most the bound), rows waiting
    # for the CAS (another batch is taken below the bound: at most bound - 1 + 4) and the
    # batch the feeder was just handed. It does not grow with the 60 due.
    bound = UNWRITTEN_SENDS_PER_REQUEST_SLOT * 3
    assert max(claimed_ahead) <= bound + (bound - 1 + 4) + 4 < 60
