"""A phone for tests: texts the app through signed webhooks, exactly as Twilio delivers them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import httpx
from fastapi.testclient import TestClient

from service.phone_simulator import inbound_form, reply_text
from service.webhooks import sign

SERVICE_NUMBER = "+15550001111"


@dataclass
class Phone:
    client: TestClient
    auth_token: str
    public_base_url: str
    number: str

    def post(self, body: str, *, message_sid: str | None = None, **extra: str) -> httpx.Response:
        sid = message_sid or "SM" + secrets.token_hex(16)
        form = inbound_form(self.number, body, SERVICE_NUMBER, sid) | extra
        signature = sign(self.auth_token, f"{self.public_base_url}/sms/inbound", form)
        return self.client.post(
            "/sms/inbound", data=form, headers={"X-Twilio-Signature": signature}
        )

    def text(self, body: str, **extra: str) -> str | None:
        """Send a text and return the service's reply (None when it says nothing)."""
        response = self.post(body, **extra)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/xml")
        return reply_text(response.text)

    def join(self) -> None:
        """JOIN, then YES: an active subscriber."""
        assert "YES" in (self.text("JOIN") or "")
        assert "Welcome" in (self.text("YES") or "")

    def other(self, number: str) -> Phone:
        return Phone(self.client, self.auth_token, self.public_base_url, number)
