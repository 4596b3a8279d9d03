"""A STOP confirmed while a paced pass runs against a slow Twilio: that subscriber's prompt
never reaches Twilio afterwards, on SQLite and PostgreSQL."""

from __future__ import annotations

import collections
import datetime
import threading
import time

from fastapi.testclient import TestClient

from service.deps import Runtime
from service.dispatch.dispatcher import Dispatcher, TickReport
from service.dispatch.worker import make_transport
from service.settings import Settings
from tests.conftest import PUBLIC_BASE_URL
from tests.dispatch.conftest import add_active, numbers, run_tick
from tests.fake_twilio import FakeTwilio
from tests.phone import Phone

EVENING = datetime.datetime(2026, 3, 10, 23, 0, tzinfo=datetime.UTC)


def test_no_prompt_reaches_twilio_after_its_subscriber_s_stop_was_confirmed(
    twilio_settings: Settings,
    runtime: Runtime,
    fake_twilio: FakeTwilio,
    client: TestClient,
    auth_token: str,
) -> None:
    paced = twilio_settings.model_copy(update={"messages_per_second": 20.0, "max_in_flight": 5})
    dispatcher = Dispatcher(runtime.engine, paced, runtime.catalog, make_transport(paced))
    phones = numbers(30)
    add_active(runtime.engine, phones, EVENING - datetime.timedelta(minutes=1))
    fake_twilio.set_latency(0.1)  # slow: each request is out for a while
    stopping = phones[::3]

    report: list[TickReport] = []
    ticking = threading.Thread(target=lambda: report.append(run_tick(dispatcher, EVENING)))
    ticking.start()
    confirmed_at: dict[str, float] = {}
    for number in stopping:  # while the pass runs, about 1.5 s at 20 a second
        time.sleep(0.1)
        assert Phone(client, auth_token, PUBLIC_BASE_URL, number).text("STOP") is not None
        confirmed_at[number] = time.monotonic()
    ticking.join(timeout=60)
    assert not ticking.is_alive()

    arrivals = collections.defaultdict(list)
    for message in fake_twilio.messages:
        arrivals[message.to].append(message.arrived_at)
    for number, confirmed in confirmed_at.items():
        assert all(arrived < confirmed for arrived in arrivals[number]), number
    stopped_in_time = [number for number in stopping if not arrivals[number]]
    assert stopped_in_time  # some STOPs did land before their prompt's check
    assert report[0].cancelled == len(stopped_in_time)
    for number in set(phones) - set(stopping):
        assert len(arrivals[number]) == 1
