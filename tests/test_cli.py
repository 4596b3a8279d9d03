"""The `nudge` command line, run as a user runs it: real processes, a real server, real HTTP."""

from __future__ import annotations

import datetime
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from service.app import PROJECT_ROOT
from service.catalog import load_catalog
from service.dispatch.models import OutboundMessage, OutboundStatus
from service.subscribers.models import Subscriber, SubscriberStatus

REPO = Path(__file__).resolve().parents[1]


def nudge(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def environment(database_url: str, port: int) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DATABASE_URL": database_url,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "SCHEDULER_ENABLED": "false",
    }


@pytest.fixture(params=[1, 2], ids=["one-process", "two-processes"])
def server(
    environment: dict[str, str], port: int, request: pytest.FixtureRequest
) -> Iterator[subprocess.Popen[str]]:
    workers = str(request.param)
    process = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--port", str(port), "--workers", workers],
        cwd=REPO,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail(f"server did not start: {process.communicate()[0]}")
    yield process
    process.terminate()
    process.wait(timeout=30)


def test_a_phone_joins_a_live_server_and_a_tick_days_ahead_sends_a_prompt(
    server: subprocess.Popen[str], environment: dict[str, str], engine: Engine
) -> None:
    number = "+14155550199"
    joined = nudge("text", "JOIN", "--from", number, env=environment)
    assert joined.returncode == 0, joined.stderr
    assert "Reply YES" in joined.stdout
    assert "Welcome" in nudge("text", "YES", "--from", number, env=environment).stdout
    with Session(engine) as session:
        first = session.exec(select(Subscriber.next_prompt_at)).one()
    assert first is not None
    at = (first + datetime.timedelta(days=2)).isoformat()
    ticked = nudge("tick", "--at", at, env=environment)
    assert ticked.returncode == 0, ticked.stderr
    assert "Sent 1 prompt as of" in ticked.stdout
    assert f"SMS to {number}" in ticked.stdout  # the console transport shows what went out
    again = nudge("tick", "--at", at, env=environment)
    assert "Sent 0 prompts" in again.stdout
    reply = nudge("text", "We held hands on the walk home", "--from", number, env=environment)
    went_well = load_catalog(PROJECT_ROOT / "messages").acknowledgements["went_well"]
    assert any(text in reply.stdout for text in went_well)


def test_catalog_check_reports_every_prompt_and_fails_on_errors(tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "HOME": "/tmp"}
    good = nudge("catalog", "check", env=env)
    assert good.returncode == 0, good.stdout
    assert "appreciation-001" in good.stdout and "GSM-7" in good.stdout
    broken = tmp_path / "messages"
    shutil.copytree(REPO / "messages", broken)
    appreciation = broken / "appreciation.yaml"
    appreciation.write_text(appreciation.read_text().replace("{partner}", "{nobody}", 1))
    bad = nudge("catalog", "check", str(broken), env=env)
    assert bad.returncode == 1
    assert "unknown placeholder {nobody}" in bad.stdout


def test_tick_rejects_a_malformed_time(environment: dict[str, str]) -> None:
    result = nudge("tick", "--at", "next tuesday", env=environment)
    assert result.returncode == 2
    assert "ISO-8601" in result.stderr


def a_timezone_in_daytime(now: datetime.datetime) -> str:
    for zone in (
        "America/New_York",
        "Europe/London",
        "Asia/Tokyo",
        "Australia/Sydney",
        "America/Los_Angeles",
        "Asia/Kolkata",
    ):
        if 10 <= now.astimezone(ZoneInfo(zone)).hour < 19:
            return zone
    raise AssertionError("some zone is always in daytime")


def test_the_worker_ticks_on_its_own(environment: dict[str, str], engine: Engine) -> None:
    now = datetime.datetime.now(datetime.UTC)
    with Session(engine) as session:
        session.add(
            Subscriber(
                phone="+14155550142",
                status=SubscriberStatus.ACTIVE,
                timezone=a_timezone_in_daytime(now),
                next_prompt_at=now - datetime.timedelta(minutes=1),
                created_at=now,
                updated_at=now,
            )
        )
        session.commit()
    worker = subprocess.Popen(
        [sys.executable, "-m", "service", "worker"],
        cwd=REPO,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with Session(engine) as session:
                sent = session.exec(select(OutboundMessage.status)).all()
            if sent == [OutboundStatus.ACCEPTED]:  # not just claimed or sending
                break
            time.sleep(0.3)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert sent == [OutboundStatus.ACCEPTED], output
    assert "SMS to +14155550142" in output
