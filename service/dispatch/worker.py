"""The clock that drives dispatch: APScheduler ticks, the database decides who is due."""

from __future__ import annotations

import datetime
import logging
from typing import TextIO

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import Engine

from service.catalog import Catalog
from service.dispatch.dispatcher import Dispatcher, TickReport
from service.metrics import timed_tick
from service.settings import Settings, SmsTransportKind
from service.transport import ConsoleTransport, Transport

TICK_SECONDS = 60
log = logging.getLogger(__name__)


def make_transport(settings: Settings, console_stream: TextIO | None = None) -> Transport:
    if settings.transport is SmsTransportKind.CONSOLE:
        return ConsoleTransport(console_stream)
    from service.transport.twilio_rest import TwilioTransport  # the SDK loads only when used

    assert settings.twilio_account_sid is not None
    return TwilioTransport(
        settings.twilio_account_sid,
        settings.auth_token,
        settings.twilio_api_base_url,
        from_number=None if settings.twilio_messaging_service_sid else settings.twilio_from_number,
        messaging_service_sid=settings.twilio_messaging_service_sid,
        max_connections=settings.max_in_flight,
    )


def start_scheduler(dispatcher: Dispatcher) -> AsyncIOScheduler:
    """Tick every minute on the running loop; a slow tick is never run twice at once here,
    and other processes are kept apart by the database, not by this scheduler."""

    async def tick() -> None:
        now = datetime.datetime.now(datetime.UTC)
        try:
            report: TickReport = await timed_tick(dispatcher, now)
        except Exception:  # a failed tick must not stop the clock; the next one retries
            log.exception("dispatch tick failed")
            return
        if report.claimed or report.resumed:
            log.info("tick: %s", report)

    scheduler = AsyncIOScheduler(timezone=datetime.UTC)
    scheduler.add_job(
        tick,
        "interval",
        seconds=TICK_SECONDS,
        id="dispatch-tick",
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.datetime.now(datetime.UTC),
    )
    scheduler.start()
    return scheduler


def build_dispatcher(engine: Engine, settings: Settings, catalog: Catalog) -> Dispatcher:
    return Dispatcher(engine, settings, catalog, make_transport(settings))
