"""A transport that prints texts instead of sending them, for running without a Twilio account."""

from __future__ import annotations

import secrets
import sys
from typing import TextIO

from service.transport.base import Delivery, SendResult


def format_console_sms(to: str, body: str) -> str:
    """One block per message: "SMS to <number> : <text>", later lines indented under the text."""
    prefix = f"SMS to {to} : "
    continuation = "\n" + " " * len(prefix)
    return prefix + continuation.join(body.splitlines() or [""])


class ConsoleTransport:
    def __init__(self, stream: TextIO | None = None) -> None:
        # None means "sys.stdout at the time of sending", so redirected stdout is honoured.
        self._stream = stream

    async def send(self, to: str, body: str, status_callback: str | None = None) -> SendResult:
        stream = self._stream if self._stream is not None else sys.stdout
        stream.write(format_console_sms(to, body) + "\n")
        stream.flush()
        return SendResult(
            delivery=Delivery.ACCEPTED, sid="SMconsole" + secrets.token_hex(16), detail="printed"
        )

    async def aclose(self) -> None:
        # The stream belongs to the caller (usually stdout), so it stays open.
        return None
