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
from service.conversation.tone import ReplyTone, ServiceTopic
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
        (ACTIVE, "I can't stop smiling", None, ReplyKind.ACKNOWLEDGEMENT),
        (ACTIVE, "we never cancel date night", None, ReplyKind.ACKNOWLEDGEMENT),
        (ACTIVE, "We hugged for a whole minute", None, ReplyKind.ACKNOWLEDGEMENT),
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
    facts = Circumstances(tone=ReplyTone.WENT_BADLY, counted_this_week=2)
    decision = decide(parse_intent("he ignored me"), state(ACTIVE), facts)
    assert decision.record_win
    assert (decision.reply, decision.tone) == (ReplyKind.ACKNOWLEDGEMENT, ReplyTone.WENT_BADLY)
    assert decision.tries_this_week is None  # never a count after a flop


W, B, M, N = ReplyTone.WENT_WELL, ReplyTone.WENT_BADLY, ReplyTone.MIXED, ReplyTone.NEUTRAL
H, Y, Q = ReplyTone.HARD_MOMENT, ReplyTone.NOT_YET, ReplyTone.SERVICE_QUESTION
ACK = ReplyKind.ACKNOWLEDGEMENT


@pytest.mark.parametrize(
    ("reply_to", "tone", "topic", "kind", "pool", "win"),
    [
        (ReplyTo.FIRST, W, None, ACK, W, True),
        (ReplyTo.FIRST, B, None, ACK, B, True),  # trying counts
        (ReplyTo.FIRST, Y, None, ACK, Y, True),  # what counts as a win does not change
        (ReplyTo.FIRST, N, None, ACK, N, True),
        (ReplyTo.AGAIN, W, None, ACK, W, False),  # heard, on a prompt already answered
        (ReplyTo.AGAIN, B, None, ACK, B, False),
        (ReplyTo.NOTHING, W, None, ReplyKind.NOTED, None, False),  # before any prompt
        (ReplyTo.NOTHING, H, None, ACK, H, False),  # a hard time still gets warmth
        (ReplyTo.FIRST, Q, ServiceTopic.GREETING, ReplyKind.NOTED, None, False),  # "hi?"
        (ReplyTo.FIRST, Q, ServiceTopic.WHO, ReplyKind.ABOUT_WHO, None, False),
        (ReplyTo.NOTHING, Q, ServiceTopic.COST, ReplyKind.ABOUT_COST, None, False),
        (ReplyTo.FIRST, Q, ServiceTopic.OTHER, ReplyKind.MENU, None, False),
    ],
)
def test_each_kind_of_text_gets_its_answer_and_only_first_replies_count(
    reply_to: ReplyTo,
    tone: ReplyTone,
    topic: ServiceTopic | None,
    kind: ReplyKind,
    pool: ReplyTone | None,
    win: bool,
) -> None:
    facts = Circumstances(reply_to=reply_to, tone=tone, topic=topic)
    decision = decide(parse_intent("We went for a walk"), state(ACTIVE), facts)
    assert (decision.reply, decision.tone, decision.record_win) == (kind, pool, win)


@pytest.mark.parametrize("topic", list(ServiceTopic))
def test_every_question_to_the_service_is_answered_and_never_counted(topic: ServiceTopic) -> None:
    facts = Circumstances(tone=ReplyTone.SERVICE_QUESTION, topic=topic)
    decision = decide(parse_intent("who is this?"), state(ACTIVE), facts)
    assert decision.reply is not None and decision.reply is not ACK
    assert not decision.record_win


@pytest.mark.parametrize(
    ("before", "tone", "tries"),
    [
        (2, W, 3),
        (4, W, 5),
        (2, M, 3),
        (4, N, 5),
        (0, W, None),
        (1, W, None),
        (3, W, None),
        (5, W, None),
        (2, B, None),  # never after a flop
        (2, H, None),
        (4, Y, None),
    ],
)
def test_progress_is_told_now_and_then_never_after_a_flop(
    before: int, tone: ReplyTone, tries: int | None
) -> None:
    facts = Circumstances(tone=tone, counted_this_week=before)
    assert decide(parse_intent("we talked"), state(ACTIVE), facts).tries_this_week == tries


@pytest.mark.parametrize(
    ("recent", "tone", "support"),
    [
        ((B, B), B, True),  # the third flop in a row
        ((H, B), B, True),
        ((B, B), H, True),
        ((B,), B, False),
        ((), B, False),
        ((B, B, B), B, False),  # once a run: never pushy
        ((B, W, B), B, False),
        ((B, None), B, False),  # a win from before tones were kept breaks the run
        ((B, B), W, False),
        ((B, B), M, False),
    ],
)
def test_a_third_flop_in_a_row_gets_a_word_about_support(
    recent: tuple[ReplyTone | None, ...], tone: ReplyTone, support: bool
) -> None:
    facts = Circumstances(tone=tone, recent_tones=recent)
    assert decide(parse_intent("he walked away"), state(ACTIVE), facts).offer_support is support


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from([t for t in ReplyTone if t is not Q]), max_size=12),
    st.sampled_from(list(ReplyTo)),
)
def test_a_week_of_replies_mentions_progress_at_most_twice_and_support_once_a_run(
    tones: list[ReplyTone], reply_to: ReplyTo
) -> None:
    """Replies of one week, oldest first, each the first to its prompt when counted."""
    counted: list[ReplyTone] = []
    progress = 0
    supports = 0
    for tone in tones:
        facts = Circumstances(
            tone=tone,
            reply_to=reply_to,
            counted_this_week=len(counted),
            recent_tones=tuple(reversed(counted)),
        )
        decision = decide(parse_intent("we talked"), state(ACTIVE), facts)
        if decision.tries_this_week is not None:
            assert decision.record_win and tone in (W, M, N)
            progress += 1
        if decision.offer_support:
            assert decision.record_win and tone in (B, H)
            supports += 1
        if decision.record_win:
            counted.append(tone)
    assert progress <= 2
    runs = "".join("s" if t in (B, H) else "." for t in counted).split(".")
    assert supports == sum(len(run) >= 3 for run in runs)
