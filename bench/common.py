"""What the benchmark scripts share: throwaway databases, bulk loading, the fake Twilio process,
figures (percentiles, peak RSS) and the report (a table on stdout, JSON in bench/results/).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import json
import os
import platform
import resource
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from service.database import make_engine
from service.migrations.runner import upgrade

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
POSTGRES_ADMIN_DSN = os.environ.get(
    "BENCH_POSTGRES_ADMIN_DSN",
    os.environ.get("TEST_POSTGRES_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/test"),
)
BACKENDS = ("sqlite", "postgresql")

ACCOUNT_SID = "AC" + "b" * 32
SENDER = "+15550009999"
PUBLIC_BASE_URL = "https://nudge.bench.test"
# Tuesday 10 March 2026, 19:00 in New York: inside the default 08:00-21:00 send window.
EVENING = datetime.datetime(2026, 3, 10, 23, 0, tzinfo=datetime.UTC)
FIRST_PHONE = 2_000_000  # +1 212 200-0000 upwards: valid, distinct New York numbers


def phone_number(index: int) -> str:
    """The phone of subscriber number `index` (0-based) in every bulk-loaded database."""
    return f"+1212{FIRST_PHONE + index:07d}"


def python() -> str:
    """The interpreter running this script (the project's virtualenv when run as documented)."""
    return sys.executable


def backends(choice: str) -> tuple[str, ...]:
    return BACKENDS if choice == "both" else (choice,)


# -- databases -----------------------------------------------------------------------------


@contextlib.contextmanager
def temporary_database(backend: str) -> Iterator[str]:
    """A fresh, migrated database (SQLAlchemy URL), dropped or deleted afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="nudge-bench-") as directory:
            url = f"sqlite:///{directory}/bench.db"
            _migrate(url)
            yield url
        return
    if backend != "postgresql":
        raise ValueError(f"unknown backend {backend!r}")
    name = f"nudge_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN_DSN, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    url = f"{base}/{name}"
    try:
        _migrate(url)
        yield url
    finally:
        with psycopg.connect(POSTGRES_ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _migrate(url: str) -> None:
    engine = make_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()


def libpq_dsn(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as a plain libpq one, for psycopg."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def sqlite_path(url: str) -> str:
    database = make_url(url).database
    assert database is not None
    return database


def load_subscribers(
    url: str,
    count: int,
    *,
    now: datetime.datetime = EVENING,
    due: int = 0,
    recap_due: int = 0,
    first: int = 0,
) -> None:
    """Bulk-load `count` active subscribers with plain SQL (no ORM): the phones are
    phone_number(first .. first+count-1). `due` of them, spread evenly over them, had a prompt
    due in the last 30 minutes; `recap_due` others only have their weekly recap due. Everybody
    else is due some time in the coming week.
    """
    if due + recap_due > count:
        raise ValueError("more due subscribers than subscribers")
    shape = _Shape(
        first=first,
        last=first + count - 1,
        stride=count // (due + recap_due) if due + recap_due else count + 1,
        due=due,
        recap_due=recap_due,
    )
    if make_url(url).get_backend_name() == "sqlite":
        _load_sqlite(sqlite_path(url), now, shape)
    else:
        _load_postgresql(libpq_dsn(url), now, shape)


@dataclasses.dataclass(frozen=True)
class _Shape:
    first: int  # rows are numbered g = first .. last; x = g - first decides who is due
    last: int
    stride: int  # every stride-th row is due, the first `due` of them for a prompt
    due: int
    recap_due: int


_SUBSCRIBER_COLUMNS = (
    "phone, status, timezone, preferred_time, prompts_per_week, next_prompt_at, next_recap_at,"
    " recap_weekday, onboarding_question_pending, created_at, updated_at"
)


def _load_postgresql(dsn: str, now: datetime.datetime, shape: _Shape) -> None:
    # generate_series keeps a million rows inside the server: about ten seconds here.
    # Slot k = g / stride: slots below `due` are prompt-due, the next `recap_due` recap-due.
    statement = f"""
        INSERT INTO subscriber ({_SUBSCRIBER_COLUMNS})
        SELECT '+1212' || lpad(({FIRST_PHONE} + g)::text, 7, '0'), 'active', 'America/New_York',
               time '18:30', 3,
               CASE WHEN mod(x, %(stride)s) = 0 AND x / %(stride)s < %(due)s
                    THEN %(now)s - mod(x, 30) * interval '1 minute'
                    ELSE %(now)s + interval '1 hour' + mod(x, 10080) * interval '1 minute' END,
               CASE WHEN mod(x, %(stride)s) = 0 AND x / %(stride)s >= %(due)s
                         AND x / %(stride)s < %(due)s + %(recap_due)s
                    THEN %(now)s - interval '10 minutes'
                    ELSE %(now)s + interval '1 day' + mod(x, 7) * interval '1 day' END,
               6, false, %(now)s, %(now)s
        FROM (SELECT g, g - %(first)s AS x
              FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g) AS s
    """
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(
            statement,  # built from constants above
            dataclasses.asdict(shape) | {"now": now},
        )
        connection.execute("VACUUM ANALYZE subscriber")


def _load_sqlite(path: str, now: datetime.datetime, shape: _Shape) -> None:
    # A recursive CTE generates the rows inside SQLite. Datetimes are written as SQLAlchemy's
    # SQLite DateTime stores them: naive UTC text with six fractional digits.
    stamp = "strftime('%Y-%m-%d %H:%M:%f', :now{shift}) || '000'"
    statement = f"""
        WITH RECURSIVE g(x) AS (
            SELECT 0 UNION ALL SELECT x + 1 FROM g WHERE x < :last - :first
        )
        INSERT INTO subscriber ({_SUBSCRIBER_COLUMNS})
        SELECT '+1212' || printf('%07d', {FIRST_PHONE} + :first + x), 'active', 'America/New_York',
               '18:30:00.000000', 3,
               CASE WHEN x % :stride = 0 AND x / :stride < :due
                    THEN {stamp.format(shift=", '-' || (x % 30) || ' minutes'")}
                    ELSE {stamp.format(shift=", '+60 minutes', '+' || (x % 10080) || ' minutes'")}
               END,
               CASE WHEN x % :stride = 0 AND x / :stride >= :due
                         AND x / :stride < :due + :recap_due
                    THEN {stamp.format(shift=", '-10 minutes'")}
                    ELSE {stamp.format(shift=", '+' || (1 + x % 7) || ' days'")}
               END,
               6, 0, {stamp.format(shift="")}, {stamp.format(shift="")}
        FROM g
    """
    parameters = dataclasses.asdict(shape) | {
        "now": now.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S")
    }
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("BEGIN")
        connection.execute(statement, parameters)
        connection.execute("COMMIT")
        connection.execute("ANALYZE")
    finally:
        connection.close()


def database_engine(url: str) -> Engine:
    return make_engine(url)


# -- processes -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(
    port: int, timeout: float = 30.0, process: subprocess.Popen[Any] | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port} after {timeout} s")


def stop_process(process: subprocess.Popen[Any]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def fake_twilio_process(auth_token: str, account_sid: str = ACCOUNT_SID) -> Iterator[str]:
    """tests.fake_twilio in a process of its own (its own GIL); yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [
            python(),
            "-m",
            "tests.fake_twilio",
            "--port",
            str(port),
            "--account-sid",
            account_sid,
            "--auth-token",
            auth_token,
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_for_port(port, process=process)
        wait_for_http(base_url + "/_fake/stats")
        yield base_url
    finally:
        stop_process(process)


def wait_for_http(url: str, timeout: float = 30.0) -> None:
    """Until a GET of `url` answers."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                response.read()
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def new_auth_token() -> str:
    return secrets.token_hex(16)


# -- figures -------------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of `values` (fraction in [0, 1])."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("nan")


# -- the report ----------------------------------------------------------------------------


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(headers)]
    lines = [
        "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, float):
        if value != value:  # NaN
            return "-"
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def machine() -> dict[str, object]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "started_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }


def write_results(name: str, report: dict[str, Any], directory: Path | None = None) -> Path:
    """bench/results/<name>-<UTC time>.json (and <name>-latest.json)."""
    target = directory or RESULTS_DIR
    target.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = target / f"{name}-{stamp}.json"
    text = json.dumps(report, indent=2, sort_keys=True, default=str)
    path.write_text(text + "\n")
    (target / f"{name}-latest.json").write_text(text + "\n")
    return path
