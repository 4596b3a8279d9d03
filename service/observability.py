"""Metrics for Prometheus and log set-up, with phone numbers masked in every log line.

Metrics come from two places:
- the database, read at scrape time: inbound messages by intent, prompts sent, Twilio errors by
  code, subscribers by status. These are the same whichever process (web, worker, `nudge tick`)
  did the work, so a scrape of the web app tells the whole story;
- this process: tick duration and webhook latency, as histograms.

Logs are JSON lines in production (the Twilio transport) and readable lines in development
(the console transport), unless LOG_FORMAT says otherwise. Anything that looks like a phone
number is masked to its last four digits before a line is written, whoever logged it.
"""

from __future__ import annotations

import datetime
import logging
import re
import sys
import time
from collections.abc import Iterator, MutableMapping
from typing import TYPE_CHECKING, Any, TextIO

import anyio
import structlog
from fastapi import APIRouter, FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.conversation.models import InboundMessage
from service.dispatch.models import OutboundKind, OutboundMessage, OutboundStatus
from service.phones import mask_phone
from service.settings import Settings, SmsTransportKind
from service.subscribers.models import Subscriber, SubscriberStatus

if TYPE_CHECKING:  # the dispatcher may import this module to time its ticks
    from service.dispatch.dispatcher import Dispatcher, TickReport

# --- metrics of this process ----------------------------------------------------------------

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)

TICK_DURATION = Histogram(
    "nudge_tick_duration_seconds",
    "Time one dispatch pass took.",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
    registry=REGISTRY,
)
WEBHOOK_LATENCY = Histogram(
    "nudge_webhook_duration_seconds",
    "Time from a Twilio webhook arriving to its response, by route and status class.",
    ["path", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
DISPATCH_FAILURES = Counter(
    "nudge_dispatch_failures_total",
    "Subscribers or prompts a dispatch pass skipped because their row failed; the pass went on.",
    ["stage"],
    registry=REGISTRY,
)
WEBHOOK_PATHS = frozenset({"/sms/inbound", "/sms/status"})

SENT = (
    OutboundStatus.ACCEPTED,
    OutboundStatus.QUEUED,
    OutboundStatus.SENT,
    OutboundStatus.DELIVERED,
    OutboundStatus.REPLIED_INLINE,
)


async def timed_tick(dispatcher: Dispatcher, now: datetime.datetime) -> TickReport:
    """Run one dispatch pass and record how long it took."""
    started = time.perf_counter()
    try:
        return await dispatcher.tick(now)
    finally:
        TICK_DURATION.observe(time.perf_counter() - started)


class WebhookTimer:
    """ASGI middleware timing the Twilio webhooks (only their fixed paths, so labels stay few)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path not in WEBHOOK_PATHS:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def remember_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, remember_status)
        finally:
            WEBHOOK_LATENCY.labels(path, f"{status // 100}xx").observe(
                time.perf_counter() - started
            )


# --- metrics from the database --------------------------------------------------------------


class DatabaseCollector(Collector):
    """Programme counters read from the database at scrape time."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        with Session(self.engine) as session:
            intents = session.exec(
                select(InboundMessage.intent, func.count()).group_by(col(InboundMessage.intent))
            ).all()
            prompts = session.exec(
                select(func.count()).where(
                    col(OutboundMessage.kind) == OutboundKind.PROMPT,
                    col(OutboundMessage.status).in_(SENT),
                )
            ).one()
            errors = session.exec(
                select(OutboundMessage.error_code, func.count())
                .where(col(OutboundMessage.error_code).is_not(None))
                .group_by(col(OutboundMessage.error_code))
            ).all()
            statuses = dict(
                session.exec(
                    select(Subscriber.status, func.count()).group_by(col(Subscriber.status))
                ).all()
            )
        inbound = CounterMetricFamily(
            "nudge_inbound_messages",
            "Inbound texts stored, by the intent read in them.",
            labels=["intent"],
        )
        for intent, count in sorted(intents, key=lambda row: row[0] or ""):
            inbound.add_metric([intent or "undecided"], int(count))
        yield inbound
        yield CounterMetricFamily(
            "nudge_prompts_sent", "Prompts handed to the SMS transport.", value=int(prompts)
        )
        twilio = CounterMetricFamily(
            "nudge_twilio_errors",
            "Outbound messages that ended with a Twilio error code.",
            labels=["code"],
        )
        for code, count in sorted(errors, key=lambda row: row[0] or 0):
            twilio.add_metric([str(code)], int(count))
        yield twilio
        subscribers = GaugeMetricFamily(
            "nudge_subscribers", "Subscribers by status.", labels=["status"]
        )
        for status in SubscriberStatus:
            subscribers.add_metric([status.value], int(statuses.get(status, 0)))
        yield subscribers


def render_metrics(engine: Engine) -> bytes:
    database = CollectorRegistry(auto_describe=False)
    database.register(DatabaseCollector(engine))
    return generate_latest(REGISTRY) + generate_latest(database)


metrics_router = APIRouter(tags=["observability"])


@metrics_router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    engine: Engine = request.app.state.runtime.engine
    body = await anyio.to_thread.run_sync(render_metrics, engine)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


# --- logs -----------------------------------------------------------------------------------

# E.164 numbers, also URL-encoded ("%2B1415..."), as they appear in messages and query strings.
PHONE_PATTERN = re.compile(r"(?:\+|%2[bB])\d{7,15}\b")
HANDLER_NAME = "nudge"
QUIET_LIBRARIES = ("twilio", "httpx", "httpcore")


def mask_phones(text: str) -> str:
    return PHONE_PATTERN.sub(lambda match: mask_phone(match.group()), text)


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_phones(value)
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_masked(item) for item in value)
    return value


def mask_phone_numbers(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: every string in the event, the message included, masked."""
    return {key: _masked(value) for key, value in event_dict.items()}


def wants_json(settings: Settings) -> bool:
    if settings.log_format == "auto":
        return settings.transport is SmsTransportKind.TWILIO
    return settings.log_format == "json"


def configure_logging(settings: Settings, stream: TextIO | None = None) -> logging.Handler:
    """Route stdlib and structlog logging through one handler on the root logger.

    Calling it again replaces the handler it added before (tests build many apps), and leaves
    other handlers alone.
    """
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if wants_json(settings)
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            mask_phone_numbers,
            renderer,
        ],
    )
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > logging.INFO:
        root.setLevel(logging.INFO)
    # HTTP clients log every request at INFO (costly at volume, and noisy); warnings stay.
    for name in QUIET_LIBRARIES:
        library = logging.getLogger(name)
        if library.level == logging.NOTSET:
            library.setLevel(logging.WARNING)
    return handler


def install_observability(app: FastAPI, settings: Settings) -> None:
    """GET /metrics, the webhook timer, and the log format."""
    configure_logging(settings)
    app.include_router(metrics_router)
    app.add_middleware(WebhookTimer)
