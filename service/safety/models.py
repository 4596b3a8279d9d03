"""Safety flags (one per concerning text) and the audit log of operators reading them."""

from __future__ import annotations

import datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from service.database import enum_column, utc_datetime_column


class SafetyFlag(SQLModel, table=True):
    """A text that showed a safety concern. The text itself stays in inbound_message (by
    `message_sid`); it is shown only to signed-in operators and goes with an erasure."""

    __tablename__ = "safety_flag"
    __table_args__ = (Index("ix_safety_flag_phone_created", "phone", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    subscriber_id: int | None = Field(default=None, foreign_key="subscriber.id", index=True)
    phone: str = Field(max_length=20)
    message_sid: str = Field(max_length=64)
    families: str = Field(max_length=200)  # comma-separated Family values, strongest first
    matched: str = Field(max_length=1000)  # what matched, for the operator
    imminent: bool = False
    resources_sent: bool = False
    created_at: datetime.datetime = Field(sa_column=utc_datetime_column(nullable=False))
    reviewed_at: datetime.datetime | None = Field(default=None, sa_column=utc_datetime_column())
    reviewed_by: str | None = Field(default=None, max_length=64)
    review_note: str | None = Field(default=None, max_length=1000)


class AuditAction(StrEnum):
    VIEWED = "viewed"
    REVIEWED = "reviewed"
    KEPT_PAUSED = "kept_paused"
    RESUMED = "resumed"


class SafetyAudit(SQLModel, table=True):
    """Append-only: every view of a flagged text and every action on one. Ids are plain
    numbers, not foreign keys, so the record outlives an erasure."""

    __tablename__ = "safety_audit"

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime.datetime = Field(sa_column=utc_datetime_column(nullable=False))
    actor: str = Field(max_length=64)
    action: AuditAction = Field(sa_column=enum_column(AuditAction))
    flag_id: int | None = None
    subscriber_id: int | None = None
    note: str | None = Field(default=None, max_length=1000)
