"""Replies become wins, WINS sums them up, PAUSE holds prompts across ticks, and the weekly
recap arrives in the subscriber's own evening: end to end through signed webhooks and ticks."""

from __future__ import annotations

import datetime

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from service.deps import Runtime
from service.dispatch.dispatcher import Dispatcher
from service.subscribers.models import Subscriber, SubscriberStatus
from service.wins.models import Win
from tests.conftest import a_prompt_was_sent
from tests.dispatch.conftest import run_tick
from tests.fake_twilio import FakeTwilio
from tests.phone import Phone

UTC = datetime.UTC
# Monday 9 March 2026, 10:00 in Los Angeles (the phone's 415 number), PDT = UTC-7.
MONDAY_MORNING = datetime.datetime(2026, 3, 9, 17, 0, tzinfo=UTC)


class Clock:
    def __init__(self, client: TestClient, start: datetime.datetime) -> None:
        self.now = start
        client.app.state.runtime.clock = lambda: self.now  # type: ignore[attr-defined]


def subscriber(engine: Engine, phone: str) -> Subscriber:
    with Session(engine) as session:
        return session.exec(select(Subscriber).where(Subscriber.phone == phone)).one()


def test_the_first_reply_to_a_prompt_is_a_win_and_the_rest_are_heard(
    client: TestClient,
    phone: Phone,
    engine: Engine,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    clock = Clock(client, MONDAY_MORNING)
    phone.join()
    first_prompt_at = subscriber(engine, phone.number).next_prompt_at
    assert first_prompt_at is not None
    assert run_tick(dispatcher, first_prompt_at).sent == 1
    clock.now = first_prompt_at + datetime.timedelta(minutes=20)
    acknowledgements = [phone.text(text) for text in ("We hugged", "she smiled", "and we talked")]
    assert all(a for a in acknowledgements)
    assert not any("this week" in (a or "") for a in acknowledgements)  # no counter each time
    # Varied: never the same acknowledgement twice in a row (the first and third may match).
    assert acknowledgements[0] != acknowledgements[1] != acknowledgements[2]
    with Session(engine) as session:
        wins = session.exec(select(Win)).all()
    assert len(wins) == 1 and wins[0].prompt_id is not None
    summary = phone.text("WINS")
    assert summary is not None
    assert summary.startswith("You've logged 1 small win since Mar 9.")
    assert '"We hugged"' in summary


def test_pause_holds_prompts_across_ticks_then_resumes_by_itself(
    client: TestClient,
    phone: Phone,
    engine: Engine,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    clock = Clock(client, MONDAY_MORNING)
    phone.join()
    reply = phone.text("pause 3 days")
    assert reply is not None and "Paused" in reply and "Thu Mar 12" in reply
    assert subscriber(engine, phone.number).status is SubscriberStatus.PAUSED
    for day in range(3):
        evening = MONDAY_MORNING + datetime.timedelta(days=day, hours=9)
        assert run_tick(dispatcher, evening).sent == 0
    assert fake_twilio.messages == []
    after_pause = MONDAY_MORNING + datetime.timedelta(days=3, hours=1)
    report = run_tick(dispatcher, after_pause)
    assert report.resumed == 1 and report.sent == 1
    assert subscriber(engine, phone.number).status is SubscriberStatus.ACTIVE
    clock.now = after_pause
    assert "not paused" in (phone.text("RESUME") or "")


def test_resume_by_text_restarts_prompts(
    client: TestClient, phone: Phone, engine: Engine, dispatcher: Dispatcher
) -> None:
    Clock(client, MONDAY_MORNING)
    phone.join()
    phone.text("PAUSE")
    assert "Welcome back" in (phone.text("resume") or "")
    record = subscriber(engine, phone.number)
    assert record.status is SubscriberStatus.ACTIVE and record.next_prompt_at is not None


def test_weekly_recap_in_the_subscribers_evening(
    client: TestClient,
    phone: Phone,
    engine: Engine,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    clock = Clock(client, MONDAY_MORNING)
    phone.join()
    a_prompt_was_sent(engine, phone.number, MONDAY_MORNING + datetime.timedelta(hours=1))
    clock.now = MONDAY_MORNING + datetime.timedelta(hours=2)
    phone.text("we laughed a lot tonight")
    recap_at = subscriber(engine, phone.number).next_recap_at
    # Sunday 15 March, 19:00 in Los Angeles = 02:00 UTC on Monday the 16th.
    assert recap_at == datetime.datetime(2026, 3, 16, 2, 0, tzinfo=UTC)
    run_tick(dispatcher, recap_at)
    # It names what they did (the prompt was an appreciation one), never a score.
    [recap] = [m.body for m in fake_twilio.messages if m.to == phone.number]
    assert "said a thank-you out loud" in recap
    assert "Small wins:" not in recap
    assert subscriber(engine, phone.number).next_recap_at == recap_at + datetime.timedelta(days=7)


def test_commands_shape_the_service(client: TestClient, phone: Phone, engine: Engine) -> None:
    Clock(client, MONDAY_MORNING)
    phone.join()
    assert "7pm" in (phone.text("Time: 7 PM") or "")
    assert "Sam" in (phone.text("NAME sam") or "")
    assert "touch" in (phone.text("love touch") or "")
    assert "about 4 msgs a week" in (phone.text("MORE") or "")
    assert "WINS" in (phone.text("menu") or "")
    assert "didn't catch" in (phone.text("time banana") or "")
    new_prompt = phone.text("NEW")
    assert new_prompt and "{" not in new_prompt
    record = subscriber(engine, phone.number)
    assert record.preferred_time == datetime.time(19, 0)
    assert (record.partner_name, record.love_language, record.prompts_per_week) == (
        "Sam",
        "touch",
        4,
    )


def test_safety_message_gets_resources_pauses_and_flags(
    client: TestClient, phone: Phone, engine: Engine
) -> None:
    Clock(client, MONDAY_MORNING)
    phone.join()
    reply = phone.text("I'm scared of him, he hit me last night")
    assert reply is not None and "1-800-799-7233" in reply and "988" in reply
    assert "hit me" not in reply  # never quoted back
    record = subscriber(engine, phone.number)
    assert record.status is SubscriberStatus.PAUSED and record.safety_flagged_at is not None
    with Session(engine) as session:
        assert session.exec(select(Win)).all() == []


def test_a_reply_that_did_not_land_gets_warmth_not_a_cheer(
    client: TestClient, phone: Phone, engine: Engine, runtime: Runtime
) -> None:
    Clock(client, MONDAY_MORNING)
    phone.join()
    a_prompt_was_sent(engine, phone.number, MONDAY_MORNING)
    reply = phone.text("Tried it but he ignored me")
    assert reply in runtime.catalog.acknowledgements["went_badly"]
    assert "this week" not in (reply or "")
    with Session(engine) as session:
        assert len(session.exec(select(Win)).all()) == 1  # trying counts
