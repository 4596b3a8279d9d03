"""The words of every system reply. Each fits one GSM-7 segment with the default settings.

Carrier (CTIA) rules shape the opt-in, HELP and opt-out texts: they name the program, say how
often messages come, say "Msg & data rates may apply", and say how to get HELP and to STOP.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from service.conversation.decisions import ReplyKind

RATES = "Msg & data rates may apply."

LOVE_LANGUAGE_WORDS = {
    "words": "kind words",
    "time": "time together",
    "touch": "touch",
    "acts": "helpful acts",
    "gifts": "small gifts",
}

COMMAND_HINTS = {
    "time": "Try TIME 7pm, TIME 19:30, MORNING or EVENING.",
    "pause": "Try PAUSE (a week) or PAUSE 3 (days).",
    "love": "Try LOVE WORDS, TIME, TOUCH, ACTS or GIFTS.",
    "name": "Try NAME Sam.",
}


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
    progress: str = ""
    wins_summary: str = ""
    prompt_text: str = ""
    prompt_id: str | None = None
    prompt_category: str | None = None
    safety_reply: str = ""  # worded by service/safety/resources.py for the number's country
    help_line: str = ""  # the HELP reply's pointer to support lines
    prompts_paused: bool = False


def frequency(prompts_per_week: int) -> str:
    if prompts_per_week >= 7:
        return "1 msg a day"
    if prompts_per_week == 1:
        return "1 msg a week"
    return f"about {prompts_per_week} msgs a week"


def clock(value: datetime.time) -> str:
    """7:30pm, 8am: how people write times in a text."""
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes}{suffix}"


def render(kind: ReplyKind, facts: ReplyFacts) -> str:
    name = facts.program_name
    often = frequency(facts.prompts_per_week)
    match kind:
        case ReplyKind.CONFIRM_REQUEST:
            return (
                f"{name}: small prompts to feel closer to your partner, {often}. "
                f"Reply YES to join. {RATES} Reply HELP for help, STOP to cancel."
            )
        case ReplyKind.WELCOME:
            return (
                f"Welcome to {name}! Your first prompt comes soon, near "
                f"{clock(facts.preferred_time)}. Optional: reply NAME and your partner's "
                "first name, or SKIP. MENU for options."
            )
        case ReplyKind.RESUBSCRIBED:
            return (
                f"You're back in {name}: small prompts for couples, {often}. "
                f"{RATES} Reply HELP for help, STOP to cancel."
            )
        case ReplyKind.ALREADY_ACTIVE:
            return f"You're already in {name}. Your next prompt is on its way. MENU for options."
        case ReplyKind.OPTED_OUT:
            return f"{name}: you're unsubscribed and will get no more messages."
        case ReplyKind.HELP:
            return " ".join(
                part
                for part in (
                    f"{name}: small prompts for couples, {often}. Help: {facts.support_contact}.",
                    f"{RATES} Reply STOP to cancel, MENU for options.",
                    facts.help_line,
                )
                if part
            )
        case ReplyKind.HOW_TO_JOIN:
            return (
                f"Hi! This is {name}, small texts that help couples feel close. Text JOIN to join."
            )
        case ReplyKind.PENDING_REMINDER:
            return f"Reply YES to start getting prompts from {name}, or STOP to cancel."
        case ReplyKind.WIN_ACK:
            return " ".join(part for part in (facts.acknowledgement, facts.progress) if part)
        case ReplyKind.ENCOURAGEMENT:
            return facts.acknowledgement
        case ReplyKind.WINS_SUMMARY:
            return facts.wins_summary
        case ReplyKind.MENU:
            return (
                "Text: WINS, NEW, PAUSE or PAUSE 3, RESUME, TIME 7pm, MORNING, EVENING, "
                "MORE, LESS, NAME Sam, LOVE WORDS/TIME/TOUCH/ACTS/GIFTS, HELP, STOP"
            )
        case ReplyKind.PAUSED:
            until = facts.paused_until.strftime("%a %b %-d") if facts.paused_until else "later"
            return f"Paused. Prompts start again on {until}. Text RESUME any time to restart."
        case ReplyKind.RESUMED:
            return "Welcome back! Prompts start again soon. MENU for options."
        case ReplyKind.NOT_PAUSED:
            return "You're not paused, so prompts keep coming. PAUSE to take a break."
        case ReplyKind.TIME_SET:
            return f"Got it: prompts will come near {clock(facts.preferred_time)} your time."
        case ReplyKind.CADENCE_SET:
            return f"Done: {often} from now on. MORE or LESS to change it again."
        case ReplyKind.NEW_PROMPT:
            return facts.prompt_text
        case ReplyKind.NEW_LIMIT:
            return "That's plenty for today. Your next prompt comes soon. Be gentle with yourself!"
        case ReplyKind.NEW_OUTSIDE_WINDOW:
            return "It's late where you are, so we'll hold off. Text NEW again in the day."
        case ReplyKind.NAME_SET:
            return f"Thanks! We'll mention {facts.partner_name} in your prompts."
        case ReplyKind.LOVE_SET:
            words = LOVE_LANGUAGE_WORDS.get(facts.love_language or "", "that")
            return f"Noted: your prompts will lean toward {words}."
        case ReplyKind.SKIPPED:
            return "No problem. Your first prompt comes soon. MENU for options."
        case ReplyKind.UNCLEAR:
            hint = COMMAND_HINTS.get(facts.unclear_command or "", "")
            return f"Sorry, we didn't catch that. {hint} MENU lists everything.".replace("  ", " ")
        case ReplyKind.SAFETY | ReplyKind.SAFETY_REMINDER:
            return facts.safety_reply
        case ReplyKind.QUIET_ACK:
            paused = " Prompts are paused; text RESUME when you want them." * facts.prompts_paused
            return f"Thank you for your message.{paused}"
    raise ValueError(f"no text for reply {kind}")  # pragma: no cover - exhaustive above
