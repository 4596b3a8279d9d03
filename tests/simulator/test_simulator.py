"""/simulator: text the service through the signed webhook, advance time, read the replies."""

from __future__ import annotations

import datetime

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from service.app import create_app
from service.conversation.models import InboundMessage
from service.deps import Runtime, read_clock
from service.dispatch.models import OutboundKind, OutboundMessage
from service.settings import Settings, SmsTransportKind
from service.simulator.clock import SIMULATED_NOW, simulated_or_real_now
from service.wins.models import Win
from tests.phone import Phone

PHONE = "+14155550100"


def text(client: TestClient, body: str, offset: int = 0) -> dict[str, object]:
    response = client.post(
        "/simulator/api/text", json={"phone": PHONE, "body": body, "offset_minutes": offset}
    )
    assert response.status_code == 200, response.text
    result: dict[str, object] = response.json()
    return result


def advance(client: TestClient, **step: object) -> dict[str, object]:
    response = client.post("/simulator/api/advance", json={"phone": PHONE, **step})
    assert response.status_code == 200, response.text
    result: dict[str, object] = response.json()
    return result


def inbound_webhooks_served(client: TestClient) -> float:
    for family in text_string_to_metric_families(client.get("/metrics").text):
        for sample in family.samples:
            if (
                sample.name == "nudge_webhook_duration_seconds_count"
                and sample.labels.get("path") == "/sms/inbound"
                and sample.labels.get("status") == "2xx"
            ):
                return sample.value
    return 0.0


def test_join_confirm_prompt_and_reply(
    client: TestClient, engine: Engine, runtime: Runtime
) -> None:
    before = inbound_webhooks_served(client)
    joined = text(client, "JOIN")
    assert "Reply YES" in str(joined["reply"])
    welcome = text(client, "YES")
    assert "Welcome" in str(welcome["reply"])
    assert inbound_webhooks_served(client) == before + 2  # through the signed webhook

    ticked = advance(client, offset_minutes=0, to_next_prompt=True)
    assert ticked["sent"] == 1
    conversation = ticked["conversation"]
    assert isinstance(conversation, dict)
    offset = conversation["offset_minutes"]
    assert offset > 0
    kinds = [(m["direction"], m["kind"]) for m in conversation["messages"]]
    assert kinds == [
        ("sent", "text"),
        ("received", "reply"),
        ("sent", "text"),
        ("received", "reply"),
        ("received", "prompt"),
    ]

    answered = text(client, "We took a walk and talked", offset)
    assert answered["reply"] in runtime.catalog.acknowledgements["went_well"]
    with Session(engine) as session:
        win = session.exec(select(Win)).one()
        prompt = session.exec(
            select(OutboundMessage).where(OutboundMessage.kind == OutboundKind.PROMPT)
        ).one()
        assert win.outbound_id == prompt.id
        reply = session.exec(
            select(InboundMessage).where(col(InboundMessage.id) == win.inbound_id)
        ).one()
        # received as of the simulated time: after the prompt it answers
        assert prompt.sent_at is not None and reply.received_at > prompt.sent_at
    bodies = [m["body"] for m in answered["conversation"]["messages"]]  # type: ignore[index]
    assert bodies[-2:] == ["We took a walk and talked", answered["reply"]]


def test_advancing_by_a_fixed_amount_moves_the_clock(client: TestClient) -> None:
    text(client, "JOIN")
    first = advance(client, offset_minutes=0, minutes=60)
    assert first["conversation"]["offset_minutes"] == 60  # type: ignore[index]
    second = advance(client, offset_minutes=60, minutes=1440)
    assert second["conversation"]["offset_minutes"] == 1500  # type: ignore[index]
    assert second["sent"] == 0  # pending: nothing scheduled


def test_simulated_time_stays_inside_the_simulator(
    client: TestClient, engine: Engine, phone: Phone
) -> None:
    text(client, "JOIN", offset=7 * 24 * 60)
    phone.text("JOIN")  # a real webhook, from outside: the real time
    with Session(engine) as session:
        simulated = session.exec(select(InboundMessage).where(InboundMessage.phone == PHONE)).one()
        real = session.exec(
            select(InboundMessage).where(InboundMessage.phone == phone.number)
        ).one()
    assert simulated.received_at - real.received_at > datetime.timedelta(days=6)
    assert SIMULATED_NOW.get() is None
    assert simulated_or_real_now().tzinfo is datetime.UTC


def test_conversation_of_a_new_number_is_empty(client: TestClient) -> None:
    response = client.get("/simulator/api/conversation", params={"phone": "+14155550177"})
    assert response.status_code == 200
    body = response.json()
    assert body["messages"] == [] and body["status"] is None and body["offset_minutes"] == 0


@pytest.mark.parametrize(
    "payload",
    [
        {"phone": "not a number", "body": "JOIN"},
        {"phone": PHONE, "body": "x" * 1601},
        {"phone": PHONE, "body": "JOIN", "offset_minutes": -1},
        {"phone": PHONE},
    ],
)
def test_bad_input_is_a_4xx(client: TestClient, payload: dict[str, object]) -> None:
    assert client.post("/simulator/api/text", json=payload).status_code == 422


def test_the_page_uses_only_local_assets(client: TestClient) -> None:
    page = client.get("/simulator")
    assert page.status_code == 200
    assert '<script src="/simulator/static/simulator.js" defer></script>' in page.text
    assert '<label for="message">' in page.text and "<h1>Phone simulator</h1>" in page.text
    assert "http://" not in page.text and "https://" not in page.text
    script = client.get("/simulator/static/simulator.js")
    assert script.status_code == 200 and "/simulator/api/text" in script.text


def test_there_is_no_simulator_with_the_twilio_transport(
    settings: Settings, runtime: Runtime
) -> None:
    twilio = settings.model_copy(
        update={
            "sms_transport": SmsTransportKind.TWILIO,
            "twilio_account_sid": "AC" + "1" * 32,
            "twilio_from_number": "+15550009999",
        }
    )
    app = create_app(twilio, Runtime(twilio, runtime.engine, runtime.catalog))
    assert app.state.runtime.clock is read_clock
    with TestClient(app) as client:
        assert client.get("/simulator").status_code == 404
        assert client.get("/simulator/static/simulator.js").status_code == 404
        assert client.get("/simulator/api/conversation", params={"phone": PHONE}).status_code == 404
        response = client.post("/simulator/api/text", json={"phone": PHONE, "body": "JOIN"})
        assert response.status_code == 404
        assert client.post("/simulator/api/advance", json={"phone": PHONE}).status_code == 404
