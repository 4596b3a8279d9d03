"""Metrics for Prometheus, served at GET /metrics.

They come from two places:
- the database, read at scrape time: inbound messages by intent, prompts sent, Twilio errors by
  code, subscribers by status. These are the same whichever process (web, worker, `nudge tick`)
  did the work, so a scrape of the web app tells the whole story;
- this process: tick duration and webhook latency, as histograms, and the rows a dispatch
  pass had to skip, as a counter.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import anyio
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
WEBHOOK_PATHS = frozenset({"/sms/inbound", "/sms/status"})
DISPATCH_FAILURES = Counter(
    "nudge_dispatch_failures_total",
    "Subscribers or prompts a dispatch pass skipped because their row failed; the pass went on.",
    ["stage"],
    registry=REGISTRY,
)
for stage in ("claim", "send"):  # exported as zeros from the start, not on the first failure
    DISPATCH_FAILURES.labels(stage=stage)

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


metrics_router = APIRouter(tags=["metrics"])


@metrics_router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    engine: Engine = request.app.state.runtime.engine
    body = await anyio.to_thread.run_sync(render_metrics, engine)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def install_metrics(app: FastAPI) -> None:
    """GET /metrics and the webhook timer."""
    app.include_router(metrics_router)
    app.add_middleware(WebhookTimer)
