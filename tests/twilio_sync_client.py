"""The SDK's blocking client, pointed at a local Twilio-compatible server (tests.fake_twilio).

Twilio's sample applications call `client.messages.create(...)` this way; tests use it to
drive the fake with the real SDK, and bench.dispatch to time that sample loop.
"""

from __future__ import annotations

from requests.adapters import HTTPAdapter
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.rest import Client

from service.transport.twilio_rest import rewrite_api_url


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


def make_sync_client(
    account_sid: str, auth_token: str, api_base_url: str, timeout: float = 10.0
) -> Client:
    """An SDK client for ordinary blocking calls, as in Twilio's sample apps."""
    return Client(account_sid, auth_token, http_client=ApiBaseHttpClient(api_base_url, timeout))
