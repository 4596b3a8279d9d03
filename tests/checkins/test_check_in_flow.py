"""The monthly check-in end to end: asked by a real tick through the local Twilio, answered by
a signed webhook, kept apart from wins, charted on the dashboard, exported, erased; on SQLite
and PostgreSQL."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from service.checkins.models import CheckIn
from service.deps import Runtime
from service.dispatch.dispatcher import Dispatcher
from service.dispatch.models import OutboundKind, OutboundMessage, OutboundStatus
from service.subscribers.models import Subscriber
from service.wins.models import Win
from tests.conftest import ADMIN_TOKEN
from tests.dispatch.conftest import add_active, run_tick
from tests.fake_twilio import FakeTwilio
from tests.phone import Phone

UTC = datetime.UTC
# Monday 2 March 2026, 09:00 in Los Angeles (the phone's 415 number).
T0 = datetime.datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
MONTH_AND_A_HALF = datetime.timedelta(days=45)
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def member(engine: Engine, number: str) -> Subscriber:
    with Session(engine) as session:
        return session.exec(select(Subscriber).where(Subscriber.phone == number)).one()


def sent_to(engine: Engine, number: str) -> list[OutboundMessage]:
    """What the schedule sent this number, oldest first."""
    with Session(engine) as session:
        return list(
            session.exec(
                select(OutboundMessage)
                .where(
                    OutboundMessage.phone == number,
                    col(OutboundMessage.kind).in_((OutboundKind.PROMPT, OutboundKind.CHECK_IN)),
                    OutboundMessage.status == OutboundStatus.ACCEPTED,
                )
                .order_by(col(OutboundMessage.id))
            )
        )


def tick_until_check_in(
    runtime: Runtime, engine: Engine, dispatcher: Dispatcher, number: str
) -> OutboundMessage:
    """Ticks at each of the member's prompt slots until one of them is the check-in."""
    while True:
        at = member(engine, number).next_prompt_at
        assert at is not None and at < T0 + MONTH_AND_A_HALF, "no check-in came"
        runtime.clock = lambda at=at: at
        assert run_tick(dispatcher, at).sent >= 1
        latest = sent_to(engine, number)[-1]
        if latest.kind is OutboundKind.CHECK_IN:
            return latest


