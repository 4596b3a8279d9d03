"""Simulated time: the simulator's requests run "as of" a later moment; everyone else's don't.

The simulator posts its signed texts through the app in-process, inside a context where
`SIMULATED_NOW` is set; the app's clock (`Runtime.clock`) is `simulated_or_real_now`, which
returns that moment there and the real time everywhere else (a request from outside runs
in a context where the variable was never set).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from service.deps import read_clock

SIMULATED_NOW: ContextVar[datetime.datetime | None] = ContextVar("simulated_now", default=None)
MAX_OFFSET = datetime.timedelta(days=366)


def simulated_or_real_now() -> datetime.datetime:
    return SIMULATED_NOW.get() or read_clock()


def as_of(real_now: datetime.datetime, offset_minutes: int) -> datetime.datetime:
    return real_now + datetime.timedelta(minutes=offset_minutes)


@contextmanager
def running_as_of(moment: datetime.datetime) -> Iterator[None]:
    token = SIMULATED_NOW.set(moment)
    try:
        yield
    finally:
        SIMULATED_NOW.reset(token)
