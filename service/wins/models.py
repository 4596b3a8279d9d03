"""Small wins: replies to prompts, celebrated in words, never scored."""

from __future__ import annotations

import datetime

from sqlmodel import Field, SQLModel

from service.conversation.tone import ReplyTone
from service.database import enum_column, utc_datetime_column


class Win(SQLModel, table=True):
    __tablename__ = "win"

    id: int | None = Field(default=None, primary_key=True)
    subscriber_id: int = Field(foreign_key="subscriber.id", index=True)
    inbound_id: int = Field(foreign_key="inbound_message.id", unique=True)
    outbound_id: int | None = Field(default=None, foreign_key="outbound_message.id")
    prompt_id: str | None = Field(default=None, max_length=64)
    category: str | None = Field(default=None, max_length=32)
    created_at: datetime.datetime = Field(sa_column=utc_datetime_column(nullable=False))
    # How the reply sounded; None for wins from before it was kept.
    tone: ReplyTone | None = Field(default=None, sa_column=enum_column(ReplyTone, nullable=True))
