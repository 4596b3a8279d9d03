"""Settings: contract names, sensible defaults, and a clear refusal when they cannot work."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys

import pytest

from service.settings import SettingsError, SmsTransportKind, load_settings


def settings(**values: object):  # type: ignore[no-untyped-def]
    return load_settings(_env_file=None, **values)


def test_defaults_follow_the_contract(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("TWILIO_", "DATABASE_URL", "SMS_", "SEND_WINDOW", "ADMIN_")):
            monkeypatch.delenv(name)
    value = settings()
    assert value.database_url == "sqlite:///./data/nudge.db"
    assert value.transport is SmsTransportKind.CONSOLE
    assert value.twilio_api_base_url == "https://api.twilio.com"
    assert value.public_base_url == "http://127.0.0.1:8000"
    assert (value.send_window_start, value.send_window_end) == (datetime.time(8), datetime.time(21))
    assert value.default_timezone == "America/New_York"
    assert value.scheduler_enabled is True


def test_twilio_is_the_default_transport_when_credentials_are_set() -> None:
    value = settings(
        twilio_account_sid="AC123", twilio_auth_token="secret", twilio_from_number="+15550001111"
    )
    assert value.transport is SmsTransportKind.TWILIO
    assert value.auth_token == "secret"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"sms_transport": "twilio"}, "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"),
        (
            {"sms_transport": "twilio", "twilio_account_sid": "AC1", "twilio_auth_token": "t"},
            "TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID",
        ),
        ({"send_window_start": "22:00", "send_window_end": "08:00"}, "SEND_WINDOW_START"),
        ({"send_window_start": "8am"}, "SEND_WINDOW_START"),
        ({"default_timezone": "Mars/Olympus"}, "DEFAULT_TIMEZONE"),
        ({"sms_transport": "pigeon"}, "SMS_TRANSPORT"),
        ({"public_base_url": "nudge.example.com"}, "PUBLIC_BASE_URL"),
        ({"max_in_flight": 0}, "MAX_IN_FLIGHT"),
    ],
)
def test_invalid_settings_are_refused_clearly(values: dict[str, object], message: str) -> None:
    with pytest.raises(SettingsError) as error:
        settings(**values)
    assert message in str(error.value)


def test_the_command_line_refuses_to_start_with_a_readable_message() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "service", "migrate"],
        env={"PATH": os.environ["PATH"], "SMS_TRANSPORT": "twilio", "HOME": "/tmp"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Invalid configuration" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("token", "weak"),
    [(None, False), ("short", True), ("x" * 23, True), ("x" * 24, False)],
)
def test_a_short_admin_token_is_called_weak(token: str | None, weak: bool) -> None:
    assert settings(admin_token=token).admin_token_is_weak is weak
