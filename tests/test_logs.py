"""The log set-up: JSON or readable lines, phone numbers masked whoever logs them."""

from __future__ import annotations

import io
import json
import logging

import pytest
import structlog

from service.logs import configure_logging, mask_phones, wants_json
from service.settings import Settings, SmsTransportKind


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("text from +14155550123 ok", "text from ********0123 ok"),
        ("From=%2B14155550123&Body=hi", "From=**********0123&Body=hi"),
        ("+447700900123, +14155550123", "*********0123, ********0123"),
        ("order 12345678 at 10:30", "order 12345678 at 10:30"),
    ],
)
def test_phone_numbers_are_masked(text: str, masked: str) -> None:
    assert mask_phones(text) == masked


def _settings(**overrides: object) -> Settings:
    return Settings(_env_file=None, **overrides)  # type: ignore[arg-type, call-arg]


def test_json_in_production_and_readable_lines_in_development() -> None:
    assert not wants_json(_settings(sms_transport=SmsTransportKind.CONSOLE))
    production = _settings(
        twilio_account_sid="AC" + "1" * 32,
        twilio_auth_token="token",
        twilio_from_number="+15550001111",
    )
    assert wants_json(production)
    assert wants_json(_settings(sms_transport=SmsTransportKind.CONSOLE, log_format="json"))
    assert not wants_json(production.model_copy(update={"log_format": "console"}))


@pytest.fixture
def restore_logging() -> object:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield None
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    structlog.reset_defaults()


def test_json_lines_mask_numbers_from_any_logger(restore_logging: object) -> None:
    stream = io.StringIO()
    configure_logging(_settings(sms_transport=SmsTransportKind.CONSOLE, log_format="json"), stream)
    logging.getLogger("some.library").info("sent to %s", "+14155550123")
    structlog.get_logger("service").info("texted", to="+14155550123", nested={"n": "+14155550199"})
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines[0]["event"] == "sent to ********0123"
    assert lines[0]["level"] == "info" and lines[0]["logger"] == "some.library"
    assert lines[1]["to"] == "********0123" and lines[1]["nested"] == {"n": "********0199"}
    assert "+1415" not in stream.getvalue()


def test_readable_lines_in_development(restore_logging: object) -> None:
    stream = io.StringIO()
    configure_logging(_settings(sms_transport=SmsTransportKind.CONSOLE), stream)
    configure_logging(_settings(sms_transport=SmsTransportKind.CONSOLE), stream)  # idempotent
    logging.getLogger("service.test").warning("reply to +14155550123 failed")
    output = stream.getvalue()
    assert output.count("reply to ********0123 failed") == 1
    assert not output.lstrip().startswith("{")
    assert "[warning" in output
