"""Answering in child processes (ANSWER_PROCESSES), on both databases."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from service.app import create_app
from service.conversation.answering_process import AnsweringFailed, ProcessAnswerer
from service.conversation.models import InboundMessage
from service.deps import Runtime
from service.phone_simulator import inbound_form, sign
from service.settings import Settings
from tests.conftest import PUBLIC_BASE_URL
from tests.conversation.test_answerer import (
    NOW,
    answer_all,
    check_burst_answered_in_order,
    join_confirm_reply_texts,
)
from tests.phone import SERVICE_NUMBER


def test_a_burst_is_answered_in_order_per_sender(runtime: Runtime, engine: Engine) -> None:
    answerer = ProcessAnswerer(runtime.settings, processes=2)
    texts = join_confirm_reply_texts(30)
    try:
        replies = asyncio.run(answer_all(answerer, texts))
    finally:
        answerer.close()
    check_burst_answered_in_order(engine, texts, replies)


def test_the_texts_of_one_event_loop_turn_reach_the_child_in_one_message(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    answerer = ProcessAnswerer(runtime.settings, processes=1)
    joins = join_confirm_reply_texts(10)[:10]  # ten new numbers' JOIN
    lane = answerer._lane(0)
    messages: list[int] = []
    send = lane.jobs.send

    def counted(jobs: list[object]) -> None:
        messages.append(len(jobs))
        send(jobs)

    monkeypatch.setattr(lane.jobs, "send", counted)

    try:
        replies = asyncio.run(answer_all(answerer, joins))
    finally:
        answerer.close()
    assert all("Reply YES" in (reply or "") for reply in replies)
    assert messages == [10]


def test_a_child_that_dies_fails_its_texts_and_is_replaced(runtime: Runtime) -> None:
    answerer = ProcessAnswerer(runtime.settings, processes=1)
    join, confirm, _ = join_confirm_reply_texts(1)
    try:
        assert "Reply YES" in (asyncio.run(answerer.answer(join, NOW)) or "")
        child = answerer._lane(0).process
        assert child.pid is not None
        os.kill(child.pid, signal.SIGKILL)
        child.join(timeout=10)

        async def answer_after_death() -> str | None:
            for _ in range(50):  # until the reply reader has seen the child go
                try:
                    return await answerer.answer(confirm, NOW)
                except AnsweringFailed:
                    await asyncio.sleep(0.1)
            raise AssertionError("no new child answered")

        assert "Welcome to" in (asyncio.run(answer_after_death()) or "")
        assert answerer._lane(0).process is not child
    finally:
        answerer.close()


def test_a_text_waiting_on_a_child_that_dies_fails(runtime: Runtime, engine: Engine) -> None:
    """The webhook then answers 500 and Twilio retries: the text was never committed."""
    answerer = ProcessAnswerer(runtime.settings, processes=1)
    join = join_confirm_reply_texts(1)[0]
    child = answerer._lane(0).process
    assert child.pid is not None

    async def answer_while_the_child_dies() -> str | None:
        os.kill(child.pid, signal.SIGSTOP)  # it cannot answer: the text waits
        waiting = asyncio.ensure_future(answerer.answer(join, NOW))
        await asyncio.sleep(0.2)
        assert not waiting.done()
        os.kill(child.pid, signal.SIGKILL)
        return await asyncio.wait_for(waiting, timeout=30)

    try:
        with pytest.raises(AnsweringFailed):
            asyncio.run(answer_while_the_child_dies())
    finally:
        answerer.close()
    with Session(engine) as session:
        assert session.exec(select(InboundMessage)).all() == []


def test_the_app_starts_and_stops_its_answering_processes(
    settings: Settings, runtime: Runtime, auth_token: str
) -> None:
    settings = settings.model_copy(update={"answer_processes": 1})
    app = create_app(settings, Runtime(settings, runtime.engine, runtime.catalog))
    answerer = app.state.runtime.answerer
    assert isinstance(answerer, ProcessAnswerer)
    form = inbound_form("+14155550199", "JOIN", SERVICE_NUMBER, "SM" + "5" * 32)
    signature = sign(auth_token, f"{PUBLIC_BASE_URL}/sms/inbound", form)
    with TestClient(app) as client:
        child = answerer._lane(0).process
        assert child.is_alive()
        response = client.post("/sms/inbound", data=form, headers={"X-Twilio-Signature": signature})
        assert response.status_code == 200 and "Reply YES" in response.text
    assert not child.is_alive()  # stopped with the app
