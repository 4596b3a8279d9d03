"""FastAPI dependencies: the long-lived objects the app holds, and the clock."""

from __future__ import annotations

import datetime
import hmac
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated

import anyio
from fastapi import Depends, Header, HTTPException, Request
from sqlalchemy import Engine

from service.catalog import Catalog
from service.settings import Settings

DATABASE_THREADS = 8


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    catalog: Catalog

    @cached_property
    def database_turns(self) -> anyio.CapacityLimiter:
        """Threads answering webhooks at once: about the connection pool's size. More only
        fight over the GIL and the pool; the rest wait their turn in the event loop."""
        return anyio.CapacityLimiter(DATABASE_THREADS)


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def utc_now() -> datetime.datetime:
    """The one place the web app reads the clock; everything below receives `now`."""
    return datetime.datetime.now(datetime.UTC)


def require_admin(
    runtime: Annotated[Runtime, Depends(get_runtime)],
    authorization: Annotated[str | None, Header()] = None,
) -> None:
    expected = runtime.settings.admin_token
    scheme, _, token = (authorization or "").partition(" ")
    if (
        expected is None
        or not expected.get_secret_value()
        or scheme.lower() != "bearer"
        or not hmac.compare_digest(token.encode(), expected.get_secret_value().encode())
    ):
        raise HTTPException(
            401, "A valid admin bearer token is required.", {"WWW-Authenticate": "Bearer"}
        )


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
NowDep = Annotated[datetime.datetime, Depends(utc_now)]
AdminDep = Depends(require_admin)
