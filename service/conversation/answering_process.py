"""Answering webhook texts in child processes, beside the server process (ANSWER_PROCESSES).

The answering threads (answerer.py) share the server's GIL with its event loop: under a burst
the two take turns on one core while the machine's other cores wait. Here each lane is a child
process with its own interpreter, database connection and catalog, answering with the same
`receive_batch`, one batch at a time, in the order texts came. A sender's texts always go to
the same lane. Texts travel to the child and replies back over two one-way pipes, those of one
event-loop turn in one message; a reader thread settles the waiting requests, waking each
event loop once per batch.

If a child dies, the requests waiting on it fail (the webhook answers 500, as when a batch
cannot be committed; a text the child had committed is known by its MessageSid if Twilio
sends it again), and the lane starts a new child for its next text. Every child holds its own
database connection; with SQLite they take turns on the writer lock file like any process.
"""

from __future__ import annotations

import asyncio
import datetime
import itertools
import logging
import multiprocessing
import signal
import threading
import zlib
from dataclasses import dataclass, field
from multiprocessing.connection import Connection as PipeEnd
from multiprocessing.process import BaseProcess

from service.conversation.answerer import MAX_BATCH, settle
from service.conversation.inbound import InboundText
from service.settings import Settings

log = logging.getLogger(__name__)
_context = multiprocessing.get_context("spawn")  # no fork of a running server's threads


_Job = tuple[int, InboundText, datetime.datetime]  # an id for its reply, the text, its `now`


class AnsweringFailed(RuntimeError):
    """The text was not answered: its batch could not be committed, or its child stopped."""


def _serve(settings: Settings, jobs: PipeEnd, results: PipeEnd) -> None:
    """The child: answer batches until the server closes its end of the pipe."""
    from service.app import catalog_directory
    from service.catalog import load_catalog
    from service.conversation.inbound import receive_batch
    from service.database import make_engine

    # Ctrl-C in a terminal reaches the whole process group: the server stops its children by
    # closing their pipes, after they finish the batch in hand.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    engine = make_engine(settings.database_url)
    catalog = load_catalog(catalog_directory(settings))  # the files the server loaded
    with engine.connect() as connection:  # held, as the answering threads hold theirs
        while True:
            try:
                batch: list[_Job] = jobs.recv()
                while len(batch) < MAX_BATCH and jobs.poll(0):
                    batch += jobs.recv()
            except (EOFError, OSError):
                break
            texts = [(text, now) for _, text, now in batch]
            outcomes: list[str | None]
            failed = False
            try:
                outcomes = list(receive_batch(engine, settings, catalog, texts, connection))
            except Exception as error:  # the commit itself failed: every text of the batch fails
                log.exception("a batch of %d texts could not be stored", len(batch))
                outcomes, failed = [f"{type(error).__name__}: {error}"] * len(batch), True
            ids = [job_id for job_id, _, _ in batch]
            settled = [(i, failed, out) for i, out in zip(ids, outcomes, strict=True)]
            try:
                results.send(settled)
            except OSError:  # the server went away
                break
    engine.dispose()


@dataclass
class _Lane:
    process: BaseProcess
    jobs: PipeEnd
    results: PipeEnd
    pending: dict[int, tuple[asyncio.Future[str | None], asyncio.AbstractEventLoop]] = field(
        default_factory=dict
    )
    stopped: bool = False
    # Texts not yet handed to the child: those of one event-loop turn go in one pickle and
    # one write (one each per text cost the server a tenth of its time in a burst).
    outbox: list[_Job] = field(default_factory=list)
    sending: threading.Lock = field(default_factory=threading.Lock)  # a server may run loops


class ProcessAnswerer:
    def __init__(self, settings: Settings, processes: int) -> None:
        if processes < 1:
            raise ValueError("processes must be at least 1")
        self.settings = settings
        self._lanes: list[_Lane | None] = [None] * processes
        self._ids = itertools.count()
        self._lock = threading.Lock()  # guards _lanes against a reader marking one stopped

    def start(self) -> None:
        """Start every child now, rather than on its first text (a child takes a second)."""
        for index in range(len(self._lanes)):
            self._lane(index)

    async def answer(self, text: InboundText, now: datetime.datetime) -> str | None:
        """The reply to `text`, once it and its answer are committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[str | None] = loop.create_future()
        job_id = next(self._ids)
        lane = self._lane(zlib.crc32(text.phone.encode()) % len(self._lanes))
        lane.pending[job_id] = (future, loop)
        with lane.sending:
            lane.outbox.append((job_id, text, now))
            first = len(lane.outbox) == 1
        if first:
            loop.call_soon(self._hand_over, lane)
        return await future

    def _hand_over(self, lane: _Lane) -> None:
        """Send the lane's waiting texts to its child, all in one message."""
        with lane.sending:
            jobs, lane.outbox = lane.outbox, []
            try:
                lane.jobs.send(jobs)
                return
            except OSError:  # the child is gone (the reader fails what it had sent)
                pass
        stopped = AnsweringFailed("the answering process stopped")
        settle(
            (*waiting, stopped)
            for job_id, _, _ in jobs
            if (waiting := lane.pending.pop(job_id, None)) is not None
        )

    def close(self) -> None:
        """Let every child finish what it has and stop (closing its pipe ends its loop)."""
        with self._lock:
            lanes = [lane for lane in self._lanes if lane is not None]
            self._lanes = [None] * len(self._lanes)
        for lane in lanes:
            lane.jobs.close()
        for lane in lanes:
            lane.process.join(timeout=10)
            if lane.process.is_alive():
                lane.process.terminate()

    def _lane(self, index: int) -> _Lane:
        with self._lock:
            lane = self._lanes[index]
            if lane is None or lane.stopped:
                lane = self._lanes[index] = self._start_lane(index)
            return lane

    def _start_lane(self, index: int) -> _Lane:
        jobs_out, jobs_in = _context.Pipe(duplex=False)
        results_out, results_in = _context.Pipe(duplex=False)
        process = _context.Process(
            target=_serve,
            args=(self.settings, jobs_out, results_in),
            name=f"answering-{index}",
            daemon=True,
        )
        process.start()
        jobs_out.close()  # the child's ends: ours would keep the pipes open after it dies
        results_in.close()
        lane = _Lane(process, jobs_in, results_out)
        threading.Thread(
            target=self._read, args=(lane,), name=f"answering-{index}-replies", daemon=True
        ).start()
        return lane

    def _read(self, lane: _Lane) -> None:
        """Settle the lane's requests as its batches come back; fail the rest if it dies."""
        while True:
            try:
                answered: list[tuple[int, bool, str | None]] = lane.results.recv()
            except (EOFError, OSError):
                break
            settle(
                (*waiting, AnsweringFailed(outcome) if failed else outcome)
                for job_id, failed, outcome in answered
                if (waiting := lane.pending.pop(job_id, None)) is not None
            )
        with self._lock:
            lane.stopped = True
        lane.results.close()
        if lane.pending:
            log.error("an answering process stopped with %d texts unanswered", len(lane.pending))
        stopped = AnsweringFailed("the answering process stopped")
        settle((*lane.pending.pop(job_id), stopped) for job_id in list(lane.pending))
