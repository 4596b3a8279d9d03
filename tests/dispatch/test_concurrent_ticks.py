"""Several `nudge tick` processes at once, and one killed mid-pass: nobody gets a slot twice."""

from __future__ import annotations

import collections
import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, func, select

from service.dispatch.models import OutboundMessage, OutboundStatus
from service.settings import Settings
from tests.dispatch.conftest import ACCOUNT_SID, SENDER, add_active, numbers
from tests.fake_twilio import FakeTwilio

EVENING = datetime.datetime(2026, 3, 10, 23, 0, tzinfo=datetime.UTC)
REPO = Path(__file__).resolve().parents[2]


def tick_command(at: datetime.datetime) -> list[str]:
    return [sys.executable, "-m", "service", "tick", "--at", at.isoformat()]


def tick_environment(
    settings: Settings, fake: FakeTwilio, token: str, **extra: str
) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DATABASE_URL": settings.database_url,
        "SMS_TRANSPORT": "twilio",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": token,
        "TWILIO_FROM_NUMBER": SENDER,
        "TWILIO_API_BASE_URL": fake.base_url,
        "PUBLIC_BASE_URL": "https://nudge.example.test",
        **extra,
    }


def statuses(engine: Engine) -> collections.Counter[str]:
    with Session(engine) as session:
        rows = session.exec(
            select(OutboundMessage.status, func.count()).group_by(OutboundMessage.status)
        )
        return collections.Counter({str(status): int(count) for status, count in rows})


def test_three_processes_tick_at_once_and_each_subscriber_gets_one_prompt(
    settings: Settings, engine: Engine, fake_twilio: FakeTwilio, auth_token_session: str
) -> None:
    phones = numbers(500)
    add_active(engine, phones, EVENING - datetime.timedelta(minutes=2))
    environment = tick_environment(settings, fake_twilio, auth_token_session, TICK_BATCH_SIZE="50")
    processes = [
        subprocess.Popen(
            tick_command(EVENING),
            cwd=REPO,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(3)
    ]
    outputs = [process.communicate(timeout=240) for process in processes]
    assert [process.returncode for process in processes] == [0, 0, 0], outputs
    sent = collections.Counter(message.to for message in fake_twilio.messages)
    assert sorted(sent) == sorted(phones)
    assert set(sent.values()) == {1}
    reported = sum(int(out.decode().split()[1]) for out, _ in outputs)
    assert reported == 500
    assert statuses(engine) == collections.Counter({"accepted": 500})


def test_a_pass_killed_halfway_then_rerun_sends_no_duplicate_and_leaves_nobody_stuck(
    settings: Settings, engine: Engine, fake_twilio: FakeTwilio, auth_token_session: str
) -> None:
    phones = numbers(120)
    add_active(engine, phones, EVENING - datetime.timedelta(minutes=2))
    fake_twilio.set_latency(0.2)  # slow Twilio: the pass is still going when it is killed
    environment = tick_environment(
        settings, fake_twilio, auth_token_session, TICK_BATCH_SIZE="40", MAX_IN_FLIGHT="4"
    )
    victim = subprocess.Popen(tick_command(EVENING), cwd=REPO, env=environment)
    deadline = time.monotonic() + 60
    # Killed once it is well into the pass and while requests are out (between a row's
    # outcome and the next row's check, none may be for a moment).
    while time.monotonic() < deadline and not (
        len(fake_twilio.messages) >= 20 and statuses(engine)["sending"] > 0
    ):
        time.sleep(0.01)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=30)
    delivered_before = len(fake_twilio.messages)
    assert 0 < delivered_before < len(phones)
    fake_twilio.set_latency(0)

    later = EVENING + datetime.timedelta(minutes=10)  # past every lease the dead pass held
    rerun = subprocess.run(
        tick_command(later), cwd=REPO, env=environment, capture_output=True, timeout=240
    )
    assert rerun.returncode == 0, rerun.stderr
    sent = collections.Counter(message.to for message in fake_twilio.messages)
    assert max(sent.values()) == 1  # no duplicate, ever
    final = statuses(engine)
    # Every claimed slot ended somewhere final: sent, or unknown (in flight when killed).
    assert set(final) <= {OutboundStatus.ACCEPTED.value, OutboundStatus.UNKNOWN.value}
    assert final["accepted"] + final["unknown"] == len(phones)
    # Unknown: checked and handed to Twilio but not yet recorded when the process died, at
    # most one per request slot. Twilio may well have them; they are never sent again.
    assert 0 < final["unknown"] <= 4  # MAX_IN_FLIGHT=4
    assert final["accepted"] <= len(sent) <= final["accepted"] + final["unknown"]