@pytest.fixture
def asked(
    client: TestClient,
    runtime: Runtime,
    phone: Phone,
    engine: Engine,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> OutboundMessage:
    """An English member who joined at T0, ticked slot by slot to their first check-in."""
    runtime.clock = lambda: T0
    phone.join()
    return tick_until_check_in(runtime, engine, dispatcher, phone.number)


def answers(engine: Engine) -> list[CheckIn]:
    with Session(engine) as session:
        return list(session.exec(select(CheckIn).order_by(col(CheckIn.id))))


def wins(engine: Engine) -> list[Win]:
    with Session(engine) as session:
        return list(session.exec(select(Win)))


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def answered(asked: OutboundMessage, runtime: Runtime, phone: Phone) -> datetime.datetime:
    """The member answers their check-in with a 4, two hours after it came; when."""
    at = asked.created_at + datetime.timedelta(hours=2)
    runtime.clock = lambda: at
    assert phone.text("4") == "Thank you for telling us. We'll ask again in about a month."
    return at


def test_a_check_in_comes_a_month_in_and_its_score_is_kept_apart_from_wins(
    asked: OutboundMessage,
    runtime: Runtime,
    phone: Phone,
    engine: Engine,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    before = sent_to(engine, phone.number)[:-1]
    assert len(before) >= 2 and all(m.kind is OutboundKind.PROMPT for m in before)
    assert asked.created_at - T0 >= datetime.timedelta(days=28)
    [question] = [m.body for m in fake_twilio.messages if "1 (far)" in m.body]
    assert "how close have you felt to your partner this month" in question
    assert asked.body == question

    answered(asked, runtime, phone)
    [kept] = answers(engine)
    assert (kept.score, kept.programme_month, kept.language) == (4, 1, "en")
    assert kept.outbound_id == asked.id and kept.asked_at == asked.created_at
    assert wins(engine) == []  # a check-in's score is not a small win
    phone.text("5")  # a second score, or any text after the check-in, counts for nothing
    phone.text("we have been busy")
    assert len(answers(engine)) == 1 and wins(engine) == []

    # The next slot is a prompt again: a check-in is once a month.
    at = member(engine, phone.number).next_prompt_at
    assert at is not None
    run_tick(dispatcher, at)
    assert sent_to(engine, phone.number)[-1].kind is OutboundKind.PROMPT


def test_an_answer_is_charted_on_the_dashboard(
    asked: OutboundMessage, browser: TestClient, runtime: Runtime, phone: Phone, engine: Engine
) -> None:
    at = answered(asked, runtime, phone)
    assert browser.post("/login", data={"token": ADMIN_TOKEN}).status_code == 303
    page = browser.get("/").text
    assert "Closeness check-in" in page and "no control group" in page
    by_month = re.search(r'id="chart-closeness-month">.*?</figure>', page, re.S)
    assert by_month is not None and f"{at:%b %Y}: 4" in by_month.group()
    by_tenure = re.search(r'id="chart-closeness-tenure">.*?</figure>', page, re.S)
    assert by_tenure is not None and "Month 1: 4" in by_tenure.group()

    # The member's timeline names the answer for what it is.
    subscriber_id = member(engine, phone.number).id
    timeline = browser.get(f"/subscribers/{subscriber_id}").text
    assert "check-in answer: 4 of 5" in timeline


def test_an_answer_is_exported_without_the_number_and_erased_with_the_member(
    asked: OutboundMessage,
    client: TestClient,
    browser: TestClient,
    runtime: Runtime,
    phone: Phone,
    engine: Engine,
) -> None:
    at = answered(asked, runtime, phone)
    assert browser.post("/login", data={"token": ADMIN_TOKEN}).status_code == 303
    exported = browser.get("/export/check-ins.csv")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert client.get("/admin/export/check-ins.csv", headers=AUTH).text == exported.text
    [row] = csv_rows(exported.text)
    assert row["date"] == at.date().isoformat()
    assert (row["score"], row["month_in_programme"], row["language"]) == ("4", "1", "en")
    assert re.fullmatch(r"[0-9a-f]{16}", row["member"])
    assert phone.number[-4:] not in exported.text

    subscriber_id = member(engine, phone.number).id
    assert client.delete(f"/admin/subscribers/{subscriber_id}", headers=AUTH).status_code == 200
    assert answers(engine) == []
    assert csv_rows(client.get("/admin/export/check-ins.csv", headers=AUTH).text) == []


def test_an_answer_after_3_days_is_not_kept(
    asked: OutboundMessage, runtime: Runtime, phone: Phone, engine: Engine
) -> None:
    late = asked.created_at + datetime.timedelta(days=3, minutes=1)
    runtime.clock = lambda: late
    reply = phone.text("4") or ""
    assert "Thank you for telling us" not in reply
    assert answers(engine) == [] and wins(engine) == []


def test_only_a_plain_score_is_kept_and_a_low_one_gets_warmth_without_cheer(
    asked: OutboundMessage, runtime: Runtime, phone: Phone, engine: Engine
) -> None:
    runtime.clock = lambda: asked.created_at + datetime.timedelta(hours=1)
    phone.text("2 kids down with the flu this week")
    assert answers(engine) == [] and wins(engine) == []  # heard as any text, counted as nothing
    low = phone.text("2") or ""
    assert "PAUSE" in low and "MENU" in low and "!" not in low
    assert [a.score for a in answers(engine)] == [2]


def test_a_newer_prompt_closes_the_check_in(
    asked: OutboundMessage, runtime: Runtime, phone: Phone, engine: Engine
) -> None:
    runtime.clock = lambda: asked.created_at + datetime.timedelta(minutes=30)
    assert "1 (far)" not in (phone.text("NEW") or "")  # a prompt, here and now
    phone.text("4")
    assert answers(engine) == []
    assert len(wins(engine)) == 1  # "4" is the first reply to the newer prompt


def test_a_spanish_member_is_asked_in_spanish(
    client: TestClient,
    runtime: Runtime,
    phone: Phone,
    engine: Engine,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    runtime.clock = lambda: T0
    assert "SI" in (phone.text("UNIRME") or "")
    phone.text("SI")
    check_in = tick_until_check_in(runtime, engine, dispatcher, phone.number)
    assert "¿qué tan cerca te has sentido de tu pareja este mes" in check_in.body
    runtime.clock = lambda: check_in.created_at + datetime.timedelta(days=1)
    assert (phone.text("cuatro") or "").startswith("Gracias por contarnos.")
    assert [(a.score, a.language) for a in answers(engine)] == [(4, "es")]


def test_a_shared_question_due_goes_first_and_the_check_in_follows(
    client: TestClient,
    runtime: Runtime,
    phone: Phone,
    engine: Engine,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    runtime.clock = lambda: T0
    phone.join()
    while (at := member(engine, phone.number).next_prompt_at) and at < T0 + datetime.timedelta(
        days=28
    ):
        runtime.clock = lambda at=at: at
        run_tick(dispatcher, at)
    partner = phone.other("+14155550399")
    partner.join()
    [code] = re.findall(r"\b\d{6}\b", phone.text("PAIR") or "")
    assert "paired" in (partner.text(f"PAIR {code}") or "")
    kinds = []
    for _ in range(2):
        at = member(engine, phone.number).next_prompt_at
        assert at is not None
        runtime.clock = lambda at=at: at
        run_tick(dispatcher, at)
        latest = sent_to(engine, phone.number)[-1]
        kinds.append((latest.kind, latest.body.startswith("For you both:")))
    assert kinds == [(OutboundKind.PROMPT, True), (OutboundKind.CHECK_IN, False)]


def test_a_long_time_member_s_first_prompt_is_never_the_check_in(
    engine: Engine, dispatcher: Dispatcher, fake_twilio: FakeTwilio
) -> None:
    number = "+12125550177"
    add_active(engine, [number], T0 - datetime.timedelta(days=90))  # joined 90 days ago
    run_tick(dispatcher, T0)  # 12:00 in New York
    assert [m.kind for m in sent_to(engine, number)] == [OutboundKind.PROMPT]
