"""POST /sms/inbound: Twilio's messaging webhook."""

from __future__ import annotations

import anyio
from fastapi import APIRouter, HTTPException, Request, Response
from sqlalchemy.exc import OperationalError
from twilio.twiml.messaging_response import MessagingResponse

from service.conversation.inbound import InboundText, receive
from service.deps import runtime_of
from service.phones import InvalidPhoneNumber, normalize_phone
from service.webhooks import twilio_form_openapi, verified_form

router = APIRouter(tags=["webhooks"])

MAX_BODY_CHARACTERS = 1600  # Twilio's own limit for one message


def twiml(reply: str | None) -> Response:
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return Response(content=str(response), media_type="text/xml")


TWILIO_WEBHOOK_FORM = twilio_form_openapi(
    {
        "From": {
            "type": "string",
            "pattern": "^\\+1[2-9][0-9]{9}$",
            "description": "The texting phone number, E.164",
        },
        "To": {"type": "string"},
        "Body": {"type": "string"},
        "MessageSid": {"type": "string"},
        "AccountSid": {"type": "string"},
        "OptOutType": {"type": "string", "enum": ["STOP", "START", "HELP"]},
    },
    required=["From", "MessageSid"],
)


@router.post(
    "/sms/inbound",
    response_class=Response,
    summary="Twilio messaging webhook",
    openapi_extra=TWILIO_WEBHOOK_FORM,
    responses={200: {"content": {"text/xml": {}}, "description": "TwiML with the reply, if any"}},
)
async def inbound_sms(request: Request) -> Response:
    runtime = runtime_of(request)
    now = runtime.clock()
    form = await verified_form(request, runtime.settings)
    text = _parse(form)
    try:
        # The answer is one database transaction: blocking work, on a worker thread, as many
        # at once as the database can take (a burst queues here, not in SQLite's busy loop).
        reply = await anyio.to_thread.run_sync(
            receive,
            runtime.engine,
            runtime.settings,
            runtime.catalog,
            text,
            now,
            limiter=runtime.answering,
        )
    except OperationalError as error:
        # The database could not be reached or stayed locked: nothing was stored, and Twilio
        # should hear so before its own 15 s timeout rather than get an empty reply.
        raise HTTPException(
            503, "The database is unavailable; try again shortly.", {"Retry-After": "5"}
        ) from error
    return twiml(reply)


def _parse(form: dict[str, str]) -> InboundText:
    sender = form.get("From", "").strip()
    message_sid = (form.get("MessageSid") or form.get("SmsSid") or "").strip()
    if not sender:
        raise HTTPException(400, "Missing 'From': the sender's phone number.")
    if not message_sid:
        raise HTTPException(400, "Missing 'MessageSid'.")
    if len(message_sid) > 64:
        raise HTTPException(400, "'MessageSid' is too long.")
    body = form.get("Body", "")
    if len(body) > MAX_BODY_CHARACTERS:
        raise HTTPException(413, f"'Body' is longer than {MAX_BODY_CHARACTERS} characters.")
    for field, limit in (("To", 32), ("OptOutType", 16)):
        if len(form.get(field, "")) > limit:
            raise HTTPException(400, f"'{field}' is longer than {limit} characters.")
    try:
        phone = normalize_phone(sender)
    except InvalidPhoneNumber as exc:
        raise HTTPException(
            400, f"'From' is not a phone number we can text: {sender[:40]!r}."
        ) from exc
    return InboundText(
        message_sid=message_sid,
        phone=phone,
        body=body,
        to_number=form.get("To") or None,
        opt_out_type=(form.get("OptOutType") or None),
    )
