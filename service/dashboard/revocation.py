"""Signing out: a revoked session is refused on every process and replica, since the cookie
alone would otherwise stay valid until it expires."""

from __future__ import annotations

import datetime

from sqlalchemy import Engine, delete
from sqlmodel import Session, col

from service.dashboard import session
from service.dashboard.models import RevokedSession
from service.database import session_scope


def revoke(engine: Engine, cookie: str, now: datetime.datetime) -> None:
    """Ends the session for good; forgets sessions that have expired by themselves."""
    digest = session.digest(cookie)
    with session_scope(engine) as db:
        db.execute(delete(RevokedSession).where(col(RevokedSession.expires_at) < now))
        if db.get(RevokedSession, digest) is None:
            db.add(RevokedSession(digest=digest, expires_at=session.expires_at(cookie)))


def is_revoked(engine: Engine, cookie: str) -> bool:
    with Session(engine) as db:
        return db.get(RevokedSession, session.digest(cookie)) is not None
