"""POST /sms/status: Twilio's status callback."""

from __future__ import annotations

import anyio
from fastapi import APIRouter, HTTPException, Request, Response

from service.deps import runtime_of
from service.dispatch.status import record_status
from service.webhooks import twilio_form_openapi, verified_form

router = APIRouter(tags=["webhooks"])


STATUS_CALLBACK_FORM = twilio_form_openapi(
    {
        "MessageSid": {"type": "string"},
        "MessageStatus": {
            "type": "string",
            "enum": ["queued", "sending", "sent", "delivered", "undelivered", "failed"],
        },
        "ErrorCode": {"type": "string"},
    },
    required=["MessageSid", "MessageStatus"],
)


@router.post(
    "/sms/status",
    status_code=204,
    response_class=Response,
    summary="Twilio status callback",
    openapi_extra=STATUS_CALLBACK_FORM,
)
async def status_callback(request: Request) -> Response:
    runtime = runtime_of(request)  # read directly, as /sms/inbound does: callbacks come in bursts
    now = runtime.clock()
    form = await verified_form(request, runtime.settings)
    message_sid = (form.get("MessageSid") or form.get("SmsSid") or "").strip()
    status = (form.get("MessageStatus") or form.get("SmsStatus") or "").strip()
    if not message_sid or not status:
        raise HTTPException(400, "A status callback needs MessageSid and MessageStatus.")
    raw_code = (form.get("ErrorCode") or "").strip()
    # Twilio's codes are plain numbers of a few digits. str.isdigit() alone also accepts
    # digits int() refuses ("²") and numbers PostgreSQL's integer column cannot hold.
    if raw_code and not (raw_code.isascii() and raw_code.isdigit() and len(raw_code) <= 9):
        raise HTTPException(400, "ErrorCode must be a number of at most 9 digits.")
    await anyio.to_thread.run_sync(
        record_status, runtime.engine, message_sid, status, int(raw_code) if raw_code else None, now
    )
    return Response(status_code=204)
