"""Inbound webhook throughput and latency: the real path against a bare endpoint, same server.

    .venv/bin/python -m bench.webhook [--quick | --smoke] [--backend sqlite|postgresql|both]

One uvicorn server (a subprocess, uvloop + httptools, N processes as `nudge serve --workers N`
runs; --workers 1,2 by default) serves bench.webhook_app: the real app and POST /bare/inbound,
which only parses the same form and answers with the same TwiML. A separate load process
(aiohttp, N keep-alive connections, closed loop) posts Twilio-style signed forms, first to the
bare endpoint, then to /sms/inbound, with 32 and then 128 connections, with 1,000 and then
1,000,000 subscribers in the database (the same database, grown in between with one
INSERT ... SELECT). Each text is answered by `receive()` in one transaction on the server's
threadpool; the ratio full / bare is read within one server, at the same --workers.

The texts follow one script per phone, so the mix is the same at every size: a reply, HELP, a
reply, WINS, a reply, STOP, START, a reply, MENU, a reply (50% replies that are logged as
wins, 40% keywords, 10% STOP). Each connection texts its own phones, one step after another.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import dataclasses
import datetime
import multiprocessing
import os
import random
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.common import (
    PUBLIC_BASE_URL,
    ROOT,
    backends,
    free_port,
    load_subscribers,
    machine,
    new_auth_token,
    percentile,
    phone_number,
    python,
    ratio,
    stop_process,
    temporary_database,
    wait_for_http,
    wait_for_port,
    write_results,
)

SERVICE_NUMBER = "+15550001111"
SCRIPT = (
    "We cooked dinner together and laughed a lot",
    "HELP",
    "I left her a note on the mirror this morning",
    "WINS",
    "We took a walk after work, it was lovely",
    "STOP",
    "START",
    "He hugged me for a long time when he got home",
    "MENU",
    "We talked about our week over tea",
)


@dataclass(frozen=True)
class Plan:
    """The sizes of one run of the benchmark."""

    sizes: tuple[int, ...]
    connections: tuple[int, ...]
    workers: tuple[int, ...]  # server processes, one server after the other
    seconds: float  # how long each (endpoint, connections, size) is measured
    requests: int  # at most this many measured requests (they are signed beforehand)
    warmup: int  # requests per connection before the clock starts


# One server process, and README.md's "one per core" on this 2-core machine.
FULL = Plan(
    sizes=(1_000, 1_000_000),
    connections=(32, 128),
    workers=(1, 2),
    seconds=10,
    requests=30_000,
    warmup=5,
)
QUICK = Plan(
    sizes=(1_000,), connections=(32,), workers=(1, 2), seconds=5, requests=15_000, warmup=5
)
SMOKE = Plan(sizes=(40,), connections=(4,), workers=(1,), seconds=5, requests=40, warmup=1)


@dataclass(frozen=True)
class LoadJob:
    url: str  # where the requests go
    signed_url: str  # the public URL the signature covers
    auth_token: str
    phones: tuple[tuple[int, ...], ...]  # per connection: the subscriber numbers it texts
    per_connection: int  # at most this many measured requests per connection
    warmup: int
    seconds: float
    seed: int


@dataclass(frozen=True)
class _Request:
    body: bytes
    signature: str


def _requests_for(job: LoadJob, connection: int) -> list[_Request]:
    """Every request one connection sends, signed up front so signing costs no load time."""
    from service.phone_simulator import inbound_form
    from service.webhooks import sign

    phones = job.phones[connection]
    requests: list[_Request] = []
    for step in range(job.warmup + job.per_connection):
        phone = phones[(step // len(SCRIPT)) % len(phones)]
        sid = f"SM{job.seed:08x}{connection:04x}{step:020x}"
        form = inbound_form(phone_number(phone), SCRIPT[step % len(SCRIPT)], SERVICE_NUMBER, sid)
        requests.append(
            _Request(urlencode(form).encode(), sign(job.auth_token, job.signed_url, form))
        )
    return requests


def run_load(job: LoadJob) -> dict[str, Any]:
    """The load process: N connections, each sending its requests one after another."""
    import aiohttp

    plans = [_requests_for(job, c) for c in range(len(job.phones))]

    async def main() -> dict[str, Any]:
        connector = aiohttp.TCPConnector(limit=len(plans), force_close=False)
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        async with aiohttp.ClientSession(connector=connector) as session:

            async def post(request: _Request) -> float:
                started = time.perf_counter()
                async with session.post(
                    job.url,
                    data=request.body,
                    headers={
                        "Content-Type": "application/x-www-form-urlencoded",
                        "X-Twilio-Signature": request.signature,
                    },
                ) as response:
                    await response.read()
                    statuses[response.status] = statuses.get(response.status, 0) + 1
                return time.perf_counter() - started

            deadline = 0.0
            go = asyncio.Event()

            async def connection(requests: list[_Request], ready: asyncio.Barrier) -> None:
                for request in requests[: job.warmup]:
                    await post(request)
                await ready.wait()
                await go.wait()
                for request in requests[job.warmup :]:
                    if time.perf_counter() >= deadline:
                        break
                    latencies.append(await post(request))

            barrier = asyncio.Barrier(len(plans) + 1)
            tasks = [asyncio.create_task(connection(p, barrier)) for p in plans]
            await barrier.wait()  # every connection is open and warm
            statuses.clear()
            started = time.perf_counter()
            deadline = started + job.seconds
            go.set()
            await asyncio.gather(*tasks)
            elapsed = time.perf_counter() - started
        return {
            "requests": len(latencies),
            "seconds": round(elapsed, 4),
            "requests_per_second": round(len(latencies) / elapsed, 1),
            "p50_ms": round(1000 * percentile(latencies, 0.50), 2),
            "p99_ms": round(1000 * percentile(latencies, 0.99), 2),
            "max_ms": round(1000 * max(latencies), 2),
            "statuses": {str(code): count for code, count in sorted(statuses.items())},
        }

    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] installs it
        return asyncio.run(main())
    return uvloop.run(main())


def run_in_load_process(job: LoadJob) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(run_load, job).result()


# -- the server --------------------------------------------------------------------------------


class Server:
    """bench.webhook_app under uvicorn, in its own process."""

    def __init__(self, database_url: str, auth_token: str, workers: int = 1) -> None:
        self.port = free_port()
        environment = os.environ | {
            "BENCH_DATABASE_URL": database_url,
            "BENCH_AUTH_TOKEN": auth_token,
            "BENCH_PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        }
        self.process = subprocess.Popen(
            [
                python(),
                "-m",
                "uvicorn",
                "bench.webhook_app:create",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--loop",
                "uvloop",
                "--http",
                "httptools",
                "--no-access-log",
                "--log-level",
                "warning",
                "--workers",
                str(workers),
            ],
            cwd=ROOT,
            env=environment,
        )
        try:
            wait_for_port(self.port, timeout=60, process=self.process)
            # With --workers N the parent listens before its children serve: wait for one,
            # then give the others (started at the same time) a moment to finish building.
            wait_for_http(self.url("/healthz"), timeout=60)
            if workers > 1:
                time.sleep(2)
        except BaseException:
            stop_process(self.process)
            raise

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        stop_process(self.process)


def _assign_phones(
    size: int, connections: int, per_connection: int, rng: random.Random
) -> tuple[tuple[int, ...], ...]:
    """Disjoint phones for each connection, drawn at random from every subscriber."""
    wanted = per_connection // len(SCRIPT) + 1
    each = max(1, min(wanted, size // connections))
    chosen = rng.sample(range(size), each * connections)
    return tuple(tuple(chosen[c * each : (c + 1) * each]) for c in range(connections))


def _reset_statuses(database_url: str) -> None:
    """Everybody active again (a run may stop between a phone's STOP and its START)."""
    from sqlalchemy import text

    from service.database import make_engine

    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE subscriber SET status = 'active' WHERE status <> 'active'")
            )
    finally:
        engine.dispose()


