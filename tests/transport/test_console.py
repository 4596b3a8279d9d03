"""The console transport: what it prints and what it reports."""

from __future__ import annotations

import asyncio
import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.transport import ConsoleTransport, Delivery, SendResult
from service.transport.console import format_console_sms


def send(transport: ConsoleTransport, to: str, body: str) -> SendResult:
    return asyncio.run(transport.send(to, body))


@pytest.mark.parametrize(
    ("to", "body", "printed"),
    [
        ("+15551234567", "Hello there", "SMS to +15551234567 : Hello there\n"),
        (
            "+15551234567",
            "First line\nSecond line",
            "SMS to +15551234567 : First line\n                      Second line\n",
        ),
        ("+447700900123", "", "SMS to +447700900123 : \n"),
        ("+15551234567", "Café 💛", "SMS to +15551234567 : Café 💛\n"),
    ],
)
def test_prints_one_block_per_message(to: str, body: str, printed: str) -> None:
    stream = io.StringIO()

    send(ConsoleTransport(stream), to, body)

    assert stream.getvalue() == printed


def test_reports_accepted_with_a_console_sid() -> None:
    transport = ConsoleTransport(io.StringIO())

    first = send(transport, "+15551234567", "a")
    second = send(transport, "+15551234567", "b")

    assert first.delivery is Delivery.ACCEPTED
    assert first.sid is not None and re.fullmatch(r"SMconsole[0-9a-f]{32}", first.sid)
    assert first.sid != second.sid
    assert (first.error_code, first.http_status) == (None, None)


def test_writes_to_stdout_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    transport = ConsoleTransport()

    send(transport, "+15551234567", "to the terminal")
    asyncio.run(transport.aclose())

    assert capsys.readouterr().out == "SMS to +15551234567 : to the terminal\n"


@given(body=st.text(max_size=300))
def test_every_line_of_the_text_is_shown_under_the_first(body: str) -> None:
    prefix = "SMS to +15551234567 : "

    lines = format_console_sms("+15551234567", body).split("\n")

    assert lines[0].startswith(prefix)
    assert all(line.startswith(" " * len(prefix)) for line in lines[1:])
    shown = [lines[0][len(prefix) :]] + [line[len(prefix) :] for line in lines[1:]]
    assert shown == (body.splitlines() or [""])
