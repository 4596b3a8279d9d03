"""GET /healthz: the service is up and its database answers."""

from __future__ import annotations

import anyio
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from service.deps import RuntimeDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz(runtime: RuntimeDep) -> JSONResponse:
    def ping() -> None:
        with runtime.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    try:
        await anyio.to_thread.run_sync(ping)
    except Exception:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok"})
