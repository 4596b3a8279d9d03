"""What a text that answers a check-in gets: the decision, pure."""

from __future__ import annotations

from typing import Any

import pytest

from service.conversation.decisions import (
    Circumstances,
    Decision,
    ReplyKind,
    SubscriberState,
    decide,
)
from service.conversation.intents import parse_intent
from service.subscribers.models import SubscriberStatus
from service.wins.recording import ReplyTo

MEMBER = SubscriberState(SubscriberStatus.ACTIVE, prompts_per_week=3)


def _decide(text: str, state: SubscriberState = MEMBER, **facts: Any) -> Decision:
    return decide(parse_intent(text), state, Circumstances(**facts))


@pytest.mark.parametrize(
    ("score", "reply"),
    [
        (1, ReplyKind.CHECK_IN_HEARD_LOW),
        (2, ReplyKind.CHECK_IN_HEARD_LOW),
        (3, ReplyKind.CHECK_IN_HEARD),
        (4, ReplyKind.CHECK_IN_HEARD),
        (5, ReplyKind.CHECK_IN_HEARD),
    ],
)
def test_a_score_is_kept_as_the_check_in_never_as_a_win(score: int, reply: ReplyKind) -> None:
    decision = _decide(str(score), check_in_score=score, reply_to=ReplyTo.NOTHING)
    assert decision.reply is reply
    assert decision.record_check_in and not decision.record_win


def test_safety_comes_first() -> None:
    decision = _decide("1", check_in_score=1, safety_concern=True)
    assert decision.reply is ReplyKind.SAFETY
    assert not decision.record_check_in


def test_a_flagged_member_s_score_counts_for_nothing_until_reviewed() -> None:
    flagged = SubscriberState(SubscriberStatus.PAUSED, 3, safety_flagged=True)
    decision = _decide("2", flagged, check_in_score=2)
    assert decision.reply is ReplyKind.QUIET_ACK
    assert not decision.record_check_in


@pytest.mark.parametrize("command", ["PAUSE 3", "MENU", "STOP", "HELP"])
def test_a_command_is_a_command(command: str) -> None:
    assert not _decide(command, check_in_score=3).record_check_in


def test_a_text_that_is_not_a_score_answers_no_prompt() -> None:
    decision = _decide("we have been busy", reply_to=ReplyTo.NOTHING)
    assert decision.reply is ReplyKind.NOTED
    assert not decision.record_win and not decision.record_check_in
