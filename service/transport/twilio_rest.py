"""Sending SMS through Twilio's REST API with the official SDK.

The SDK always builds https://api.twilio.com/... URLs. The HTTP clients here rewrite that
prefix to a configurable API base URL, so the same code talks to Twilio in production and to
a local Twilio-compatible server (service.fake_twilio) in tests and benchmarks, over real HTTP.

Notes on the installed SDK (twilio 9.x) that shaped the async client:
* The SDK takes any AsyncHttpClient. Its own, AsyncTwilioHttpClient, builds an aiohttp
  ClientSession in __init__ (which needs a running event loop) and ignores its `timeout`
  setting. The subclass here posts over an HttpPool (service.transport.http_pool), created
  lazily on the first request, with a total timeout and a connection limit: it sends the same
  bytes as the SDK's own client (a test compares them on the wire) for a fraction of
  aiohttp's CPU per request, which is most of what a dispatch pass spends.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlencode, urlsplit

from requests.adapters import HTTPAdapter
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.rest import Client

from service.transport.base import Delivery, SendResult
from service.transport.http_pool import ConnectError, HttpError, HttpPool, InvalidUrl

TWILIO_API_BASE_URL: Final = "https://api.twilio.com"
_SDK_API_PREFIX: Final = TWILIO_API_BASE_URL + "/"

OPTED_OUT_CODES: Final = frozenset({21610})
# Invalid number (21211), region not enabled for this number (21408), number unreachable by
# SMS (21612), not a mobile number (21614): sending again to the same number cannot work.
UNDELIVERABLE_CODES: Final = frozenset({21211, 21408, 21612, 21614})
TOO_MANY_REQUESTS_CODE: Final = 20429


def rewrite_api_url(url: str, api_base_url: str) -> str:
    """Point a URL the SDK built for Twilio's core API (api[.edge.region].twilio.com) at
    `api_base_url`; other URLs, and everything when the base is Twilio's own, stay as they are.
    """
    base = api_base_url.rstrip("/")
    if base == TWILIO_API_BASE_URL:
        return url
    if url.startswith(_SDK_API_PREFIX):
        return base + url[len(TWILIO_API_BASE_URL) :]
    parts = urlsplit(url)
    is_core_api_host = parts.netloc.startswith("api.") and parts.netloc.endswith(".twilio.com")
    if parts.scheme == "https" and is_core_api_host:
        return base + url[len(f"https://{parts.netloc}") :]
    return url


def _basic_authorization(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode("ascii")


# quote_plus, byte by byte: unreserved bytes stay, a space becomes "+", the rest %XX.
_FORM_BYTE: Final = tuple(
    chr(byte)
    if chr(byte) in "_.-~" or (chr(byte).isascii() and chr(byte).isalnum())
    else "+"
    if byte == 0x20
    else f"%{byte:02X}"
    for byte in range(256)
)


class _QuotedCharacters(dict[int, str]):
    """A character's UTF-8 bytes as quote_plus writes them, by code point; filled on first use."""

    def __missing__(self, codepoint: int) -> str:
        # UnicodeEncodeError for a lone surrogate, as quote_plus raises.
        quoted = "".join(_FORM_BYTE[byte] for byte in chr(codepoint).encode())
        if len(self) < 4096:  # the characters texts use; an odd text cannot grow it forever
            self[codepoint] = quoted
        return quoted


_QUOTED: Final = _QuotedCharacters()
_NEEDS_QUOTING: Final = re.compile("[^A-Za-z0-9_.~ -]")


def _quote_match(match: re.Match[str]) -> str:
    return _QUOTED[ord(match.group())]


def _form_quote(text: str) -> str:
    """quote_plus(text): a message's letters and spaces are copied by C loops (regex, replace);
    only its punctuation and non-ASCII characters cost a Python call."""
    return _NEEDS_QUOTING.sub(_quote_match, text).replace(" ", "+")


