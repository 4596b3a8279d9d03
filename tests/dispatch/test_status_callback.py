"""POST /sms/status: signed like the inbound webhook; statuses never move backwards."""

from __future__ import annotations

import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from service.dispatch.models import OutboundKind, OutboundMessage, OutboundStatus
from service.dispatch.status import next_status
from service.webhooks import sign
from tests.conftest import PUBLIC_BASE_URL

SID = "SM" + "f" * 32
NOW = datetime.datetime(2026, 3, 10, 23, 0, tzinfo=datetime.UTC)


def sent_message(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(
            OutboundMessage(
                phone="+12125550100",
                kind=OutboundKind.PROMPT,
                body="hello",
                status=OutboundStatus.ACCEPTED,
                twilio_sid=SID,
                created_at=NOW,
                updated_at=NOW,
            )
        )
        session.commit()


def report(client: TestClient, token: str, status: str, **extra: str) -> int:
    form = {"MessageSid": SID, "MessageStatus": status, "AccountSid": "AC1", **extra}
    signature = sign(token, f"{PUBLIC_BASE_URL}/sms/status", form)
    return client.post(
        "/sms/status", data=form, headers={"X-Twilio-Signature": signature}
    ).status_code


def stored(engine: Engine) -> OutboundMessage:
    with Session(engine) as session:
        return session.exec(select(OutboundMessage)).one()


def test_statuses_advance_and_never_go_back(
    client: TestClient, engine: Engine, auth_token: str
) -> None:
    sent_message(engine)
    assert report(client, auth_token, "sent") == 204
    assert stored(engine).status is OutboundStatus.SENT
    assert report(client, auth_token, "delivered") == 204
    assert report(client, auth_token, "sent") == 204  # late and out of order
    assert report(client, auth_token, "queued") == 204
    assert stored(engine).status is OutboundStatus.DELIVERED


def test_failures_keep_their_error_code(
    client: TestClient, engine: Engine, auth_token: str
) -> None:
    sent_message(engine)
    assert report(client, auth_token, "undelivered", ErrorCode="30003") == 204
    message = stored(engine)
    assert (message.status, message.error_code) == (OutboundStatus.UNDELIVERED, 30003)


def test_unsigned_or_malformed_callbacks_are_refused(
    client: TestClient, engine: Engine, auth_token: str
) -> None:
    sent_message(engine)
    form = {"MessageSid": SID, "MessageStatus": "delivered"}
    assert client.post("/sms/status", data=form).status_code == 403
    assert report(client, auth_token, "") == 400
    assert report(client, auth_token, "failed", ErrorCode="abc") == 400
    assert stored(engine).status is OutboundStatus.ACCEPTED


@pytest.mark.parametrize("code", ["99999999999", "\u00b2", "\u0663\u0660\u0660\u0660\u0663", "-1"])
def test_an_error_code_twilio_would_never_send_is_a_400_not_a_500(
    client: TestClient, engine: Engine, auth_token: str, code: str
) -> None:
    """Twilio's error codes are plain numbers of a few digits. A digit string that does not
    fit the column (PostgreSQL's integer) or that Python's int() refuses (a superscript two
    counts as a digit) is refused, never a 500."""
    sent_message(engine)
    assert report(client, auth_token, "failed", ErrorCode=code) == 400
    assert stored(engine).status is OutboundStatus.ACCEPTED


@pytest.mark.parametrize(
    ("current", "reported", "kept"),
    [
        (OutboundStatus.ACCEPTED, OutboundStatus.QUEUED, OutboundStatus.QUEUED),
        (OutboundStatus.DELIVERED, OutboundStatus.SENT, OutboundStatus.DELIVERED),
        (OutboundStatus.FAILED, OutboundStatus.DELIVERED, OutboundStatus.FAILED),
        (OutboundStatus.UNKNOWN, OutboundStatus.DELIVERED, OutboundStatus.DELIVERED),
        (OutboundStatus.REPLIED_INLINE, OutboundStatus.SENT, OutboundStatus.REPLIED_INLINE),
    ],
)
def test_next_status(
    current: OutboundStatus, reported: OutboundStatus, kept: OutboundStatus
) -> None:
    assert next_status(current, reported) is kept
