"""POST /sms/inbound through the real app, signed as Twilio signs, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime
import logging
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from service.conversation import inbound
from service.conversation.inbound import InboundText, receive, receive_batch
from service.conversation.models import InboundMessage
from service.deps import Runtime
from service.dispatch.models import OutboundMessage
from service.phone_simulator import inbound_form, sign
from service.sms_encoding import Encoding, segment_info
from service.subscribers.models import ConsentEvent, ConsentKind, ConsentMethod, Subscriber
from service.wins.models import Win
from tests.conftest import PUBLIC_BASE_URL
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


def answered_again(caplog: pytest.LogCaptureFixture) -> bool:
    """Whether a batch failed and was answered again text by text (receive_batch's log)."""
    return any("again text by text" in record.getMessage() for record in caplog.records)


def answered_straight(
    runtime: Runtime,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
    script: list[tuple[str, str]],
    now: datetime.datetime,
) -> list[str | None]:
    """The replies to (phone, body) texts answered as one batch, which must not have had to
    be answered again text by text."""
    texts = [
        (InboundText(f"SM{n:032d}", phone, body), now) for n, (phone, body) in enumerate(script)
    ]
    with caplog.at_level(logging.DEBUG, logger="service.conversation.inbound"):
        replies = receive_batch(engine, runtime.settings, runtime.catalog, texts)
    assert not answered_again(caplog)
    return replies


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


def test_one_failing_text_in_a_batch_leaves_the_others_answered(
    runtime: Runtime,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A batch normally runs without savepoints; one text that fails (a retried MessageSid, a
    bug) sends the whole batch round again text by text. The others get the answers they would
    have had, and every new text is stored exactly once."""
    now = datetime.datetime(2026, 3, 10, 20, 0, tzinfo=datetime.UTC)
    settings, catalog = runtime.settings, runtime.catalog
    phones = ["+14155550101", "+14155550102", "+14155550103"]
    for n, number in enumerate(phones):
        for step, body in enumerate(("JOIN", "YES")):
            receive(engine, settings, catalog, InboundText(f"SM{n}{step:031d}", number, body), now)
    real_tone = inbound.sounds_discouraged

    def fails_for_one_text(body: str) -> bool:
        if "cursed" in body:
            raise RuntimeError("a bug while reading this one text")
        return real_tone(body)

    monkeypatch.setattr(inbound, "sounds_discouraged", fails_for_one_text)
    batch = [
        InboundText("SM" + "1" * 32, phones[0], "We cooked dinner together"),
        InboundText(f"SM0{1:031d}", phones[1], "a retry of YES that Twilio already sent"),
        InboundText("SM" + "3" * 32, phones[2], "A cursed walk in the rain"),
        InboundText("SM" + "4" * 32, phones[1], "We laughed at an old photo"),
    ]
    with caplog.at_level(logging.DEBUG, logger="service.conversation.inbound"):
        replies = receive_batch(engine, settings, catalog, [(text, now) for text in batch])
    assert answered_again(caplog)

    assert replies[0] is not None and "first this week" in replies[0]
    assert replies[1] is None  # Twilio's retry: already answered once
    assert replies[2] is None  # could not be answered, but stored below
    assert replies[3] is not None and "first this week" in replies[3]
    with Session(engine) as session:
        stored = session.exec(select(InboundMessage.message_sid)).all()
        wins = session.exec(select(Win.subscriber_id)).all()
        owners = {s.phone: s.id for s in session.exec(select(Subscriber)).all() if s.id is not None}
    assert sorted(stored) == sorted(
        [f"SM{n}{step:031d}" for n in range(3) for step in range(2)]
        + ["SM" + "1" * 32, "SM" + "3" * 32, "SM" + "4" * 32]
    )
    assert sorted(wins) == sorted([owners[phones[0]], owners[phones[1]]])


def test_a_connection_whose_batch_failed_answers_the_next_batch_straight(
    runtime: Runtime, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """A batch that fails (here it holds Twilio's retry of a text) is rolled back whole on the
    connection an answering lane holds; that connection then answers the next batch in one
    go, with nothing left over from the failed attempt."""
    now = datetime.datetime(2026, 3, 10, 20, 0, tzinfo=datetime.UTC)
    number = "+14155550141"
    settings, catalog = runtime.settings, runtime.catalog
    join = InboundText("SM" + "5" * 32, number, "JOIN")
    confirm = InboundText("SM" + "6" * 32, number, "YES")
    reply = InboundText("SM" + "7" * 32, number, "We cooked dinner together")
    with engine.connect() as held, caplog.at_level(logging.DEBUG, inbound.__name__):
        assert "Reply YES" in (
            receive_batch(engine, settings, catalog, [(join, now)], held)[0] or ""
        )
        replies = receive_batch(engine, settings, catalog, [(join, now), (confirm, now)], held)
        assert replies[0] is None and "Welcome to" in (replies[1] or "")
        assert answered_again(caplog)
        caplog.clear()
        replies = receive_batch(engine, settings, catalog, [(reply, now)], held)
        assert not answered_again(caplog)
    assert "first this week" in (replies[0] or "")


def test_one_sender_s_texts_in_one_batch_are_answered_as_one_after_another(
    runtime: Runtime, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """On PostgreSQL a batch locks and reads all its senders at once, and waits for the
    database only where a result is needed; a sender who texts several times in one batch
    (here a new number joining) is still answered in order: a win links to the prompt asked
    for just before it, and the history keeps the replies in the order they were sent."""
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
    replies = answered_straight(runtime, engine, caplog, script, now)
    assert "Reply YES" in (replies[0] or "")
    assert "JOIN" in (replies[1] or "")  # a stranger learns how to join
    assert "Welcome to" in (replies[2] or "")
    assert "first this week" in (replies[4] or "")
    assert "second this week" in (replies[5] or "")
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
    ] * 2


def test_a_batch_stores_each_text_as_its_owner_stood_when_it_was_answered(
    runtime: Runtime, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """A batch stores its texts first, all at once, and writes the subscribers as answered
    at its end. A new number's texts from its JOIN on belong to the subscriber JOIN made,
    the one before it to nobody (as answered one after another), and a subscriber answered
    several times in the batch ends in the state of its last text, with its consent log in
    order."""
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
    replies = answered_straight(runtime, engine, caplog, script, now)
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