def _form_body(data: Mapping[str, object]) -> bytes:
    """urlencode(data, doseq=True), encoded; a message form (text fields only) faster."""
    if all(type(key) is str and type(value) is str for key, value in data.items()):
        return "&".join(
            f"{_form_quote(key)}={_form_quote(value)}"  # type: ignore[arg-type]
            for key, value in data.items()
        ).encode()
    # The SDK may also hand over lists (repeated fields such as MediaUrl), numbers, bytes.
    return urlencode(data, doseq=True).encode()


class ApiBaseAsyncHttpClient(AsyncTwilioHttpClient):  # type: ignore[misc]  # SDK is untyped
    """The SDK's async HTTP client, sent to `api_base_url`, over one keep-alive HttpPool.

    The pool is created on the first request and belongs to that request's event loop.
    """

    def __init__(
        self, api_base_url: str, max_connections: int = 100, timeout: float = 10.0
    ) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        # pool_connections=False: the parent would build an aiohttp session here, outside
        # any loop; this client never uses one.
        super().__init__(pool_connections=False, timeout=timeout)
        self.api_base_url = api_base_url.rstrip("/")
        self.max_connections = max_connections
        self.pool: HttpPool | None = None
        self._authorization_cache: tuple[tuple[str, str], str] | None = None

    def _pooled(self) -> HttpPool:
        if self.pool is None:
            self.pool = HttpPool(self.max_connections, self.timeout)
        return self.pool

    def _authorization(self, auth: tuple[str, str]) -> str:
        cached = self._authorization_cache
        if cached is not None and cached[0] == auth:
            return cached[1]
        header = _basic_authorization(*auth)
        self._authorization_cache = (auth, header)
        return header

    async def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,  # Twilio's REST API does not redirect
    ) -> TwilioResponse:
        if timeout is not None and timeout <= 0:
            raise ValueError(timeout)
        request_headers = dict(headers or {})
        if auth is not None:
            request_headers["Authorization"] = self._authorization(auth)
        body = b""
        if data:
            if request_headers.get("Content-Type", "").endswith("json"):
                body = json.dumps(data).encode()
            else:
                body = _form_body(data)
        target = rewrite_api_url(url, self.api_base_url)
        if params:
            target += ("&" if "?" in target else "?") + urlencode(params, doseq=True)
        method = method.upper()
        # The SDK's request logging formats strings eagerly; skip it when nobody listens.
        if self.logger.isEnabledFor(logging.INFO):
            self.log_request({"method": method, "url": target, "headers": request_headers})
        response = await self._pooled().request(method, target, request_headers, body, timeout)
        if self.logger.isEnabledFor(logging.INFO):
            self.log_response(response.status, response)
        return TwilioResponse(response.status, response.text(), response.headers)

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()
            self.pool = None


class ApiBaseHttpClient(TwilioHttpClient):  # type: ignore[misc]  # SDK is untyped
    """The SDK's blocking HTTP client (requests), sent to `api_base_url`."""

    def __init__(self, api_base_url: str, timeout: float = 10.0, pool_size: int = 10) -> None:
        super().__init__(pool_connections=True, timeout=timeout)
        self.api_base_url = api_base_url.rstrip("/")
        # The parent only mounts a pool for https://; a local server is plain http.
        self.session.mount("http://", HTTPAdapter(pool_maxsize=pool_size))

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> TwilioResponse:
        response: TwilioResponse = super().request(
            method,
            rewrite_api_url(url, self.api_base_url),
            params=params,
            data=data,
            headers=headers,
            auth=auth,
            timeout=timeout,
            allow_redirects=allow_redirects,
        )
        return response


def make_async_client(
    account_sid: str,
    auth_token: str,
    api_base_url: str,
    max_connections: int = 100,
    timeout: float = 10.0,
) -> Client:
    """An SDK client for `*_async` calls; close it with `await client.http_client.close()`."""
    http_client = ApiBaseAsyncHttpClient(api_base_url, max_connections, timeout)
    return Client(account_sid, auth_token, http_client=http_client)


