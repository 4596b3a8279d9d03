"""A phone, simulated: texts the service exactly as Twilio would deliver them, signed."""

from __future__ import annotations

import secrets

import httpx

from service.settings import Settings
from service.webhooks import sign

SIMULATED_ACCOUNT_SID = "AC" + "0" * 32


def inbound_form(sender: str, body: str, to: str, message_sid: str | None = None) -> dict[str, str]:
    """The fields Twilio posts for one inbound SMS."""
    return {
        "ToCountry": "US",
        "SmsMessageSid": message_sid or "SM" + secrets.token_hex(16),
        "NumMedia": "0",
        "SmsSid": message_sid or "",
        "SmsStatus": "received",
        "Body": body,
        "To": to,
        "NumSegments": "1",
        "MessageSid": message_sid or "",
        "AccountSid": SIMULATED_ACCOUNT_SID,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }


def send_signed_text(
    settings: Settings, *, sender: str, body: str, base_url: str | None = None
) -> str | None:
    """POST one text to /sms/inbound and return the reply's text (None when there is none)."""
    message_sid = "SM" + secrets.token_hex(16)
    form = inbound_form(sender, body, settings.twilio_from_number or "+15550000000", message_sid)
    signed_url = f"{settings.public_base_url}/sms/inbound"
    target = f"{(base_url or settings.public_base_url).rstrip('/')}/sms/inbound"
    response = httpx.post(
        target,
        data=form,
        headers={"X-Twilio-Signature": sign(settings.auth_token, signed_url, form)},
        timeout=10,
    )
    response.raise_for_status()
    return reply_text(response.text)


def reply_text(twiml: str) -> str | None:
    from xml.etree import ElementTree

    root = ElementTree.fromstring(twiml)
    messages = [element.text or "" for element in root.iter("Message")]
    return "\n".join(messages) if messages else None
