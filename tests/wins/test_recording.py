"""Wins as they are recorded: counted per subscriber and per local week, on both databases."""

from __future__ import annotations

import datetime
import itertools
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from service.conversation.inbound import InboundText, receive
from service.conversation.tone import ReplyTone
from service.deps import Runtime
from service.subscribers.models import Subscriber
from service.wins.models import Win
from tests.conftest import a_prompt_was_sent

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


def _wins(runtime: Runtime, phone: str) -> list[Win]:
    with Session(runtime.engine) as session:
        member = session.exec(select(Subscriber).where(Subscriber.phone == phone)).one()
        return list(session.exec(select(Win).where(Win.subscriber_id == member.id)).all())


def test_the_week_s_wins_are_counted_in_the_subscriber_s_own_week(runtime: Runtime) -> None:
    """Each text below is the first reply to a prompt sent just before it. Progress is told
    on the third and fifth of a week."""
    ours, theirs = "+12125550101", "+12125550102"  # both New York numbers
    for phone in (ours, theirs):
        _text(runtime, phone, "JOIN", _at(14, 15))
        _text(runtime, phone, "YES", _at(14, 15, 1))

    def reply(phone: str, body: str, at: datetime.datetime) -> str:
        a_prompt_was_sent(runtime.engine, phone, at - datetime.timedelta(minutes=5))
        return _text(runtime, phone, body, at)

    assert "this week" not in reply(ours, "We cooked dinner", _at(14, 16))
    assert "this week" not in reply(ours, "We took a walk", _at(15, 20))
    # Sunday 23:30 in New York (04:30 UTC on Monday): still the same week there.
    assert "three tries this week" in reply(ours, "We laughed a lot", _at(15, 23, 30))
    # Monday 00:30 in New York: a new week there.
    assert "this week" not in reply(ours, "I made her tea", _at(16, 0, 30))
    assert "this week" not in reply(theirs, "We laughed a lot", _at(16, 0, 45))
    assert "this week" not in reply(ours, "We hugged", _at(16, 9))
    assert "three tries this week" in reply(ours, "We danced", _at(16, 9, 5))
    assert "this week" not in reply(ours, "we went for a walk", _at(16, 10))
    assert "five tries this week" in reply(ours, "she kissed me", _at(16, 11))
    assert len(_wins(runtime, ours)) == 8 and len(_wins(runtime, theirs)) == 1


def test_only_the_first_reply_within_48_hours_of_a_prompt_counts(runtime: Runtime) -> None:
    phone = "+12125550103"
    _text(runtime, phone, "JOIN", _at(14, 15))
    _text(runtime, phone, "YES", _at(14, 15, 1))
    _text(runtime, phone, "hello, before any prompt", _at(14, 16))
    assert _wins(runtime, phone) == []
    a_prompt_was_sent(runtime.engine, phone, _at(16, 18))
    # A tick run "as of" a later moment: a text earlier by the clock still follows the prompt.
    _text(runtime, phone, "We danced", _at(16, 17))
    _text(runtime, phone, "and then we hugged", _at(16, 19))
    a_prompt_was_sent(runtime.engine, phone, _at(17, 9))
    _text(runtime, phone, "late reply", _at(19, 9, 1))  # 48 h on
    wins = _wins(runtime, phone)
    assert [win.tone for win in wins] == [ReplyTone.WENT_WELL]  # its tone is kept with it
