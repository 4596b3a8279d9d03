"""The server the webhook benchmark runs under uvicorn: the real app plus a bare endpoint.

    python -m uvicorn bench.webhook_app:create --factory [--workers N] ...

Configured by environment variables (the benchmark sets them): BENCH_DATABASE_URL,
BENCH_AUTH_TOKEN, BENCH_PUBLIC_BASE_URL. With --workers N, every server process builds its
own app from them, as `nudge serve --workers N` does.

POST /bare/inbound is the baseline: in the same server, it reads the same form the same way
(Starlette's form parser) and answers with the same kind of TwiML, built by the same function,
but checks no signature and touches no database.
"""

from __future__ import annotations

import os

from fastapi import FastAPI, Request, Response
from pydantic import SecretStr

from bench.common import ACCOUNT_SID, SENDER
from service.app import create_app, freeze_long_lived_objects
from service.conversation.routes import twiml
from service.settings import Settings, SmsTransportKind

# What the HELP keyword answers with the default settings: a typical one-segment reply.
BARE_REPLY = (
    "Closer: small prompts for couples, about 3 msgs a week. Help: help@closer.example. "
    "Msg & data rates may apply. Reply STOP to cancel, MENU for options."
)


def bench_settings() -> Settings:
    """Production-like: the Twilio transport (no simulator routes), no scheduler in the web
    process. Nothing is sent: webhook replies travel in the TwiML answer."""
    return Settings(
        database_url=os.environ["BENCH_DATABASE_URL"],
        sms_transport=SmsTransportKind.TWILIO,
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=SecretStr(os.environ["BENCH_AUTH_TOKEN"]),
        twilio_from_number=SENDER,
        public_base_url=os.environ["BENCH_PUBLIC_BASE_URL"],
        scheduler_enabled=False,
        _env_file=None,
    )


def create() -> FastAPI:
    app = create_app(bench_settings())

    @app.post("/bare/inbound", include_in_schema=False)
    async def bare_inbound(request: Request) -> Response:
        form = await request.form()
        fields = {key: value for key, value in form.items() if isinstance(value, str)}
        return twiml(BARE_REPLY if fields.get("From") else None)

    freeze_long_lived_objects()  # as `nudge serve` does
    return app
