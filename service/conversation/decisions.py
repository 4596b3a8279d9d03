"""What to do about one inbound text: a pure function of the intent and the subscriber's state.

The contract's table ("What a texter experiences") is implemented here and nowhere else; the
webhook route only gathers the facts, applies the decision and renders the reply.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Final

from service.conversation.intents import Intent, IntentKind
from service.conversation.tone import ReplyTone, ServiceTopic
from service.couples.pairing import CodeCheck
from service.scheduling.schedule import less_often, more_often
from service.subscribers.models import ConsentKind, ConsentMethod, SubscriberStatus
from service.wins.recording import ReplyTo


class ReplyKind(StrEnum):
    CONFIRM_REQUEST = "confirm_request"
    WELCOME = "welcome"
    RESUBSCRIBED = "resubscribed"
    ALREADY_ACTIVE = "already_active"
    OPTED_OUT = "opted_out"
    HELP = "help"
    HOW_TO_JOIN = "how_to_join"
    PENDING_REMINDER = "pending_reminder"
    # In the voice of the reply's tone (Decision.tone); counted or not, as record_win says.
    ACKNOWLEDGEMENT = "acknowledgement"
    NOTED = "noted"  # a text that answers no prompt (a greeting, before the first one)
    # Short answers to a question about the service, by topic (tone.question_topic).
    ABOUT_WHO = "about_who"
    ABOUT_OFTEN = "about_often"
    ABOUT_TIME = "about_time"
    ABOUT_PAUSE = "about_pause"
    ABOUT_STOP = "about_stop"
    ABOUT_BOT = "about_bot"
    ABOUT_COST = "about_cost"
    WINS_SUMMARY = "wins_summary"
    MENU = "menu"
    PAUSED = "paused"
    RESUMED = "resumed"
    NOT_PAUSED = "not_paused"
    TIME_SET = "time_set"
    CADENCE_SET = "cadence_set"
    ANNIVERSARY_SET = "anniversary_set"
    CADENCE_SET_PAIRED = "cadence_set_paired"  # a pair follows the slower of its two rhythms
    NEW_PROMPT = "new_prompt"
    NEW_LIMIT = "new_limit"
    NEW_OUTSIDE_WINDOW = "new_outside_window"
    NAME_SET = "name_set"
    LOVE_SET = "love_set"
    SKIPPED = "skipped"
    UNCLEAR = "unclear"
    SAFETY = "safety"  # support lines, discreetly worded (service/safety/resources.py)
    SAFETY_REMINDER = "safety_reminder"  # a concern again within a day: a short line
    ZONE_SET = "zone_set"
    ZONE_UNKNOWN = "zone_unknown"
    LANGUAGE_SET = "language_set"
    PAIR_CODE = "pair_code"  # a code for the partner
    PAIRED = "paired"
    PAIR_FAILED = "pair_failed"  # a wrong, used, expired or own code; nothing changes
    PAIR_THROTTLED = "pair_throttled"
    ALREADY_PAIRED = "already_paired"
    UNPAIRED = "unpaired"
    NOT_PAIRED = "not_paired"
    QUIET_ACK = "quiet_ack"  # a flagged member's other texts: heard, never cheered
    CHECK_IN_HEARD = "check_in_heard"  # a check-in answered 3-5: thanks, no verdict on it
    CHECK_IN_HEARD_LOW = "check_in_heard_low"  # answered 1 or 2: warmth, MENU and PAUSE, no cheer


@dataclass(frozen=True)
class SubscriberState:
    """What a decision needs to know about the texter; None means a number we never saw."""

    status: SubscriberStatus
    prompts_per_week: int
    onboarding_question_pending: bool = False
    safety_flagged: bool = False  # a concerning text of theirs awaits an operator's review


@dataclass(frozen=True)
class Circumstances:
    """Facts about this moment that the shell works out (time is never read here)."""

    twilio_answered: bool = False  # the webhook carried OptOutType: Twilio already replied
    safety_concern: bool = False
    safety_resources_recent: bool = False  # the number got the resources less than a day ago
    tone: ReplyTone = ReplyTone.NEUTRAL  # how an ordinary text sounds (tone.classify_reply)
    topic: ServiceTopic | None = None  # what a question to the service is about
    inside_send_window: bool = True
    on_demand_prompts_today: int = 0
    on_demand_prompts_per_day: int = 3
    named_zone: str | None = None  # the zone a ZONE text's place resolved to, if any
    reply_to: ReplyTo = ReplyTo.FIRST  # what the text is to the member's latest prompt
    code_check: CodeCheck | None = None  # the code a PAIR or JOIN text carries, checked
    paired: bool = False  # the member is in a pair now
    check_in_score: int | None = None  # the 1-5 the text gives the member's open check-in
    # The member's counted replies before this text: this week's count, and the tones of the
    # ones within SUPPORT_LOOKBACK, newest first (None for wins from before tones were kept).
    counted_this_week: int = 0
    recent_tones: Sequence[ReplyTone | None] = ()


@dataclass(frozen=True)
class Decision:
    reply: ReplyKind | None
    status: SubscriberStatus | None = None  # the new status, when it changes or is created
    consent: tuple[ConsentKind, ConsentMethod] | None = None
    record_win: bool = False
    schedule_first_prompt: bool = False
    pause_days: int | None = None
    pause_indefinitely: bool = False
    flag_safety: bool = False
    log_safety_concern: bool = False  # keep the text as a flag for the operator
    preferred_time: datetime.time | None = None
    prompts_per_week: int | None = None
    partner_name: str | None = None
    love_language: str | None = None
    send_prompt_now: bool = False
    end_onboarding: bool = False
    unclear_command: str | None = None
    language: str | None = None  # the subscriber's language from now on
    timezone: str | None = None  # the zone the subscriber named
    issue_pair_code: bool = False
    pair_now: bool = False  # with the code the text carries
    pending_pair_code: str | None = None  # kept on a new number until it confirms
    record_code_failure: bool = False
    end_pairing: bool = False
    anniversary: tuple[int, int] | None = None  # (month, day), from DATE
    record_check_in: bool = False  # keep the score as the check-in's answer, never as a win
    tone: ReplyTone | None = None  # the acknowledgement's pool, and the win's tone
    tries_this_week: int | None = None  # told back in words ("that's three tries this week")
    offer_support: bool = False  # a gentle line about support after several flops in a row


# Progress is mentioned now and then, in words: on these counted replies of a week, and only
# after a reply that went well, mixed or plainly; never after a flop.
PROGRESS_MILESTONES: Final = frozenset({3, 5})
PROGRESS_AFTER: Final = frozenset({ReplyTone.WENT_WELL, ReplyTone.MIXED, ReplyTone.NEUTRAL})
# A flop or a hard moment: several in a row (SUPPORT_AFTER, within SUPPORT_LOOKBACK) get a
# word about support once, on the reply that makes the run that long.
STRUGGLES: Final = frozenset({ReplyTone.WENT_BADLY, ReplyTone.HARD_MOMENT})
SUPPORT_AFTER: Final = 3
SUPPORT_LOOKBACK: Final = datetime.timedelta(weeks=6)
_ANSWERS: Final = {
    ServiceTopic.GREETING: ReplyKind.NOTED,
    ServiceTopic.WHO: ReplyKind.ABOUT_WHO,
    ServiceTopic.OFTEN: ReplyKind.ABOUT_OFTEN,
    ServiceTopic.TIME: ReplyKind.ABOUT_TIME,
    ServiceTopic.PAUSE: ReplyKind.ABOUT_PAUSE,
    ServiceTopic.STOP: ReplyKind.ABOUT_STOP,
    ServiceTopic.BOT: ReplyKind.ABOUT_BOT,
    ServiceTopic.COST: ReplyKind.ABOUT_COST,
    ServiceTopic.OTHER: ReplyKind.MENU,
}


def decide(intent: Intent, state: SubscriberState | None, facts: Circumstances) -> Decision:
    if intent.kind is IntentKind.OPT_OUT:
        return _opt_out(intent, facts)
    if intent.kind is IntentKind.HELP:
        return Decision(reply=None if facts.twilio_answered else ReplyKind.HELP)
    if state is None:
        return _stranger(intent, facts)
    if state.status is SubscriberStatus.OPTED_OUT:
        return _opted_out(intent, facts)
    if state.status is SubscriberStatus.PENDING:
        return _pending(intent, facts)
    return _member(intent, state, facts)


def _opt_out(intent: Intent, facts: Circumstances) -> Decision:
    if facts.twilio_answered:
        method = ConsentMethod.TWILIO_OPT_OUT_TYPE
    elif intent.free_text_opt_out:
        method = ConsentMethod.FREE_TEXT
    else:
        method = ConsentMethod.KEYWORD
    return Decision(
        reply=None if facts.twilio_answered else ReplyKind.OPTED_OUT,
        status=SubscriberStatus.OPTED_OUT,
        consent=(ConsentKind.OPT_OUT, method),
    )


def _stranger(intent: Intent, facts: Circumstances) -> Decision:
    if intent.code is not None and intent.kind in (IntentKind.OPT_IN, IntentKind.PAIR):
        if facts.code_check is not CodeCheck.VALID:
            return _code_refused(facts)
        return Decision(
            reply=ReplyKind.CONFIRM_REQUEST,
            status=SubscriberStatus.PENDING,
            consent=(ConsentKind.OPT_IN, ConsentMethod.KEYWORD),
            language=intent.language,
            pending_pair_code=intent.code,  # paired on YES, never before
        )
    if intent.kind is IntentKind.OPT_IN:
        return Decision(
            reply=ReplyKind.CONFIRM_REQUEST,
            status=SubscriberStatus.PENDING,
            consent=(ConsentKind.OPT_IN, ConsentMethod.KEYWORD),
            language=intent.language,  # UNIRME joins in Spanish
        )
    if facts.safety_concern:
        return _safety(facts)
    return Decision(reply=ReplyKind.HOW_TO_JOIN)


def _safety(facts: Circumstances) -> Decision:
    """Resources, at most once a day; the text is always kept for the operator."""
    recent = facts.safety_resources_recent
    return Decision(
        reply=ReplyKind.SAFETY_REMINDER if recent else ReplyKind.SAFETY, log_safety_concern=True
    )


def _opted_out(intent: Intent, facts: Circumstances) -> Decision:
    if intent.kind in (IntentKind.OPT_IN, IntentKind.CONFIRM):
        return replace(_resubscribe(), language=intent.language)
    # An opted-out number hears nothing more from us; a concern is still kept for the operator.
    return Decision(reply=None, log_safety_concern=facts.safety_concern)


def _resubscribe() -> Decision:
    return Decision(
        reply=ReplyKind.RESUBSCRIBED,
        status=SubscriberStatus.ACTIVE,
        consent=(ConsentKind.RESUBSCRIBE, ConsentMethod.KEYWORD),
        schedule_first_prompt=True,
    )


def _code_refused(facts: Circumstances) -> Decision:
    if facts.code_check is CodeCheck.THROTTLED:
        return Decision(reply=ReplyKind.PAIR_THROTTLED)
    return Decision(reply=ReplyKind.PAIR_FAILED, record_code_failure=True)


def _pending(intent: Intent, facts: Circumstances) -> Decision:
    if intent.kind is IntentKind.CONFIRM:
        return Decision(
            reply=ReplyKind.WELCOME,
            status=SubscriberStatus.ACTIVE,
            consent=(ConsentKind.CONFIRMATION, ConsentMethod.KEYWORD),
            schedule_first_prompt=True,
            pair_now=facts.code_check is CodeCheck.VALID,  # the code they joined with
        )
    if intent.kind is IntentKind.OPT_IN:
        return Decision(reply=ReplyKind.CONFIRM_REQUEST, language=intent.language)
    if intent.kind is IntentKind.LANGUAGE:
        return Decision(reply=ReplyKind.LANGUAGE_SET, language=intent.language)
    if facts.safety_concern:
        return _safety(facts)
    return Decision(reply=ReplyKind.PENDING_REMINDER)


def _member(intent: Intent, state: SubscriberState, facts: Circumstances) -> Decision:
    """An active or paused subscriber."""
    paused = state.status is SubscriberStatus.PAUSED
    match intent.kind:
        case IntentKind.OPT_IN:
            if paused:
                return _resume()
            return Decision(reply=ReplyKind.ALREADY_ACTIVE)
        case IntentKind.WINS:
            return Decision(reply=ReplyKind.WINS_SUMMARY)
        case IntentKind.MENU:
            return Decision(reply=ReplyKind.MENU)
        case IntentKind.PAUSE:
            return Decision(
                reply=ReplyKind.PAUSED,
                status=SubscriberStatus.PAUSED,
                pause_days=intent.days or 7,
            )
        case IntentKind.RESUME:
            return _resume() if paused else Decision(reply=ReplyKind.NOT_PAUSED)
        case IntentKind.TIME if intent.time_of_day is not None:
            return Decision(reply=ReplyKind.TIME_SET, preferred_time=intent.time_of_day)
        case IntentKind.MORE | IntentKind.LESS:
            change = more_often if intent.kind is IntentKind.MORE else less_often
            return Decision(
                reply=ReplyKind.CADENCE_SET_PAIRED if facts.paired else ReplyKind.CADENCE_SET,
                prompts_per_week=change(state.prompts_per_week),
            )
        case IntentKind.NEW:
            return _prompt_on_demand(facts)
        case IntentKind.NAME if intent.name:
            return Decision(reply=ReplyKind.NAME_SET, partner_name=intent.name, end_onboarding=True)
        case IntentKind.LOVE if intent.love_language:
            return Decision(reply=ReplyKind.LOVE_SET, love_language=intent.love_language)
        case IntentKind.SKIP:
            return Decision(reply=ReplyKind.SKIPPED, end_onboarding=True)
        case IntentKind.ZONE if facts.named_zone is not None:
            return Decision(reply=ReplyKind.ZONE_SET, timezone=facts.named_zone)
        case IntentKind.ZONE:
            return Decision(reply=ReplyKind.ZONE_UNKNOWN)
        case IntentKind.DATE if intent.anniversary is not None:
            return Decision(reply=ReplyKind.ANNIVERSARY_SET, anniversary=intent.anniversary)
        case IntentKind.LANGUAGE:
            return Decision(reply=ReplyKind.LANGUAGE_SET, language=intent.language)
        case IntentKind.PAIR if facts.paired:
            return Decision(reply=ReplyKind.ALREADY_PAIRED)
        case IntentKind.PAIR if intent.code is None:
            return Decision(reply=ReplyKind.PAIR_CODE, issue_pair_code=True)
        case IntentKind.PAIR if facts.code_check is CodeCheck.VALID:
            return Decision(reply=ReplyKind.PAIRED, pair_now=True)
        case IntentKind.PAIR:
            return _code_refused(facts)
        case IntentKind.UNPAIR if facts.paired:
            return Decision(reply=ReplyKind.UNPAIRED, end_pairing=True)
        case IntentKind.UNPAIR:
            return Decision(reply=ReplyKind.NOT_PAIRED)
        case IntentKind.UNCLEAR_COMMAND | IntentKind.TIME | IntentKind.NAME | IntentKind.LOVE:
            return Decision(reply=ReplyKind.UNCLEAR, unclear_command=intent.command or intent.kind)
    if facts.safety_concern:
        return replace(
            _safety(facts),
            status=SubscriberStatus.PAUSED,
            pause_indefinitely=True,
            flag_safety=True,
        )
    if state.safety_flagged:
        # Until an operator has read what they wrote, nothing they say is cheered or counted.
        return Decision(reply=ReplyKind.QUIET_ACK)
    onboarding = state.onboarding_question_pending
    if intent.kind is IntentKind.CONFIRM:
        return Decision(reply=ReplyKind.ALREADY_ACTIVE)
    if facts.check_in_score is not None:
        low = facts.check_in_score <= 2
        return Decision(
            reply=ReplyKind.CHECK_IN_HEARD_LOW if low else ReplyKind.CHECK_IN_HEARD,
            record_check_in=True,
            end_onboarding=onboarding,
        )
    tone = facts.tone
    if tone is ReplyTone.SERVICE_QUESTION:  # a greeting or a question to us, not a reply
        answer = _ANSWERS[facts.topic] if facts.topic else ReplyKind.NOTED
        return Decision(reply=answer, end_onboarding=onboarding)
    heard = Decision(reply=ReplyKind.ACKNOWLEDGEMENT, tone=tone, end_onboarding=onboarding)
    if facts.reply_to is ReplyTo.NOTHING:
        # It answers no prompt: a hard time still gets warmth; the rest, a plain thanks.
        noted = Decision(reply=ReplyKind.NOTED, end_onboarding=onboarding)
        return heard if tone in STRUGGLES else noted
    if facts.reply_to is ReplyTo.AGAIN:  # more about a prompt already answered: heard
        return heard
    # The first reply to the latest prompt: a small win.
    tries = facts.counted_this_week + 1
    return replace(
        heard,
        record_win=True,
        tries_this_week=tries if tries in PROGRESS_MILESTONES and tone in PROGRESS_AFTER else None,
        offer_support=(
            tone in STRUGGLES and struggles_in_a_row(facts.recent_tones) == SUPPORT_AFTER - 1
        ),
    )


def struggles_in_a_row(tones: Sequence[ReplyTone | None]) -> int:
    """How many of `tones` (newest first) were flops or hard moments before another kind."""
    count = 0
    for tone in tones:
        if tone not in STRUGGLES:
            break
        count += 1
    return count


def _resume() -> Decision:
    return Decision(
        reply=ReplyKind.RESUMED, status=SubscriberStatus.ACTIVE, schedule_first_prompt=True
    )


def _prompt_on_demand(facts: Circumstances) -> Decision:
    if not facts.inside_send_window:
        return Decision(reply=ReplyKind.NEW_OUTSIDE_WINDOW)
    if facts.on_demand_prompts_today >= facts.on_demand_prompts_per_day:
        return Decision(reply=ReplyKind.NEW_LIMIT)
    return Decision(reply=ReplyKind.NEW_PROMPT, send_prompt_now=True)
