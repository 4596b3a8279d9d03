"""A lean HTTP/1.1 client for the SDK's requests: a pool of keep-alive connections per origin.

Why not aiohttp's ClientSession: the dispatcher sends one fixed shape of request (a form POST
with a handful of headers, a small JSON answer) thousands of times a minute. ClientSession's
general machinery (cookies, redirects, tracing, payload registry, multidict headers, a timer
object per request) cost about 0.2 ms of CPU per message, as much as the rest of the send
path together (BENCHMARKS.md). Here a request is one bytes write on an asyncio Protocol and
the answer is parsed by httptools, the C parser uvicorn uses.

What a caller may rely on, because the dispatcher's exactly-once rules depend on it:
* `ConnectError` (and `InvalidUrl`) mean nothing was sent: no connection could be made, or no
  pooled connection came free before the timeout;
* any other failure (`TimeoutError`, `ExchangeError`) may come after the request left, so the
  server may have acted on it.
"""

from __future__ import annotations

import asyncio
import collections
import re
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, cast
from urllib.parse import urlsplit

import httptools

_LINE_BREAK: Final = re.compile("[\r\n\0]")


class HttpError(Exception):
    """A request that got no complete answer."""


class ConnectError(HttpError):
    """No connection was made (refused, DNS, TLS, no free connection in time): nothing sent."""


class InvalidUrl(HttpError, ValueError):
    """A URL this client cannot reach (not http/https, no host): nothing sent."""


class ExchangeError(HttpError):
    """The connection broke or the answer was malformed after the request may have left."""


