"""The answering threads: texts answered in batches, in order per sender, on both databases."""

from __future__ import annotations

import asyncio
import datetime
from typing import Any

import pytest
from sqlalchemy import Engine, event, text
from sqlmodel import Session, col, select

from service.conversation import answerer as answerer_module
from service.conversation.answerer import Answerer
from service.conversation.inbound import InboundText
from service.conversation.models import InboundMessage
from service.deps import Runtime
from service.subscribers.models import Subscriber, SubscriberStatus
from service.wins.models import Win

NOW = datetime.datetime(2026, 3, 10, 20, 0, tzinfo=datetime.UTC)


def join_confirm_reply_texts(phones: int) -> list[InboundText]:
    """Each phone joins, confirms and replies: only right in this order."""
    return [
        InboundText(f"SM{n:04d}{step:028d}", f"+1415555{n:04d}", body)
        for step, body in enumerate(("JOIN", "YES", "We cooked dinner together"))
        for n in range(phones)
    ]


async def answer_all(answerer: Answerer, texts: list[InboundText]) -> list[str | None]:
    # Queued all at once, as a burst of webhooks would be: the threads see batches.
    return await asyncio.gather(*(answerer.answer(text, NOW) for text in texts))


def check_burst_answered_in_order(
    engine: Engine, texts: list[InboundText], replies: list[str | None]
) -> None:
    """What a burst of `join_confirm_reply_texts(n)` leaves: n joined, confirmed, one win each."""
    phones = len(texts) // 3
    assert all(replies)
    assert sum("Reply YES" in (r or "") for r in replies) == phones  # JOIN
    with Session(engine) as session:
        statuses = session.exec(select(Subscriber.status)).all()
        stored = session.exec(select(InboundMessage.message_sid)).all()
        wins = session.exec(select(Win)).all()
    assert statuses == [SubscriberStatus.ACTIVE] * phones  # YES came after JOIN for everyone
    assert sorted(stored) == sorted(t.message_sid for t in texts)
    assert len(wins) == phones


def test_a_burst_is_answered_in_order_per_sender(runtime: Runtime, engine: Engine) -> None:
    answerer = Answerer(engine, runtime.settings, runtime.catalog, threads=3)
    texts = join_confirm_reply_texts(40)
    check_burst_answered_in_order(engine, texts, asyncio.run(answer_all(answerer, texts)))


def test_a_batch_that_cannot_commit_fails_every_waiting_request(
    runtime: Runtime, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_commit(*_: object) -> list[str | None]:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(answerer_module, "receive_batch", broken_commit)
    answerer = Answerer(engine, runtime.settings, runtime.catalog, threads=1)

    async def answer_two() -> list[object]:
        texts = join_confirm_reply_texts(2)[:2]
        return await asyncio.gather(
            *(answerer.answer(t, NOW) for t in texts), return_exceptions=True
        )

    outcomes = asyncio.run(answer_two())
    assert [str(o) for o in outcomes] == ["the database went away"] * 2


def test_idle_threads_retire_and_come_back(
    runtime: Runtime, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(answerer_module, "IDLE_SECONDS", 0.05)
    answerer = Answerer(engine, runtime.settings, runtime.catalog, threads=1)
    first, second = join_confirm_reply_texts(1)[:2]
    assert "Reply YES" in (asyncio.run(answerer.answer(first, NOW)) or "")
    worker = answerer._workers[0]
    assert worker is not None
    worker.join(timeout=5)
    assert not worker.is_alive() and answerer._workers[0] is None
    assert asyncio.run(answerer.answer(second, NOW))  # YES: a new thread answers
    with Session(engine) as session:
        stored = session.exec(select(InboundMessage).order_by(col(InboundMessage.id))).all()
    assert [m.body for m in stored] == ["JOIN", "YES"]


def test_a_thread_keeps_one_connection_and_replaces_it_when_it_breaks(
    runtime: Runtime, engine: Engine
) -> None:
    """While busy, a thread answers every batch on the connection it holds (no pool checkout,
    and so no PostgreSQL ping, per batch). If the database drops that connection, the batch is
    still answered and the thread takes a new connection for the next one."""
    checked_out: list[Any] = []
    event.listen(engine, "checkout", lambda dbapi, *_: checked_out.append(dbapi))
    answerer = Answerer(engine, runtime.settings, runtime.catalog, threads=1)
    join, confirm, reply = join_confirm_reply_texts(1)

    async def one_at_a_time(texts: list[InboundText]) -> list[str | None]:
        return [await answerer.answer(text, NOW) for text in texts]

    replies = asyncio.run(one_at_a_time([join, confirm]))
    assert all(replies)
    assert len(checked_out) == 1  # two batches, one connection

    held = checked_out[0]
    if engine.dialect.name == "postgresql":
        with engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": held.info.backend_pid})
    else:
        held.close()  # what a lost connection looks like to the driver
    assert "first this week" in (asyncio.run(answerer.answer(reply, NOW)) or "")
    before = len(checked_out)
    later = [
        InboundText(f"SM{n}" + "7" * 31, reply.phone, "We read together before bed")
        for n in range(2)
    ]
    replies = asyncio.run(one_at_a_time(later))
    assert "second this week" in (replies[0] or "") and "third this week" in (replies[1] or "")
    # One new connection for the thread, kept again for both batches; not the broken one.
    assert len(checked_out) == before + 1 and checked_out[-1] is not held