def make_sync_client(
    account_sid: str, auth_token: str, api_base_url: str, timeout: float = 10.0
) -> Client:
    """An SDK client for ordinary blocking calls, as in Twilio's sample apps."""
    return Client(account_sid, auth_token, http_client=ApiBaseHttpClient(api_base_url, timeout))


# -- pure decisions ---------------------------------------------------------------------------


def classify_twilio_error(http_status: int, code: int | None) -> Delivery:
    """What a Twilio error answer means for this message."""
    if code in OPTED_OUT_CODES:
        return Delivery.OPTED_OUT
    if code in UNDELIVERABLE_CODES:
        return Delivery.UNDELIVERABLE
    if http_status == 429 or code == TOO_MANY_REQUESTS_CODE or http_status >= 500:
        return Delivery.RETRY_LATER
    return Delivery.FAILED


def classify_transport_error(error: BaseException) -> Delivery:
    """What a network failure means: was the request possibly sent?"""
    if isinstance(error, InvalidUrl):
        return Delivery.FAILED  # a misconfigured base URL: nothing was sent, retrying won't help
    # No connection was made (refused, DNS, no free pooled connection in time): nothing sent.
    if isinstance(error, ConnectError):
        return Delivery.RETRY_LATER
    # A timeout or broken connection after connecting: Twilio may have the message.
    return Delivery.UNKNOWN


def backoff_delay(attempt: int, base_seconds: float, jitter: float) -> float:
    """Seconds to wait before retry number `attempt` (0 for the first retry).

    Exponential (base, 2 base, 4 base, ...), scaled by a jitter in [0, 1) into the upper
    half of that range, so that many senders rejected together do not return together.
    """
    return base_seconds * (2.0**attempt) * (0.5 + jitter / 2)


@dataclass(frozen=True)
class TokenBucket:
    """A token bucket that lends tokens ahead: tokens below zero are reservations.

    Taking a token always succeeds and says how long to wait before using it, so concurrent
    senders queue in order without polling.
    """

    rate_per_second: float
    capacity: float
    tokens: float
    updated_at: float

    @classmethod
    def full(cls, rate_per_second: float, capacity: float, now: float) -> TokenBucket:
        if rate_per_second <= 0 or capacity < 1:
            raise ValueError("rate must be positive and capacity at least 1")
        return cls(rate_per_second, capacity, capacity, now)

    def take(self, now: float) -> tuple[TokenBucket, float]:
        """The bucket after taking one token at `now`, and the seconds to wait before sending."""
        elapsed = max(0.0, now - self.updated_at)
        refilled = min(self.capacity, self.tokens + elapsed * self.rate_per_second)
        remaining = refilled - 1
        wait = 0.0 if remaining >= 0 else -remaining / self.rate_per_second
        updated = TokenBucket(
            self.rate_per_second, self.capacity, remaining, max(now, self.updated_at)
        )
        return updated, wait


# -- the transport --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Attempt:
    result: SendResult
    retryable: bool


