"""Wins as they are recorded: counted per subscriber and per local week, on both databases."""

from __future__ import annotations

import datetime
import itertools
from zoneinfo import ZoneInfo

from service.conversation.inbound import InboundText, receive
from service.deps import Runtime

NEW_YORK = ZoneInfo("America/New_York")
_sids = itertools.count()


def _at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A moment of February 2026 in New York (Monday the 16th starts a week)."""
    return datetime.datetime(2026, 2, day, hour, minute, tzinfo=NEW_YORK).astimezone(datetime.UTC)


def _text(runtime: Runtime, phone: str, body: str, now: datetime.datetime) -> str:
    text = InboundText(f"SM{next(_sids):032d}", phone, body)
    reply = receive(runtime.engine, runtime.settings, runtime.catalog, text, now)
    assert reply is not None
    return reply


def test_the_week_s_wins_are_counted_in_the_subscriber_s_own_week(runtime: Runtime) -> None:
    ours, theirs = "+12125550101", "+12125550102"  # both New York numbers
    for phone in (ours, theirs):
        _text(runtime, phone, "JOIN", _at(14, 15))
        _text(runtime, phone, "YES", _at(14, 15, 1))
    assert "first this week" in _text(runtime, ours, "We cooked dinner", _at(14, 16))
    assert "second this week" in _text(runtime, ours, "We took a walk", _at(15, 23, 30))
    # Monday 00:30 in New York (05:30 UTC): a new week there, though not yet in some places.
    assert "first this week" in _text(runtime, ours, "I made her tea", _at(16, 0, 30))
    assert "first this week" in _text(runtime, theirs, "We laughed a lot", _at(16, 0, 45))
    assert "second this week" in _text(runtime, ours, "We hugged", _at(16, 9))
    assert "third this week" in _text(runtime, ours, "We danced", _at(16, 9, 5))
