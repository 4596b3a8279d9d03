"""Dispatch throughput: the real Dispatcher against raw HTTP clients and the SDK's sample loop.

    .venv/bin/python -m bench.dispatch [--quick | --smoke] [--backend sqlite|postgresql|both]

N subscribers are due at once; `Dispatcher.tick` claims them in batches (TICK_BATCH_SIZE), and
for each prompt, at most MAX_IN_FLIGHT at once: moves it claimed -> sending in its own
transaction, posts it through the Twilio SDK's `messages.create_async` (the SDK's aiohttp
client) to a local Twilio-compatible server (tests.fake_twilio, in a process of its own) and
writes the outcome in its own transaction. In the same run, to
the same server, with the same concurrency and the same request (To, From, Body,
StatusCallback, Basic auth):

* raw aiohttp: a ClientSession loop with `concurrency` workers;
* raw httpx:   an httpx.AsyncClient loop with `concurrency` workers;
  the faster of the two is the ceiling (a);
* SDK sequential: `client.messages.create(...)` in a plain for loop, as Twilio's sample
  applications do (b); it is timed on a sample of the messages (--sequential-sample).

Every variant runs in a fresh process, so its peak RSS (getrusage) is its own. The variants
run in rounds (--rounds, default 3), the service on a freshly loaded database each round, and
the raw loops once more at the end: each round's ratio pairs the service's run with the
ceiling's runs just before and after it, and the report gives the median of those ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import collections
import concurrent.futures
import datetime
import json
import math
import multiprocessing
import resource
import statistics
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import (
    ACCOUNT_SID,
    EVENING,
    PUBLIC_BASE_URL,
    SENDER,
    backends,
    fake_twilio_process,
    format_table,
    load_subscribers,
    machine,
    new_auth_token,
    peak_rss_mb,
    phone_number,
    ratio,
    temporary_database,
    write_results,
)

FULL_SIZES = (10_000, 100_000)
QUICK_SIZES = (10_000,)
SMOKE_SIZES = (60,)
CONCURRENCY = 50  # Settings.max_in_flight's default: the dispatcher's requests in flight
ROUNDS = 3
SEQUENTIAL_SAMPLE = 3_000
HTTPX_SAMPLE = 3_000
STATUS_CALLBACK = f"{PUBLIC_BASE_URL}/sms/status"


@dataclass(frozen=True)
class Job:
    """Everything a variant's process needs."""

    base_url: str
    auth_token: str
    count: int
    concurrency: int
    bodies: tuple[str, ...]
    database_url: str = ""
    profile_to: str = ""  # a path: profile the dispatcher with pyinstrument, write text there

    def form(self, index: int) -> dict[str, str]:
        return {
            "To": phone_number(index),
            "From": SENDER,
            "Body": self.bodies[index % len(self.bodies)],
            "StatusCallback": STATUS_CALLBACK,
        }

    @property
    def messages_url(self) -> str:
        return f"{self.base_url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"

    @property
    def authorization(self) -> str:
        credentials = f"{ACCOUNT_SID}:{self.auth_token}".encode()
        return "Basic " + base64.b64encode(credentials).decode("ascii")


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _figures(messages: int, seconds: float, cpu: float, **extra: object) -> dict[str, Any]:
    """cpu: this process's CPU seconds over the timed part (all its threads)."""
    return {
        "messages": messages,
        "seconds": round(seconds, 4),
        "messages_per_second": round(messages / seconds, 1) if seconds > 0 else 0.0,
        "cpu_ms_per_message": round(1000 * cpu / messages, 3) if messages else 0.0,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        **extra,
    }


async def _drain(count: int, concurrency: int, send: Callable[[int], Any]) -> int:
    """Run send(0..count-1) with `concurrency` workers; the number that got a sid."""
    indexes: Iterator[int] = iter(range(count))
    accepted = 0

    async def worker() -> None:
        nonlocal accepted
        for index in indexes:
            sid = await send(index)
            accepted += bool(sid)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return accepted


# -- the variants (each runs in its own process) -------------------------------------------


def run_raw_aiohttp(job: Job) -> dict[str, Any]:
    import aiohttp

    async def main() -> tuple[int, float, float]:
        connector = aiohttp.TCPConnector(limit=job.concurrency)
        headers = {"Authorization": job.authorization}
        async with aiohttp.ClientSession(connector=connector) as session:

            async def send(index: int) -> str | None:
                async with session.post(
                    job.messages_url, data=job.form(index), headers=headers
                ) as response:
                    payload = json.loads(await response.text())
                    return payload.get("sid") if response.status == 201 else None

            started, cpu = time.perf_counter(), _cpu_seconds()
            accepted = await _drain(job.count, job.concurrency, send)
            return accepted, time.perf_counter() - started, _cpu_seconds() - cpu

    return _figures(*_run_loop(main))


