"""A slow sender near the window's end: only what its pace delivers in time is handed over."""

from __future__ import annotations

import datetime

from sqlmodel import Session, select

from service.deps import Runtime
from service.dispatch.dispatcher import Dispatcher
from service.dispatch.worker import make_transport
from service.settings import Settings
from service.subscribers.models import Subscriber
from tests.dispatch.conftest import add_active, numbers, run_tick
from tests.fake_twilio import FakeTwilio

NEW_YORK = datetime.timezone(datetime.timedelta(hours=-4))  # EDT in March 2026
# 20:59:58 in New York: two seconds before the window closes at 21:00.
JUST_BEFORE_CLOSE = datetime.datetime(2026, 3, 10, 20, 59, 58, tzinfo=NEW_YORK)
NEXT_OPENING = datetime.datetime(2026, 3, 11, 8, 0, tzinfo=NEW_YORK)


def test_a_slow_pace_hands_over_only_what_reaches_twilio_inside_the_window(
    twilio_settings: Settings, runtime: Runtime, fake_twilio: FakeTwilio
) -> None:
    paced = twilio_settings.model_copy(update={"messages_per_second": 10.0})
    dispatcher = Dispatcher(runtime.engine, paced, runtime.catalog, make_transport(paced))
    phones = numbers(30)
    add_active(runtime.engine, phones, JUST_BEFORE_CLOSE - datetime.timedelta(minutes=1))

    report = run_tick(dispatcher, JUST_BEFORE_CLOSE)

    # 10 a second for 2 seconds: the 21st would reach Twilio at 21:00, outside the window.
    assert (report.sent, report.deferred) == (20, 10)
    assert len(fake_twilio.messages) == 20
    with Session(runtime.engine) as session:
        waiting = [
            s.next_prompt_at
            for s in session.exec(select(Subscriber))
            if s.phone not in {m.to for m in fake_twilio.messages}
        ]
    assert waiting == [NEXT_OPENING] * 10
