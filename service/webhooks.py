"""Twilio webhooks: a form POST signed with X-Twilio-Signature over our public URL."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import HTTPException, Request
from starlette.datastructures import FormData
from twilio.request_validator import RequestValidator

from service.settings import Settings


def twilio_form_openapi(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    """OpenAPI for a Twilio webhook: a signed form (FastAPI cannot infer it from the route)."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {"type": "object", "required": required, "properties": properties}
                }
            },
        },
        "parameters": [
            {
                "name": "X-Twilio-Signature",
                "in": "header",
                "required": True,
                "schema": {"type": "string"},
                "description": "Twilio's signature over PUBLIC_BASE_URL + path and the form",
            }
        ],
    }


def public_url(settings: Settings, request: Request) -> str:
    """The URL Twilio signed: ours by configuration, never rebuilt from proxy headers."""
    # The path and query as `request.url` spells them, without building the whole URL
    # (its parsing was a few percent of the webhook's time under a burst).
    path: str = request.scope["path"]
    path = path.replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")
    query: bytes = request.scope.get("query_string", b"")
    return settings.public_base_url + path + ("?" + query.decode() if query else "")


def sign(auth_token: str, url: str, form: Mapping[str, str]) -> str:
    """The X-Twilio-Signature Twilio sends with a form POST of `form` to `url`."""
    return str(RequestValidator(auth_token).compute_signature(url, dict(form)))


def signature_is_valid(
    auth_token: str, url: str, params: Mapping[str, str], signature: str | None
) -> bool:
    """Whether Twilio signed this form for `url` (the URL with or without its default port)."""
    if not signature or not auth_token:
        return False
    return bool(RequestValidator(auth_token).validate(url, dict(params), signature))


async def verified_form(request: Request, settings: Settings) -> dict[str, str]:
    """The webhook's fields, after the signature check; raises a clear 4xx otherwise (the body's
    size is request_limits' to check, as it streams in)."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("application/x-www-form-urlencoded"):
        raise HTTPException(
            415, "Twilio webhooks are form-encoded (application/x-www-form-urlencoded)."
        )
    try:
        form: FormData = await request.form()
    except HTTPException:  # the body passed its size limit while streaming in
        raise
    except Exception as exc:  # malformed encodings are the sender's fault, not a server error
        raise HTTPException(400, "Could not parse the form body.") from exc
    params = {key: value for key, value in form.items() if isinstance(value, str)}
    signature = request.headers.get("x-twilio-signature")
    if not signature_is_valid(
        settings.auth_token, public_url(settings, request), params, signature
    ):
        raise HTTPException(403, "Missing or invalid X-Twilio-Signature.")
    # After the signature check (it covers the raw values): PostgreSQL text cannot hold NUL.
    return {key: value.replace("\x00", "") for key, value in params.items()}
