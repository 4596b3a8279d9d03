"""The check-in in the database: who is due, the answers kept, the figures read back."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Connection,
    Dialect,
    Engine,
    and_,
    bindparam,
    exists,
    func,
    insert,
    select,
)

from service.admin.stats import DELIVERED_OR_ON_ITS_WAY
from service.catalog import Catalog
from service.checkins.figures import Closeness, distributions
from service.checkins.models import CheckIn
from service.checkins.scores import parse_score
from service.checkins.timing import PROMPTS_FIRST, History, answers_in_time, programme_month
from service.database import table_of
from service.dispatch.models import OutboundKind, OutboundMessage, OutboundStatus
from service.sms_encoding import smart_encoded
from service.subscribers.models import ConsentEvent, ConsentKind, Subscriber
from service.wins.recording import LatestPrompt

# A check-in that will never reach the member was not asked.
NEVER_SENT = (OutboundStatus.CANCELLED, OutboundStatus.EXPIRED, OutboundStatus.FAILED)
QUESTION_KEY = "check_in"  # its words, in each language's replies.yaml

_check_in = table_of(CheckIn)
_consent = table_of(ConsentEvent)
_outbound = table_of(OutboundMessage)
_subscriber = table_of(Subscriber)


def _joined_at() -> ColumnElement[Any]:
    """A member's first YES; the row's creation for one that never confirmed by text (an
    operator's import, a test's fixture)."""
    first_yes = (
        select(func.min(_consent.c.occurred_at))
        .where(
            _consent.c.subscriber_id == _subscriber.c.id,
            _consent.c.kind == ConsentKind.CONFIRMATION,
        )
        .scalar_subquery()
    )
    return func.coalesce(first_yes, _subscriber.c.created_at)


def _sent_them(kind: OutboundKind, status: ColumnElement[bool]) -> ColumnElement[bool]:
    """The outbound rows of this kind, in this status, of the subscriber the query reads."""
    return and_(_outbound.c.subscriber_id == _subscriber.c.id, _outbound.c.kind == kind, status)


_LAST_ASKED = (
    select(_outbound.c.created_at)
    # A check-in still waiting to be sent counts as asked: never two in a row.
    .where(_sent_them(OutboundKind.CHECK_IN, _outbound.c.status.not_in(NEVER_SENT)))
    .order_by(_outbound.c.created_at.desc())
    .limit(1)
    .scalar_subquery()
)
# Prompts had, counted no further than is needed: a year's member has hundreds.
_FIRST_PROMPTS = (
    select(_outbound.c.id)
    .where(_sent_them(OutboundKind.PROMPT, _outbound.c.status.in_(DELIVERED_OR_ON_ITS_WAY)))
    .limit(PROMPTS_FIRST)
    .correlate(_subscriber)
    .subquery()
)
_HISTORIES = select(
    _subscriber.c.id,
    _joined_at().label("joined_at"),
    _LAST_ASKED.label("last_asked_at"),
    select(func.count()).select_from(_FIRST_PROMPTS).scalar_subquery().label("prompts_sent"),
).where(_subscriber.c.id.in_(bindparam("ids", expanding=True)))


def histories(connection: Connection, subscriber_ids: Sequence[int]) -> dict[int, History]:
    """What deciding on the next check-in needs, for each of these members: one statement."""
    if not subscriber_ids:
        return {}
    rows = connection.execute(_HISTORIES, {"ids": list(subscriber_ids)})
    return {
        row.id: History(row.joined_at, row.last_asked_at, int(row.prompts_sent)) for row in rows
    }


def question(catalog: Catalog, partner_name: str | None) -> str | None:
    """The check-in's words in this catalog's language, with the partner's name or the
    language's word for them; None when the catalog has no replies to word it with."""
    if catalog.replies is None:
        return None
    partner = partner_name or catalog.fallbacks.get("partner", "")
    return smart_encoded(catalog.replies.reply(QUESTION_KEY, partner=partner))


class Answer(NamedTuple):
    """A text that answers the member's open check-in with a score."""

    outbound_id: int
    asked_at: datetime.datetime
    score: int


def answer_to(
    connection: Connection, latest: LatestPrompt | None, body: str, now: datetime.datetime
) -> Answer | None:
    """The text as an answer to the check-in, when the latest thing the member was asked is a
    check-in, still open, not answered yet, and the text is a score."""
    if latest is None or latest.kind is not OutboundKind.CHECK_IN:
        return None
    score = parse_score(body)
    if score is None or not answers_in_time(latest.created_at, now):
        return None
    answered = connection.execute(
        select(exists().where(_check_in.c.outbound_id == latest.id))
    ).scalar_one()
    return None if answered else Answer(latest.id, latest.created_at, score)


def record_answer(
    connection: Connection,
    subscriber_id: int,
    answer: Answer,
    inbound_id: int,
    language: str,
    now: datetime.datetime,
) -> None:
    """Keeps the answer, under the member's pseudonym (drawn at their first answer)."""
    facts = connection.execute(
        select(
            _joined_at().label("joined_at"),
            select(_check_in.c.member_key)
            .where(_check_in.c.subscriber_id == subscriber_id)
            .limit(1)
            .scalar_subquery()
            .label("member_key"),
        ).where(_subscriber.c.id == subscriber_id)
    ).one()
    connection.execute(
        insert(_check_in).values(
            subscriber_id=subscriber_id,
            member_key=facts.member_key or secrets.token_hex(8),
            outbound_id=answer.outbound_id,
            inbound_id=inbound_id,
            score=answer.score,
            programme_month=programme_month(facts.joined_at, answer.asked_at),
            language=language,
            asked_at=answer.asked_at,
            answered_at=now,
        )
    )


def month_bucket(column: ColumnElement[datetime.datetime], dialect: Dialect) -> ColumnElement[str]:
    """SQL for the calendar month (UTC) of a timestamp, as "2026-03"."""
    if dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    if dialect.name == "sqlite":  # stored as naive UTC text
        return func.strftime("%Y-%m", column)
    raise NotImplementedError(f"monthly figures are not written for {dialect.name}")


def closeness(engine: Engine) -> Closeness:
    """The check-in's figures over the whole programme, counted by the database."""
    with engine.connect() as connection:
        month = month_bucket(_check_in.c.answered_at, connection.dialect)
        by_month = connection.execute(
            select(month, _check_in.c.score, func.count()).group_by(month, _check_in.c.score)
        )
        calendar = distributions((str(key), score, count) for key, score, count in by_month)
        by_tenure = connection.execute(
            select(_check_in.c.programme_month, _check_in.c.score, func.count()).group_by(
                _check_in.c.programme_month, _check_in.c.score
            )
        )
        tenure = distributions((int(key), score, count) for key, score, count in by_tenure)
        asked = connection.execute(
            select(func.count()).where(
                _outbound.c.kind == OutboundKind.CHECK_IN,
                _outbound.c.status.in_(DELIVERED_OR_ON_ITS_WAY),
            )
        ).scalar_one()
    return Closeness(asked=int(asked), by_calendar_month=calendar, by_programme_month=tenure)
