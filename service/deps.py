"""FastAPI dependencies: the long-lived objects the app holds, and the clock."""

from __future__ import annotations

import datetime
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request
from sqlalchemy import Engine

from service.catalog import Catalog
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
    runtime: Annotated[Runtime, Depends(get_runtime)],
    authorization: Annotated[str | None, Header()] = None,
) -> None:
    expected = runtime.settings.admin_token
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token_matches(
        token, expected.get_secret_value() if expected else None
    ):
        raise HTTPException(
            401, "A valid admin bearer token is required.", {"WWW-Authenticate": "Bearer"}
        )


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
NowDep = Annotated[datetime.datetime, Depends(utc_now)]
AdminDep = Depends(require_admin)