@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: bytes
    headers: dict[str, str]  # names in lower case; a repeated header keeps its last value

    def text(self) -> str:
        charset = "utf-8"
        for parameter in self.headers.get("content-type", "").split(";")[1:]:
            name, _, value = parameter.strip().partition("=")
            if name.lower() == "charset" and value:
                charset = value.strip('"')
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:  # a charset Python does not know
            return self.body.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class Origin:
    scheme: str
    host: str
    port: int

    @classmethod
    def of(cls, url: str) -> tuple[Origin, str]:
        """The origin of `url` and its request target (path and query)."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as error:
            raise InvalidUrl(f"{url!r}: {error}") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidUrl(f"{url!r}: not an http(s) URL with a host")
        default_port = 443 if parts.scheme == "https" else 80
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return cls(parts.scheme, parts.hostname, port or default_port), target

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default_port = 443 if self.scheme == "https" else 80
        return host if self.port == default_port else f"{host}:{self.port}"


def encode_request(
    method: str, target: str, host: str, headers: Mapping[str, str], body: bytes
) -> bytes:
    """The bytes of one HTTP/1.1 request; refuses header text that could split it."""
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if _LINE_BREAK.search("".join(lines)):
        raise ValueError("a line break in the request line or a header would split the request")
    if body or method not in ("GET", "HEAD", "DELETE"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class _Connection(asyncio.Protocol):
    """One keep-alive connection; one exchange at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self._parser = httptools.HttpResponseParser(self)
        self._answer: asyncio.Future[HttpResponse] | None = None
        self._headers: dict[str, str] = {}
        self._body: list[bytes] = []
        self._body_ends_at_close = False
        self.idle_since = 0.0  # the event loop's clock when it last went back to the pool

    @property
    def usable(self) -> bool:
        return not self.closed and self.transport is not None and not self.transport.is_closing()

    # -- asyncio.Protocol --
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not subclass asyncio.Transport, but have its methods.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if self._answer is None:  # bytes nobody asked for: the connection cannot be trusted
            self.close()
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as error:
            self._fail(ExchangeError(f"malformed answer: {error}"))
            self.close()

    def connection_lost(self, error: Exception | None) -> None:
        self.closed = True
        if self._body_ends_at_close:  # an answer with neither a length nor chunks
            self._answered()
        self._fail(ExchangeError(f"connection closed before a whole answer: {error or 'EOF'}"))

    # -- httptools callbacks --
    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_headers_complete(self) -> None:
        status = self._parser.get_status_code()
        self._body_ends_at_close = not (
            "content-length" in self._headers
            or "transfer-encoding" in self._headers
            or status in (204, 304)
            or 100 <= status < 200
        )

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        if not self._parser.should_keep_alive():
            self.close()
        self._answered()

    def _answered(self) -> None:
        self._body_ends_at_close = False
        answer = self._answer
        if answer is not None and not answer.done():
            status = self._parser.get_status_code()
            answer.set_result(HttpResponse(status, b"".join(self._body), self._headers))

    # -- the exchange --
    def send(self, request: bytes) -> asyncio.Future[HttpResponse]:
        assert self.transport is not None and self._answer is None
        self._headers, self._body = {}, []
        self._answer = answer = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return answer

    def finish(self, completed: bool) -> None:
        """The caller is done with this exchange; an unfinished one spoils the connection
        (whatever is left on the wire belongs to nobody)."""
        self._answer = None
        if not completed:
            self.close()

    def _fail(self, error: Exception) -> None:
        if self._answer is not None and not self._answer.done():
            self._answer.set_exception(error)

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class _OriginPool:
    """Up to `limit` connections to one origin; idle ones are reused newest first, for up to
    `keepalive` seconds (as aiohttp's 15): a server closes idle connections on a timer of its
    own, and a request written as its close crosses the wire would end `unknown`."""

    def __init__(
        self, origin: Origin, limit: int, ssl_context: ssl.SSLContext | None, keepalive: float
    ) -> None:
        self.origin = origin
        self.limit = limit
        self.keepalive = keepalive
        self._ssl = ssl_context
        self._idle: list[_Connection] = []
        self._open = 0
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    def idle_connection(self) -> _Connection | None:
        """A pooled connection that is still open, if one is idle (no waiting, no timer)."""
        now = asyncio.get_running_loop().time()
        while self._idle:
            connection = self._idle.pop()
            if connection.usable and now - connection.idle_since < self.keepalive:
                return connection
            connection.close()
            self._open -= 1
        return None

    async def acquire(self) -> _Connection:
        while True:
            connection = self.idle_connection()
            if connection is not None:
                return connection
            if self._open < self.limit:
                self._open += 1
                try:
                    return await self._connect()
                except BaseException:
                    self._open -= 1
                    self._wake_one()
                    raise
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            except BaseException:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
                elif waiter.done() and not waiter.cancelled():
                    self._wake_one()  # pass on the turn this waiter was given
                raise

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        origin = self.origin
        try:
            _, connection = await loop.create_connection(
                _Connection,
                origin.host,
                origin.port,
                ssl=self._ssl if origin.scheme == "https" else None,
            )
        except (OSError, ssl.SSLError) as error:
            raise ConnectError(f"cannot connect to {origin.host_header}: {error}") from error
        return connection

    def release(self, connection: _Connection) -> None:
        if connection.closed:
            self._open -= 1
        else:
            connection.idle_since = asyncio.get_running_loop().time()
            self._idle.append(connection)
        self._wake_one()

    def _wake_one(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    def close(self) -> None:
        for connection in self._idle:
            connection.close()
        self._idle.clear()


class HttpPool:
    """Keep-alive HTTP/1.1 connections, at most `max_connections` per origin.

    Belongs to the event loop of its first request. `timeout` bounds a whole request: waiting
    for a connection, connecting, and the exchange.
    """

    def __init__(
        self,
        max_connections: int = 100,
        timeout: float = 10.0,
        ssl_context: ssl.SSLContext | None = None,
        keepalive: float = 15.0,
    ) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        self.max_connections = max_connections
        self.timeout = timeout
        self.keepalive = keepalive
        self._ssl = ssl_context
        self._pools: dict[Origin, _OriginPool] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    def _pool(self, origin: Origin) -> _OriginPool:
        pool = self._pools.get(origin)
        if pool is None:
            if self._ssl is None and origin.scheme == "https":
                self._ssl = ssl.create_default_context()
            pool = self._pools[origin] = _OriginPool(
                origin, self.max_connections, self._ssl, self.keepalive
            )
        return pool

    async def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes = b"",
        timeout: float | None = None,
    ) -> HttpResponse:
        origin, target = Origin.of(url)
        request = encode_request(method, target, origin.host_header, headers, body)
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            # Connections belong to the loop that opened them (each `nudge tick` runs its own):
            # a new loop starts with none.
            self._pools.clear()
            self._loop = loop
        pool = self._pool(origin)
        seconds = self.timeout if timeout is None else timeout
        deadline = loop.time() + seconds
        connection = pool.idle_connection()
        if connection is None:
            try:
                async with asyncio.timeout_at(deadline):
                    connection = await pool.acquire()
            except TimeoutError:
                message = f"no connection to {origin.host_header} in {seconds} s"
                raise ConnectError(message) from None
        answer = connection.send(request)
        timer = loop.call_at(deadline, _time_out, answer)
        completed = False
        try:
            response = await answer
            completed = True
            return response
        finally:
            timer.cancel()
            connection.finish(completed)
            pool.release(connection)

    async def close(self) -> None:
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()


def _time_out(answer: asyncio.Future[HttpResponse]) -> None:
    if not answer.done():
        answer.set_exception(TimeoutError("no whole answer in time"))
