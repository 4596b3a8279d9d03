"""The webhook's database work: a few dedicated threads, each answering texts in batches.

A burst of replies arrives after every evening's prompts. Handing each text to a pool thread
of its own cost more than answering it: thread wake-ups, lock hand-offs between threads that
SQLite serialises anyway, and one commit per text. Here each thread takes whatever has queued
up (at most MAX_BATCH texts) and answers it with `receive_batch`: one transaction and one
commit for the batch (on PostgreSQL, a few waits for the database in all). Under light load a
batch is one text, so nobody waits for a batch to fill.

A sender's texts always go to the same thread, so they are answered in the order they came
and never wait on each other's row lock from another batch. Threads start on demand and stop
after IDLE_SECONDS without work.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging
import queue
import threading
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from sqlalchemy import Connection, Engine

from service.catalog import Catalog
from service.conversation.inbound import InboundText, receive_batch
from service.settings import Settings

MAX_BATCH: Final = 32
IDLE_SECONDS: Final = 5.0
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Job:
    text: InboundText
    now: datetime.datetime
    future: asyncio.Future[str | None]
    loop: asyncio.AbstractEventLoop


def threads_for(engine: Engine) -> int:
    """SQLite has one writer at a time: a second thread would only wait for it. PostgreSQL
    overlaps one thread's round trips with another's work."""
    return 1 if engine.dialect.name == "sqlite" else 4


class Answerer:
    def __init__(self, engine: Engine, settings: Settings, catalog: Catalog, threads: int) -> None:
        self.engine = engine
        self.settings = settings
        self.catalog = catalog
        self._queues: list[queue.SimpleQueue[_Job]] = [queue.SimpleQueue() for _ in range(threads)]
        self._workers: list[threading.Thread | None] = [None] * threads
        self._lock = threading.Lock()  # guards _workers against a worker retiring as work arrives

    def start(self) -> None:
        """Nothing to start ahead: threads start with their first text."""

    def close(self) -> None:
        """Nothing to stop: idle threads retire by themselves, and they are daemons."""

    async def answer(self, text: InboundText, now: datetime.datetime) -> str | None:
        """The reply to `text`, once it and its answer are committed."""
        loop = asyncio.get_running_loop()
        job = _Job(text, now, loop.create_future(), loop)
        lane = zlib.crc32(text.phone.encode()) % len(self._queues)
        with self._lock:
            self._queues[lane].put(job)
            worker = self._workers[lane]
            if worker is None or not worker.is_alive():
                worker = threading.Thread(
                    target=self._work, args=(lane,), name=f"answerer-{lane}", daemon=True
                )
                self._workers[lane] = worker
                worker.start()
        return await job.future

    def _work(self, lane: int) -> None:
        jobs = self._queues[lane]
        # Held while the thread is busy: no pool checkout per batch, and on PostgreSQL no
        # pre-ping round trip per batch (about a tenth of the webhook's server time there).
        connection: Connection | None = None
        try:
            while True:
                try:
                    batch = [jobs.get(timeout=IDLE_SECONDS)]
                except queue.Empty:
                    with self._lock:
                        if jobs.empty():  # nothing slipped in while we timed out: retire
                            self._workers[lane] = None
                            return
                    continue
                while len(batch) < MAX_BATCH:
                    try:
                        batch.append(jobs.get_nowait())
                    except queue.Empty:
                        break
                connection = self._answer(batch, connection)
        finally:
            if connection is not None:
                connection.close()

    def _answer(self, batch: list[_Job], connection: Connection | None) -> Connection | None:
        """Answers the batch and settles its requests; returns the connection to keep."""
        texts = [(job.text, job.now) for job in batch]
        outcomes: list[str | Exception | None]
        try:
            # If the database dropped it, SQLAlchemy invalidated it when rolling back the
            # failed batch, and its next use takes a new one from the pool by itself.
            if connection is None:
                connection = self.engine.connect()
            outcomes = list(
                receive_batch(self.engine, self.settings, self.catalog, texts, connection)
            )
        except Exception as error:  # the commit itself failed: every text of the batch fails
            log.exception("a batch of %d texts could not be stored", len(batch))
            outcomes = [error] * len(batch)
        settle(
            (job.future, job.loop, outcome) for job, outcome in zip(batch, outcomes, strict=True)
        )
        return connection


Waiting = tuple[asyncio.Future[str | None], asyncio.AbstractEventLoop, str | Exception | None]


def settle(answered: Iterable[Waiting]) -> None:
    """From a thread other than the loops': hand each waiting request its reply (or error),
    with one wake-up per event loop for a whole batch, not one per text."""
    by_loop: dict[asyncio.AbstractEventLoop, list[Waiting]] = {}
    for waiting in answered:
        by_loop.setdefault(waiting[1], []).append(waiting)
    for loop, settled in by_loop.items():
        # RuntimeError: that event loop has closed, so nobody is waiting any more.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(_resolve, settled)


def _resolve(settled: list[Waiting]) -> None:
    for future, _, outcome in settled:
        if future.done():  # the request went away (client disconnected)
            continue
        if isinstance(outcome, Exception):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)
