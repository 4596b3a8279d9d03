"""Subscribers and their append-only consent record."""

from __future__ import annotations

import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, SmallInteger, Text
from sqlmodel import Field, SQLModel

from service.database import enum_column, utc_datetime_column


class SubscriberStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    PAUSED = "paused"
    OPTED_OUT = "opted_out"


class Subscriber(SQLModel, table=True):
    __tablename__ = "subscriber"
    __table_args__ = (
        Index("ix_subscriber_due", "status", "next_prompt_at"),
        Index("ix_subscriber_recap_due", "status", "next_recap_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    phone: str = Field(unique=True, max_length=20)
    status: SubscriberStatus = Field(sa_column=enum_column(SubscriberStatus))
    # The zone the schedule is computed in. Until the subscriber names one (ZONE), a number
    # that could be in several zones also lists them all: sends then fit every one.
    timezone: str = Field(max_length=64)
    candidate_zones: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    zone_confirmed: bool = False
    language: str = Field(default="en", max_length=8)
    # A code texted before confirming (PAIR 123456 from a new number): paired on YES.
    pending_pair_code: str | None = Field(default=None, max_length=6)
    preferred_time: datetime.time = Field(default=datetime.time(18, 30))
    prompts_per_week: int = 3
    next_prompt_at: datetime.datetime | None = Field(default=None, sa_column=utc_datetime_column())
    next_recap_at: datetime.datetime | None = Field(default=None, sa_column=utc_datetime_column())
    paused_until: datetime.datetime | None = Field(default=None, sa_column=utc_datetime_column())
    partner_name: str | None = Field(default=None, max_length=40)
    love_language: str | None = Field(default=None, max_length=8)
    recap_weekday: int = 6
    # The anniversary the member gave with DATE (no year): prompts mark it in the days before.
    anniversary_month: int | None = Field(default=None, sa_column=Column(SmallInteger))
    anniversary_day: int | None = Field(default=None, sa_column=Column(SmallInteger))
    onboarding_question_pending: bool = False
    last_acknowledgement: str | None = Field(default=None, max_length=200)
    safety_flagged_at: datetime.datetime | None = Field(
        default=None, sa_column=utc_datetime_column()
    )
    undeliverable_at: datetime.datetime | None = Field(
        default=None, sa_column=utc_datetime_column()
    )
    created_at: datetime.datetime = Field(sa_column=utc_datetime_column(nullable=False))
    updated_at: datetime.datetime = Field(sa_column=utc_datetime_column(nullable=False))


class ConsentKind(StrEnum):
    OPT_IN = "opt_in"
    CONFIRMATION = "confirmation"
    OPT_OUT = "opt_out"
    RESUBSCRIBE = "resubscribe"


class ConsentMethod(StrEnum):
    KEYWORD = "keyword"
    FREE_TEXT = "free_text"
    TWILIO_OPT_OUT_TYPE = "twilio_opt_out_type"
    TWILIO_ERROR_21610 = "twilio_error_21610"
    OPERATOR = "operator"


class ConsentEvent(SQLModel, table=True):
    """Append-only: rows are only ever inserted. Carriers ask for exactly this record."""

    __tablename__ = "consent_event"

    id: int | None = Field(default=None, primary_key=True)
    subscriber_id: int | None = Field(default=None, foreign_key="subscriber.id", index=True)
    phone: str = Field(max_length=20, index=True)
    kind: ConsentKind = Field(sa_column=enum_column(ConsentKind))
    method: ConsentMethod = Field(sa_column=enum_column(ConsentMethod))
    message_sid: str | None = Field(default=None, max_length=64)
    text: str | None = None
    occurred_at: datetime.datetime = Field(sa_column=utc_datetime_column(nullable=False))
