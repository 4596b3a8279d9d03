"""Every system reply fits one GSM-7 segment (HELP and the safety replies, which carry support
lines, two), and the carrier-required texts say what they must."""

from __future__ import annotations

import datetime

import pytest

from service.app import PROJECT_ROOT
from service.catalog import load_catalog
from service.conversation.decisions import ReplyKind
from service.conversation.replies import ReplyFacts, render
from service.settings import Settings
from service.sms_encoding import Encoding, segment_info

DEFAULTS = Settings(_env_file=None)  # type: ignore[call-arg]
CATALOG = load_catalog(PROJECT_ROOT / "messages")
assert CATALOG.replies is not None
TEXTS = CATALOG.replies
# The longest values each fact takes in practice.
FACTS = ReplyFacts(
    program_name=DEFAULTS.program_name,
    support_contact=DEFAULTS.support_contact,
    prompts_per_week=4,
    preferred_time=datetime.time(12, 45),
    paused_until=datetime.date(2026, 12, 30),
    partner_name="Maximilianaaaaaaaaa",
    love_language="touch",
    unclear_command="time",
    acknowledgement="x" * 100,
    progress="That's seven tries this week.",
    wins_summary="You've logged 12 small wins since Dec 30.",
    prompt_text="Tell your partner one thing you admire about them today.",
    safety_reply="x" * 300,
    help_line="Unsafe or in crisis? Call 999, or Samaritans on 116 123.",
    prompts_paused=True,
)
TWO_SEGMENTS = {ReplyKind.HELP, ReplyKind.SAFETY, ReplyKind.SAFETY_REMINDER}


@pytest.mark.parametrize("kind", list(ReplyKind))
def test_every_reply_is_one_gsm7_segment(kind: ReplyKind) -> None:
    text = render(kind, FACTS, TEXTS)
    info = segment_info(text)
    assert info.encoding is Encoding.GSM7, text
    assert info.segments <= (2 if kind in TWO_SEGMENTS else 1), (len(text), text)


@pytest.mark.parametrize("kind", [ReplyKind.CONFIRM_REQUEST, ReplyKind.RESUBSCRIBED])
def test_opt_in_texts_carry_the_disclosures(kind: ReplyKind) -> None:
    text = render(kind, FACTS, TEXTS)
    for required in (
        DEFAULTS.program_name,
        "msgs a week",
        "Msg & data rates may apply",
        "HELP",
        "STOP",
    ):
        assert required in text


def test_help_names_program_contact_frequency_rates_and_stop() -> None:
    text = render(ReplyKind.HELP, FACTS, TEXTS)
    for required in (
        "Closer",
        "help@closer.example",
        "msgs a week",
        "Msg & data rates may apply",
        "STOP",
        FACTS.help_line,
    ):
        assert required in text


def test_a_quiet_acknowledgement_never_cheers_and_says_how_to_resume() -> None:
    text = render(ReplyKind.QUIET_ACK, FACTS, TEXTS)
    assert "RESUME" in text and "!" not in text


def test_opt_out_confirmation_is_plain() -> None:
    assert (
        render(ReplyKind.OPTED_OUT, FACTS, TEXTS)
        == "Closer: you're unsubscribed and will get no more messages."
    )


@pytest.mark.parametrize(
    ("per_week", "text"), [(1, "1 msg a week"), (3, "about 3 msgs a week"), (7, "1 msg a day")]
)
def test_frequency(per_week: int, text: str) -> None:
    assert TEXTS.often(per_week) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (datetime.time(19), "7pm"),
        (datetime.time(8, 30), "8:30am"),
        (datetime.time(0), "12am"),
        (datetime.time(12), "12pm"),
    ],
)
def test_clock(value: datetime.time, text: str) -> None:
    assert TEXTS.clock(value) == text
