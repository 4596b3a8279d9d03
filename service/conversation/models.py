"""Inbound texts, stored before they are answered."""

from __future__ import annotations

import datetime

from sqlmodel import Field, SQLModel

from service.database import utc_datetime_column


class InboundMessage(SQLModel, table=True):
    __tablename__ = "inbound_message"

    id: int | None = Field(default=None, primary_key=True)
    message_sid: str = Field(unique=True, max_length=64)
    phone: str = Field(max_length=20, index=True)
    to_number: str | None = Field(default=None, max_length=32)
    body: str
    opt_out_type: str | None = Field(default=None, max_length=16)
    subscriber_id: int | None = Field(default=None, foreign_key="subscriber.id", index=True)
    intent: str | None = Field(default=None, max_length=24)
    received_at: datetime.datetime = Field(sa_column=utc_datetime_column(nullable=False))
