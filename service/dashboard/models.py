"""What the dashboard's sign-in keeps: sessions signed out before they expired (the cookie
itself would stay valid until then) and recent wrong tokens, per address."""

from __future__ import annotations

import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from service.database import utc_datetime_column


class RevokedSession(SQLModel, table=True):
    __tablename__ = "revoked_session"

    digest: str = Field(primary_key=True, max_length=64)  # session.digest(cookie), never it
    # After this the cookie has expired by itself and the row can go.
    expires_at: datetime.datetime = Field(sa_column=utc_datetime_column(nullable=False))


class FailedSignIn(SQLModel, table=True):
    """A wrong token tried at the sign-in form, kept while it counts toward a throttle."""

    __tablename__ = "failed_sign_in"
    __table_args__ = (Index("ix_failed_sign_in_address_at", "address", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    address: str = Field(max_length=64)
    at: datetime.datetime = Field(sa_column=utc_datetime_column(nullable=False))
