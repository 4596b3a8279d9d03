"""Couples for operators: pure functions from pair and question rows to states, counts and
rates. The time is passed in; nothing here reads the database or the clock.

A pair is suspended while a member's safety flag awaits an operator's review
(`Subscriber.safety_flagged_at`): that is when its reveals stop and its partner gets
individual prompts only. Reviewing the member's last flag lifts it; no column of its own is
needed, so the state can never disagree with the flags.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel

from service.admin.stats import rate
from service.admin.weeks import week_starts
from service.phones import mask_phone
from service.subscribers.models import SubscriberStatus

PERIOD_WEEKS = 12  # the overview's charts cover the same weeks


class PairState(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"  # open, but a member's safety flag awaits review: no reveals
    ENDED = "ended"


# What an operator should look at first: a suspended pair, then the open ones.
_ORDER = {PairState.SUSPENDED: 0, PairState.ACTIVE: 1, PairState.ENDED: 2}


@dataclass(frozen=True)
class MemberRow:
    id: int
    phone: str  # as stored: shown masked
    status: SubscriberStatus
    partner_name: str | None  # what this member calls the other one (NAME)
    safety_flagged: bool


@dataclass(frozen=True)
class PairRow:
    id: int
    created_at: datetime.datetime
    ended_at: datetime.datetime | None
    first: MemberRow  # who asked for the code
    second: MemberRow  # who texted it


@dataclass(frozen=True)
class QuestionRow:
    pair_id: int
    created_at: datetime.datetime
    closes_at: datetime.datetime
    closed_at: datetime.datetime | None
    revealed_at: datetime.datetime | None
    first_sent: bool
    second_sent: bool
    first_answered: bool
    second_answered: bool


class QuestionCounts(BaseModel):
    open: int = 0  # sent, not yet revealed, still inside its 48 hours
    revealed: int = 0  # both answered: each saw the other's answer
    expired: int = 0  # closed unanswered: 48 hours passed, or a safety concern closed it


class AnswerRate(BaseModel):
    sent: int
    answered: int
    rate: float  # answered / sent


class PairMember(BaseModel):
    id: int
    phone: str  # masked
    name: str | None  # as their partner named them (NAME): the service knows no other
    status: SubscriberStatus
    safety_flagged: bool  # a text of theirs awaits review on the Safety flags page


class PairSummary(BaseModel):
    id: int
    state: PairState
    created_at: datetime.datetime
    ended_at: datetime.datetime | None
    members: list[PairMember]  # who asked for the code first
    questions: QuestionCounts
    answers: AnswerRate  # shared questions answered by each partner / sent to each


class CouplesFigures(BaseModel):
    pairs: dict[str, int]  # every PairState, with its count
    since: datetime.datetime  # the start of the period the rates and questions cover
    shared_answers: AnswerRate  # shared questions answered by each partner / sent to each
    individual_replies: AnswerRate  # individual prompts that got a reply / sent, same period
    questions: QuestionCounts


def period_start(now: datetime.datetime) -> datetime.datetime:
    """Monday 00:00 UTC of the oldest of the last PERIOD_WEEKS weeks, as the overview's charts."""
    first = week_starts(now, PERIOD_WEEKS)[0]
    return datetime.datetime.combine(first, datetime.time(), datetime.UTC)


def pair_state(pair: PairRow) -> PairState:
    if pair.ended_at is not None:
        return PairState.ENDED
    if pair.first.safety_flagged or pair.second.safety_flagged:
        return PairState.SUSPENDED
    return PairState.ACTIVE


def question_counts(questions: Iterable[QuestionRow], now: datetime.datetime) -> QuestionCounts:
    """A question past its 48 hours counts as expired even before a pass has closed it: no
    answer can reveal it any more."""
    counts = QuestionCounts()
    for question in questions:
        if question.revealed_at is not None:
            counts.revealed += 1
        elif question.closed_at is not None or now >= question.closes_at:
            counts.expired += 1
        else:
            counts.open += 1
    return counts


def answer_rate(sent: int, answered: int) -> AnswerRate:
    return AnswerRate(sent=sent, answered=answered, rate=rate(answered, sent))


def shared_answers(questions: Iterable[QuestionRow]) -> AnswerRate:
    """Each partner a question was sent to counts once; so does each of their answers."""
    sent = answered = 0
    for question in questions:
        for was_sent, was_answered in (
            (question.first_sent, question.first_answered),
            (question.second_sent, question.second_answered),
        ):
            sent += was_sent
            answered += was_sent and was_answered
    return answer_rate(sent, answered)


def pair_summary(
    pair: PairRow, questions: Iterable[QuestionRow], now: datetime.datetime
) -> PairSummary:
    """The pair as operators see it: numbers masked, each member named as their partner
    named them, and its own questions' counts."""
    own = [question for question in questions if question.pair_id == pair.id]
    return PairSummary(
        id=pair.id,
        state=pair_state(pair),
        created_at=pair.created_at,
        ended_at=pair.ended_at,
        members=[_member(pair.first, pair.second), _member(pair.second, pair.first)],
        questions=question_counts(own, now),
        answers=shared_answers(own),
    )


def _member(member: MemberRow, partner: MemberRow) -> PairMember:
    return PairMember(
        id=member.id,
        phone=mask_phone(member.phone),
        name=partner.partner_name,
        status=member.status,
        safety_flagged=member.safety_flagged,
    )


def in_review_order(pairs: Iterable[PairRow], state: PairState | None = None) -> list[PairRow]:
    """Suspended pairs first, then active, then ended; newest first within each; only
    `state`'s when it is given."""
    chosen = [pair for pair in pairs if state is None or pair_state(pair) is state]
    return sorted(chosen, key=lambda pair: (_ORDER[pair_state(pair)], -pair.id))


def couples_figures_of(
    pairs: Iterable[PairRow],
    questions: Sequence[QuestionRow],
    individual: AnswerRate,
    since: datetime.datetime,
    now: datetime.datetime,
) -> CouplesFigures:
    """`questions` and `individual` cover the same period, from `since`."""
    states = Counter(pair_state(pair) for pair in pairs)
    return CouplesFigures(
        pairs={state.value: states[state] for state in PairState},
        since=since,
        shared_answers=shared_answers(questions),
        individual_replies=individual,
        questions=question_counts(questions, now),
    )
