"""Tick planning: finding and claiming who is due, with a million subscribers in the table.

    .venv/bin/python -m bench.tick_planning [--quick | --smoke] [--backend postgresql|sqlite|both]

Two databases side by side: the large one (1,000,000 subscribers, 10,000 of them due: 9,900
for a prompt and 100 for their weekly recap only) and the baseline (20,000 subscribers, the
same 10,000 due). If the claim's cost follows the work due, not the number of subscribers,
the large/baseline ratio stays near 1. Timed, each the median of --repeat runs:

* find + lock: the dispatcher's own `lock_due` (SELECT ... FOR UPDATE SKIP LOCKED) for all
  10,000 due, in a transaction that is then rolled back;
* claim: Dispatcher.claim_due with a batch of 10,000: find + lock, plan each subscriber's
  next slots, compose each prompt, move the schedules and insert the outbound rows, committed
  (the database is put back afterwards);
* nothing due: the claim of a tick where nobody is due (every tick ends with one);
* before: the same with the claim query and schema the dispatcher had before migration 0002
  (one `prompt due OR recap due` query; the recap index dropped inside the transaction).

The query plans (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite) are printed and
kept, with a check that each claim query reads an index.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, text

if TYPE_CHECKING:
    from sqlalchemy.sql import Select

    AnySelect = Select[*tuple[Any, ...]]

from bench.common import (
    EVENING,
    backends,
    format_table,
    load_subscribers,
    machine,
    temporary_database,
    write_results,
)

DUE = 10_000
RECAP_ONLY = 100  # of the due: only their weekly recap is due


@dataclass(frozen=True)
class Plan:
    large: int
    baseline: int
    due: int
    repeat: int


FULL = Plan(large=1_000_000, baseline=20_000, due=DUE, repeat=5)
QUICK = Plan(large=200_000, baseline=20_000, due=DUE, repeat=3)
SMOKE = Plan(large=400, baseline=100, due=40, repeat=1)


def previous_claim_query(now: datetime.datetime, limit: int) -> AnySelect:
    """The claim query before this benchmark: one OR over both due times."""
    from sqlmodel import col, select

    from service.subscribers.models import Subscriber, SubscriberStatus

    due_now = (col(Subscriber.next_prompt_at) <= now) | (col(Subscriber.next_recap_at) <= now)
    return (
        select(Subscriber)
        .where(col(Subscriber.status) == SubscriberStatus.ACTIVE, due_now)
        .order_by(col(Subscriber.next_prompt_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )


def _sql(engine: Engine, query: AnySelect) -> str:
    return str(query.compile(engine, compile_kwargs={"literal_binds": True}))


RECAP_INDEX = "ix_subscriber_recap_due"


def explain(engine: Engine, query: AnySelect, *, previous_schema: bool = False) -> list[str]:
    """The query's plan, as run (PostgreSQL: EXPLAIN ANALYZE, rolled back). previous_schema:
    without the index migration 0002 added (dropped in the transaction, then rolled back)."""
    sql = _sql(engine, query)
    with engine.connect() as connection:
        if previous_schema:
            connection.exec_driver_sql(f"DROP INDEX {RECAP_INDEX}")
        if engine.dialect.name == "postgresql":
            rows = connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + sql).all()
            lines = [str(row[0]) for row in rows]
        else:
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql).all()
            lines = [str(row[-1]) for row in rows]
        connection.rollback()
    return lines


def reads_an_index(plan: Sequence[str]) -> bool:
    text_ = "\n".join(plan)
    scans_table = "Seq Scan" in text_ or any(line.strip() == "SCAN subscriber" for line in plan)
    return ("Index" in text_ or "USING INDEX" in text_) and not scans_table


def _timed(action: Callable[[], float | None], repeat: int, restore: Callable[[], None]) -> float:
    """Median milliseconds of `action` (or of what it returns: its own timing), with
    `restore` run (untimed) after each run."""
    times: list[float] = []
    for _ in range(repeat):
        started = time.perf_counter()
        own = action()
        times.append(own if own is not None else 1000 * (time.perf_counter() - started))
        restore()
    return round(statistics.median(times), 2)


def measure_database(
    backend: str, size: int, plan: Plan, log: Callable[[str], None]
) -> dict[str, Any]:
    from sqlmodel import Session

    from service.app import catalog_directory
    from service.catalog import load_catalog
    from service.database import make_engine
    from service.dispatch.dispatcher import Dispatcher, TickReport
    from service.dispatch.due import lock_due, prompt_due_query, recap_due_query
    from service.settings import Settings
    from service.transport import ConsoleTransport

    with temporary_database(backend) as url:
        log(f"[{backend} {size:,}] loading {size:,} subscribers, {plan.due:,} due")
        recap_only = max(1, plan.due // 100)
        load_subscribers(url, size, due=plan.due - recap_only, recap_due=recap_only)
        engine = make_engine(url)
        try:
            snapshot = _due_snapshot(engine)
            settings = Settings(
                database_url=url,
                tick_batch_size=plan.due,
                scheduler_enabled=False,
                _env_file=None,
            )
            dispatcher = Dispatcher(
                engine, settings, load_catalog(catalog_directory(settings)), ConsoleTransport()
            )

            def find_and_lock() -> None:
                with Session(engine) as session:
                    found = len(lock_due(session.connection(), EVENING, plan.due))
                    session.rollback()
                if found != plan.due:
                    raise RuntimeError(f"found {found} due, expected {plan.due}")

            def previous_find_and_lock() -> float:
                """The query and schema before: the OR query, no recap index."""
                with Session(engine) as session:
                    session.execute(text(f"DROP INDEX {RECAP_INDEX}"))
                    started = time.perf_counter()
                    session.execute(previous_claim_query(EVENING, plan.due)).all()
                    elapsed = 1000 * (time.perf_counter() - started)
                    session.rollback()
                return elapsed

            quiet = EVENING - datetime.timedelta(hours=1)  # nobody is due yet

            def nothing_due(previous_schema: bool) -> float:
                """A tick's last claim, when nobody (or nobody else) is due."""
                with Session(engine) as session:
                    if previous_schema:
                        session.execute(text(f"DROP INDEX {RECAP_INDEX}"))
                    started = time.perf_counter()
                    if previous_schema:
                        found = len(session.execute(previous_claim_query(quiet, 500)).all())
                    else:
                        found = len(lock_due(session.connection(), quiet, 500))
                    if found:
                        raise RuntimeError("somebody is due an hour early")
                    elapsed = 1000 * (time.perf_counter() - started)
                    session.rollback()
                return elapsed

            def claim() -> None:
                report = TickReport()
                claimed, looked_at = dispatcher.claim_due(EVENING, report)
                if report.claimed + report.deferred != plan.due or not claimed:
                    raise RuntimeError(f"claimed {report}")
                if looked_at != plan.due:
                    raise RuntimeError(f"looked at {looked_at}, expected {plan.due}")

            def nothing() -> None:
                return None

            log(f"[{backend} {size:,}] timing")
            figures: dict[str, Any] = {
                "subscribers": size,
                "due": plan.due,
                "find_and_lock_ms": _timed(find_and_lock, plan.repeat, nothing),
                "claim_ms": _timed(claim, plan.repeat, lambda: _restore(engine, snapshot)),
                "nothing_due_ms": _timed(lambda: nothing_due(False), plan.repeat, nothing),
                "previous_find_and_lock_ms": _timed(previous_find_and_lock, plan.repeat, nothing),
                "previous_nothing_due_ms": _timed(lambda: nothing_due(True), plan.repeat, nothing),
            }
            figures["claim_ms_per_subscriber"] = round(figures["claim_ms"] / plan.due, 4)
            plans = {
                "prompt_due": explain(engine, prompt_due_query(EVENING, plan.due)),
                "recap_due": explain(engine, recap_due_query(EVENING, recap_only)),
                "nothing_due": explain(engine, prompt_due_query(quiet, 500)),
                "nothing_due_recap": explain(engine, recap_due_query(quiet, 500)),
                "previous": explain(
                    engine, previous_claim_query(EVENING, plan.due), previous_schema=True
                ),
                "previous_nothing_due": explain(
                    engine, previous_claim_query(quiet, 500), previous_schema=True
                ),
            }
            figures["plans"] = plans
            figures["claim_queries_read_an_index"] = all(
                reads_an_index(plans[name])
                for name in ("prompt_due", "recap_due", "nothing_due", "nothing_due_recap")
            )
            return figures
        finally:
            engine.dispose()


