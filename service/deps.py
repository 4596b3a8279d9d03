"""FastAPI dependencies: the long-lived objects the app holds, and the clock."""

from __future__ import annotations

import datetime
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

import anyio
from fastapi import Depends, Header, HTTPException, Request
from sqlalchemy import Engine

from service.catalog import Catalog
from service.dashboard.throttle import (
    BEARER_ATTEMPTS,
    bearer_key,
    recent_failures,
    record_failure,
    retry_after_seconds,
    wait_before_next_try,
)
from service.settings import Settings


def read_clock() -> datetime.datetime:
    """The one place the web app reads the real clock; everything below receives `now`."""
    return datetime.datetime.now(datetime.UTC)


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    catalog: Catalog
    # The app's clock: the real one, unless the simulator (or a test) sets its own.
    clock: Callable[[], datetime.datetime] = read_clock
    # Texts answered at once (database.transactions_at_once); set when the app starts, since
    # a limiter belongs to the running event loop.
    answering: anyio.CapacityLimiter | None = None


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


# Dependencies are `async def` although they never await: FastAPI runs a plain `def` one in
# its thread pool, two thread hand-offs per request for a field read or a clock read.


async def get_runtime(request: Request) -> Runtime:
    return runtime_of(request)


async def utc_now(request: Request) -> datetime.datetime:
    """The runtime's clock, as a dependency."""
    return runtime_of(request).clock()


def token_matches(offered: str, admin_token: str | None) -> bool:
    """Constant-time check of an offered admin token; an unset or empty token matches nothing."""
    if not admin_token or not offered:
        return False
    return hmac.compare_digest(offered.encode(), admin_token.encode())


async def require_admin(
    request: Request,
    runtime: Annotated[Runtime, Depends(get_runtime)],
    authorization: Annotated[str | None, Header()] = None,
) -> None:
    expected = runtime.settings.admin_token
    scheme, _, token = (authorization or "").partition(" ")
    refused = HTTPException(
        401, "A valid admin bearer token is required.", {"WWW-Authenticate": "Bearer"}
    )
    if scheme.lower() != "bearer" or not token or expected is None:
        raise refused  # nothing was guessed
    now = runtime.clock()
    # Behind a proxy this is the proxy unless uvicorn trusts its X-Forwarded-For (README).
    key = bearer_key(request.client.host if request.client else "unknown")
    failures = await anyio.to_thread.run_sync(recent_failures, runtime.engine, key, now)
    wait = wait_before_next_try(failures, now, BEARER_ATTEMPTS)
    if wait is not None:  # even the right token waits: a locked address learns nothing
        raise HTTPException(
            429,
            "Too many wrong admin tokens from this address; try again later.",
            {"Retry-After": str(retry_after_seconds(wait))},
        )
    if not token_matches(token, expected.get_secret_value()):
        await anyio.to_thread.run_sync(record_failure, runtime.engine, key, now)
        raise refused


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
NowDep = Annotated[datetime.datetime, Depends(utc_now)]
AdminDep = Depends(require_admin)
