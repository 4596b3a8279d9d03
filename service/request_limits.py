"""Every route's request body has a ceiling, enforced as the body streams in.

A declared Content-Length over the limit is refused before anything is read; a chunked body
is counted as it arrives and refused the moment it passes the limit, so no route ever holds
more than the limit in memory.
"""

from __future__ import annotations

from fastapi import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Twilio's webhooks are a few kilobytes at most; the dashboard's largest form is a 1,000
# character note. Nothing the service accepts comes near this.
MAX_REQUEST_BYTES = 64 * 1024
TOO_LARGE = f"Request body too large: the limit is {MAX_REQUEST_BYTES // 1024} KB."


class RequestBodyLimit:
    """ASGI middleware: 413 for a body over MAX_REQUEST_BYTES, declared or streamed."""

    def __init__(self, app: ASGIApp, limit: int = MAX_REQUEST_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await JSONResponse({"detail": TOO_LARGE}, status_code=413)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    # Raised inside the route's read of the body: FastAPI's exception
                    # handling answers it like any other HTTPException.
                    raise HTTPException(413, TOO_LARGE)
            return message

        await self.app(scope, counted, send)
