"""Erased numbers: what is left of a subscriber after erasure, so they are never texted again.

Erasing someone deletes their messages and profile. What must survive is the fact that the
number opted out: a keyed SHA-256 of the number (never the number itself) is kept here, and the
inbound path treats a number whose digest is listed as opted out until it opts in again.

The key is fixed, not the Twilio auth token: tokens get rotated, and a rotation must never make
the service forget who asked not to be texted. A digest of a phone number is pseudonymous, not
secret (the space of numbers is small), so this table is read only by the service itself.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac

from sqlalchemy import Connection, bindparam, select
from sqlmodel import Field, SQLModel

from service.database import table_of, utc_datetime_column

ERASURE_KEY = b"nudge/erased-number/v1"
TOMBSTONE_PREFIX = "#"  # consent_event.phone holds 20 characters: "#" + 19 hex digits


class ErasedNumber(SQLModel, table=True):
    __tablename__ = "erased_number"

    phone_hash: str = Field(primary_key=True, max_length=64)
    erased_at: datetime.datetime = Field(sa_column=utc_datetime_column(nullable=False))


_erased = table_of(ErasedNumber)
_IS_ERASED = select(_erased.c.phone_hash).where(_erased.c.phone_hash == bindparam("digest"))


def phone_digest(phone: str) -> str:
    """Keyed SHA-256 of an E.164 number, as 64 hex digits."""
    return hmac.new(ERASURE_KEY, phone.encode(), hashlib.sha256).hexdigest()


def tombstone_phone(phone: str) -> str:
    """What replaces the number in the consent log: short enough for the column, not reversible
    without guessing the number, and the same for every event of that number."""
    return TOMBSTONE_PREFIX + phone_digest(phone)[:19]


def is_erased(connection: Connection, phone: str) -> bool:
    return connection.execute(_IS_ERASED, {"digest": phone_digest(phone)}).first() is not None
