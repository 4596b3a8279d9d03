"""TwilioTransport against the fake Twilio server: the real SDK over real HTTP, no mocks."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator

import aiohttp
import pytest

from service.transport import Delivery, SendResult
from service.transport.twilio_rest import (
    ApiBaseAsyncHttpClient,
    TwilioTransport,
    classify_transport_error,
    classify_twilio_error,
    rewrite_api_url,
)
from tests.fake_twilio import FakeTwilio

ACCOUNT_SID = "AC" + "5678cdef" * 4
AUTH_TOKEN = "transport-test-token"
TO = "+15551230002"
FROM = "+15550008888"
SERVICE_SID = "MG" + "0123abcd" * 4
NOWHERE = "http://twilio.invalid"  # never resolves: only a proxy can reach "it"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeTwilio]:
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as server:
        yield server


@pytest.fixture(autouse=True)
def clean_fake(fake: FakeTwilio) -> None:
    fake.reset()


def transport_for(base_url: str, **options: object) -> TwilioTransport:
    settings: dict[str, object] = {"from_number": FROM}
    settings.update(options)
    return TwilioTransport(ACCOUNT_SID, AUTH_TOKEN, base_url, **settings)  # type: ignore[arg-type]


def send_one(transport: TwilioTransport, to: str = TO, body: str = "Hello") -> SendResult:
    async def run() -> SendResult:
        try:
            return await transport.send(to, body)
        finally:
            await transport.aclose()

    return asyncio.run(run())


def test_accepted_message_carries_sid_recipient_sender_and_body(fake: FakeTwilio) -> None:
    transport = transport_for(fake.base_url)

    async def run() -> SendResult:
        result = await transport.send(TO, "What made you smile today?", "http://cb/status")
        await transport.aclose()
        return result

    result = asyncio.run(run())

    [stored] = fake.messages
    assert result.delivery is Delivery.ACCEPTED
    assert result.sid == stored.sid
    assert result.detail == "queued"
    assert (stored.to, stored.from_, stored.body) == (TO, FROM, "What made you smile today?")
    assert stored.status_callback == "http://cb/status"
    assert stored.messaging_service_sid is None


def test_no_status_callback_is_sent_when_none_is_given(fake: FakeTwilio) -> None:
    assert send_one(transport_for(fake.base_url)).delivery is Delivery.ACCEPTED
    assert [m.status_callback for m in fake.messages] == [None]


def test_messaging_service_sender(fake: FakeTwilio) -> None:
    transport = transport_for(fake.base_url, from_number=None, messaging_service_sid=SERVICE_SID)

    result = send_one(transport)

    [stored] = fake.messages
    assert result.delivery is Delivery.ACCEPTED and result.sid == stored.sid
    assert (stored.messaging_service_sid, stored.from_) == (SERVICE_SID, None)


@pytest.mark.parametrize(
    ("from_number", "service_sid"), [(None, None), (FROM, SERVICE_SID)], ids=["none", "both"]
)
def test_exactly_one_sender_is_required(from_number: str | None, service_sid: str | None) -> None:
    with pytest.raises(ValueError, match="exactly one sender"):
        TwilioTransport(
            ACCOUNT_SID,
            AUTH_TOKEN,
            "http://127.0.0.1:9",
            from_number=from_number,
            messaging_service_sid=service_sid,
        )


@pytest.mark.parametrize(
    ("status", "code", "delivery"),
    [
        (400, 21610, Delivery.OPTED_OUT),
        (400, 21211, Delivery.UNDELIVERABLE),
        (400, 21614, Delivery.UNDELIVERABLE),
        (400, 21612, Delivery.UNDELIVERABLE),
        (400, 21606, Delivery.FAILED),
        (403, 20003, Delivery.FAILED),
        (429, 20429, Delivery.RETRY_LATER),
        (503, 20503, Delivery.RETRY_LATER),
    ],
)
def test_twilio_errors_are_classified_after_one_request(
    fake: FakeTwilio, status: int, code: int, delivery: Delivery
) -> None:
    fake.fail(TO, status, code, times=None)

    result = send_one(transport_for(fake.base_url))

    assert result.delivery is delivery
    assert (result.http_status, result.error_code, result.sid) == (status, code, None)
    assert result.detail
    assert fake.request_count == 1  # retries are the dispatcher's, after a fresh check


def test_wrong_credentials_fail(fake: FakeTwilio) -> None:
    transport = TwilioTransport(ACCOUNT_SID, "wrong", fake.base_url, from_number=FROM)

    result = send_one(transport)

    assert (result.delivery, result.http_status, result.error_code) == (
        Delivery.FAILED,
        401,
        20003,
    )


def test_timeout_after_sending_is_unknown() -> None:
    # Its own server: the slow request is still being answered when the test ends.
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as slow_fake:
        slow_fake.delay(TO, 2.0, times=None)

        result = send_one(transport_for(slow_fake.base_url, timeout=0.2))

        assert result.delivery is Delivery.UNKNOWN
        assert result.sid is None
        assert slow_fake.request_count == 1


def test_unreachable_server_gives_retry_later() -> None:
    # A bound socket that does not listen: connecting is refused, nothing can be sent.
    with socket.socket() as closed_port:
        closed_port.bind(("127.0.0.1", 0))
        port = closed_port.getsockname()[1]

        result = send_one(transport_for(f"http://127.0.0.1:{port}"))

    assert result.delivery is Delivery.RETRY_LATER
    assert result.http_status is None
    assert "Connect" in result.detail


def test_a_proxy_url_carries_every_request(fake: FakeTwilio) -> None:
    """The base URL cannot be resolved: only the proxy (the fake, which reads the absolute
    request target as a proxy hands it on) can have answered."""
    result = send_one(transport_for(NOWHERE, proxy_url=fake.base_url))

    assert result.delivery is Delivery.ACCEPTED
    assert [m.to for m in fake.messages] == [TO]


def test_the_environment_s_proxy_is_honoured(
    fake: FakeTwilio, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", fake.base_url)

    result = send_one(transport_for(NOWHERE))

    assert result.delivery is Delivery.ACCEPTED
    assert [m.to for m in fake.messages] == [TO]


def test_no_proxy_exempts_a_host(fake: FakeTwilio, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", fake.base_url)
    monkeypatch.setenv("NO_PROXY", "twilio.invalid")

    result = send_one(transport_for(NOWHERE))

    assert result.delivery is Delivery.RETRY_LATER  # straight to a host that does not resolve
    assert fake.messages == []


def test_the_sdk_client_can_be_built_outside_an_event_loop_and_fetches_too(
    fake: FakeTwilio,
) -> None:
    transport = transport_for(fake.base_url, max_connections=2)
    assert isinstance(transport.client.http_client, ApiBaseAsyncHttpClient)

    async def run() -> str:
        try:
            message = await transport.client.messages.create_async(to=TO, from_=FROM, body="sdk")
            fetched = await transport.client.messages(message.sid).fetch_async()
            return str(fetched.body)
        finally:
            await transport.aclose()

    assert asyncio.run(run()) == "sdk"


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        (
            "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json",
            "http://127.0.0.1:8099",
            "http://127.0.0.1:8099/2010-04-01/Accounts/AC1/Messages.json",
        ),
        (
            "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json",
            "http://fake:1/",
            "http://fake:1/2010-04-01/Accounts/AC1/Messages.json",
        ),
        (
            "https://api.dublin.ie1.twilio.com/2010-04-01/Accounts.json",
            "http://fake:1",
            "http://fake:1/2010-04-01/Accounts.json",
        ),
        (
            "https://api.twilio.com/2010-04-01/Accounts.json",
            "https://api.twilio.com",
            "https://api.twilio.com/2010-04-01/Accounts.json",
        ),
        (
            "https://messaging.twilio.com/v1/Services",
            "http://fake:1",
            "https://messaging.twilio.com/v1/Services",
        ),
        (
            "https://example.com/api.twilio.com",
            "http://fake:1",
            "https://example.com/api.twilio.com",
        ),
    ],
)
def test_rewrite_api_url(url: str, base: str, expected: str) -> None:
    assert rewrite_api_url(url, base) == expected


@pytest.mark.parametrize(
    ("status", "code", "delivery"),
    [
        (400, 21610, Delivery.OPTED_OUT),
        (400, 21211, Delivery.UNDELIVERABLE),
        (400, 21614, Delivery.UNDELIVERABLE),
        (400, 21612, Delivery.UNDELIVERABLE),
        (400, 21408, Delivery.UNDELIVERABLE),
        (429, 20429, Delivery.RETRY_LATER),
        (429, None, Delivery.RETRY_LATER),
        (400, 20429, Delivery.RETRY_LATER),
        (500, 20500, Delivery.RETRY_LATER),
        (502, None, Delivery.RETRY_LATER),
        (503, 20503, Delivery.RETRY_LATER),
        (400, 21602, Delivery.FAILED),
        (401, 20003, Delivery.FAILED),
        (404, 20404, Delivery.FAILED),
        (400, None, Delivery.FAILED),
    ],
)
def test_classify_twilio_error(status: int, code: int | None, delivery: Delivery) -> None:
    assert classify_twilio_error(status, code) is delivery


@pytest.mark.parametrize(
    ("error", "delivery"),
    [
        (
            aiohttp.ClientConnectorError(
                aiohttp.client_reqrep.ConnectionKey("h", 1, False, True, None, None, None),
                OSError(111, "refused"),
            ),
            Delivery.RETRY_LATER,
        ),
        (aiohttp.ConnectionTimeoutError(), Delivery.RETRY_LATER),
        (TimeoutError(), Delivery.UNKNOWN),
        (aiohttp.ServerDisconnectedError(), Delivery.UNKNOWN),
        (aiohttp.ClientPayloadError("cut short"), Delivery.UNKNOWN),
        (aiohttp.InvalidURL("nope"), Delivery.FAILED),
    ],
)
def test_classify_transport_error(error: BaseException, delivery: Delivery) -> None:
    assert classify_transport_error(error) is delivery
