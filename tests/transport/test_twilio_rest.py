"""TwilioTransport against the fake Twilio server: the real SDK over real HTTP, no mocks."""

from __future__ import annotations

import asyncio
import math
import random
import socket
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp import web
from hypothesis import given
from hypothesis import strategies as st

from service.fake_twilio import FakeTwilio
from service.transport import Delivery, SendResult
from service.transport.http_pool import ConnectError, ExchangeError, InvalidUrl
from service.transport.twilio_rest import (
    ApiBaseAsyncHttpClient,
    TokenBucket,
    TwilioTransport,
    _form_body,
    backoff_delay,
    classify_transport_error,
    classify_twilio_error,
    make_async_client,
    rewrite_api_url,
)

ACCOUNT_SID = "AC" + "5678cdef" * 4
AUTH_TOKEN = "transport-test-token"
TO = "+15551230002"
FROM = "+15550008888"
SERVICE_SID = "MG" + "0123abcd" * 4
TINY_BACKOFF = 0.001


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeTwilio]:
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as server:
        yield server


@pytest.fixture(autouse=True)
def clean_fake(fake: FakeTwilio) -> None:
    fake.reset()


def transport_for(base_url: str, **options: object) -> TwilioTransport:
    settings: dict[str, object] = {"from_number": FROM, "backoff_seconds": TINY_BACKOFF}
    settings.update(options)
    return TwilioTransport(ACCOUNT_SID, AUTH_TOKEN, base_url, **settings)  # type: ignore[arg-type]


def send_one(transport: TwilioTransport, to: str = TO, body: str = "Hello") -> SendResult:
    async def run() -> SendResult:
        try:
            return await transport.send(to, body)
        finally:
            await transport.aclose()

    return asyncio.run(run())


