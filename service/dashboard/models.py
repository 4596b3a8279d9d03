"""Sessions signed out before they expired: the cookie itself stays valid until then."""

from __future__ import annotations

import datetime

from sqlmodel import Field, SQLModel

from service.database import utc_datetime_column


class RevokedSession(SQLModel, table=True):
    __tablename__ = "revoked_session"

    digest: str = Field(primary_key=True, max_length=64)  # session.digest(cookie), never it
    # After this the cookie has expired by itself and the row can go.
    expires_at: datetime.datetime = Field(sa_column=utc_datetime_column(nullable=False))
