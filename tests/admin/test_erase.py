"""Erasing a subscriber: data gone, an anonymised consent tombstone kept, never texted again."""

from __future__ import annotations

import asyncio
import datetime

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from service.admin.erase import erase_subscriber
from service.admin.erased import ErasedNumber, phone_digest, tombstone_phone
from service.conversation.models import InboundMessage
from service.deps import Runtime
from service.dispatch.dispatcher import Dispatcher
from service.dispatch.models import OutboundMessage
from service.dispatch.worker import make_transport
from service.settings import Settings
from service.subscribers.models import ConsentEvent, ConsentMethod, Subscriber
from service.wins.models import Win
from tests.admin.conftest import AUTH
from tests.conftest import a_prompt_was_sent
from tests.phone import Phone


def _count(engine: Engine, model: type, *where: object) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(model).where(*where)).one())  # type: ignore[arg-type]


def _join_and_reply(phone: Phone, engine: Engine) -> int:
    phone.text("JOIN")
    phone.text("YES")
    a_prompt_was_sent(engine, phone.number)
    phone.text("We danced in the kitchen")
    response = phone.client.get("/admin/subscribers", params={"number": phone.number}, headers=AUTH)
    return int(response.json()["items"][0]["id"])


def test_erasing_removes_messages_and_personal_data(
    client: TestClient, phone: Phone, engine: Engine
) -> None:
    other = phone.other("+14155550999")
    other.text("JOIN")
    subscriber_id = _join_and_reply(phone, engine)

    response = client.delete(f"/admin/subscribers/{subscriber_id}", headers=AUTH)
    assert response.status_code == 200
    assert response.json() == {
        "subscriber_id": subscriber_id,
        "messages_deleted": 7,  # a prompt, three texts in, three replies out
        "wins_deleted": 1,
        "consent_events_kept": 3,  # JOIN, YES, and the opt-out that erasing is
    }
    number = phone.number
    assert _count(engine, Subscriber, col(Subscriber.phone) == number) == 0
    assert _count(engine, InboundMessage, col(InboundMessage.phone) == number) == 0
    assert _count(engine, OutboundMessage, col(OutboundMessage.phone) == number) == 0
    assert _count(engine, Win) == 0
    with Session(engine) as session:
        events = session.exec(select(ConsentEvent).order_by(col(ConsentEvent.id))).all()
        kept = [e for e in events if e.phone == tombstone_phone(number)]
        assert [e.kind.value for e in kept] == ["opt_in", "confirmation", "opt_out"]
        assert kept[-1].method is ConsentMethod.OPERATOR
        assert all(e.text is None and e.subscriber_id is None for e in kept)
        assert not any(number in (e.phone, e.text) for e in events)
        assert session.get(ErasedNumber, phone_digest(number)) is not None
    # someone else's record is untouched
    assert _count(engine, Subscriber, col(Subscriber.phone) == other.number) == 1
    assert client.get(f"/admin/subscribers/{subscriber_id}", headers=AUTH).status_code == 404


def test_an_erased_number_is_treated_as_opted_out(
    client: TestClient, phone: Phone, engine: Engine
) -> None:
    subscriber_id = _join_and_reply(phone, engine)
    assert client.delete(f"/admin/subscribers/{subscriber_id}", headers=AUTH).status_code == 200

    assert phone.text("hello?") is None  # an opted-out number hears nothing
    assert phone.text("YES") is not None  # ... until it opts in again, like any opted-out one
    back = client.get("/admin/subscribers", params={"number": phone.number}, headers=AUTH)
    assert back.json()["items"][0]["status"] == "active"


def test_an_erased_number_gets_no_prompt(
    phone: Phone, engine: Engine, settings: Settings, runtime: Runtime
) -> None:
    subscriber_id = _join_and_reply(phone, engine)
    now = datetime.datetime.now(datetime.UTC)
    assert erase_subscriber(engine, subscriber_id, now) is not None
    dispatcher = Dispatcher(engine, settings, runtime.catalog, make_transport(settings))
    report = asyncio.run(dispatcher.tick(now + datetime.timedelta(days=3)))
    assert report.claimed == 0
    assert _count(engine, OutboundMessage, col(OutboundMessage.phone) == phone.number) == 0


def test_erasing_an_opted_out_subscriber_adds_no_second_opt_out(
    client: TestClient, phone: Phone, engine: Engine
) -> None:
    subscriber_id = _join_and_reply(phone, engine)
    phone.text("STOP")
    erased = client.delete(f"/admin/subscribers/{subscriber_id}", headers=AUTH).json()
    assert erased["consent_events_kept"] == 3  # JOIN, YES, STOP
    with Session(engine) as session:
        methods = session.exec(select(ConsentEvent.method)).all()
    assert ConsentMethod.OPERATOR not in methods


def test_erasing_twice_and_erasing_nobody(client: TestClient, phone: Phone, engine: Engine) -> None:
    first = _join_and_reply(phone, engine)
    assert client.delete(f"/admin/subscribers/{first}", headers=AUTH).status_code == 200
    assert client.delete(f"/admin/subscribers/{first}", headers=AUTH).status_code == 404
    phone.text("START")  # back again, then erased again: one digest row, no error
    second = client.get("/admin/subscribers", headers=AUTH).json()["items"][0]["id"]
    assert client.delete(f"/admin/subscribers/{second}", headers=AUTH).status_code == 200
    assert _count(engine, ErasedNumber) == 1
    assert _count(engine, Subscriber) == 0