class RecordedSleeps:
    """Stands in for asyncio.sleep: remembers the requested waits and does not wait."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


# -- sending through the fake ------------------------------------------------------------------


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


def test_throttling_is_retried_within_the_call(fake: FakeTwilio) -> None:
    fake.fail(TO, 429, 20429, times=2)

    result = send_one(transport_for(fake.base_url, retries=2))

    assert result.delivery is Delivery.ACCEPTED
    assert fake.request_count == 3
    assert [m.sid for m in fake.messages] == [result.sid]


def test_retries_wait_with_exponential_jittered_backoff(fake: FakeTwilio) -> None:
    fake.fail(TO, 503, 20503, times=2)
    sleeps = RecordedSleeps()
    transport = transport_for(
        fake.base_url, backoff_seconds=0.5, rng=random.Random(7), sleep=sleeps
    )

    result = send_one(transport)

    jitter = random.Random(7)
    assert result.delivery is Delivery.ACCEPTED
    assert sleeps.seconds == [
        backoff_delay(0, 0.5, jitter.random()),
        backoff_delay(1, 0.5, jitter.random()),
    ]


@pytest.mark.parametrize("retries", [0, 2])
@pytest.mark.parametrize(("status", "code"), [(500, 20500), (503, 20503), (429, 20429)])
def test_persistent_server_errors_give_retry_later_after_all_retries(
    fake: FakeTwilio, retries: int, status: int, code: int
) -> None:
    fake.fail(None, status, code, times=None)

    result = send_one(transport_for(fake.base_url, retries=retries))

    assert result.delivery is Delivery.RETRY_LATER
    assert (result.http_status, result.error_code) == (status, code)
    assert fake.request_count == retries + 1


@pytest.mark.parametrize(
    ("status", "code", "delivery"),
    [
        (400, 21610, Delivery.OPTED_OUT),
        (400, 21211, Delivery.UNDELIVERABLE),
        (400, 21614, Delivery.UNDELIVERABLE),
        (400, 21612, Delivery.UNDELIVERABLE),
        (400, 21606, Delivery.FAILED),
        (403, 20003, Delivery.FAILED),
    ],
)
def test_final_twilio_errors_are_classified_after_one_request(
    fake: FakeTwilio, status: int, code: int, delivery: Delivery
) -> None:
    fake.fail(TO, status, code, times=None)

    result = send_one(transport_for(fake.base_url, retries=3))

    assert result.delivery is delivery
    assert (result.http_status, result.error_code, result.sid) == (status, code, None)
    assert result.detail
    assert fake.request_count == 1


def test_wrong_credentials_fail_without_retry(fake: FakeTwilio) -> None:
    transport = TwilioTransport(
        ACCOUNT_SID, "wrong", fake.base_url, from_number=FROM, backoff_seconds=TINY_BACKOFF
    )

    result = send_one(transport)

    assert (result.delivery, result.http_status, result.error_code) == (
        Delivery.FAILED,
        401,
        20003,
    )
    assert fake.request_count == 1


def test_timeout_after_sending_is_unknown_and_not_resent() -> None:
    # Its own server: the slow request is still being answered when the test ends.
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as slow_fake:
        slow_fake.delay(TO, 2.0, times=None)

        result = send_one(transport_for(slow_fake.base_url, timeout=0.2, retries=3))

        assert result.delivery is Delivery.UNKNOWN
        assert result.sid is None
        assert slow_fake.request_count == 1


def test_unreachable_server_gives_retry_later() -> None:
    # A bound socket that does not listen: connecting is refused, nothing can be sent.
    with socket.socket() as closed_port:
        closed_port.bind(("127.0.0.1", 0))
        port = closed_port.getsockname()[1]

        result = send_one(transport_for(f"http://127.0.0.1:{port}", retries=1))

    assert result.delivery is Delivery.RETRY_LATER
    assert result.http_status is None
    assert "ConnectError" in result.detail


def test_in_flight_requests_are_bounded_and_all_accepted(fake: FakeTwilio) -> None:
    fake.set_latency(0.01)  # keeps requests open long enough to overlap
    transport = transport_for(fake.base_url, max_in_flight=5)

    async def run() -> list[SendResult]:
        results = await asyncio.gather(
            *(transport.send(f"+1555000{i:04d}", f"message {i}") for i in range(200))
        )
        await transport.aclose()
        return results

    results = asyncio.run(run())

    assert all(result.delivery is Delivery.ACCEPTED for result in results)
    assert len({result.sid for result in results}) == 200
    assert len(fake.messages) == 200
    assert 1 < fake.max_concurrent <= 5


def test_one_pool_serves_every_send(fake: FakeTwilio) -> None:
    transport = transport_for(fake.base_url, max_in_flight=7)
    http_client = transport.client.http_client
    assert isinstance(http_client, ApiBaseAsyncHttpClient)

    async def run() -> set[int]:
        pools = set()
        for i in range(20):
            await transport.send(TO, f"n{i}")
            pools.add(id(http_client.pool))
        assert http_client.pool is not None
        assert http_client.pool.max_connections == 7
        await transport.aclose()
        return pools

    assert len(asyncio.run(run())) == 1
    assert http_client.pool is None
    assert len(fake.messages) == 20


def test_rate_limit_spaces_sends_evenly() -> None:
    """Wiring of the token bucket into send(): the clock stands still, so each send waits
    one more interval (real HTTP, no real waiting)."""
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as fake:
        sleeps = RecordedSleeps()
        transport = transport_for(
            fake.base_url, messages_per_second=10.0, clock=lambda: 100.0, sleep=sleeps
        )

        async def run() -> None:
            for _ in range(4):
                assert (await transport.send(TO, "x")).delivery is Delivery.ACCEPTED
            await transport.aclose()

        asyncio.run(run())

    assert sleeps.seconds == pytest.approx([0.1, 0.2, 0.3])


def test_async_client_can_be_built_outside_an_event_loop(fake: FakeTwilio) -> None:
    client = make_async_client(ACCOUNT_SID, AUTH_TOKEN, fake.base_url, max_connections=2)

    async def run() -> str:
        try:
            message = await client.messages.create_async(to=TO, from_=FROM, body="sdk")
            fetched = await client.messages(message.sid).fetch_async()
            return str(fetched.body)
        finally:
            await client.http_client.close()

    assert asyncio.run(run()) == "sdk"


@dataclass(frozen=True)
class WireRequest:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]  # as sent, in order
    body: bytes


async def recorded_requests(
    answer: tuple[int, str], calls: Callable[[str], Awaitable[object]]
) -> tuple[list[WireRequest], list[object]]:
    """Run `calls(base_url)` against a local server that records every request as it came
    over the wire and answers each with `answer` (status, JSON text)."""
    requests: list[WireRequest] = []

    async def record(request: web.Request) -> web.Response:
        headers = tuple((key.decode(), value.decode()) for key, value in request.raw_headers)
        requests.append(WireRequest(request.method, request.path_qs, headers, await request.read()))
        return web.Response(status=answer[0], text=answer[1], content_type="application/json")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", record)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        results = [await calls(f"http://127.0.0.1:{port}")]
    finally:
        await runner.cleanup()
    return requests, results


CREATED = (201, '{"sid": "SM' + "0" * 32 + '", "status": "queued"}')


@pytest.mark.parametrize(
    ("sender", "status_callback", "body"),
    [
        ({"from_": FROM}, None, "Hello"),
        ({"from_": FROM}, "https://nudge.test/sms/status?x=1&y=2", "Ask Sam: what's new? 💛 +1"),
        ({"messaging_service_sid": SERVICE_SID}, "https://nudge.test/sms/status", "Hi there"),
        ({"messaging_service_sid": SERVICE_SID}, None, ""),
    ],
)
def test_transport_sends_exactly_the_request_of_the_sdks_messages_create(
    sender: dict[str, str], status_callback: str | None, body: str
) -> None:
    async def sdk(base_url: str) -> object:
        client = make_async_client(ACCOUNT_SID, AUTH_TOKEN, base_url)
        try:
            extra = {"status_callback": status_callback} if status_callback else {}
            message = await client.messages.create_async(to=TO, body=body, **sender, **extra)
            return message.sid
        finally:
            await client.http_client.close()

    async def transport(base_url: str) -> object:
        from_number = sender.get("from_")
        service_sid = sender.get("messaging_service_sid")
        sending = TwilioTransport(
            ACCOUNT_SID,
            AUTH_TOKEN,
            base_url,
            from_number=from_number,
            messaging_service_sid=service_sid,
        )
        try:
            return await sending.send(TO, body, status_callback)
        finally:
            await sending.aclose()

    async def run() -> tuple[list[WireRequest], list[WireRequest], object, object]:
        expected, [sid] = await recorded_requests(CREATED, sdk)
        sent, [result] = await recorded_requests(CREATED, transport)
        return expected, sent, sid, result

    expected, sent, sid, result = asyncio.run(run())

    # The port differs between the two servers; everything else must be the same bytes.
    def without_host(requests: list[WireRequest]) -> list[WireRequest]:
        return [
            WireRequest(r.method, r.path, tuple(h for h in r.headers if h[0] != "Host"), r.body)
            for r in requests
        ]

    assert len(expected) == 1
    assert without_host(sent) == without_host(expected)
    assert result == SendResult(Delivery.ACCEPTED, sid=str(sid), detail="queued")


@pytest.mark.parametrize("text", ["[]", "null", '"queued"', "{not json"])
def test_a_success_answer_that_is_not_a_json_object_is_unknown(text: str) -> None:
    async def send(base_url: str) -> object:
        transport = transport_for(base_url, retries=2)
        try:
            return await transport.send(TO, "Hello")
        finally:
            await transport.aclose()

    requests, [result] = asyncio.run(recorded_requests((201, text), send))

    assert isinstance(result, SendResult)
    assert (result.delivery, result.sid) == (Delivery.UNKNOWN, None)
    assert result.detail.startswith("unreadable answer")
    assert len(requests) == 1  # the message may exist: never sent again


form_values = st.one_of(
    st.text(),
    st.lists(st.text(), max_size=3),
    st.integers(),
    st.booleans(),
    st.binary(max_size=8),
)


@given(st.dictionaries(st.one_of(st.text(), st.integers()), form_values, max_size=6))
def test_form_body_is_exactly_urlencode(data: dict[Any, Any]) -> None:
    assert _form_body(data) == urlencode(data, doseq=True).encode()


@given(st.dictionaries(st.text(), st.text(), max_size=6))
def test_a_text_only_form_is_exactly_urlencode(data: dict[str, str]) -> None:
    assert _form_body(data) == urlencode(data, doseq=True).encode()


# -- pure decisions ----------------------------------------------------------------------------


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
        (ConnectError("no connection"), Delivery.RETRY_LATER),
        (TimeoutError(), Delivery.UNKNOWN),
        (ExchangeError("closed before a whole answer"), Delivery.UNKNOWN),
        (InvalidUrl("nope"), Delivery.FAILED),
    ],
)
def test_classify_transport_error(error: BaseException, delivery: Delivery) -> None:
    assert classify_transport_error(error) is delivery


@pytest.mark.parametrize(
    ("attempt", "base", "jitter", "expected"),
    [(0, 0.5, 0.0, 0.25), (0, 0.5, 1.0, 0.5), (1, 0.5, 0.0, 0.5), (2, 0.5, 0.5, 1.5)],
)
def test_backoff_delay(attempt: int, base: float, jitter: float, expected: float) -> None:
    assert backoff_delay(attempt, base, jitter) == pytest.approx(expected)


@given(attempt=st.integers(0, 10), jitter=st.floats(0, 1, exclude_max=True))
def test_backoff_stays_in_upper_half_of_the_exponential_step(attempt: int, jitter: float) -> None:
    step = 0.5 * 2**attempt

    assert step / 2 <= backoff_delay(attempt, 0.5, jitter) <= step


@pytest.mark.parametrize(
    ("capacity", "arrivals", "expected_waits"),
    [
        (1.0, [0.0, 0.0, 0.0], [0.0, 0.1, 0.2]),  # simultaneous senders queue 1/rate apart
        (1.0, [0.0, 0.1, 0.2], [0.0, 0.0, 0.0]),  # exactly at the rate: nobody waits
        (1.0, [0.0, 0.05, 0.3], [0.0, 0.05, 0.0]),
        (3.0, [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.1]),  # a burst of `capacity`
        (1.0, [0.0, 5.0, 5.0], [0.0, 0.0, 0.1]),  # a long pause refills only to capacity
    ],
)
def test_token_bucket_waits(
    capacity: float, arrivals: list[float], expected_waits: list[float]
) -> None:
    bucket = TokenBucket.full(10.0, capacity, now=0.0)
    waits = []
    for now in arrivals:
        bucket, wait = bucket.take(now)
        waits.append(wait)

    assert waits == pytest.approx(expected_waits)


@given(
    rate=st.floats(0.5, 1000),
    capacity=st.integers(1, 5),
    gaps=st.lists(st.floats(0, 2), min_size=1, max_size=60),
)
def test_token_bucket_never_exceeds_rate_plus_burst(
    rate: float, capacity: int, gaps: list[float]
) -> None:
    start = 0.0
    bucket = TokenBucket.full(rate, capacity, now=start)
    now = start
    send_times = []
    for gap in gaps:
        now += gap
        bucket, wait = bucket.take(now)
        assert wait >= 0
        send_times.append(now + wait)

    # Sends happen in arrival order, and by time t at most capacity + rate * (t - start).
    assert send_times == sorted(send_times)
    for count, sent_at in enumerate(send_times, start=1):
        assert count <= capacity + rate * (sent_at - start) + 1e-6


@given(rate=st.floats(0.5, 1000), gaps=st.lists(st.floats(0, 2), min_size=1, max_size=60))
def test_token_bucket_with_burst_one_waits_no_longer_than_needed(
    rate: float, gaps: list[float]
) -> None:
    bucket = TokenBucket.full(rate, 1, now=0.0)
    now = 0.0
    previous_send: float | None = None
    for gap in gaps:
        now += gap
        bucket, wait = bucket.take(now)
        earliest = now if previous_send is None else max(now, previous_send + 1 / rate)
        assert math.isclose(now + wait, earliest, rel_tol=1e-9, abs_tol=1e-9)
        previous_send = now + wait


def test_the_pool_sends_what_the_sdks_own_aiohttp_client_sends() -> None:
    """ApiBaseAsyncHttpClient replaces the SDK's AsyncTwilioHttpClient: same method, path,
    headers and body on the wire, but for the headers aiohttp adds of its own accord."""
    from twilio.http.async_http_client import AsyncTwilioHttpClient
    from twilio.rest import Client

    async def stock(base_url: str) -> object:
        client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=AsyncTwilioHttpClient())
        client.api.base_url = base_url  # the stock client cannot be pointed elsewhere
        try:
            message = await client.messages.create_async(to=TO, from_=FROM, body="Hi 💛 & +1")
            return message.sid
        finally:
            await client.http_client.session.close()

    async def ours(base_url: str) -> object:
        client = make_async_client(ACCOUNT_SID, AUTH_TOKEN, base_url)
        try:
            message = await client.messages.create_async(to=TO, from_=FROM, body="Hi 💛 & +1")
            return message.sid
        finally:
            await client.http_client.close()

    async def run() -> tuple[list[WireRequest], list[WireRequest]]:
        expected, _ = await recorded_requests(CREATED, stock)
        sent, _ = await recorded_requests(CREATED, ours)
        return expected, sent

    expected, sent = asyncio.run(run())

    aiohttp_own = {"Host", "Accept-Encoding"}

    def comparable(request: WireRequest) -> tuple[str, str, dict[str, str], bytes]:
        headers = {k: v for k, v in request.headers if k not in aiohttp_own}
        return request.method, request.path, headers, request.body

    assert [comparable(r) for r in sent] == [comparable(r) for r in expected]
