"""Pairs for operators: the list with its figures, one pair, and ending one.

Reads fetch plain rows and hand them to service.admin.pair_figures, which works out states,
counts and rates. Answers are never read here: an operator sees whether a partner answered,
not what they wrote.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from pydantic import BaseModel, Field
from sqlalchemy import Connection, Engine, RowMapping, func, or_, select
from sqlmodel import col

from service.admin.pair_figures import (
    AnswerRate,
    CouplesFigures,
    MemberRow,
    PairRow,
    PairState,
    PairSummary,
    QuestionRow,
    answer_rate,
    couples_figures_of,
    in_review_order,
    pair_summary,
    period_start,
)
from service.admin.stats import sent_prompt
from service.admin.subscribers import MAX_OFFSET, MAX_PAGE
from service.catalog import Catalog
from service.couples.models import Pair, SharedQuestion
from service.couples.notices import notify_member
from service.couples.service import end_pair
from service.database import table_of
from service.dispatch.dispatcher import SHARED_CATEGORY
from service.dispatch.models import OutboundMessage
from service.settings import Settings
from service.subscribers.models import Subscriber
from service.wins.models import Win

_pair = table_of(Pair)
_question = table_of(SharedQuestion)
_first = table_of(Subscriber).alias("first_member")
_second = table_of(Subscriber).alias("second_member")
_MEMBER_COLUMNS = ("id", "phone", "status", "partner_name", "safety_flagged_at")
_PAIRS = (
    select(
        _pair.c.id,
        _pair.c.created_at,
        _pair.c.ended_at,
        *(
            member.c[name].label(f"{side}_{name}")
            for side, member in (("first", _first), ("second", _second))
            for name in _MEMBER_COLUMNS
        ),
    )
    .join(_first, _first.c.id == _pair.c.first_id)
    .join(_second, _second.c.id == _pair.c.second_id)
)
_QUESTIONS = select(
    _question.c.pair_id,
    _question.c.created_at,
    _question.c.closes_at,
    _question.c.closed_at,
    _question.c.revealed_at,
    _question.c.first_sent_at.is_not(None).label("first_sent"),
    _question.c.second_sent_at.is_not(None).label("second_sent"),
    _question.c.first_answer.is_not(None).label("first_answered"),
    _question.c.second_answer.is_not(None).label("second_answered"),
)


class PairFilter(BaseModel):
    state: PairState | None = None
    limit: int = Field(default=50, ge=1, le=MAX_PAGE)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)


class PairsReport(BaseModel):
    figures: CouplesFigures
    total: int  # pairs in the chosen state (all of them without one)
    limit: int
    offset: int
    items: list[PairSummary]  # suspended first, then active, then ended; newest first


class PairEnding(BaseModel):
    pair_id: int
    ended_at: datetime.datetime
    ended_now: bool  # False: it had already ended (UNPAIR, STOP, another operator)


def couples_figures(engine: Engine, now: datetime.datetime) -> CouplesFigures:
    with engine.connect() as connection:
        return _figures(connection, _pair_rows(connection), now)


def pairs_report(engine: Engine, wanted: PairFilter, now: datetime.datetime) -> PairsReport:
    """Figures and one page of pairs, read in one transaction so they agree."""
    with engine.connect() as connection:
        pairs = _pair_rows(connection)
        figures = _figures(connection, pairs, now)
        chosen = in_review_order(pairs, wanted.state)
        shown = chosen[wanted.offset : wanted.offset + wanted.limit]
        questions = _question_rows(connection, pair_ids=[pair.id for pair in shown])
    return PairsReport(
        figures=figures,
        total=len(chosen),
        limit=wanted.limit,
        offset=wanted.offset,
        items=[pair_summary(pair, questions, now) for pair in shown],
    )


def pair_detail(engine: Engine, pair_id: int, now: datetime.datetime) -> PairSummary | None:
    with engine.connect() as connection:
        found = _pair_rows(connection, pair_id)
        if not found:
            return None
        return pair_summary(found[0], _question_rows(connection, pair_ids=[pair_id]), now)


def end_pair_by_operator(
    engine: Engine, settings: Settings, catalog: Catalog, pair_id: int, now: datetime.datetime
) -> PairEnding | None:
    """Ends the pair and tells both members as UNPAIR tells a partner (each in their own
    window, nothing to a member who is not active); None when there is no such pair."""
    with engine.begin() as connection:
        pair = connection.execute(
            select(_pair.c.first_id, _pair.c.second_id, _pair.c.ended_at)
            .where(_pair.c.id == pair_id)
            .with_for_update()  # a member's UNPAIR at the same moment waits, then finds none
        ).first()
        if pair is None:
            return None
        if pair.ended_at is not None:
            return PairEnding(pair_id=pair_id, ended_at=pair.ended_at, ended_now=False)
        # A member is in one open pair at a time, so the first member's is this one.
        partner = end_pair(connection, pair.first_id, now)
        assert partner == pair.second_id
        for member in (pair.first_id, pair.second_id):
            notify_member(connection, settings, catalog, member, "pairing_ended", now)
    return PairEnding(pair_id=pair_id, ended_at=now, ended_now=True)


def _figures(
    connection: Connection, pairs: Sequence[PairRow], now: datetime.datetime
) -> CouplesFigures:
    since = period_start(now)
    questions = _question_rows(connection, since=since)
    return couples_figures_of(pairs, questions, _individual_replies(connection, since), since, now)


def _pair_rows(connection: Connection, pair_id: int | None = None) -> list[PairRow]:
    query = _PAIRS if pair_id is None else _PAIRS.where(_pair.c.id == pair_id)
    return [_pair_row(row) for row in connection.execute(query).mappings()]


def _pair_row(row: RowMapping) -> PairRow:
    def member(side: str) -> MemberRow:
        return MemberRow(
            id=row[f"{side}_id"],
            phone=row[f"{side}_phone"],
            status=row[f"{side}_status"],
            partner_name=row[f"{side}_partner_name"],
            safety_flagged=row[f"{side}_safety_flagged_at"] is not None,
        )

    return PairRow(
        id=row["id"],
        created_at=row["created_at"],
        ended_at=row["ended_at"],
        first=member("first"),
        second=member("second"),
    )


def _question_rows(
    connection: Connection,
    *,
    since: datetime.datetime | None = None,
    pair_ids: Sequence[int] | None = None,
) -> list[QuestionRow]:
    query = _QUESTIONS
    if since is not None:
        query = query.where(_question.c.created_at >= since)
    if pair_ids is not None:
        query = query.where(_question.c.pair_id.in_(pair_ids))
    return [
        QuestionRow(
            pair_id=row.pair_id,
            created_at=row.created_at,
            closes_at=row.closes_at,
            closed_at=row.closed_at,
            revealed_at=row.revealed_at,
            first_sent=bool(row.first_sent),
            second_sent=bool(row.second_sent),
            first_answered=bool(row.first_answered),
            second_answered=bool(row.second_answered),
        )
        for row in connection.execute(query)
    ]


def _individual_replies(connection: Connection, since: datetime.datetime) -> AnswerRate:
    """Prompts other than shared questions, sent since `since`, and how many got a reply: the
    overview's reply rate, over the couples figures' period."""
    category = col(OutboundMessage.category)
    individual = (
        sent_prompt()
        & (col(OutboundMessage.created_at) >= since)
        & or_(category.is_(None), category != SHARED_CATEGORY)
    )
    sent = connection.execute(
        select(func.count()).select_from(OutboundMessage).where(individual)
    ).scalar_one()
    replied = connection.execute(
        select(func.count(func.distinct(Win.outbound_id)))
        .join(OutboundMessage, col(Win.outbound_id) == col(OutboundMessage.id))
        .where(individual)
    ).scalar_one()
    return answer_rate(int(sent), int(replied))
