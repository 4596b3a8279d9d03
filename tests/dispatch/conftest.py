"""Dispatch fixtures: the real SDK talking to a local Twilio-compatible server."""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlmodel import Session

from service.catalog import Catalog
from service.deps import Runtime
from service.dispatch.dispatcher import Dispatcher, TickReport
from service.dispatch.worker import make_transport
from service.settings import Settings, SmsTransportKind
from service.subscribers.models import Subscriber, SubscriberStatus
from tests.fake_twilio import FakeTwilio

ACCOUNT_SID = "AC" + "1" * 32
SENDER = "+15550009999"


@pytest.fixture(scope="session")
def fake_twilio_server(auth_token_session: str) -> Iterator[FakeTwilio]:
    with FakeTwilio(ACCOUNT_SID, auth_token_session) as fake:
        yield fake


@pytest.fixture(scope="session")
def auth_token_session() -> str:
    return "dispatch-test-token-0123456789abcdef"


@pytest.fixture
def fake_twilio(fake_twilio_server: FakeTwilio) -> FakeTwilio:
    fake_twilio_server.reset()
    return fake_twilio_server


@pytest.fixture
def twilio_settings(
    settings: Settings, fake_twilio: FakeTwilio, auth_token_session: str
) -> Settings:
    return settings.model_copy(
        update={
            "sms_transport": SmsTransportKind.TWILIO,
            "twilio_account_sid": ACCOUNT_SID,
            "twilio_auth_token": SecretStr(auth_token_session),
            "twilio_from_number": SENDER,
            "twilio_api_base_url": fake_twilio.base_url,
        }
    )


@pytest.fixture
def dispatcher(twilio_settings: Settings, runtime: Runtime) -> Dispatcher:
    return Dispatcher(
        runtime.engine, twilio_settings, runtime.catalog, make_transport(twilio_settings)
    )


def run_tick(dispatcher: Dispatcher, at: datetime.datetime) -> TickReport:
    """One pass in its own event loop, as `nudge tick` runs it (the HTTP pool closes with it)."""

    async def run() -> TickReport:
        try:
            return await dispatcher.tick(at)
        finally:
            await dispatcher.transport.aclose()

    return asyncio.run(run())


def add_active(
    engine: Engine,
    phones: list[str],
    next_prompt_at: datetime.datetime,
    *,
    timezone: str = "America/New_York",
) -> None:
    with Session(engine) as session:
        for phone in phones:
            session.add(
                Subscriber(
                    phone=phone,
                    status=SubscriberStatus.ACTIVE,
                    timezone=timezone,
                    next_prompt_at=next_prompt_at,
                    created_at=next_prompt_at,
                    updated_at=next_prompt_at,
                )
            )
        session.commit()


def numbers(count: int, start: int = 0) -> list[str]:
    return [f"+1212555{n:04d}" for n in range(start, start + count)]


__all__ = ["Catalog", "add_active", "numbers", "run_tick"]
