"""Sending SMS through Twilio's REST API with the official SDK and its aiohttp client.

The SDK always builds https://api.twilio.com/... URLs. The client here points that prefix at a
configurable API base URL, so the same code talks to Twilio in production and to a local
Twilio-compatible server in tests and benchmarks, over real HTTP.
"""

from __future__ import annotations

import urllib.request
from typing import Final
from urllib.parse import urlsplit

import aiohttp
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.rest import Client

from service.transport.base import Delivery, SendResult

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


class ApiBaseAsyncHttpClient(AsyncTwilioHttpClient):  # type: ignore[misc]  # SDK is untyped
    """The SDK's own aiohttp client, sent to `api_base_url`.

    Its session is made on the first request (aiohttp wants a running event loop) with what
    the SDK's default session lacks: a connection limit, and proxies honoured (`proxy_url`,
    else HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the environment). Every request has a
    total timeout, the client's unless the call sets its own.
    """

    def __init__(
        self,
        api_base_url: str,
        *,
        max_connections: int = 100,
        timeout: float = 10.0,
        proxy_url: str | None = None,
    ) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        super().__init__(pool_connections=False, timeout=timeout, proxy_url=proxy_url)
        self.session: aiohttp.ClientSession | None = None
        self.api_base_url = api_base_url.rstrip("/")
        self.max_connections = max_connections

    async def request(
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
        if self.session is None:
            self.session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.max_connections),
                # Looked up once: with trust_env, aiohttp reads the environment again on
                # every request, a tenth of a dispatch pass's CPU.
                proxy=self.proxy_url or environment_proxy(self.api_base_url),
            )
        response: TwilioResponse = await super().request(
            method,
            rewrite_api_url(url, self.api_base_url),
            params=params,
            data=data,
            headers=headers,
            auth=auth,
            # The SDK hands None down when nobody set a per-call timeout, and aiohttp reads
            # None as "no timeout": the client's own applies instead.
            timeout=timeout if timeout is not None else self.timeout,
            allow_redirects=allow_redirects,
        )
        return response

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()
            self.session = None


def environment_proxy(url: str) -> str | None:
    """The proxy HTTPS_PROXY / HTTP_PROXY name for `url`, unless NO_PROXY exempts its host."""
    parts = urlsplit(url)
    if parts.hostname is None or urllib.request.proxy_bypass(parts.hostname):
        return None
    return urllib.request.getproxies().get(parts.scheme)


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
    if isinstance(error, aiohttp.InvalidURL):
        return Delivery.FAILED  # a misconfigured base URL: nothing was sent, retrying won't help
    # No connection was made (refused, DNS, connect timeout): nothing was sent.
    if isinstance(error, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError):
        return Delivery.RETRY_LATER
    # A timeout or broken connection after connecting: Twilio may have the message.
    return Delivery.UNKNOWN


# -- the transport --------------------------------------------------------------------------


class TwilioTransport:
    """Sends one SMS per call through the SDK's `messages.create_async`, and reports every
    outcome as a SendResult instead of raising. Pacing, retries and the bound on requests in
    flight belong to the dispatcher, which checks each prompt right before its request."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        api_base_url: str = TWILIO_API_BASE_URL,
        *,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        max_connections: int = 100,
        timeout: float = 10.0,
        proxy_url: str | None = None,
    ) -> None:
        if (from_number is None) == (messaging_service_sid is None):
            raise ValueError("give exactly one sender: from_number or messaging_service_sid")
        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid
        http_client = ApiBaseAsyncHttpClient(
            api_base_url, max_connections=max_connections, timeout=timeout, proxy_url=proxy_url
        )
        self.client = Client(account_sid, auth_token, http_client=http_client)

    async def send(self, to: str, body: str, status_callback: str | None = None) -> SendResult:
        form: dict[str, str] = {"to": to, "body": body}
        if self.from_number is not None:
            form["from_"] = self.from_number
        else:
            form["messaging_service_sid"] = str(self.messaging_service_sid)
        if status_callback:
            form["status_callback"] = status_callback
        try:
            message = await self.client.messages.create_async(**form)
        except TwilioRestException as error:
            status = int(error.status)
            code = int(error.code) if error.code is not None else None
            delivery = classify_twilio_error(status, code)
            return SendResult(delivery, None, code, status, _error_text(error))
        except (aiohttp.ClientError, TimeoutError) as error:
            detail = f"{type(error).__name__}: {error}"
            return SendResult(classify_transport_error(error), detail=detail)
        except (TwilioException, ValueError, TypeError, KeyError, AttributeError) as error:
            # A 2xx answer the SDK could not read: the message may well exist.
            detail = f"unreadable answer: {type(error).__name__}: {error}"
            return SendResult(Delivery.UNKNOWN, detail=detail)
        return SendResult(
            Delivery.ACCEPTED,
            sid=None if message.sid is None else str(message.sid),
            detail=str(message.status or ""),
        )

    async def aclose(self) -> None:
        await self.client.http_client.close()


def _error_text(error: TwilioException) -> str:
    # str(error) is meant for terminals (it may hold colour codes), so read the fields.
    for field in ("msg", "detail", "title"):
        text = getattr(error, field, None)
        if text:
            return str(text)
    return type(error).__name__
