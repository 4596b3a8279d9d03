"""One rhythm for two: the slower partner's cadence, the same prompt days."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from service.conversation.decisions import Circumstances, ReplyKind, SubscriberState, decide
from service.conversation.intents import Intent, IntentKind
from service.couples.rhythm import rhythm_for_two
from service.deps import Runtime
from service.dispatch.dispatcher import Dispatcher
from service.dispatch.models import OutboundKind, OutboundMessage
from service.scheduling.schedule import CADENCE_STEPS, DEFAULT_SEND_WINDOW, next_prompt_at
from service.subscribers.models import SubscriberStatus
from tests.couples.helpers import next_prompt, paired
from tests.dispatch.conftest import run_tick
from tests.phone import Phone

cadences = st.sampled_from(CADENCE_STEPS)


@pytest.mark.parametrize(("mine", "theirs", "shared"), [(3, 3, 3), (7, 3, 3), (1, 5, 1), (5, 7, 5)])
def test_a_pair_follows_the_slower_partner(mine: int, theirs: int, shared: int) -> None:
    assert rhythm_for_two(9, mine, theirs).prompts_per_week == shared


@pytest.mark.parametrize("paired", [False, True])
@pytest.mark.parametrize("kind", [IntentKind.MORE, IntentKind.LESS])
def test_a_paired_member_changing_cadence_hears_about_the_shared_rhythm(
    kind: IntentKind, paired: bool
) -> None:
    state = SubscriberState(SubscriberStatus.ACTIVE, prompts_per_week=3)
    decision = decide(Intent(kind), state, Circumstances(paired=paired))
    assert decision.prompts_per_week == (4 if kind is IntentKind.MORE else 2)
    assert decision.reply is (ReplyKind.CADENCE_SET_PAIRED if paired else ReplyKind.CADENCE_SET)


@given(pair_id=st.integers(1, 10**6), mine=cadences, theirs=cadences)
def test_both_sides_get_the_same_rhythm_and_neither_more_than_they_chose(
    pair_id: int, mine: int, theirs: int
) -> None:
    rhythm = rhythm_for_two(pair_id, mine, theirs)
    assert rhythm == rhythm_for_two(pair_id, theirs, mine)
    assert rhythm.prompts_per_week <= min(mine, theirs)


@given(
    pair_id=st.integers(1, 10**6),
    cadence=cadences,
    sent_day=st.integers(0, 400),
    zones=st.sampled_from(
        [
            ("America/New_York", "America/Los_Angeles"),
            ("Europe/Madrid", "America/Mexico_City"),
            ("America/Chicago", "America/Chicago"),
        ]
    ),
)
def test_partners_are_prompted_on_the_same_local_dates(
    pair_id: int, cadence: int, sent_day: int, zones: tuple[str, str]
) -> None:
    """Each in their own zone and at their own time, after a prompt on the same local date."""
    rhythm = rhythm_for_two(pair_id, cadence, cadence)
    day = datetime.date(2026, 1, 1) + datetime.timedelta(days=sent_day)
    next_dates = []
    for zone_name, phone, preferred in zip(
        zones, ("+14155550101", "+13125550199"), (datetime.time(8), datetime.time(19)), strict=True
    ):
        zone = ZoneInfo(zone_name)
        sent = datetime.datetime.combine(day, datetime.time(12), zone)
        at = next_prompt_at(
            sent_at=sent,
            tz=zone,
            preferred=preferred,
            prompts_per_week=rhythm.prompts_per_week,
            window=DEFAULT_SEND_WINDOW,
            jitter_key=phone,
            weekday_key=rhythm.weekday_key,
        )
        next_dates.append(at.astimezone(zone).date())
    assert next_dates[0] == next_dates[1]


def test_a_pair_gets_the_slower_cadence_on_the_same_days_through_real_ticks(
    client: TestClient,
    runtime: Runtime,
    phone: Phone,
    engine: Engine,
    dispatcher: Dispatcher,
) -> None:
    """One partner asked for every day, the other kept 3 a week: three weeks of ticks give
    both 3 prompts a week, on the same local dates."""
    start = datetime.datetime(2026, 3, 10, 16, 0, tzinfo=datetime.UTC)
    runtime.clock = lambda: start
    partner = phone.other("+14155550311")
    paired(phone, partner)
    for _ in range(3):
        assert "slower of your two" in (phone.text("MORE") or "")  # 3 -> 4 -> 5 -> 7 a week
    numbers = (phone.number, partner.number)
    end = start + datetime.timedelta(days=21)
    while (at := min(next_prompt(engine, number) for number in numbers)) < end:
        runtime.clock = lambda at=at: at
        run_tick(dispatcher, at)
    zone = ZoneInfo("America/Los_Angeles")
    with Session(engine) as session:
        prompts = session.exec(
            select(OutboundMessage)
            .where(OutboundMessage.kind == OutboundKind.PROMPT)
            .order_by(col(OutboundMessage.id))
        ).all()
    dates = {
        number: [p.created_at.astimezone(zone).date() for p in prompts if p.phone == number]
        for number in numbers
    }
    # After the first prompt (the shared question, each at their own next slot), same days.
    assert dates[phone.number][1:] == dates[partner.number][1:]
    assert 8 <= len(dates[phone.number]) <= 10  # 3 a week for three weeks, not 7
