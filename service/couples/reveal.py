"""What a paired member's text does to the question they share: pure.

An answer waits until both partners have answered; then each sees the other's, once. A
question that closed (48 hours on, or suspended after a safety concern) reveals nothing, ever.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

ANSWER_WINDOW: Final = datetime.timedelta(hours=48)
REMIND_AFTER: Final = datetime.timedelta(hours=24)  # one gentle reminder, never more
QUESTION_EVERY: Final = datetime.timedelta(days=7)  # at least one shared question a week
MAX_QUOTED: Final = 300  # an answer, quoted to the partner, cut at a word with "..."


class Outcome(StrEnum):
    NOT_AN_ANSWER = "not_an_answer"
    KEPT = "kept"  # stored; the partner has not answered yet
    REVEAL = "reveal"  # both have answered now: each sees the other's


@dataclass(frozen=True)
class QuestionState:
    """The open question of a pair, as one partner sees it."""

    sent_to_me: bool
    i_answered: bool
    they_answered: bool
    closes_at: datetime.datetime
    closed: bool  # closed early (suspended) or already revealed


def outcome(state: QuestionState | None, now: datetime.datetime) -> Outcome:
    if (
        state is None
        or state.closed
        or not state.sent_to_me
        or state.i_answered
        or now >= state.closes_at
    ):
        return Outcome.NOT_AN_ANSWER
    return Outcome.REVEAL if state.they_answered else Outcome.KEPT


def quoted(answer: str) -> str:
    """The answer as written, cut at a word boundary with "..." when too long."""
    text = " ".join(answer.split())
    if len(text) <= MAX_QUOTED:
        return text
    cut = text[: MAX_QUOTED - 3].rsplit(" ", 1)[0]
    return cut + "..."
