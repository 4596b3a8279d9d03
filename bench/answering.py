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
import logging
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, event

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
from service.conversation import inbound
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
        # One connection held throughout, as an answering lane holds one while it is busy.
        connection = engine.connect()
        server_pid = _server_process(connection)
        receive_batch(engine, settings, catalog, script[:batch], connection)  # warm up
        measured = script[batch:]
        statements[0] = 0
        answered_again = _AnsweredAgain()
        server_started = _process_cpu_seconds(server_pid)
        started, cpu_started = time.perf_counter(), time.thread_time()
        for first in range(0, len(measured), batch):
            chunk = measured[first : first + batch]
            replies = receive_batch(engine, settings, catalog, chunk, connection)
            if not any(replies):
                raise RuntimeError("a whole batch went unanswered")
        wall = time.perf_counter() - started
        cpu = time.thread_time() - cpu_started
        server_cpu = _process_cpu_seconds(server_pid) - server_started
        answered_again.close()
        connection.close()
        engine.dispose()
    return {
        "backend": backend,
        "texts": texts,
        "batch": batch,
        "cpu_ms_per_text": round(cpu / texts * 1000, 4),
        "wall_ms_per_text": round(wall / texts * 1000, 4),
        "server_cpu_ms_per_text": round(server_cpu / texts * 1000, 4) if server_pid else None,
        "statements_per_text": round(statements[0] / texts, 3) if backend == "sqlite" else None,
        # A batch answered a second time, text by text, costs several times as much: in this
        # script none should be, or the figures are not the usual path's.
        "batches_answered_again": answered_again.batches,
    }


class _AnsweredAgain(logging.Handler):
    """Counts the batches `receive_batch` had to answer again text by text."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.batches = 0
        self._logger = logging.getLogger(inbound.__name__)
        self._level = self._logger.level
        self._logger.setLevel(logging.DEBUG)
        self._logger.addHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        self.batches += "again text by text" in record.getMessage()

    def close(self) -> None:
        self._logger.removeHandler(self)
        self._logger.setLevel(self._level)
        super().close()


def _server_process(connection: Connection) -> int | None:
    """PostgreSQL: the process serving this connection, whose CPU is the database's share of
    the work (on the same machine, as here). None on SQLite, which works in this thread."""
    if connection.dialect.name != "postgresql":
        return None
    with connection.begin():
        return int(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def _process_cpu_seconds(pid: int | None) -> float:
    """User and system CPU of a process so far, from /proc (0 for no process)."""
    if pid is None:
        return 0.0
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
            + f", {run['batches_answered_again']} batches answered again"
            + (
                f", database server CPU {run['server_cpu_ms_per_text']} ms/text"
                if run["server_cpu_ms_per_text"] is not None
                else ""
            )
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
