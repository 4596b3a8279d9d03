"""Token throttling: after too many wrong admin tokens from one address, wait before trying
again, at the dashboard's sign-in form and at /admin's bearer check alike.

`wait_before_next_try` is the policy, a pure function of the failures and `now`; the rest
keeps the failures in the database, so every process and replica counts the same ones.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence

from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from service.dashboard.models import FailedSignIn
from service.database import session_scope

# Enough for an operator's typos; a brute force of a long token gets nowhere at this pace.
ATTEMPTS = 10
# Scripts calling /admin retry more than a person types; still hopeless for a brute force.
BEARER_ATTEMPTS = 30
PERIOD = datetime.timedelta(minutes=15)


def wait_before_next_try(
    failures: Sequence[datetime.datetime], now: datetime.datetime, attempts: int = ATTEMPTS
) -> datetime.timedelta | None:
    """How long an address must wait, or None: `attempts` failures within PERIOD lock it until
    the oldest of them is PERIOD old."""
    recent = sorted(at for at in failures if now - PERIOD < at <= now)
    if len(recent) < attempts:
        return None
    return recent[-attempts] + PERIOD - now


def bearer_key(address: str) -> str:
    """Bearer failures are counted apart from the sign-in form's, under their own limit."""
    return f"bearer {address}"


def retry_after_seconds(wait: datetime.timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds()))


def recent_failures(
    engine: Engine, address: str, now: datetime.datetime
) -> list[datetime.datetime]:
    with Session(engine) as db:
        return list(
            db.exec(
                select(FailedSignIn.at).where(
                    col(FailedSignIn.address) == address, col(FailedSignIn.at) > now - PERIOD
                )
            )
        )


def record_failure(engine: Engine, address: str, now: datetime.datetime) -> None:
    """Keeps this failure; forgets everyone's failures too old to count."""
    with session_scope(engine) as db:
        db.execute(delete(FailedSignIn).where(col(FailedSignIn.at) <= now - PERIOD))
        db.add(FailedSignIn(address=address, at=now))
