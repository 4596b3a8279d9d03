"""One question for two, each answer revealed once both have replied: over signed webhooks
and real ticks, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime
import secrets
import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from service.conversation.inbound import InboundText, receive
from service.couples.models import SharedQuestion
from service.deps import Runtime
from service.dispatch.dispatcher import Dispatcher
from service.subscribers.models import Subscriber
from tests.conftest import ADMIN_TOKEN
from tests.couples.helpers import both_asked, next_prompt, notices_to, paired
from tests.dispatch.conftest import run_tick
from tests.fake_twilio import FakeTwilio
from tests.phone import Phone

T0 = datetime.datetime(2026, 3, 10, 16, 0, tzinfo=datetime.UTC)  # noon in New York


def test_both_get_one_question_and_each_sees_the_other_s_answer_once_both_replied(
    client: TestClient,
    runtime: Runtime,
    phone: Phone,
    engine: Engine,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    runtime.clock = lambda: T0
    partner = phone.other("+14155550301")
    paired(phone, partner)
    first = next_prompt(engine, phone.number)
    runtime.clock = lambda: first
    assert run_tick(dispatcher, first).sent >= 1
    mine = [m.body for m in fake_twilio.messages if m.to == phone.number and "both" in m.body]
    assert mine and mine[0].startswith("For you both:")  # after the notice that they paired
    runtime.clock = lambda: first + datetime.timedelta(minutes=10)
    kept = phone.text("The night we got lost and laughed") or ""
    assert "waits for your partner's" in kept
    second = next_prompt(engine, partner.number)
    runtime.clock = lambda: second
    run_tick(dispatcher, second)
    theirs = [m.body for m in fake_twilio.messages if m.to == partner.number and "both" in m.body]
    assert theirs == mine[:1]  # the same question, word for word
    runtime.clock = lambda: second + datetime.timedelta(minutes=5)
    reveal = partner.text("When you made soup for me") or ""
    assert 'Your partner answered: "The night we got lost and laughed"' in reveal
    assert any('"When you made soup for me"' in body for body in notices_to(engine, phone.number))
    with Session(engine) as session:
        [question] = session.exec(select(SharedQuestion)).all()
    assert question.revealed_at is not None
    later = partner.text("and the bread too") or ""
    assert "answered" not in later  # revealed once, never again
    # The week's recap says what the two did together.
    with Session(engine) as session:
        member = session.exec(select(Subscriber).where(Subscriber.phone == phone.number)).one()
    assert member.next_recap_at is not None
    runtime.clock = lambda: member.next_recap_at
    seen = len(fake_twilio.messages)
    run_tick(dispatcher, member.next_recap_at)
    recap = [m.body for m in fake_twilio.messages[seen:] if m.to == phone.number]
    assert any("one question" in body for body in recap), recap


def test_a_safety_concern_is_never_forwarded_and_stops_the_reveal(
    client: TestClient,
    runtime: Runtime,
    phone: Phone,
    engine: Engine,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    partner = phone.other("+14155550302")
    both_asked(runtime, engine, dispatcher, phone, partner, T0)
    concern = "he said he will kill me if I leave"
    phone.text(concern)
    reply = partner.text("Our first dance") or ""
    assert "answered" not in reply
    assert not any(concern in body for body in notices_to(engine, partner.number))
    with Session(engine) as session:
        [question] = session.exec(select(SharedQuestion)).all()
    assert question.closed_at is not None and question.revealed_at is None


def test_erasing_a_partner_erases_the_pair_and_its_answers(
    client: TestClient,
    runtime: Runtime,
    phone: Phone,
    engine: Engine,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    runtime.clock = lambda: T0
    partner = phone.other("+14155550303")
    paired(phone, partner)
    first = next_prompt(engine, phone.number)
    runtime.clock = lambda: first
    run_tick(dispatcher, first)
    phone.text("Our kitchen dance")
    with Session(engine) as session:
        member = session.exec(select(Subscriber).where(Subscriber.phone == phone.number)).one()
    erased = client.delete(
        f"/admin/subscribers/{member.id}", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
    )
    assert erased.status_code == 200
    with Session(engine) as session:
        assert session.exec(select(SharedQuestion)).all() == []
    assert "not paired" in (partner.text("UNPAIR") or "")


def test_one_reminder_after_a_day_and_the_question_closes_unshared_after_two(
    client: TestClient,
    runtime: Runtime,
    phone: Phone,
    engine: Engine,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    partner = phone.other("+14155550304")
    both_asked(runtime, engine, dispatcher, phone, partner, T0)
    with Session(engine) as session:
        [question] = session.exec(select(SharedQuestion)).all()
    runtime.clock = lambda: question.created_at + datetime.timedelta(hours=2)
    phone.text("Sunday mornings")
    for hours in (25, 26):  # one reminder, however many passes run
        run_tick(dispatcher, question.created_at + datetime.timedelta(hours=hours))
    nudges = [b for b in notices_to(engine, partner.number) if "gentle nudge" in b]
    sent = [m.body for m in fake_twilio.messages if m.to == partner.number]
    assert len([b for b in nudges + sent if "gentle nudge" in b]) == 1
    assert not any("gentle nudge" in m.body for m in fake_twilio.messages if m.to == phone.number)
    run_tick(dispatcher, question.created_at + datetime.timedelta(hours=49))
    told = notices_to(engine, phone.number) + [
        m.body for m in fake_twilio.messages if m.to == phone.number
    ]
    assert any("stays just yours" in body for body in told)
    runtime.clock = lambda: question.created_at + datetime.timedelta(hours=50)
    assert "answered" not in (partner.text("Late answer") or "")  # closed: never revealed


def test_both_answering_at_the_same_instant_reveal_exactly_once_to_each(
    client: TestClient,
    runtime: Runtime,
    phone: Phone,
    engine: Engine,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    partner = phone.other("+14155550305")
    both_asked(runtime, engine, dispatcher, phone, partner, T0)
    with Session(engine) as session:
        [question] = session.exec(select(SharedQuestion)).all()
    now = question.created_at + datetime.timedelta(hours=3)
    start = threading.Barrier(2)
    replies: dict[str, str | None] = {}

    def answer(number: str, body: str) -> None:
        start.wait()
        text = InboundText("SM" + secrets.token_hex(16), number, body)
        replies[number] = receive(engine, runtime.settings, runtime.catalog, text, now)

    threads = [
        threading.Thread(target=answer, args=(phone.number, "The lake")),
        threading.Thread(target=answer, args=(partner.number, "The mountains")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    in_replies = [r for r in replies.values() if r and "answered:" in r]
    notices = [b for n in (phone.number, partner.number) for b in notices_to(engine, n)]
    in_notices = [b for b in notices if "answered:" in b]
    assert len(in_replies) == 1 and len(in_notices) == 1


@pytest.mark.parametrize("text", ["WINS", "hi?", "who is this?", "how often will you text?"])
def test_a_command_greeting_or_question_to_us_is_never_kept_as_an_answer(
    client: TestClient,
    runtime: Runtime,
    phone: Phone,
    engine: Engine,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    text: str,
) -> None:
    runtime.clock = lambda: T0
    partner = phone.other("+14155550306")
    paired(phone, partner)
    first = next_prompt(engine, phone.number)
    runtime.clock = lambda: first
    run_tick(dispatcher, first)
    phone.text(text)
    with Session(engine) as session:
        [question] = session.exec(select(SharedQuestion)).all()
    assert question.first_answer is None and question.second_answer is None


def test_a_suspended_pair_gets_no_new_question_and_reveals_nothing_after_resume(
    client: TestClient,
    runtime: Runtime,
    phone: Phone,
    engine: Engine,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    partner = phone.other("+14155550306")
    both_asked(runtime, engine, dispatcher, phone, partner, T0)
    phone.text("I'm scared he will hurt me tonight")  # flagged; the pair is suspended
    later = T0 + datetime.timedelta(days=8)
    runtime.clock = lambda: later
    phone.text("RESUME")  # prompts again, but the flag still awaits an operator's review
    for _ in range(6):
        at = min(next_prompt(engine, m.number) for m in (phone, partner))
        runtime.clock = lambda at=at: at
        run_tick(dispatcher, at)
    with Session(engine) as session:
        questions = session.exec(select(SharedQuestion)).all()
    assert len(questions) == 1  # no new question while suspended
    assert questions[0].revealed_at is None


def test_ending_a_pair_closes_its_question_without_reminder_or_notice(
    client: TestClient,
    runtime: Runtime,
    phone: Phone,
    engine: Engine,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    runtime.clock = lambda: T0
    partner = phone.other("+14155550307")
    paired(phone, partner)
    first = next_prompt(engine, phone.number)
    runtime.clock = lambda: first
    run_tick(dispatcher, first)
    phone.text("The picnic in the rain")  # answered; the partner has not been asked yet
    phone.text("UNPAIR")
    seen = len(fake_twilio.messages)
    for hours in (25, 49):  # past the reminder, then past closing
        at = first + datetime.timedelta(hours=hours)
        runtime.clock = lambda at=at: at
        run_tick(dispatcher, at)
    later = [m.body for m in fake_twilio.messages[seen:]]
    assert not any("unshared" in body or "question" in body.lower() for body in later), later
    with Session(engine) as session:
        [question] = session.exec(select(SharedQuestion)).all()
    assert question.closed_at is not None and question.revealed_at is None
