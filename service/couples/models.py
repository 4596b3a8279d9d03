"""Pairs, and the single-use codes that make them."""

from __future__ import annotations

import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from service.database import utc_datetime_column


class Pair(SQLModel, table=True):
    """Two members, paired until one of them ends it (UNPAIR, STOP, erasure)."""

    __tablename__ = "pair"
    __table_args__ = (
        Index("ix_pair_first_open", "first_id", "ended_at"),
        Index("ix_pair_second_open", "second_id", "ended_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    first_id: int = Field(foreign_key="subscriber.id")  # who asked for the code
    second_id: int = Field(foreign_key="subscriber.id")  # who texted it
    created_at: datetime.datetime = Field(sa_column=utc_datetime_column(nullable=False))
    ended_at: datetime.datetime | None = Field(default=None, sa_column=utc_datetime_column())


class PairCode(SQLModel, table=True):
    """A 6-digit code a member hands their partner: single use, valid for a week."""

    __tablename__ = "pair_code"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=6, index=True)
    owner_id: int = Field(foreign_key="subscriber.id", index=True)
    created_at: datetime.datetime = Field(sa_column=utc_datetime_column(nullable=False))
    expires_at: datetime.datetime = Field(sa_column=utc_datetime_column(nullable=False))
    used_at: datetime.datetime | None = Field(default=None, sa_column=utc_datetime_column())


class FailedPairCode(SQLModel, table=True):
    """A wrong code tried by a number, kept while it counts toward the throttle."""

    __tablename__ = "failed_pair_code"
    __table_args__ = (Index("ix_failed_pair_code_phone_at", "phone", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    phone: str = Field(max_length=20)
    at: datetime.datetime = Field(sa_column=utc_datetime_column(nullable=False))


class SharedQuestion(SQLModel, table=True):
    """One question both partners of a pair get; each answer is shown to the other only once
    both have answered, and never after the question closes."""

    __tablename__ = "shared_question"
    __table_args__ = (Index("ix_shared_question_pair", "pair_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    pair_id: int = Field(foreign_key="pair.id")
    number: int  # its place in each language's list, so partners get the same question
    created_at: datetime.datetime = Field(sa_column=utc_datetime_column(nullable=False))
    closes_at: datetime.datetime = Field(sa_column=utc_datetime_column(nullable=False))
    closed_at: datetime.datetime | None = Field(default=None, sa_column=utc_datetime_column())
    first_sent_at: datetime.datetime | None = Field(default=None, sa_column=utc_datetime_column())
    second_sent_at: datetime.datetime | None = Field(default=None, sa_column=utc_datetime_column())
    first_answer: str | None = Field(default=None, max_length=1600)
    second_answer: str | None = Field(default=None, max_length=1600)
    revealed_at: datetime.datetime | None = Field(default=None, sa_column=utc_datetime_column())
    first_reminded_at: datetime.datetime | None = Field(
        default=None, sa_column=utc_datetime_column()
    )
    second_reminded_at: datetime.datetime | None = Field(
        default=None, sa_column=utc_datetime_column()
    )
