"""Settings, read from the environment or a `.env` file (names fixed by the contract)."""

from __future__ import annotations

import datetime
from enum import StrEnum
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from service.scheduling.schedule import SendWindow


class SmsTransportKind(StrEnum):
    TWILIO = "twilio"
    CONSOLE = "console"


DEVELOPMENT_SIGNING_KEY = "local-development-only"


ADMIN_TOKEN_MIN_LENGTH = 24


class SettingsError(Exception):
    """Raised with a readable explanation when the configuration cannot work."""


def _parse_clock(value: object) -> object:
    if isinstance(value, str):
        try:
            return datetime.time.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValueError(f"expected a time like 08:00, got {value!r}") from exc
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    database_url: str = "sqlite:///./data/nudge.db"

    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_from_number: str | None = None
    twilio_messaging_service_sid: str | None = None
    twilio_api_base_url: str = "https://api.twilio.com"
    public_base_url: str = "http://127.0.0.1:8000"
    sms_transport: SmsTransportKind | None = None

    admin_token: SecretStr | None = None
    scheduler_enabled: bool = True
    program_name: str = "Closer"
    support_contact: str = "help@closer.example"
    send_window_start: datetime.time = datetime.time(8, 0)
    send_window_end: datetime.time = datetime.time(21, 0)
    default_timezone: str = "America/New_York"

    # Extensions beyond the contract.
    prompts_per_week: int = Field(default=3, ge=1, le=7)
    messages_dir: str = "messages"
    max_in_flight: int = Field(default=50, ge=1, le=1000)
    messages_per_second: float | None = Field(default=None, gt=0)
    tick_batch_size: int = Field(default=500, ge=1, le=100_000)
    # Florida's and Oklahoma's quiet hours and daily cap (service/scheduling/state_rules.yaml).
    state_rules: bool = True
    max_new_prompts_per_day: int = Field(default=3, ge=0, le=20)
    log_format: str = Field(default="auto", pattern="^(auto|json|console)$")
    # The interactive API pages load their scripts from a CDN onto the dashboard's origin,
    # so they are off unless asked for; /openapi.json is always served.
    api_docs: bool = False
    # The reverse proxies whose X-Forwarded-For names the client (uvicorn's setting); unset,
    # the connecting address is the client's.
    forwarded_allow_ips: str | None = None
    # Replaces the support lines of messages/safety_resources.yaml for every country when set
    # (a programme with a line of its own); unset, each number gets its own country's lines.
    safety_resources: str | None = None

    @field_validator("send_window_start", "send_window_end", mode="before")
    @classmethod
    def _clock(cls, value: object) -> object:
        return _parse_clock(value)

    @field_validator(
        "twilio_account_sid",
        "twilio_from_number",
        "twilio_messaging_service_sid",
        "safety_resources",
    )
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r} (use an IANA name)") from exc
        return value

    @field_validator("public_base_url", "twilio_api_base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _coherent(self) -> Settings:
        if self.send_window_start >= self.send_window_end:
            raise ValueError("SEND_WINDOW_START must be earlier than SEND_WINDOW_END")
        if self.transport is SmsTransportKind.TWILIO:
            missing = [
                name
                for name, value in (
                    ("TWILIO_ACCOUNT_SID", self.twilio_account_sid),
                    ("TWILIO_AUTH_TOKEN", self.twilio_auth_token),
                )
                if not value
            ]
            if missing:
                raise ValueError(f"SMS_TRANSPORT=twilio needs {' and '.join(missing)}")
            if not (self.twilio_from_number or self.twilio_messaging_service_sid):
                raise ValueError(
                    "SMS_TRANSPORT=twilio needs TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID"
                )
        return self

    @property
    def transport(self) -> SmsTransportKind:
        if self.sms_transport is not None:
            return self.sms_transport
        if self.twilio_account_sid and self.twilio_auth_token:
            return SmsTransportKind.TWILIO
        return SmsTransportKind.CONSOLE

    @property
    def auth_token(self) -> str:
        """The key for X-Twilio-Signature.

        With the console transport and no token, a published development key lets the local
        phone simulator sign its texts; nothing real is ever sent in that mode.
        """
        if self.twilio_auth_token:
            return self.twilio_auth_token.get_secret_value()
        return DEVELOPMENT_SIGNING_KEY if self.transport is SmsTransportKind.CONSOLE else ""

    @cached_property
    def send_window(self) -> SendWindow:
        return SendWindow(self.send_window_start, self.send_window_end)

    @cached_property
    def default_zone(self) -> ZoneInfo:
        return ZoneInfo(self.default_timezone)

    @property
    def admin_token_is_weak(self) -> bool:
        """A token short enough to guess. Warned about, not refused: the contract lets any
        token open /admin."""
        token = self.admin_token
        return token is not None and len(token.get_secret_value()) < ADMIN_TOKEN_MIN_LENGTH

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning validation errors into one readable SettingsError."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            where = ".".join(str(part).upper() for part in error["loc"]) or "settings"
            lines.append(f"  {where}: {error['msg']}")
        raise SettingsError("Invalid configuration:\n" + "\n".join(lines)) from exc