def _due_snapshot(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT id, next_prompt_at, next_recap_at FROM subscriber"
                " WHERE next_prompt_at <= :now OR next_recap_at <= :now"
            ),
            {"now": _bind_time(engine, EVENING)},
        ).all()
    return [{"id": r[0], "prompt": r[1], "recap": r[2]} for r in rows]


def _bind_time(engine: Engine, value: datetime.datetime) -> Any:
    if engine.dialect.name == "sqlite":
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def _restore(engine: Engine, snapshot: list[dict[str, Any]]) -> None:
    """Undo a committed claim: its outbound rows go, the due times come back."""
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM outbound_message"))
        connection.execute(
            text(
                "UPDATE subscriber SET next_prompt_at = :prompt, next_recap_at = :recap"
                " WHERE id = :id"
            ),
            snapshot,
        )


def measure(backend: str, plan: Plan, log: Callable[[str], None]) -> dict[str, Any]:
    large = measure_database(backend, plan.large, plan, log)
    baseline = measure_database(backend, plan.baseline, plan, log)

    def versus(key: str) -> float:
        return round(large[key] / baseline[key], 3) if baseline[key] else float("nan")

    return {
        "backend": backend,
        "large": large,
        "baseline": baseline,
        "find_and_lock_large_vs_baseline": versus("find_and_lock_ms"),
        "claim_large_vs_baseline": versus("claim_ms"),
        "nothing_due_large_vs_baseline": versus("nothing_due_ms"),
        "previous_vs_now_find_and_lock": round(
            large["previous_find_and_lock_ms"] / large["find_and_lock_ms"], 2
        ),
        "previous_vs_now_nothing_due": round(
            large["previous_nothing_due_ms"] / max(large["nothing_due_ms"], 0.01), 1
        ),
    }


