"""HttpPool against scripted local servers over real sockets: reuse, limits, framing, failures.

What the dispatcher relies on is checked by name: a ConnectError means nothing was sent,
and anything that fails after the request left is not a ConnectError.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import subprocess
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.fake_twilio import FakeTwilio
from service.transport.http_pool import (
    ConnectError,
    ExchangeError,
    HttpPool,
    HttpResponse,
    InvalidUrl,
    Origin,
    encode_request,
)

OK = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"


@dataclass
class Scripted:
    """A server whose answer to each request is written by `answer(request_number, writer)`;
    it counts connections and requests."""

    answer: Callable[[int, asyncio.StreamWriter], Awaitable[None]]
    connections: int = 0
    open_now: int = 0
    most_open: int = 0
    requests: list[bytes] = field(default_factory=list)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.open_now += 1
        self.most_open = max(self.most_open, self.open_now)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                self.requests.append(head + await reader.readexactly(length))
                await self.answer(len(self.requests), writer)
                if writer.is_closing():
                    return
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            return  # the client left, or the test's loop is ending
        finally:
            self.open_now -= 1
            writer.close()


async def serving(
    answer: Callable[[int, asyncio.StreamWriter], Awaitable[None]],
    use: Callable[[Scripted, str], Awaitable[None]],
    ssl_context: ssl.SSLContext | None = None,
) -> Scripted:
    scripted = Scripted(answer)
    server = await asyncio.start_server(scripted.handle, "127.0.0.1", 0, ssl=ssl_context)
    port = server.sockets[0].getsockname()[1]
    scheme = "https" if ssl_context else "http"
    try:
        await use(
            scripted, f"{scheme}://localhost:{port}" if ssl_context else f"http://127.0.0.1:{port}"
        )
    finally:
        server.close()
    return scripted


def answer_with(
    *raw: bytes, close: bool = False
) -> Callable[[int, asyncio.StreamWriter], Awaitable[None]]:
    async def answer(number: int, writer: asyncio.StreamWriter) -> None:
        writer.write(raw[(number - 1) % len(raw)])
        await writer.drain()
        if close:
            writer.close()

    return answer


def answer_after(seconds: float) -> Callable[[int, asyncio.StreamWriter], Awaitable[None]]:
    """Each request answered 200 OK, `seconds` after it came in."""

    async def answer(number: int, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(seconds)
        writer.write(OK)
        await writer.drain()

    return answer


def numbered(number: int) -> bytes:
    body = str(number).encode()
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)


async def answer_numbered(number: int, writer: asyncio.StreamWriter) -> None:
    writer.write(numbered(number))
    await writer.drain()


# -- reuse and limits ---------------------------------------------------------------------------


def test_sequential_requests_share_one_keep_alive_connection() -> None:
    bodies: list[bytes] = []

    async def use(server: Scripted, base: str) -> None:
        pool = HttpPool(max_connections=4)
        for _ in range(5):
            response = await pool.request("POST", base + "/x", {"A": "b"}, b"k=v")
            bodies.append(response.body)
        await pool.close()

    server = asyncio.run(serving(answer_numbered, use))

    assert bodies == [b"1", b"2", b"3", b"4", b"5"]
    assert server.connections == 1


def test_concurrent_requests_stay_within_the_connection_limit() -> None:
    results: list[HttpResponse] = []

    async def use(server: Scripted, base: str) -> None:
        pool = HttpPool(max_connections=3)
        results.extend(
            await asyncio.gather(*(pool.request("GET", base + f"/{i}", {}) for i in range(30)))
        )
        await pool.close()

    server = asyncio.run(serving(answer_after(0.01), use))

    assert [r.status for r in results] == [200] * 30
    assert server.connections == 3 and server.most_open == 3


def test_a_connection_the_server_closed_while_idle_is_not_used_again() -> None:
    bodies: list[bytes] = []

    async def use(server: Scripted, base: str) -> None:
        pool = HttpPool()
        for _ in range(3):
            bodies.append((await pool.request("GET", base + "/", {})).body)
            await asyncio.sleep(0.05)  # the server's close reaches the client
        await pool.close()

    server = asyncio.run(serving(answer_with(OK, close=True), use))

    assert bodies == [b"{}"] * 3
    assert server.connections == 3


def test_a_connection_idle_past_the_keepalive_is_not_used_again() -> None:
    """The server's own idle timer may be about to close it: a request written as the close
    crosses would end unknown."""
    bodies: list[bytes] = []

    async def use(server: Scripted, base: str) -> None:
        pool = HttpPool(keepalive=0.05)
        bodies.append((await pool.request("GET", base + "/", {})).body)
        bodies.append((await pool.request("GET", base + "/", {})).body)  # at once: reused
        await asyncio.sleep(0.1)
        bodies.append((await pool.request("GET", base + "/", {})).body)
        await pool.close()

    server = asyncio.run(serving(answer_numbered, use))

    assert bodies == [b"1", b"2", b"3"]
    assert server.connections == 2


def test_a_pool_used_from_a_new_event_loop_opens_new_connections() -> None:
    """Each `nudge tick` runs its own loop; a connection left from an ended one is not used."""
    pool = HttpPool()
    with FakeTwilio("AC" + "0" * 32, "token") as server:  # a server outliving both loops

        async def status() -> int:
            return (await pool.request("GET", server.base_url + "/_fake/stats", {})).status

        assert asyncio.run(status()) == 200  # not closed: its loop ends with it
        assert asyncio.run(status()) == 200


def test_connection_close_in_the_answer_gives_a_new_connection_next_time() -> None:
    closing = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nA"

    async def answer(number: int, writer: asyncio.StreamWriter) -> None:
        writer.write(closing)  # and keeps the socket open: the client must close it
        await writer.drain()

    statuses: list[int] = []

    async def use(server: Scripted, base: str) -> None:
        pool = HttpPool()
        for _ in range(2):
            statuses.append((await pool.request("GET", base + "/", {})).status)
        await pool.close()

    server = asyncio.run(serving(answer, use))

    assert statuses == [200, 200]
    assert server.connections == 2


# -- framing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "body"),
    [
        (b"HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\nhello", b"hello"),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n",
            b"abcdefg",
        ),
        (b"HTTP/1.1 204 No Content\r\n\r\n", b""),
    ],
)
def test_answers_are_read_by_their_framing(raw: bytes, body: bytes) -> None:
    got: list[bytes] = []

    async def use(server: Scripted, base: str) -> None:
        pool = HttpPool()
        got.append((await pool.request("GET", base + "/", {})).body)
        got.append((await pool.request("GET", base + "/", {})).body)  # same connection
        await pool.close()

    server = asyncio.run(serving(answer_with(raw), use))

    assert got == [body, body]
    assert server.connections == 1


def test_an_answer_without_length_ends_when_the_server_closes() -> None:
    got: list[HttpResponse] = []

    async def use(server: Scripted, base: str) -> None:
        pool = HttpPool()
        got.append(await pool.request("GET", base + "/", {}))
        await pool.close()

    raw = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=latin-1\r\n\r\ncaf\xe9"
    asyncio.run(serving(answer_with(raw, close=True), use))

    assert got[0].body == b"caf\xe9"
    assert got[0].text() == "café"
    assert got[0].headers["content-type"].startswith("text/plain")


def test_the_request_on_the_wire() -> None:
    async def use(server: Scripted, base: str) -> None:
        pool = HttpPool()
        await pool.request(
            "POST", base + "/2010-04-01/M.json?a=1", {"Content-Type": "x/y"}, b"To=%2B1"
        )
        await pool.close()

    server = asyncio.run(serving(answer_with(OK), use))

    port = server.requests and server.requests[0].split(b"Host: 127.0.0.1:")[1].split(b"\r\n")[0]
    assert server.requests == [
        b"POST /2010-04-01/M.json?a=1 HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n"
        b"Content-Type: x/y\r\nContent-Length: 7\r\n\r\nTo=%%2B1" % port
    ]


# -- failures: nothing sent, or maybe sent ---------------------------------------------------


def test_refused_connection_is_a_connect_error() -> None:
    with socket.socket() as not_listening:
        not_listening.bind(("127.0.0.1", 0))
        port = not_listening.getsockname()[1]

        async def run() -> None:
            pool = HttpPool()
            try:
                await pool.request("POST", f"http://127.0.0.1:{port}/", {}, b"x")
            finally:
                await pool.close()

        with pytest.raises(ConnectError):
            asyncio.run(run())


def test_no_free_connection_in_time_is_a_connect_error() -> None:
    outcomes: list[object] = []

    async def use(server: Scripted, base: str) -> None:
        pool = HttpPool(max_connections=1)
        first = asyncio.create_task(pool.request("GET", base + "/", {}))
        await asyncio.sleep(0.05)
        try:
            await pool.request("GET", base + "/", {}, timeout=0.1)
        except ConnectError as error:
            outcomes.append(error)
        outcomes.append((await first).status)
        await pool.close()

    server = asyncio.run(serving(answer_after(0.5), use))

    assert isinstance(outcomes[0], ConnectError) and outcomes[1] == 200
    assert len(server.requests) == 1  # the second request never left


def test_a_timeout_after_sending_is_not_a_connect_error_and_spoils_no_later_answer() -> None:
    async def first_late(number: int, writer: asyncio.StreamWriter) -> None:
        if number == 1:
            await asyncio.sleep(0.3)
        writer.write(numbered(number))
        await writer.drain()

    outcomes: list[object] = []

    async def use(server: Scripted, base: str) -> None:
        pool = HttpPool(max_connections=1)
        try:
            await pool.request("GET", base + "/", {}, timeout=0.1)
        except ConnectError:
            outcomes.append("connect error")
        except TimeoutError:
            outcomes.append("timeout")
        # At once, while the first answer is still due: it must not be taken for this one.
        outcomes.append((await pool.request("GET", base + "/", {})).body)
        await pool.close()

    server = asyncio.run(serving(first_late, use))

    assert outcomes == ["timeout", b"2"]
    assert server.connections == 2


@pytest.mark.parametrize(
    "raw",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\ncut short",
        b"HTTP/1.1 200 OK\r\nContent-Len",
        b"NOT HTTP AT ALL\r\n\r\n",
    ],
)
def test_a_broken_answer_is_an_exchange_error(raw: bytes) -> None:
    errors: list[Exception] = []

    async def use(server: Scripted, base: str) -> None:
        pool = HttpPool()
        try:
            await pool.request("POST", base + "/", {}, b"x")
        except (ExchangeError, ConnectError) as error:
            errors.append(error)
        await pool.close()

    asyncio.run(serving(answer_with(raw, close=True), use))

    assert len(errors) == 1 and isinstance(errors[0], ExchangeError)


def test_a_cancelled_wait_for_a_connection_passes_the_turn_on() -> None:
    statuses: list[int] = []

    async def use(server: Scripted, base: str) -> None:
        pool = HttpPool(max_connections=1)
        first = asyncio.create_task(pool.request("GET", base + "/", {}))
        await asyncio.sleep(0.02)
        cancelled = asyncio.create_task(pool.request("GET", base + "/", {}))
        waiting = asyncio.create_task(pool.request("GET", base + "/", {}))
        await asyncio.sleep(0.02)
        cancelled.cancel()
        statuses.extend([(await first).status, (await waiting).status])
        await pool.close()

    server = asyncio.run(serving(answer_after(0.1), use))

    assert statuses == [200, 200]
    assert len(server.requests) == 2


def test_https_with_a_trusted_certificate(tmp_path: Path) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    bodies: list[bytes] = []

    async def use(server: Scripted, base: str) -> None:
        untrusting = HttpPool()
        with pytest.raises(ConnectError):  # the default context does not trust it
            await untrusting.request("GET", base + "/", {})
        await untrusting.close()
        pool = HttpPool(ssl_context=ssl.create_default_context(cafile=str(cert)))
        bodies.append((await pool.request("GET", base + "/", {})).body)
        bodies.append((await pool.request("GET", base + "/", {})).body)
        await pool.close()

    server = asyncio.run(serving(answer_numbered, use, server_context))

    assert bodies == [b"1", b"2"]
    # The refused handshake never reached the handler; the trusted connection was kept alive.
    assert server.connections == 1


# -- pure parts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "origin", "target"),
    [
        ("https://api.twilio.com/x.json", Origin("https", "api.twilio.com", 443), "/x.json"),
        ("http://127.0.0.1:8099/a?b=c", Origin("http", "127.0.0.1", 8099), "/a?b=c"),
        ("http://example.test", Origin("http", "example.test", 80), "/"),
        ("http://[::1]:81/p", Origin("http", "::1", 81), "/p"),
    ],
)  # fmt: skip
def test_origin_of(url: str, origin: Origin, target: str) -> None:
    assert Origin.of(url) == (origin, target)


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        (Origin("https", "api.twilio.com", 443), "api.twilio.com"),
        (Origin("http", "api.twilio.com", 443), "api.twilio.com:443"),
        (Origin("http", "::1", 81), "[::1]:81"),
    ],
)
def test_host_header(origin: Origin, host: str) -> None:
    assert origin.host_header == host


@pytest.mark.parametrize("url", ["ftp://host/x", "http:///nohost", "not a url", "http://h:99999/"])
def test_unreachable_urls_are_invalid(url: str) -> None:
    with pytest.raises(InvalidUrl):
        Origin.of(url)


@given(
    st.text(alphabet=st.characters(codec="latin-1"), min_size=1),
    st.text(alphabet=st.characters(codec="latin-1")),
)
def test_a_header_never_splits_the_request(name: str, value: str) -> None:
    splits = any(c in name + value for c in "\r\n\0")
    try:
        request = encode_request("POST", "/", "h", {name: value}, b"")
    except ValueError:
        assert splits
    else:
        assert not splits
        assert request.count(b"\r\n") == 5  # request line, Host, the header, length, blank


@pytest.mark.parametrize(
    ("content_type", "body", "text"),
    [
        ("application/json; charset=utf-8", "é".encode(), "é"),
        ("application/json", "é".encode(), "é"),
        ('text/plain; charset="latin-1"', b"\xe9", "é"),
        ("text/plain; charset=no-such-charset", b"ok", "ok"),
        ("application/json", b"\xff", "\ufffd"),
    ],
)
def test_response_text(content_type: str, body: bytes, text: str) -> None:
    assert HttpResponse(200, body, {"content-type": content_type}).text() == text
