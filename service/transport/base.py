"""What a transport promises: one SMS in, one classified outcome out."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class Delivery(StrEnum):
    """How a send ended, from the point of view of whether to try again."""

    ACCEPTED = "accepted"  # Twilio took it (has a sid)
    # 429/20429, 5xx, or no connection before the request was sent: safe to send again later.
    RETRY_LATER = "retry_later"
    OPTED_OUT = "opted_out"  # 21610: the recipient replied STOP to the carrier; never retry
    UNDELIVERABLE = "undeliverable"  # bad, unreachable or non-mobile number; never retry
    # Timed out (or the connection broke) after the request was sent: it may or may not have
    # gone out, so never resend blindly.
    UNKNOWN = "unknown"
    FAILED = "failed"  # any other 4xx: our fault, do not retry


@dataclass(frozen=True)
class SendResult:
    delivery: Delivery
    sid: str | None = None
    error_code: int | None = None
    http_status: int | None = None
    detail: str = ""


class Transport(Protocol):
    async def send(self, to: str, body: str, status_callback: str | None = None) -> SendResult:
        """Send one SMS. Never raises for provider or network errors: they are in the result."""
        ...

    async def aclose(self) -> None:
        """Release connections; the transport is not used afterwards."""
        ...