def measure_backend(
    backend: str, plan: Plan, log: Callable[[str], None], seed: int
) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    token = new_auth_token()
    results: list[dict[str, Any]] = []
    with temporary_database(backend) as url:
        loaded = 0
        for size in plan.sizes:
            log(f"[{backend}] loading subscribers up to {size:,}")
            load_subscribers(url, size - loaded, first=loaded)
            loaded = size
            for workers in plan.workers:
                server = Server(url, token, workers)
                try:
                    for connections in plan.connections:
                        results += _measure_server(
                            server, url, token, backend, size, workers, connections, plan, rng, log
                        )
                finally:
                    server.stop()
    return results


def _measure_server(
    server: Server,
    url: str,
    token: str,
    backend: str,
    size: int,
    workers: int,
    connections: int,
    plan: Plan,
    rng: random.Random,
    log: Callable[[str], None],
) -> list[dict[str, Any]]:
    """Bare, then full, on one running server."""
    results: list[dict[str, Any]] = []
    per_connection = max(1, plan.requests // connections)
    for endpoint, path in (("bare", "/bare/inbound"), ("full", "/sms/inbound")):
        _reset_statuses(url)
        job = LoadJob(
            url=server.url(path),
            signed_url=f"{PUBLIC_BASE_URL}/sms/inbound",
            auth_token=token,
            phones=_assign_phones(size, connections, per_connection, rng),
            per_connection=per_connection,
            warmup=plan.warmup,
            seconds=plan.seconds,
            seed=rng.getrandbits(32),
        )
        log(f"[{backend} {size:,} workers={workers}] {endpoint} x{connections}")
        figures = run_in_load_process(job)
        if figures["statuses"] != {"200": figures["requests"]}:
            # Kept and reported (a 503 is the database's busy timeout), not hidden.
            log(f"  not all 200: {figures['statuses']}")
        results.append(
            {
                "backend": backend,
                "subscribers": size,
                "connections": connections,
                "workers": workers,
                "endpoint": endpoint,
                **figures,
            }
        )
    return results


def summarize(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ratios: full vs bare in the same server (same --workers); p50 at each size vs the
    smallest size, at the same workers and connections."""
    by_key = {
        (r["backend"], r["subscribers"], r["workers"], r["connections"], r["endpoint"]): r
        for r in rows
    }
    sizes = sorted({r["subscribers"] for r in rows})
    summary: list[dict[str, Any]] = []
    for backend, size, workers, connections, endpoint in by_key:
        if endpoint != "full":
            continue
        full = by_key[(backend, size, workers, connections, "full")]
        bare = by_key[(backend, size, workers, connections, "bare")]
        smallest = by_key.get((backend, sizes[0], workers, connections, "full"), full)
        summary.append(
            {
                "backend": backend,
                "subscribers": size,
                "workers": workers,
                "connections": connections,
                "full_rps": full["requests_per_second"],
                "bare_rps": bare["requests_per_second"],
                "full_vs_bare": round(
                    ratio(full["requests_per_second"], bare["requests_per_second"]), 3
                ),
                "full_p50_ms": full["p50_ms"],
                "full_p99_ms": full["p99_ms"],
                "p50_vs_smallest": round(ratio(full["p50_ms"], smallest["p50_ms"]), 3),
                "full_not_200": full["requests"] - full["statuses"].get("200", 0),
            }
        )
    return summary


def render_report(summary: Sequence[dict[str, Any]], rows: Sequence[dict[str, Any]]) -> str:
    from bench.common import format_table

    ratios = format_table(
        [
            "backend",
            "subscribers",
            "workers",
            "conns",
            "full/bare req/s",
            "p50 vs 1st size",
            "full p99 ms",
            "full not 200",
        ],
        [
            [
                s["backend"],
                s["subscribers"],
                s["workers"],
                s["connections"],
                s["full_vs_bare"],
                s["p50_vs_smallest"],
                s["full_p99_ms"],
                s["full_not_200"],
            ]
            for s in summary
        ],
    )
    detail = format_table(
        [
            "backend",
            "subscribers",
            "workers",
            "conns",
            "endpoint",
            "requests",
            "req/s",
            "p50 ms",
            "p99 ms",
        ],
        [
            [
                r["backend"],
                r["subscribers"],
                r["workers"],
                r["connections"],
                r["endpoint"],
                r["requests"],
                r["requests_per_second"],
                r["p50_ms"],
                r["p99_ms"],
            ]
            for r in rows
        ],
    )
    targets = "floors at 32 connections: full >= 0.25 of bare req/s, full p99 < 100 ms"
    return f"{ratios}\n{targets}\n\n{detail}"


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.webhook", description=(__doc__ or "").split("\n")[0]
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="1,000 subscribers, 32 connections")
    size.add_argument("--smoke", action="store_true", help="tiny sizes, for tests")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seconds", type=float, help="measuring time of each run")
    parser.add_argument(
        "--sizes", type=lambda text: tuple(int(s) for s in text.split(",")), default=None
    )
    parser.add_argument(
        "--workers",
        type=lambda text: tuple(int(n) for n in text.split(",")),
        default=None,
        help="server processes, as `nudge serve --workers N`; a comma-separated list runs "
        "one server after the other (default 1,2; 1 with --smoke)",
    )
    parser.add_argument("--seed", type=int, default=20_260_310)
    parser.add_argument("--results-dir", type=Path, default=None)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None, log: Callable[[str], None] = print) -> dict[str, Any]:
    arguments = parse_arguments(argv)
    plan = SMOKE if arguments.smoke else QUICK if arguments.quick else FULL
    if arguments.seconds:
        plan = dataclasses.replace(plan, seconds=arguments.seconds)
    if arguments.sizes:
        plan = dataclasses.replace(plan, sizes=arguments.sizes)
    if arguments.workers:
        plan = dataclasses.replace(plan, workers=arguments.workers)
    started = datetime.datetime.now(datetime.UTC)
    rows = [
        row
        for backend in backends(arguments.backend)
        for row in measure_backend(backend, plan, log, arguments.seed)
    ]
    summary = summarize(rows)
    report = {
        "benchmark": "webhook",
        "machine": machine(),
        "arguments": vars(arguments) | {"results_dir": str(arguments.results_dir or "")},
        "plan": plan.__dict__,
        "summary": summary,
        "runs": rows,
        "seconds": (datetime.datetime.now(datetime.UTC) - started).total_seconds(),
    }
    log(render_report(summary, rows))
    name = "webhook-smoke" if arguments.smoke else "webhook"
    log(f"written: {write_results(name, report, arguments.results_dir)}")
    return report


if __name__ == "__main__":
    # Through the imported module, so that the load process unpickles bench.webhook objects.
    from bench import webhook

    webhook.main()