def run_raw_httpx(job: Job) -> dict[str, Any]:
    import httpx

    async def main() -> tuple[int, float, float]:
        limits = httpx.Limits(
            max_connections=job.concurrency, max_keepalive_connections=job.concurrency
        )
        headers = {"Authorization": job.authorization}
        async with httpx.AsyncClient(limits=limits, headers=headers) as client:

            async def send(index: int) -> str | None:
                response = await client.post(job.messages_url, data=job.form(index))
                payload = json.loads(response.text)
                return payload.get("sid") if response.status_code == 201 else None

            started, cpu = time.perf_counter(), _cpu_seconds()
            accepted = await _drain(job.count, job.concurrency, send)
            return accepted, time.perf_counter() - started, _cpu_seconds() - cpu

    return _figures(*_run_loop(main))


def run_sdk_sequential(job: Job) -> dict[str, Any]:
    """Twilio's sample applications: one blocking messages.create per message, in a loop."""
    from tests.twilio_sync_client import make_sync_client

    client = make_sync_client(ACCOUNT_SID, job.auth_token, job.base_url)
    started, cpu = time.perf_counter(), _cpu_seconds()
    accepted = 0
    for index in range(job.count):
        form = job.form(index)
        message = client.messages.create(
            to=form["To"], from_=form["From"], body=form["Body"], status_callback=STATUS_CALLBACK
        )
        accepted += bool(message.sid)
    return _figures(accepted, time.perf_counter() - started, _cpu_seconds() - cpu)


def run_dispatcher(job: Job) -> dict[str, Any]:
    """The service: Dispatcher.tick over the due subscribers, every database write included."""
    from service.app import catalog_directory
    from service.catalog import load_catalog
    from service.database import make_engine
    from service.dispatch.dispatcher import Dispatcher
    from service.dispatch.worker import make_transport

    settings = dispatch_settings(job)
    engine = make_engine(settings.database_url)
    catalog = load_catalog(catalog_directory(settings))
    transport = make_transport(settings)
    dispatcher = Dispatcher(engine, settings, catalog, transport)

    async def main() -> tuple[Any, float, float]:
        try:
            started, cpu = time.perf_counter(), _cpu_seconds()
            report = await dispatcher.tick(EVENING)
            return report, time.perf_counter() - started, _cpu_seconds() - cpu
        finally:
            await transport.aclose()

    profiler: Any = None
    if job.profile_to:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.001, async_mode="disabled")
        profiler.start()
    report, seconds, cpu = _run_loop(main)
    if profiler is not None:
        profiler.stop()
        Path(job.profile_to).write_text(profiler.output_text(unicode=True, show_all=False))
    rows = _outbound_statuses(engine)
    engine.dispose()
    return _figures(
        report.sent,
        seconds,
        cpu,
        claimed=report.claimed,
        accepted_rows=rows.get("accepted", 0),
        statuses=rows,
    )


def dispatch_settings(job: Job) -> Any:
    from pydantic import SecretStr

    from service.settings import Settings, SmsTransportKind

    return Settings(
        database_url=job.database_url,
        sms_transport=SmsTransportKind.TWILIO,
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=SecretStr(job.auth_token),
        twilio_from_number=SENDER,
        twilio_api_base_url=job.base_url,
        public_base_url=PUBLIC_BASE_URL,
        scheduler_enabled=False,
        max_in_flight=job.concurrency,
        _env_file=None,
    )


def _outbound_statuses(engine: Any) -> dict[str, int]:
    from sqlalchemy import func
    from sqlmodel import Session, col, select

    from service.dispatch.models import OutboundMessage

    with Session(engine) as session:
        query = select(OutboundMessage.status, func.count()).group_by(col(OutboundMessage.status))
        return {str(status): int(count) for status, count in session.exec(query)}


def _run_loop(main: Callable[[], Any]) -> Any:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] installs it
        return asyncio.run(main())
    return uvloop.run(main())


VARIANTS: dict[str, Callable[[Job], dict[str, Any]]] = {
    "raw_aiohttp": run_raw_aiohttp,
    "raw_httpx": run_raw_httpx,
    "dispatcher": run_dispatcher,
    "sdk_sequential": run_sdk_sequential,
}


def run_in_fresh_process(variant: str, job: Job) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(VARIANTS[variant], job).result()


