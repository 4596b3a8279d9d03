"""The conversation's service function, `receive`: one text, one transaction, on SQLite and
PostgreSQL. (The webhook around it is tested in test_inbound_webhook.py.)"""

from __future__ import annotations

import datetime
import logging
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from service.conversation import inbound
from service.conversation.inbound import InboundText, receive
from service.conversation.models import InboundMessage
from service.deps import Runtime
from service.dispatch.models import OutboundMessage
from service.subscribers.models import ConsentKind
from service.wins.models import Win
from tests.conftest import a_prompt_was_sent
from tests.conversation.test_inbound_webhook import consent_log, subscriber


def answered_in_order(
    runtime: Runtime,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
    script: list[tuple[str, str]],
    now: datetime.datetime,
) -> list[str | None]:
    """The replies to (phone, body) texts answered one after another, none of which may
    have failed."""
    replies = []
    with caplog.at_level(logging.ERROR, logger="service.conversation.inbound"):
        for n, (phone, body) in enumerate(script):
            text = InboundText(f"SM{n:032d}", phone, body)
            replies.append(receive(engine, runtime.settings, runtime.catalog, text, now))
    assert not caplog.records
    return replies


def test_two_first_texts_from_a_new_number_at_once(runtime: Runtime, engine: Engine) -> None:
    """Twilio may deliver a new number's first two texts concurrently: both are answered."""
    now = datetime.datetime.now(datetime.UTC)
    texts = [
        InboundText(message_sid=f"SM{n:032d}", phone="+14155550177", body=body)
        for n, body in enumerate(["JOIN", "hello?", "JOIN", "hi"])
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        replies = list(
            pool.map(lambda t: receive(engine, runtime.settings, runtime.catalog, t, now), texts)
        )
    assert all(replies)
    assert subscriber(engine, "+14155550177") is not None


def test_one_sender_s_texts_are_answered_in_order_with_their_history(
    runtime: Runtime, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """A new number joining and texting on: a win links to the prompt asked for just before
    it, and the history keeps the replies in the order they were sent."""
    now = datetime.datetime(2026, 3, 10, 20, 0, tzinfo=datetime.UTC)
    number, other = "+14155550131", "+14155550132"
    script = [
        (number, "JOIN"),
        (other, "hello?"),
        (number, "YES"),
        (number, "NEW"),
        (number, "We cooked dinner together"),
        (number, "We took a walk"),
        (number, "STOP"),
    ]
    replies = answered_in_order(runtime, engine, caplog, script, now)
    assert "Reply YES" in (replies[0] or "")
    assert "JOIN" in (replies[1] or "")  # a stranger learns how to join
    assert "Welcome to" in (replies[2] or "")
    pools = runtime.catalog.acknowledgements
    assert replies[4] in pools["went_well"]  # a small win, heard in its own voice, no counter
    assert replies[5] in pools["neutral"]  # more about the same prompt: heard, not counted
    assert "you're unsubscribed" in (replies[6] or "")
    record = subscriber(engine, number)
    assert record is not None and record.status == "opted_out"
    assert subscriber(engine, other) is None
    with Session(engine) as session:
        kept = session.exec(
            select(OutboundMessage)
            .where(OutboundMessage.subscriber_id == record.id)
            .order_by(col(OutboundMessage.id))
        ).all()
        wins = session.exec(select(Win).order_by(col(Win.id))).all()
    assert [message.body for message in kept] == [replies[0], *replies[2:]]
    asked_for = kept[2]  # the prompt NEW brought
    assert asked_for.kind == "prompt" and asked_for.prompt_id is not None
    assert [(win.outbound_id, win.prompt_id) for win in wins] == [
        (asked_for.id, asked_for.prompt_id)
    ]


def test_each_text_is_stored_as_its_owner_stood_when_it_was_answered(
    runtime: Runtime, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """A new number's texts from its JOIN on belong to the subscriber JOIN made, the one
    before it to nobody; a subscriber ends in the state of its last text, with its consent
    log in order."""
    now = datetime.datetime(2026, 3, 10, 20, 0, tzinfo=datetime.UTC)
    number, other = "+14155550151", "+14155550152"
    script = [
        (number, "hello?"),
        (other, "hi there"),
        (number, "JOIN"),
        (number, "YES"),
        (number, "We cooked dinner together"),
        (number, "STOP"),
        (number, "START"),
        (number, "TIME 7pm"),
    ]
    replies = answered_in_order(runtime, engine, caplog, script, now)
    assert all(replies)

    record = subscriber(engine, number)
    assert record is not None and record.id is not None
    assert record.status == "active" and record.preferred_time == datetime.time(19, 0)
    with Session(engine) as session:
        owners = session.exec(
            select(InboundMessage.message_sid, InboundMessage.subscriber_id).order_by(
                col(InboundMessage.message_sid)
            )
        ).all()
        kept = session.exec(
            select(OutboundMessage.body)
            .where(OutboundMessage.subscriber_id == record.id)
            .order_by(col(OutboundMessage.id))
        ).all()
    assert [owner for _, owner in owners] == [None, None] + [record.id] * 6
    assert list(kept) == replies[2:]
    assert [kind for kind, _, _ in consent_log(engine, number)] == [
        ConsentKind.OPT_IN,
        ConsentKind.CONFIRMATION,
        ConsentKind.OPT_OUT,
        ConsentKind.RESUBSCRIBE,
    ]


def test_a_retried_message_sid_gets_no_reply_and_changes_nothing(
    runtime: Runtime, engine: Engine
) -> None:
    now = datetime.datetime(2026, 3, 10, 20, 0, tzinfo=datetime.UTC)
    join = InboundText("SM" + "5" * 32, "+14155550141", "JOIN")
    assert receive(engine, runtime.settings, runtime.catalog, join, now)
    again = InboundText("SM" + "5" * 32, "+14155550141", "STOP")  # same sid, other words
    assert receive(engine, runtime.settings, runtime.catalog, again, now) is None
    record = subscriber(engine, "+14155550141")
    assert record is not None and record.status == "pending"
    with Session(engine) as session:
        assert len(session.exec(select(InboundMessage)).all()) == 1


def test_a_failure_while_answering_keeps_the_text_and_the_next_one_is_answered(
    runtime: Runtime, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = datetime.datetime(2026, 3, 10, 20, 0, tzinfo=datetime.UTC)
    settings, catalog = runtime.settings, runtime.catalog
    number = "+14155550142"
    for n, body in enumerate(("JOIN", "YES")):
        receive(engine, settings, catalog, InboundText(f"SM{n:032d}", number, body), now)
    real_assess = inbound.assess

    def fails_once(body: str) -> object:
        if "cursed" in body:
            raise RuntimeError("a bug while reading this one text")
        return real_assess(body)

    monkeypatch.setattr(inbound, "assess", fails_once)
    cursed = InboundText("SM" + "3" * 32, number, "A cursed walk in the rain")
    assert receive(engine, settings, catalog, cursed, now) is None
    a_prompt_was_sent(engine, number, now)
    fine = InboundText("SM" + "4" * 32, number, "We laughed at an old photo")
    assert receive(engine, settings, catalog, fine, now) in catalog.acknowledgements["went_well"]
    with Session(engine) as session:
        stored = session.exec(select(InboundMessage.body)).all()
    assert "A cursed walk in the rain" in stored
