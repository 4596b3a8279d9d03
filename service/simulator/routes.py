"""/simulator: a page to text the service as a phone would, and its JSON endpoints.

Texts travel the same road as Twilio's: the form Twilio would post, signed with the auth token
as Twilio signs it, posted to /sms/inbound through the app itself. "Advance time" runs a
dispatch pass as of a later moment with the console transport (and one at each moment a
queued message fell due on the way). The page keeps that moment as an offset from the real
time and sends it with every request. It can show a second phone beside the first
(`other_phone`), to play both partners of a pair: each answer then carries that phone's
conversation too, read as of the same moment.
"""

from __future__ import annotations

import datetime
import secrets
from pathlib import Path
from typing import Annotated

import anyio
import httpx
from fastapi import APIRouter, FastAPI, HTTPException, Query, Request, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field

from service.conversation.routes import MAX_BODY_CHARACTERS
from service.dashboard.routes import SECURITY_HEADERS
from service.deps import NowDep, Runtime, RuntimeDep
from service.dispatch.dispatcher import Dispatcher
from service.dispatch.worker import make_transport
from service.phone_simulator import inbound_form, reply_text
from service.phones import InvalidPhoneNumber, normalize_phone
from service.settings import Settings, SmsTransportKind
from service.simulator import passes
from service.simulator.clock import MAX_OFFSET, as_of, running_as_of, simulated_or_real_now
from service.simulator.conversation import (
    Conversation,
    offset_past_next_prompt,
    read_conversation,
)
from service.webhooks import sign

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")
MAX_OFFSET_MINUTES = int(MAX_OFFSET.total_seconds() // 60)
DEFAULT_PHONE = "+14155550100"
DEFAULT_OTHER_PHONE = "+14155550101"  # the partner, when two phones are shown
SERVICE_NUMBER = "+15550000000"

router = APIRouter(prefix="/simulator", include_in_schema=False)

Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET_MINUTES)]
OtherPhone = Annotated[str | None, Field(max_length=32)]  # the phone shown beside this one


class TextIn(BaseModel):
    phone: str = Field(max_length=32)
    body: str = Field(max_length=MAX_BODY_CHARACTERS)
    offset_minutes: Offset = 0
    other_phone: OtherPhone = None


class AdvanceIn(BaseModel):
    phone: str = Field(max_length=32)
    offset_minutes: Offset = 0
    minutes: Annotated[int, Field(ge=0, le=MAX_OFFSET_MINUTES)] = 0
    # Move to just past the next scheduled prompt of this phone, or of either phone shown.
    to_next_prompt: bool = False
    other_phone: OtherPhone = None


class TextOut(BaseModel):
    reply: str | None
    conversation: Conversation
    other: Conversation | None = None  # the other phone's, when one was given


class AdvanceOut(BaseModel):
    sent: int  # messages the dispatch passes sent, to anyone
    conversation: Conversation
    other: Conversation | None = None


def _phone(raw: str) -> str:
    try:
        return normalize_phone(raw)
    except InvalidPhoneNumber as exc:
        raise HTTPException(422, f"Not a phone number we can text: {raw[:32]!r}.") from exc


def _optional_phone(raw: str | None) -> str | None:
    return None if raw is None else _phone(raw)


def _service_number(settings: Settings) -> str:
    return settings.twilio_from_number or SERVICE_NUMBER


async def _conversation(
    runtime: Runtime, phone: str, real_now: datetime.datetime, offset: int
) -> Conversation:
    moment = as_of(real_now, offset)
    return await anyio.to_thread.run_sync(read_conversation, runtime.engine, phone, offset, moment)


async def _other(
    runtime: Runtime, other_phone: str | None, real_now: datetime.datetime, offset: int
) -> Conversation | None:
    if other_phone is None:
        return None
    return await _conversation(runtime, other_phone, real_now, offset)


@router.get("")
async def simulator_page(request: Request, runtime: RuntimeDep) -> Response:
    response = templates.TemplateResponse(
        request,
        "simulator.html",
        {
            "program_name": runtime.settings.program_name,
            "service_number": _service_number(runtime.settings),
            "default_phone": DEFAULT_PHONE,
            "default_other_phone": DEFAULT_OTHER_PHONE,
        },
    )
    response.headers.update(SECURITY_HEADERS)
    return response


@router.get("/api/conversation")
async def conversation(
    runtime: RuntimeDep,
    now: NowDep,
    phone: Annotated[str, Query(max_length=32)],
    offset_minutes: Annotated[int, Query(ge=0, le=MAX_OFFSET_MINUTES)] = 0,
) -> Conversation:
    return await _conversation(runtime, _phone(phone), now, offset_minutes)


@router.post("/api/text")
async def text(request: Request, runtime: RuntimeDep, now: NowDep, message: TextIn) -> TextOut:
    """Text the service: a signed Twilio webhook, posted through this very app."""
    phone = _phone(message.phone)
    other_phone = _optional_phone(message.other_phone)  # refused before the text is sent
    settings = runtime.settings
    sid = "SM" + secrets.token_hex(16)
    form = inbound_form(phone, message.body, _service_number(settings), sid)
    signature = sign(settings.auth_token, f"{settings.public_base_url}/sms/inbound", form)
    transport = httpx.ASGITransport(app=request.app)
    with running_as_of(as_of(now, message.offset_minutes)):
        async with httpx.AsyncClient(transport=transport, base_url="http://simulator") as client:
            response = await client.post(
                "/sms/inbound", data=form, headers={"X-Twilio-Signature": signature}
            )
    if response.status_code != 200:
        raise HTTPException(502, f"The webhook answered {response.status_code}: {response.text}")
    return TextOut(
        reply=reply_text(response.text),
        conversation=await _conversation(runtime, phone, now, message.offset_minutes),
        other=await _other(runtime, other_phone, now, message.offset_minutes),
    )


@router.post("/api/advance")
async def advance(runtime: RuntimeDep, now: NowDep, step: AdvanceIn) -> AdvanceOut:
    """Move the simulated time forward: a dispatch pass as of then, and one at each moment a
    queued message fell due on the way (service.simulator.passes)."""
    phone = _phone(step.phone)
    other_phone = _optional_phone(step.other_phone)
    offset = step.offset_minutes + step.minutes
    if step.to_next_prompt:
        shown = [phone] if other_phone is None else [phone, other_phone]
        current = [await _conversation(runtime, p, now, step.offset_minutes) for p in shown]
        offset = offset_past_next_prompt(offset, [c.next_prompt_at for c in current], now)
    offset = min(offset, MAX_OFFSET_MINUTES)
    settings = runtime.settings
    dispatcher = Dispatcher(runtime.engine, settings, runtime.catalog, make_transport(settings))
    try:
        sent = await passes.advance(dispatcher, as_of(now, step.offset_minutes), as_of(now, offset))
    finally:
        await dispatcher.transport.aclose()
    return AdvanceOut(
        sent=sent,
        conversation=await _conversation(runtime, phone, now, offset),
        other=await _other(runtime, other_phone, now, offset),
    )


def install_simulator(app: FastAPI, settings: Settings) -> None:
    """Add /simulator, only with the console transport: with Twilio it does not exist."""
    if settings.transport is not SmsTransportKind.CONSOLE:
        return
    app.include_router(router)
    app.mount("/simulator/static", StaticFiles(directory=HERE / "static"), name="simulator-static")
    runtime: Runtime = app.state.runtime
    runtime.clock = simulated_or_real_now  # the app's clock, webhooks included