class TwilioTransport:
    """Sends SMS through Twilio's REST API (or a compatible server at `api_base_url`).

    Bounds requests in flight, paces them per sender, retries throttling and server errors a
    few times within one call, and reports every outcome as a SendResult instead of raising.
    """

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        api_base_url: str = TWILIO_API_BASE_URL,
        *,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        max_in_flight: int = 50,
        messages_per_second: float | None = None,
        retries: int = 2,
        backoff_seconds: float = 0.5,
        timeout: float = 10.0,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if (from_number is None) == (messaging_service_sid is None):
            raise ValueError("give exactly one sender: from_number or messaging_service_sid")
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        if retries < 0:
            raise ValueError("retries cannot be negative")
        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid
        self.retries = retries
        self.backoff_seconds = backoff_seconds
        self.client = make_async_client(
            account_sid, auth_token, api_base_url, max_connections=max_in_flight, timeout=timeout
        )
        # The SDK's Messages resource, looked up once (it is three lazy properties deep). Sends
        # go through its API version's create_async: the SDK still adds its headers and auth,
        # posts over its HTTP client and raises TwilioRestException for error answers, but the
        # payload is not turned into a MessageInstance (three RFC 2822 dates parsed with
        # email.utils, a dozen fields converted) when only sid and status are read.
        messages = self.client.api.account.messages
        self._api_version: Any = messages._version
        self._messages_uri: str = messages._uri
        # In the order of MessageList.create's form (To, StatusCallback, From,
        # MessagingServiceSid, Body), so the request body is byte for byte the SDK's.
        self._sender_form = (
            {"From": from_number}
            if from_number is not None
            else {"MessagingServiceSid": str(messaging_service_sid)}
        )
        self._in_flight = asyncio.Semaphore(max_in_flight)
        self._rng = rng if rng is not None else random.Random()
        self._clock = clock
        self._sleep = sleep
        # A burst of one: sends are spread evenly instead of bunching at each second's start.
        self._bucket = (
            TokenBucket.full(messages_per_second, 1.0, clock())
            if messages_per_second is not None
            else None
        )

    async def send(self, to: str, body: str, status_callback: str | None = None) -> SendResult:
        attempt_number = 0
        while True:
            attempt = await self._attempt(to, body, status_callback)
            if not attempt.retryable or attempt_number >= self.retries:
                return attempt.result
            # Back off outside the semaphore: a waiting message holds no request slot.
            await self._sleep(
                backoff_delay(attempt_number, self.backoff_seconds, self._rng.random())
            )
            attempt_number += 1

    async def _attempt(self, to: str, body: str, status_callback: str | None) -> _Attempt:
        async with self._in_flight:
            await self._wait_for_rate_limit()
            try:
                payload = await self._api_version.create_async(
                    method="POST",
                    uri=self._messages_uri,
                    data=self._message_form(to, body, status_callback),
                    # A new dict each time: the SDK adds its own headers to it.
                    headers={
                        "Content-Type": "application/x-www-form-urlencoded",
                        "Accept": "application/json",
                    },
                )
            except (TwilioRestException, TwilioServiceException) as error:
                status = int(error.status)
                code = int(error.code) if error.code is not None else None
                delivery = classify_twilio_error(status, code)
                result = SendResult(delivery, None, code, status, _error_text(error))
                return _Attempt(result, retryable=delivery is Delivery.RETRY_LATER)
            except (HttpError, TimeoutError) as error:
                delivery = classify_transport_error(error)
                detail = f"{type(error).__name__}: {error}"
                result = SendResult(delivery, detail=detail)
                return _Attempt(result, retryable=delivery is Delivery.RETRY_LATER)
            except (TwilioException, ValueError) as error:
                # A 2xx answer the SDK could not read: the message may well exist.
                detail = f"unreadable answer: {type(error).__name__}: {error}"
                return _Attempt(SendResult(Delivery.UNKNOWN, detail=detail), retryable=False)
        if not isinstance(payload, dict):
            detail = f"unreadable answer: a JSON {type(payload).__name__}, not an object"
            return _Attempt(SendResult(Delivery.UNKNOWN, detail=detail), retryable=False)
        sid = payload.get("sid")
        return _Attempt(
            SendResult(
                Delivery.ACCEPTED,
                sid=None if sid is None else str(sid),
                detail=str(payload.get("status") or ""),
            ),
            retryable=False,
        )

    def _message_form(self, to: str, body: str, status_callback: str | None) -> dict[str, object]:
        form: dict[str, object] = {"To": to}
        if status_callback:
            form["StatusCallback"] = status_callback
        form.update(self._sender_form)
        form["Body"] = body
        return form

    async def _wait_for_rate_limit(self) -> None:
        if self._bucket is None:
            return
        # take() is synchronous, so concurrent senders reserve tokens one after another.
        self._bucket, wait = self._bucket.take(self._clock())
        if wait > 0:
            await self._sleep(wait)

    async def aclose(self) -> None:
        await self.client.http_client.close()


def _error_text(error: TwilioException) -> str:
    # str(error) is meant for terminals (it may hold colour codes), so read the fields.
    for field in ("msg", "detail", "title"):
        text = getattr(error, field, None)
        if text:
            return str(text)
    return type(error).__name__
