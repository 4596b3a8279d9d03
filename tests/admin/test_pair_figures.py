"""Pairs' states, question counts and answer rates: pure, from rows, time passed in."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.admin.pair_figures import (
    MemberRow,
    PairRow,
    PairState,
    QuestionCounts,
    QuestionRow,
    answer_rate,
    couples_figures_of,
    in_review_order,
    pair_state,
    pair_summary,
    period_start,
    question_counts,
    shared_answers,
)
from service.subscribers.models import SubscriberStatus

NOW = datetime.datetime(2026, 3, 18, 12, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)


def member(id: int, *, flagged: bool = False, calls_partner: str | None = None) -> MemberRow:
    return MemberRow(
        id=id,
        phone=f"+1415555{id:04d}",
        status=SubscriberStatus.ACTIVE,
        partner_name=calls_partner,
        safety_flagged=flagged,
    )


def pair(
    id: int,
    *,
    ended: bool = False,
    first_flagged: bool = False,
    second_flagged: bool = False,
) -> PairRow:
    return PairRow(
        id=id,
        created_at=NOW - 48 * HOUR,
        ended_at=NOW - HOUR if ended else None,
        first=member(2 * id, flagged=first_flagged),
        second=member(2 * id + 1, flagged=second_flagged),
    )


def question(
    pair_id: int = 1,
    *,
    age: datetime.timedelta = HOUR,
    closed: bool = False,
    revealed: bool = False,
    sent: tuple[bool, bool] = (True, True),
    answered: tuple[bool, bool] = (False, False),
) -> QuestionRow:
    created = NOW - age
    return QuestionRow(
        pair_id=pair_id,
        created_at=created,
        closes_at=created + 48 * HOUR,
        closed_at=NOW if closed else None,
        revealed_at=NOW if revealed else None,
        first_sent=sent[0],
        second_sent=sent[1],
        first_answered=answered[0],
        second_answered=answered[1],
    )


@pytest.mark.parametrize(
    ("row", "state"),
    [
        (pair(1), PairState.ACTIVE),
        (pair(1, first_flagged=True), PairState.SUSPENDED),
        (pair(1, second_flagged=True), PairState.SUSPENDED),
        (pair(1, ended=True), PairState.ENDED),
        (pair(1, ended=True, first_flagged=True), PairState.ENDED),  # over: nothing to suspend
    ],
)
def test_a_pair_is_suspended_while_either_member_s_flag_awaits_review(
    row: PairRow, state: PairState
) -> None:
    assert pair_state(row) is state


@pytest.mark.parametrize(
    ("row", "counts"),
    [
        (question(), QuestionCounts(open=1)),
        (question(revealed=True, answered=(True, True)), QuestionCounts(revealed=1)),
        (question(closed=True, answered=(True, False)), QuestionCounts(expired=1)),
        # past its 48 hours, before a dispatch pass has closed it: no answer can reveal it now
        (question(age=48 * HOUR), QuestionCounts(expired=1)),
        (question(age=48 * HOUR - datetime.timedelta(seconds=1)), QuestionCounts(open=1)),
    ],
)
def test_each_question_is_open_revealed_or_expired(
    row: QuestionRow, counts: QuestionCounts
) -> None:
    assert question_counts([row], NOW) == counts


def test_shared_answers_count_each_partner_a_question_was_sent_to() -> None:
    rows = [
        question(answered=(True, True)),
        question(answered=(True, False)),
        question(sent=(True, False), answered=(True, False)),  # the partner's prompt not yet due
        question(sent=(False, False)),
    ]
    rate = shared_answers(rows)
    assert (rate.answered, rate.sent, rate.rate) == (4, 5, 0.8)
    assert shared_answers([]).rate == 0.0


@given(
    st.lists(
        st.tuples(st.booleans(), st.booleans(), st.booleans(), st.booleans(), st.integers(0, 96)),
        max_size=30,
    )
)
def test_counts_and_rates_add_up(rows: list[tuple[bool, bool, bool, bool, int]]) -> None:
    questions = [
        question(
            age=hours * HOUR,
            sent=(first_sent, second_sent),
            answered=(first_sent and first_answered, second_sent and second_answered),
        )
        for first_sent, second_sent, first_answered, second_answered, hours in rows
    ]
    counts = question_counts(questions, NOW)
    assert counts.open + counts.revealed + counts.expired == len(questions)
    rate = shared_answers(questions)
    assert 0 <= rate.answered <= rate.sent <= 2 * len(questions)
    assert 0.0 <= rate.rate <= 1.0


def test_a_summary_masks_numbers_and_names_each_member_as_their_partner_does() -> None:
    row = PairRow(
        id=7,
        created_at=NOW,
        ended_at=None,
        first=member(1, calls_partner="Ben"),
        second=member(2, calls_partner="Ana", flagged=True),
    )
    summary = pair_summary(row, [question(7, answered=(True, False)), question(8)], NOW)
    assert [(m.phone, m.name, m.safety_flagged) for m in summary.members] == [
        ("********0001", "Ana", False),
        ("********0002", "Ben", True),
    ]
    assert summary.state is PairState.SUSPENDED
    assert summary.questions == QuestionCounts(open=1)  # pair 8's question is not theirs
    assert (summary.answers.answered, summary.answers.sent) == (1, 2)


def test_suspended_pairs_come_first_then_active_then_ended_newest_first() -> None:
    rows = [pair(1), pair(2, ended=True), pair(3, second_flagged=True), pair(4), pair(5)]
    assert [p.id for p in in_review_order(rows)] == [3, 5, 4, 1, 2]
    assert [p.id for p in in_review_order(rows, PairState.ACTIVE)] == [5, 4, 1]


def test_figures_count_pairs_by_state_and_compare_the_two_rates() -> None:
    since = period_start(NOW)
    figures = couples_figures_of(
        [pair(1), pair(2, first_flagged=True), pair(3, ended=True)],
        [question(answered=(True, True), revealed=True), question(age=72 * HOUR)],
        answer_rate(sent=10, answered=4),
        since,
        NOW,
    )
    assert figures.pairs == {"active": 1, "suspended": 1, "ended": 1}
    assert (figures.shared_answers.answered, figures.shared_answers.sent) == (2, 4)
    assert figures.shared_answers.rate == 0.5 and figures.individual_replies.rate == 0.4
    assert figures.questions == QuestionCounts(revealed=1, expired=1)


def test_the_period_is_the_overview_s_twelve_weeks() -> None:
    assert period_start(NOW) == datetime.datetime(2025, 12, 29, tzinfo=datetime.UTC)  # a Monday