def render_report(runs: Sequence[dict[str, Any]]) -> str:
    rows = []
    for run in runs:
        for label, key in (("large", "large"), ("baseline", "baseline")):
            figures = run[key]
            rows.append(
                [
                    run["backend"],
                    f"{label} {figures['subscribers']:,}",
                    figures["due"],
                    figures["find_and_lock_ms"],
                    figures["claim_ms"],
                    figures["nothing_due_ms"],
                    figures["previous_find_and_lock_ms"],
                    figures["previous_nothing_due_ms"],
                    figures["claim_queries_read_an_index"],
                ]
            )
    table = format_table(
        [
            "backend",
            "database",
            "due",
            "find+lock ms",
            "claim ms",
            "nothing due ms",
            "before: find+lock",
            "before: nothing due",
            "index",
        ],
        rows,
    )
    ratios = format_table(
        [
            "backend",
            "find+lock large/base",
            "claim large/base",
            "before/now find+lock",
            "before/now nothing due",
        ],
        [
            [
                run["backend"],
                run["find_and_lock_large_vs_baseline"],
                run["claim_large_vs_baseline"],
                run["previous_vs_now_find_and_lock"],
                run["previous_vs_now_nothing_due"],
            ]
            for run in runs
        ],
    )
    plans = "\n".join(
        f"-- {run['backend']} {run['large']['subscribers']:,} subscribers, {name}:\n"
        + "\n".join(run["large"]["plans"][name])
        for run in runs
        for name in ("prompt_due", "recap_due", "previous")
    )
    target = (
        "floor: the large/baseline ratios stay near 1 (the cost follows the work due, not the "
        "number of subscribers)"
    )
    return f"{ratios}\n\n{table}\n{target}\n\n{plans}"


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.tick_planning", description=(__doc__ or "").split("\n")[0]
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="200,000 subscribers")
    size.add_argument("--smoke", action="store_true", help="tiny sizes, for tests")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="postgresql")
    parser.add_argument("--repeat", type=int, default=None)
    parser.add_argument("--results-dir", type=Path, default=None)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None, log: Callable[[str], None] = print) -> dict[str, Any]:
    arguments = parse_arguments(argv)
    plan = SMOKE if arguments.smoke else QUICK if arguments.quick else FULL
    if arguments.repeat:
        plan = Plan(plan.large, plan.baseline, plan.due, arguments.repeat)
    started = datetime.datetime.now(datetime.UTC)
    runs = [measure(backend, plan, log) for backend in backends(arguments.backend)]
    report = {
        "benchmark": "tick_planning",
        "machine": machine(),
        "arguments": vars(arguments) | {"results_dir": str(arguments.results_dir or "")},
        "plan": plan.__dict__,
        "runs": runs,
        "seconds": (datetime.datetime.now(datetime.UTC) - started).total_seconds(),
    }
    log(render_report(runs))
    name = "tick_planning-smoke" if arguments.smoke else "tick_planning"
    log(f"written: {write_results(name, report, arguments.results_dir)}")
    return report


if __name__ == "__main__":
    main()
