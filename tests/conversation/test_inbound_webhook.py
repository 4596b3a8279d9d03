"""POST /sms/inbound through the real app, signed as Twilio signs, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from service.conversation.models import InboundMessage
from service.dispatch.models import OutboundMessage
from service.phone_simulator import inbound_form
from service.sms_encoding import Encoding, segment_info
from service.subscribers.models import ConsentEvent, ConsentKind, ConsentMethod, Subscriber
from service.webhooks import sign
from service.wins.models import Win
from tests.conftest import PUBLIC_BASE_URL, a_prompt_was_sent
from tests.phone import SERVICE_NUMBER, Phone


def subscriber(engine: Engine, number: str) -> Subscriber | None:
    with Session(engine) as session:
        return session.exec(select(Subscriber).where(Subscriber.phone == number)).first()


def consent_log(engine: Engine, number: str) -> list[tuple[ConsentKind, ConsentMethod, str | None]]:
    with Session(engine) as session:
        events = session.exec(
            select(ConsentEvent).where(ConsentEvent.phone == number).order_by(col(ConsentEvent.id))
        ).all()
        return [(e.kind, e.method, e.text) for e in events]


def test_join_confirm_help_stop_and_the_consent_log(phone: Phone, engine: Engine) -> None:
    confirm_request = phone.text("Join")
    assert confirm_request is not None
    for required in ("YES", "Msg & data rates may apply", "HELP", "STOP", "Closer", "a week"):
        assert required in confirm_request
    record = subscriber(engine, phone.number)
    assert record is not None and record.status == "pending"
    assert record.timezone == "America/Los_Angeles"  # inferred from the 415 area code

    assert "Welcome" in (phone.text("YES") or "")
    record = subscriber(engine, phone.number)
    assert record is not None and record.status == "active" and record.next_prompt_at is not None

    help_reply = phone.text("help")
    assert help_reply is not None
    for required in ("Closer", "help@closer.example", "Msg & data rates may apply", "STOP"):
        assert required in help_reply

    assert phone.text("STOP") == "Closer: you're unsubscribed and will get no more messages."
    record = subscriber(engine, phone.number)
    assert record is not None and record.status == "opted_out" and record.next_prompt_at is None
    assert phone.text("are you there?") is None

    back = phone.text("START")
    assert back is not None and "Msg & data rates may apply" in back and "STOP" in back
    assert consent_log(engine, phone.number) == [
        (ConsentKind.OPT_IN, ConsentMethod.KEYWORD, "Join"),
        (ConsentKind.CONFIRMATION, ConsentMethod.KEYWORD, "YES"),
        (ConsentKind.OPT_OUT, ConsentMethod.KEYWORD, "STOP"),
        (ConsentKind.RESUBSCRIBE, ConsentMethod.KEYWORD, "START"),
    ]


def test_every_system_reply_is_one_gsm7_segment(phone: Phone) -> None:
    replies = [phone.text(text) for text in ("JOIN", "YES", "MENU", "WINS", "STOP")]
    replies.append(phone.other("+12125550199").text("hello"))
    for reply in replies:
        assert reply is not None
        info = segment_info(reply)
        assert (info.encoding, info.segments) == (Encoding.GSM7, 1), reply


def test_help_points_to_support_lines_within_two_segments(phone: Phone) -> None:
    reply = phone.text("HELP")
    assert reply is not None and "988" in reply and "911" in reply
    info = segment_info(reply)
    assert (info.encoding, info.segments) == (Encoding.GSM7, 2), reply


def test_twilio_opt_out_type_means_no_reply_of_ours(phone: Phone, engine: Engine) -> None:
    phone.text("JOIN")
    phone.text("YES")
    assert phone.text("STOP", OptOutType="STOP") is None
    record = subscriber(engine, phone.number)
    assert record is not None and record.status == "opted_out"
    assert consent_log(engine, phone.number)[-1][:2] == (
        ConsentKind.OPT_OUT,
        ConsentMethod.TWILIO_OPT_OUT_TYPE,
    )


def test_free_text_stop_and_ordinary_messages(phone: Phone, engine: Engine) -> None:
    phone.text("JOIN")
    phone.text("YES")
    a_prompt_was_sent(engine, phone.number)
    ack = phone.text("I can't stop smiling after that hug")
    assert ack is not None
    record = subscriber(engine, phone.number)
    assert record is not None and record.status == "active"
    with Session(engine) as session:
        assert len(session.exec(select(Win)).all()) == 1
    assert phone.text("Please stop texting me") == (
        "Closer: you're unsubscribed and will get no more messages."
    )
    assert consent_log(engine, phone.number)[-1][1] == ConsentMethod.FREE_TEXT


def test_a_new_number_texting_anything_else_learns_how_to_join(
    phone: Phone, engine: Engine
) -> None:
    reply = phone.text("hi, who is this?")
    assert reply is not None and "JOIN" in reply
    assert subscriber(engine, phone.number) is None


def test_repeated_message_sid_changes_nothing(phone: Phone, engine: Engine) -> None:
    first = phone.post("JOIN", message_sid="SM" + "a" * 32)
    assert first.status_code == 200 and "<Message>" in first.text
    again = phone.post("STOP", message_sid="SM" + "a" * 32)
    assert again.status_code == 200
    assert "<Message>" not in again.text
    record = subscriber(engine, phone.number)
    assert record is not None and record.status == "pending"
    with Session(engine) as session:
        assert len(session.exec(select(InboundMessage)).all()) == 1


def test_every_accepted_message_is_stored_with_its_text(phone: Phone, engine: Engine) -> None:
    phone.text("JOIN")
    phone.text("YES")
    phone.text("We danced in the kitchen")
    with Session(engine) as session:
        bodies = [
            m.body for m in session.exec(select(InboundMessage).order_by(col(InboundMessage.id)))
        ]
        replies = session.exec(select(OutboundMessage)).all()
    assert bodies == ["JOIN", "YES", "We danced in the kitchen"]
    assert len(replies) == 3


def test_missing_or_wrong_signature_is_refused(client: TestClient, auth_token: str) -> None:
    form = inbound_form("+14155550123", "JOIN", SERVICE_NUMBER, "SM" + "b" * 32)
    assert client.post("/sms/inbound", data=form).status_code == 403
    wrong = sign("not-the-token", f"{PUBLIC_BASE_URL}/sms/inbound", form)
    assert (
        client.post("/sms/inbound", data=form, headers={"X-Twilio-Signature": wrong}).status_code
        == 403
    )
    # Signed for another URL (as a proxy's Host header would suggest): still refused.
    elsewhere = sign(auth_token, "http://testserver/sms/inbound", form)
    response = client.post("/sms/inbound", data=form, headers={"X-Twilio-Signature": elsewhere})
    assert response.status_code == 403


def test_signature_covers_the_query_string(client: TestClient, auth_token: str) -> None:
    form = inbound_form("+14155550123", "JOIN", SERVICE_NUMBER, "SM" + "c" * 32)
    url = f"{PUBLIC_BASE_URL}/sms/inbound?program=spring"
    headers = {"X-Twilio-Signature": sign(auth_token, url, form)}
    assert client.post("/sms/inbound?program=spring", data=form, headers=headers).status_code == 200
    assert client.post("/sms/inbound?program=autumn", data=form, headers=headers).status_code == 403


def _signed(client: TestClient, auth_token: str, form: dict[str, str]) -> int:
    signature = sign(auth_token, f"{PUBLIC_BASE_URL}/sms/inbound", form)
    response = client.post("/sms/inbound", data=form, headers={"X-Twilio-Signature": signature})
    assert "detail" in response.json()
    return response.status_code


def test_malformed_requests_get_a_clear_4xx(client: TestClient, auth_token: str) -> None:
    base = inbound_form("+14155550123", "JOIN", SERVICE_NUMBER, "SM" + "d" * 32)
    assert _signed(client, auth_token, {k: v for k, v in base.items() if k != "From"}) == 400
    assert _signed(client, auth_token, base | {"From": "not a number"}) == 400
    assert _signed(client, auth_token, base | {"MessageSid": "", "SmsSid": ""}) == 400
    assert _signed(client, auth_token, base | {"Body": "x" * 2000}) == 413
    huge = client.post(
        "/sms/inbound",
        content=b"Body=" + b"x" * 100_000,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert huge.status_code == 413
    json_body = client.post("/sms/inbound", json={"From": "+14155550123"})
    assert json_body.status_code == 415


def test_oversized_fields_and_nul_bytes_never_reach_the_database(
    client: TestClient, auth_token: str, phone: Phone, engine: Engine
) -> None:
    base = inbound_form("+14155550123", "JOIN", SERVICE_NUMBER, "SM" + "e" * 32)
    assert _signed(client, auth_token, base | {"To": "+1" * 40}) == 400
    assert _signed(client, auth_token, base | {"OptOutType": "STOP" * 10}) == 400
    assert "Msg & data rates" in (phone.text("JO\x00IN") or "")


def test_nul_bytes_in_any_field_are_dropped(client: TestClient, auth_token: str) -> None:
    form = inbound_form("+14155550123", "JOIN", SERVICE_NUMBER, "SM\x00" + "9" * 30)
    signature = sign(auth_token, f"{PUBLIC_BASE_URL}/sms/inbound", form)
    response = client.post("/sms/inbound", data=form, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200 and "<Message>" in response.text


def test_a_text_that_cannot_be_answered_is_still_stored(
    phone: Phone, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Answering fails after the subscriber's rows were touched: none of that half-answer is
    kept, but the text itself is, linked to its sender, and Twilio gets an empty answer."""
    phone.text("JOIN")
    phone.text("YES")

    def broken_reply(*_: object) -> str:
        raise RuntimeError("a bug while wording the reply")

    monkeypatch.setattr("service.conversation.inbound.render_reply", broken_reply)
    response = phone.post("We went for a walk")
    assert response.status_code == 200 and "<Message>" not in response.text
    record = subscriber(engine, phone.number)
    assert record is not None
    with Session(engine) as session:
        stored = session.exec(
            select(InboundMessage).where(InboundMessage.body == "We went for a walk")
        ).one()
        wins = session.exec(select(Win)).all()
    assert stored.subscriber_id == record.id
    assert wins == []  # the win was written before the failure and rolled back with it
