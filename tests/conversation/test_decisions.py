"""The contract's texter table, as a pure function: table tests and a consent property."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.conversation.decisions import (
    Circumstances,
    ReplyKind,
    SubscriberState,
    decide,
)
from service.conversation.intents import parse_intent
from service.subscribers.models import ConsentKind, ConsentMethod, SubscriberStatus
from service.wins.recording import ReplyTo

NEW = None
PENDING = SubscriberStatus.PENDING
ACTIVE = SubscriberStatus.ACTIVE
PAUSED = SubscriberStatus.PAUSED
OPTED_OUT = SubscriberStatus.OPTED_OUT


def state(status: SubscriberStatus | None) -> SubscriberState | None:
    return None if status is None else SubscriberState(status=status, prompts_per_week=3)


@pytest.mark.parametrize(
    ("status", "text", "new_status", "reply"),
    [
        (NEW, "JOIN", PENDING, ReplyKind.CONFIRM_REQUEST),
        (NEW, "start", PENDING, ReplyKind.CONFIRM_REQUEST),
        (NEW, "Subscribe!", PENDING, ReplyKind.CONFIRM_REQUEST),
        (NEW, "UNSTOP", PENDING, ReplyKind.CONFIRM_REQUEST),
        (NEW, "ＪＯＩＮ", PENDING, ReplyKind.CONFIRM_REQUEST),
        (NEW, "YES", None, ReplyKind.HOW_TO_JOIN),
        (NEW, "hello there", None, ReplyKind.HOW_TO_JOIN),
        (NEW, "STOP", OPTED_OUT, ReplyKind.OPTED_OUT),
        (NEW, "HELP", None, ReplyKind.HELP),
        (PENDING, "YES", ACTIVE, ReplyKind.WELCOME),
        (PENDING, " yes. ", ACTIVE, ReplyKind.WELCOME),
        (PENDING, "JOIN", None, ReplyKind.CONFIRM_REQUEST),
        (PENDING, "what is this", None, ReplyKind.PENDING_REMINDER),
        (PENDING, "cancel", OPTED_OUT, ReplyKind.OPTED_OUT),
        (PENDING, "INFO", None, ReplyKind.HELP),
        (ACTIVE, "STOP", OPTED_OUT, ReplyKind.OPTED_OUT),
        (ACTIVE, "stopall", OPTED_OUT, ReplyKind.OPTED_OUT),
        (ACTIVE, "Unsubscribe", OPTED_OUT, ReplyKind.OPTED_OUT),
        (ACTIVE, "end", OPTED_OUT, ReplyKind.OPTED_OUT),
        (ACTIVE, "QUIT", OPTED_OUT, ReplyKind.OPTED_OUT),
        (ACTIVE, "revoke", OPTED_OUT, ReplyKind.OPTED_OUT),
        (ACTIVE, "optout", OPTED_OUT, ReplyKind.OPTED_OUT),
        (ACTIVE, "Please stop texting me", OPTED_OUT, ReplyKind.OPTED_OUT),
        (ACTIVE, "no more texts", OPTED_OUT, ReplyKind.OPTED_OUT),
        (ACTIVE, "I can't stop smiling", None, ReplyKind.WIN_ACK),
        (ACTIVE, "we never cancel date night", None, ReplyKind.WIN_ACK),
        (ACTIVE, "We hugged for a whole minute", None, ReplyKind.WIN_ACK),
        (ACTIVE, "yes", None, ReplyKind.ALREADY_ACTIVE),  # YES is never a reply to a prompt
        (ACTIVE, "WINS", None, ReplyKind.WINS_SUMMARY),
        (ACTIVE, "HELP", None, ReplyKind.HELP),
        (ACTIVE, "JOIN", None, ReplyKind.ALREADY_ACTIVE),
        (ACTIVE, "MENU", None, ReplyKind.MENU),
        (ACTIVE, "pause", PAUSED, ReplyKind.PAUSED),
        (ACTIVE, "resume", None, ReplyKind.NOT_PAUSED),
        (PAUSED, "RESUME", ACTIVE, ReplyKind.RESUMED),
        (PAUSED, "START", ACTIVE, ReplyKind.RESUMED),
        (PAUSED, "STOP", OPTED_OUT, ReplyKind.OPTED_OUT),
        (OPTED_OUT, "START", ACTIVE, ReplyKind.RESUBSCRIBED),
        (OPTED_OUT, "unstop", ACTIVE, ReplyKind.RESUBSCRIBED),
        (OPTED_OUT, "Join", ACTIVE, ReplyKind.RESUBSCRIBED),
        (OPTED_OUT, "subscribe", ACTIVE, ReplyKind.RESUBSCRIBED),
        (OPTED_OUT, "YES", ACTIVE, ReplyKind.RESUBSCRIBED),
        (OPTED_OUT, "hello?", None, None),
        (OPTED_OUT, "WINS", None, None),
        (OPTED_OUT, "STOP", OPTED_OUT, ReplyKind.OPTED_OUT),
    ],
)
def test_contract_table(
    status: SubscriberStatus | None,
    text: str,
    new_status: SubscriberStatus | None,
    reply: ReplyKind | None,
) -> None:
    decision = decide(parse_intent(text), state(status), Circumstances())
    assert decision.status == new_status
    assert decision.reply == reply


def test_opt_out_when_twilio_already_answered_sends_nothing() -> None:
    decision = decide(parse_intent("STOP"), state(ACTIVE), Circumstances(twilio_answered=True))
    assert decision.status is OPTED_OUT
    assert decision.reply is None
    assert decision.consent == (ConsentKind.OPT_OUT, ConsentMethod.TWILIO_OPT_OUT_TYPE)


@pytest.mark.parametrize(
    ("text", "method"),
    [("STOP", ConsentMethod.KEYWORD), ("please stop texting me", ConsentMethod.FREE_TEXT)],
)
def test_opt_out_records_how(text: str, method: ConsentMethod) -> None:
    decision = decide(parse_intent(text), state(ACTIVE), Circumstances())
    assert decision.consent == (ConsentKind.OPT_OUT, method)


def test_confirmation_and_resubscribe_are_logged_and_scheduled() -> None:
    confirm = decide(parse_intent("YES"), state(PENDING), Circumstances())
    assert confirm.consent == (ConsentKind.CONFIRMATION, ConsentMethod.KEYWORD)
    assert confirm.schedule_first_prompt
    back = decide(parse_intent("START"), state(OPTED_OUT), Circumstances())
    assert back.consent == (ConsentKind.RESUBSCRIBE, ConsentMethod.KEYWORD)
    assert back.schedule_first_prompt


def test_safety_concern_pauses_and_flags_instead_of_logging_a_win() -> None:
    decision = decide(
        parse_intent("he hits me when he drinks"), state(ACTIVE), Circumstances(safety_concern=True)
    )
    assert decision.reply is ReplyKind.SAFETY
    assert decision.status is PAUSED and decision.pause_indefinitely and decision.flag_safety
    assert not decision.record_win


OPT_IN_WORDS = ["JOIN", "START", "SUBSCRIBE", "UNSTOP", "YES"]
OPT_OUT_WORDS = ["STOP", "stop please", "UNSUBSCRIBE", "cancel", "no more texts", "QUIT"]
OTHER_WORDS = ["HELP", "hello", "I can't stop smiling", "WINS", "pause", "RESUME", "MENU", "NEW"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(OPT_IN_WORDS + OPT_OUT_WORDS + OTHER_WORDS), max_size=25))
def test_no_sequence_reactivates_an_opted_out_number_without_an_opt_in(texts: list[str]) -> None:
    """Opted out stays out unless an opt-in keyword follows the last opt-out."""
    current: SubscriberStatus | None = None
    last_opt_out = None
    for index, text in enumerate(texts):
        decision = decide(parse_intent(text), state(current), Circumstances())
        if decision.status is not None:
            current = decision.status
        if current is OPTED_OUT:
            last_opt_out = index
    if last_opt_out is not None and current in (ACTIVE, PAUSED, PENDING):
        later = texts[last_opt_out + 1 :]
        assert any(text in OPT_IN_WORDS for text in later)
    if texts and texts[-1] in OPT_OUT_WORDS:
        assert current is OPTED_OUT


def test_a_try_that_did_not_land_is_still_a_win_answered_gently() -> None:
    decision = decide(parse_intent("he ignored me"), state(ACTIVE), Circumstances(discouraged=True))
    assert decision.record_win
    assert decision.reply is ReplyKind.ENCOURAGEMENT


@pytest.mark.parametrize(
    ("reply_to", "about_the_service", "discouraged", "kind", "win"),
    [
        (ReplyTo.FIRST, False, False, ReplyKind.WIN_ACK, True),
        (ReplyTo.FIRST, False, True, ReplyKind.ENCOURAGEMENT, True),  # trying counts
        (ReplyTo.AGAIN, False, False, ReplyKind.ACKNOWLEDGED, False),
        (ReplyTo.AGAIN, False, True, ReplyKind.ENCOURAGEMENT, False),
        (ReplyTo.NOTHING, False, False, ReplyKind.NOTED, False),  # before any prompt
        (ReplyTo.FIRST, True, False, ReplyKind.NOTED, False),  # "hi?", "who is this?"
    ],
)
def test_only_the_first_reply_to_a_prompt_is_a_win(
    reply_to: ReplyTo, about_the_service: bool, discouraged: bool, kind: ReplyKind, win: bool
) -> None:
    facts = Circumstances(
        reply_to=reply_to, about_the_service=about_the_service, discouraged=discouraged
    )
    decision = decide(parse_intent("We went for a walk"), state(ACTIVE), facts)
    assert (decision.reply, decision.record_win) == (kind, win)
