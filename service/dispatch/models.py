"""Every message the service sends, written before it leaves."""

from __future__ import annotations

import datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.database import enum_column, utc_datetime_column


class OutboundKind(StrEnum):
    PROMPT = "prompt"
    RECAP = "recap"
    REPLY = "reply"
    CHECK_IN = "check_in"  # the monthly closeness question, in place of a prompt


class OutboundStatus(StrEnum):
    """The life of an outbound message.

    claimed -> sending -> accepted -> queued/sent -> delivered | undelivered | failed.
    A claimed row may be cancelled (STOP arrived first) or retried later; a row that was
    sending when its process died becomes unknown and is never resent blindly.
    """

    CLAIMED = "claimed"
    SENDING = "sending"
    ACCEPTED = "accepted"
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    UNKNOWN = "unknown"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REPLIED_INLINE = "replied_inline"  # answered in the webhook's TwiML


class OutboundMessage(SQLModel, table=True):
    __tablename__ = "outbound_message"
    __table_args__ = (
        # A scheduled slot can be claimed once per subscriber, whatever the process.
        UniqueConstraint("subscriber_id", "kind", "slot_at", name="uq_outbound_slot"),
        Index("ix_outbound_pending", "status", "lease_until"),
        Index("ix_outbound_subscriber_created", "subscriber_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subscriber_id: int | None = Field(default=None, foreign_key="subscriber.id")
    phone: str = Field(max_length=20)
    kind: OutboundKind = Field(sa_column=enum_column(OutboundKind))
    prompt_id: str | None = Field(default=None, max_length=64)
    category: str | None = Field(default=None, max_length=32)
    slot_at: datetime.datetime | None = Field(default=None, sa_column=utc_datetime_column())
    body: str
    status: OutboundStatus = Field(sa_column=enum_column(OutboundStatus))
    attempts: int = 0
    lease_until: datetime.datetime | None = Field(default=None, sa_column=utc_datetime_column())
    twilio_sid: str | None = Field(default=None, max_length=64, unique=True)
    error_code: int | None = None
    created_at: datetime.datetime = Field(sa_column=utc_datetime_column(nullable=False))
    sent_at: datetime.datetime | None = Field(default=None, sa_column=utc_datetime_column())
    updated_at: datetime.datetime = Field(sa_column=utc_datetime_column(nullable=False))
