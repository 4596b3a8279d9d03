"""Filling in every system reply: the facts of this text, in the words of the subscriber's
language (the catalog's `replies.yaml`, service/catalog/reply_texts.py).

Carrier (CTIA) rules shape the opt-in, HELP and opt-out texts: they name the program, say how
often messages come, say that message and data rates may apply, and how to get HELP and STOP.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from service.catalog.reply_texts import ReplyTexts
from service.conversation.decisions import ReplyKind
from service.sms_encoding import smart_encoded


@dataclass(frozen=True)
class ReplyFacts:
    program_name: str
    support_contact: str
    prompts_per_week: int = 3
    preferred_time: datetime.time = datetime.time(18, 30)
    paused_until: datetime.date | None = None
    partner_name: str | None = None
    love_language: str | None = None
    unclear_command: str | None = None
    acknowledgement: str = ""
    progress: str = ""  # "That's three tries this week.", now and then
    support: str = ""  # a line about support, after several flops in a row
    wins_summary: str = ""
    prompt_text: str = ""
    prompt_id: str | None = None
    prompt_category: str | None = None
    safety_reply: str = ""  # worded by service/safety/resources.py for the number's country
    help_line: str = ""  # the HELP reply's pointer to support lines
    prompts_paused: bool = False
    # A number that could be in several zones: a send time they share, or none until ZONE.
    zone_uncertain: bool = False
    zone_known: bool = True
    zone: str = ""  # as the subscriber named it, after ZONE
    local_time: datetime.time | None = None  # in that zone, when ZONE was answered
    pair_code: str = ""
    paired_now: bool = False  # joined with a partner's code: the welcome says so
    anniversary: datetime.date | None = None  # as given with DATE (the year means nothing)


# The replies that are a text already worded elsewhere (a prompt, the resources, a count).
_PASSED_THROUGH = {
    ReplyKind.WINS_SUMMARY: "wins_summary",
    ReplyKind.NEW_PROMPT: "prompt_text",
    ReplyKind.SAFETY: "safety_reply",
    ReplyKind.SAFETY_REMINDER: "safety_reply",
}


def render(kind: ReplyKind, facts: ReplyFacts, texts: ReplyTexts) -> str:
    """The reply's text, smart-encoded as Twilio would send it."""
    return smart_encoded(_worded(kind, facts, texts))


def _worded(kind: ReplyKind, facts: ReplyFacts, texts: ReplyTexts) -> str:
    if kind in _PASSED_THROUGH:
        text: str = getattr(facts, _PASSED_THROUGH[kind])
        return text
    if kind is ReplyKind.ACKNOWLEDGEMENT:
        parts = (facts.acknowledgement, facts.progress, facts.support)
        return " ".join(part for part in parts if part)
    values = {
        "program": facts.program_name,
        "often": texts.often(facts.prompts_per_week),
        "rates": texts.sentence("rates"),
        "support": facts.support_contact,
        "time": texts.clock(facts.preferred_time),
        "partner": facts.partner_name or "",
        "words": texts.love_language_words.get(facts.love_language or "", ""),
        "hint": texts.command_hints.get(facts.unclear_command or "", ""),
        "zone": facts.zone,
        "local_time": texts.clock(facts.local_time) if facts.local_time else "",
        "until": texts.day(facts.paused_until) if facts.paused_until else "",
        "code": facts.pair_code,
        "date": texts.day(facts.anniversary, "short_date") if facts.anniversary else "",
    }
    key = kind.value
    if kind is ReplyKind.WELCOME and facts.paired_now:
        key = "welcome_paired"
    elif kind is ReplyKind.WELCOME and not facts.zone_known:
        key = "welcome_zone_unknown"
    elif kind is ReplyKind.WELCOME and facts.zone_uncertain:
        key = "welcome_zone_uncertain"
    elif kind is ReplyKind.PAUSED and facts.paused_until is None:
        key = "paused_indefinitely"
    elif kind is ReplyKind.QUIET_ACK and facts.prompts_paused:
        key = "quiet_ack_paused"
    text = " ".join(texts.reply(key, **values).split())  # an empty hint leaves no gap
    if kind is ReplyKind.HELP and facts.help_line:
        text = f"{text} {facts.help_line}"
    return text
