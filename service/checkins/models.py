"""Check-in answers: one row per check-in a member answered with a score."""

from __future__ import annotations

import datetime

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from service.database import utc_datetime_column


class CheckIn(SQLModel, table=True):
    """A member's 1 (far) to 5 (very close) answer to "how close have you felt this month".

    The question is the outbound row (kind check_in) it answers; the text is the inbound row.
    `programme_month` and `language` are facts of the moment it was asked, kept as they were
    then: a member may change language or leave and come back later, and the figures must not
    move with that.
    """

    __tablename__ = "check_in"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="ck_check_in_score"),)

    id: int | None = Field(default=None, primary_key=True)
    subscriber_id: int = Field(foreign_key="subscriber.id", index=True)
    # A random pseudonym, the same on all of one member's answers, so an export can follow a
    # member over months without their number or id (nothing joins it to the consent log).
    member_key: str = Field(max_length=16)
    outbound_id: int = Field(foreign_key="outbound_message.id", unique=True)
    inbound_id: int = Field(foreign_key="inbound_message.id", unique=True)
    score: int
    programme_month: int
    language: str = Field(max_length=8)
    asked_at: datetime.datetime = Field(sa_column=utc_datetime_column(nullable=False))
    answered_at: datetime.datetime = Field(sa_column=utc_datetime_column(nullable=False))