def _combined(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One variant's figures from its runs in a measurement: the mean rate, the largest RSS."""
    rates = [run["messages_per_second"] for run in runs]
    return runs[-1] | {
        "messages_per_second": round(statistics.fmean(rates), 1),
        "runs_messages_per_second": rates,
        "seconds": round(statistics.fmean(run["seconds"] for run in runs), 4),
        "peak_rss_mb": max(run["peak_rss_mb"] for run in runs),
    }


def paired_ratios(
    service: Sequence[float], ceiling: Sequence[float], sdk: Sequence[float]
) -> tuple[list[float], list[float]]:
    """Per round, the service's rate over the ceiling's mean rate in the runs just before and
    just after it (the ceiling runs once more than the service), and over the SDK loop's rate
    in the same round. Pairs close in time cancel most of the machine's drift."""
    to_ceiling = [
        ratio(rate, statistics.fmean(ceiling[k : k + 2]))
        for k, rate in enumerate(service)
        if ceiling[k : k + 2]
    ]
    to_sdk = [ratio(rate, sdk_rate) for rate, sdk_rate in zip(service, sdk, strict=False)]
    return to_ceiling, to_sdk


# -- the fake server's books ----------------------------------------------------------------


def _fake_call(base_url: str, path: str, method: str = "GET") -> dict[str, Any]:
    request = urllib.request.Request(
        base_url + path, method=method, data=b"" if method == "POST" else None
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        result: dict[str, Any] = json.loads(response.read())
        return result


def sample_bodies() -> tuple[str, ...]:
    """The catalog's prompts as they read with the fallbacks: the bodies the service sends."""
    from service.app import catalog_directory
    from service.catalog import load_catalog, render
    from service.settings import Settings

    catalog = load_catalog(catalog_directory(Settings(_env_file=None)))
    return tuple(render(p.text, {}, catalog.fallbacks) for p in catalog.prompts)


# -- the run ---------------------------------------------------------------------------------


def measure(
    backend: str,
    count: int,
    *,
    concurrency: int,
    variants: Sequence[str],
    samples: dict[str, int],
    profile_dir: Path | None,
    log: Callable[[str], None],
    rounds: int = 1,
) -> dict[str, Any]:
    token = new_auth_token()
    bodies = sample_bodies()
    runs: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)

    def run(variant: str, url: str) -> None:
        _fake_call(base_url, "/_fake/reset", "POST")
        size = min(count, samples.get(variant, count))
        profile_to = ""
        if variant == "dispatcher" and profile_dir is not None:
            profile_dir.mkdir(parents=True, exist_ok=True)
            profile_to = str(profile_dir / f"dispatch-profile-{backend}-{count}.txt")
        job = Job(base_url, token, size, concurrency, bodies, url, profile_to)
        log(f"[{backend} {count:,}] {variant}: {size:,} messages")
        figures = run_in_fresh_process(variant, job)
        stats = _fake_call(base_url, "/_fake/stats")
        figures["fake_twilio"] = stats
        if stats["messages"] != size or figures["messages"] != size:
            raise RuntimeError(f"{variant} sent {figures['messages']} of {size}: {stats}")
        runs[variant].append(figures)

    with fake_twilio_process(token) as base_url:
        # Every variant once per round, the service on a freshly loaded database each time;
        # the raw loops once more at the end, so that each service run has a ceiling run
        # just before and just after it (the machine is shared and its speed drifts).
        for round_number in range(1, rounds + 1):
            with temporary_database(backend) as url:
                if "dispatcher" in variants:
                    log(f"[{backend} {count:,}] round {round_number}: loading {count:,} due")
                    load_subscribers(url, count, due=count)
                for variant in variants:
                    run(variant, url)
        for variant in variants:
            if variant.startswith("raw_"):
                run(variant, "")
    results = {name: _combined(figures) for name, figures in runs.items()}

    def rates(name: str) -> list[float]:
        return [float(figures["messages_per_second"]) for figures in runs.get(name, [])]

    raw = [name for name in ("raw_aiohttp", "raw_httpx") if name in results]
    ceiling_name = max(raw, key=lambda name: statistics.fmean(rates(name))) if raw else ""
    to_ceiling, to_sdk = paired_ratios(
        rates("dispatcher"), rates(ceiling_name) if raw else [], rates("sdk_sequential")
    )
    return {
        "backend": backend,
        "due": count,
        "concurrency": concurrency,
        "rounds": rounds,
        "variants": results,
        "ceiling": ceiling_name,
        "ratio_to_ceiling": round(statistics.median(to_ceiling), 3) if to_ceiling else math.nan,
        "ratios_to_ceiling": [round(r, 3) for r in to_ceiling],
        "ratio_to_sdk_sequential": round(statistics.median(to_sdk), 2) if to_sdk else math.nan,
        "ratios_to_sdk_sequential": [round(r, 2) for r in to_sdk],
    }


def render_report(runs: Sequence[dict[str, Any]]) -> str:
    summary = format_table(
        [
            "backend",
            "due",
            "vs ceiling (a)",
            "per round",
            "ceiling",
            "vs SDK loop (b)",
            "service RSS MB",
        ],
        [
            [
                run["backend"],
                run["due"],
                run["ratio_to_ceiling"],
                " ".join(f"{r:.2f}" for r in run["ratios_to_ceiling"]),
                run["ceiling"],
                run["ratio_to_sdk_sequential"],
                run["variants"].get("dispatcher", {}).get("peak_rss_mb", float("nan")),
            ]
            for run in runs
        ],
    )
    detail = format_table(
        ["backend", "due", "variant", "messages", "seconds", "msg/s", "peak RSS MB"],
        [
            [
                run["backend"],
                run["due"],
                name,
                figures["messages"],
                figures["seconds"],
                figures["messages_per_second"],
                figures["peak_rss_mb"],
            ]
            for run in runs
            for name, figures in run["variants"].items()
        ],
    )
    targets = "floors: >= 0.40 of (a), >= 3x (b), service peak RSS <= 300 MB at 100,000 due"
    return f"{summary}\n{targets}\n\n{detail}"


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.dispatch", description=__doc__.split("\n")[0]
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="10,000 due only")
    size.add_argument("--smoke", action="store_true", help="tiny sizes, for tests")
    size.add_argument("--sizes", type=lambda text: tuple(int(s) for s in text.split(",")))
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument(
        "--rounds",
        type=int,
        default=None,
        help=f"rounds of every variant (default {ROUNDS}; 1 with --smoke); the ratios are "
        "the medians of each round's paired ratios",
    )
    parser.add_argument(
        "--sequential-sample",
        type=int,
        default=SEQUENTIAL_SAMPLE,
        help="messages timed for the SDK's sequential loop (it is slow)",
    )
    parser.add_argument(
        "--httpx-sample",
        type=int,
        default=HTTPX_SAMPLE,
        help="messages timed for the raw httpx loop (it is slow here, see BENCHMARKS.md)",
    )
    parser.add_argument(
        "--variants",
        type=lambda text: tuple(text.split(",")),
        default=tuple(VARIANTS),
        help="comma-separated subset of " + ",".join(VARIANTS),
    )
    parser.add_argument(
        "--profile", action="store_true", help="profile the dispatcher (pyinstrument)"
    )
    parser.add_argument("--results-dir", type=Path, default=None)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None, log: Callable[[str], None] = print) -> dict[str, Any]:
    arguments = parse_arguments(argv)
    sizes: tuple[int, ...]
    if arguments.smoke:
        sizes = SMOKE_SIZES
    elif arguments.quick:
        sizes = QUICK_SIZES
    else:
        sizes = arguments.sizes or FULL_SIZES
    samples = {
        "sdk_sequential": 20 if arguments.smoke else arguments.sequential_sample,
        "raw_httpx": arguments.httpx_sample,
    }
    unknown = set(arguments.variants) - set(VARIANTS)
    if unknown:
        raise SystemExit(f"unknown variants: {', '.join(sorted(unknown))}")
    concurrency = min(arguments.concurrency, 8) if arguments.smoke else arguments.concurrency
    profile_dir = None
    if arguments.profile:
        from bench.common import RESULTS_DIR

        profile_dir = arguments.results_dir or RESULTS_DIR
    started = datetime.datetime.now(datetime.UTC)
    runs = [
        measure(
            backend,
            count,
            concurrency=concurrency,
            variants=arguments.variants,
            samples=samples,
            profile_dir=profile_dir,
            log=log,
            rounds=arguments.rounds or (1 if arguments.smoke else ROUNDS),
        )
        for backend in backends(arguments.backend)
        for count in sizes
    ]
    report = {
        "benchmark": "dispatch",
        "machine": machine(),
        "arguments": vars(arguments) | {"results_dir": str(arguments.results_dir or "")},
        "runs": runs,
        "seconds": (datetime.datetime.now(datetime.UTC) - started).total_seconds(),
    }
    log(render_report(runs))
    path = write_results(
        "dispatch-smoke" if arguments.smoke else "dispatch", report, arguments.results_dir
    )
    log(f"written: {path}")
    return report


if __name__ == "__main__":
    # Through the imported module, so that worker processes unpickle bench.dispatch objects.
    from bench import dispatch

    dispatch.main()
