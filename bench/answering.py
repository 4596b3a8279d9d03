"""Answering cost per text: `receive_batch` in a loop, without the web server around it.

    python -m bench.answering --backend both            # 2,000 texts in batches of 8
    valgrind --tool=callgrind --callgrind-out-file=/dev/null \\
        python -m bench.answering --backend postgresql --texts 1200   # then --texts 200

The webhook benchmark's 10-text script, sent by 1,000 subscribers in turn, is answered the way
the answering threads answer it (service/conversation/answerer.py): in batches, on one thread.
Reported per text: CPU time and wall time of this thread (PostgreSQL's own work is in its
server process, so wall time shows the round trips) and, on SQLite, the statements run
(SQLite's trace callback). The machine's speed moves; statements do not, and neither do
instructions: under callgrind, the difference between two sizes divided by the difference in
texts is the instructions per text, whatever else the machine is doing.
"""

from __future__ import annotations

import argparse
import datetime
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.common import (
    EVENING,
    ROOT,
    backends,
    database_engine,
    load_subscribers,
    machine,
    phone_number,
    temporary_database,
    write_results,
)
from bench.webhook import SCRIPT
from service.catalog.loader import load_catalog
from service.conversation.inbound import InboundText, receive_batch
from service.settings import Settings

SUBSCRIBERS = 1_000


def measure(backend: str, texts: int, batch: int) -> dict[str, Any]:
    with temporary_database(backend) as url:
        load_subscribers(url, SUBSCRIBERS)
        engine = database_engine(url)
        statements = [0]
        if backend == "sqlite":

            @event.listens_for(engine, "connect")
            def count_statements(dbapi_connection: Any, _record: Any) -> None:
                def counted(_sql: str) -> None:
                    statements[0] += 1

                dbapi_connection.set_trace_callback(counted)

        settings = Settings(database_url=url, _env_file=None)
        catalog = load_catalog(ROOT / "messages")
        script = [
            (
                InboundText(
                    f"SM{step:032x}",
                    phone_number((step // len(SCRIPT)) % SUBSCRIBERS),
                    SCRIPT[step % len(SCRIPT)],
                ),
                EVENING + datetime.timedelta(seconds=step),
            )
            for step in range(texts + batch)
        ]
        receive_batch(engine, settings, catalog, script[:batch])  # warm up: caches, prepares
        measured = script[batch:]
        statements[0] = 0
        started, cpu_started = time.perf_counter(), time.thread_time()
        for first in range(0, len(measured), batch):
            replies = receive_batch(engine, settings, catalog, measured[first : first + batch])
            if not any(replies):
                raise RuntimeError("a whole batch went unanswered")
        wall = time.perf_counter() - started
        cpu = time.thread_time() - cpu_started
        engine.dispose()
    return {
        "backend": backend,
        "texts": texts,
        "batch": batch,
        "cpu_ms_per_text": round(cpu / texts * 1000, 4),
        "wall_ms_per_text": round(wall / texts * 1000, 4),
        "statements_per_text": round(statements[0] / texts, 3) if backend == "sqlite" else None,
    }


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.answering", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--texts", type=int, default=2_000)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--smoke", action="store_true", help="a few texts, for tests")
    parser.add_argument("--results-dir", type=Path, default=None)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None, log: Callable[[str], None] = print) -> dict[str, Any]:
    arguments = parse_arguments(argv)
    texts = 20 if arguments.smoke else arguments.texts
    runs = [measure(backend, texts, arguments.batch) for backend in backends(arguments.backend)]
    for run in runs:
        statements = run["statements_per_text"]
        log(
            f"{run['backend']:>10}  {run['texts']:,} texts in batches of {run['batch']}: "
            f"CPU {run['cpu_ms_per_text']} ms/text, wall {run['wall_ms_per_text']} ms/text"
            + (f", {statements} statements/text" if statements is not None else "")
        )
    report = {
        "benchmark": "answering",
        "machine": machine(),
        "arguments": vars(arguments) | {"results_dir": str(arguments.results_dir or "")},
        "runs": runs,
    }
    name = "answering-smoke" if arguments.smoke else "answering"
    log(f"written: {write_results(name, report, arguments.results_dir)}")
    return report


if __name__ == "__main__":
    main()
