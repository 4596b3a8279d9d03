"""One dispatch pass: claim who is due, write what will be sent, then hand it to the transport.

The database is the source of truth, so any number of processes may tick at once:
- claiming moves each subscriber's `next_prompt_at` forward and inserts the outbound row in one
  transaction (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: BEGIN IMMEDIATE), so a slot is
  claimed once;
- right before sending, a row moves claimed -> sending with a compare-and-set that also checks
  the subscriber is still active, so a STOP that lands mid-pass wins;
- a row left `claimed` by a dead process is picked up again once its lease expires; a row left
  `sending` may have reached Twilio, so it becomes `unknown` and is never resent blindly.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime
import functools
import hashlib
from collections import defaultdict
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Connection,
    Dialect,
    Engine,
    Integer,
    Select,
    and_,
    any_,
    bindparam,
    case,
    exists,
    func,
    literal,
    or_,
    update,
)
from sqlalchemy import select as core_select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.expression import ColumnElement
from sqlmodel import Session, col, select

from service.catalog import Catalog, choose_prompt, render
from service.database import (
    PreparedStatement,
    bulk_insert,
    bulk_update_by_id,
    dbapi_cursor,
    pipelined,
    session_scope,
    table_of,
)
from service.dispatch.models import OutboundKind, OutboundMessage, OutboundStatus
from service.dispatch.outbox import cancel_unsent, prompt_histories
from service.dispatch.planning import DueSubscriber, plan_due
from service.scheduling.schedule import week_start
from service.settings import Settings
from service.subscribers.models import (
    ConsentEvent,
    ConsentKind,
    ConsentMethod,
    Subscriber,
    SubscriberStatus,
)
from service.transport import Delivery, SendResult, Transport
from service.wins.models import Win

CLAIM_LEASE = datetime.timedelta(minutes=5)
SEND_LEASE = datetime.timedelta(minutes=2)
RETRY_BACKOFF = datetime.timedelta(minutes=2)
MAX_ATTEMPTS = 5
STALE_AFTER = datetime.timedelta(hours=12)  # a claimed prompt older than this is not sent late
# Rows in `sending` without a written outcome, per request in flight: what a crash mid-pass
# leaves `unknown` (never resent). Each of the send lane's transactions costs a fixed wait
# whatever its size; at 2 (its value until the fifth session) a transaction moved about one
# request slot's worth of rows and the senders sat idle half the time on PostgreSQL.
UNWRITTEN_SENDS_PER_REQUEST_SLOT = 4
# Outcomes written without reading anything first (a retry reads its attempts; an opt-out or
# an undeliverable number writes through the ORM or other tables).
_WRITTEN_BLIND = frozenset({Delivery.ACCEPTED, Delivery.UNKNOWN, Delivery.FAILED})


@dataclass
class TickReport:
    resumed: int = 0
    claimed: int = 0
    sent: int = 0
    deferred: int = 0  # due outside the send window: moved to its opening
    cancelled: int = 0
    retry_later: int = 0
    failed: int = 0
    unknown: int = 0
    expired: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def count(self, delivery: Delivery) -> None:
        self.outcomes[delivery.value] = self.outcomes.get(delivery.value, 0) + 1


class Claimed(NamedTuple):
    outbound_id: int
    phone: str


_DUE_COLUMNS = tuple(col(getattr(Subscriber, name)) for name in DueSubscriber._fields)

_outbound = table_of(OutboundMessage)
_subscriber = table_of(Subscriber)


# Rows of (subscriber id, next prompt, next recap); `new_updated_at` is one value per call.
_UPDATE_SCHEDULES = bulk_update_by_id(
    _subscriber,
    "next_prompt_at",
    "next_recap_at",
    "updated_at",
    varying=("new_next_prompt_at", "new_next_recap_at"),
)

_CLAIM_VARYING = ("subscriber_id", "phone", "kind", "prompt_id", "category", "slot_at", "body")
_CLAIM_SHARED = ("status", "attempts", "lease_until", "created_at", "updated_at")
# PostgreSQL: the batch's rows in one INSERT, each new id beside its subscriber (one row each).
_INSERT_CLAIMED = bulk_insert(
    _outbound, _CLAIM_VARYING, _CLAIM_SHARED, returning=("subscriber_id", "id")
)


_SET_ACCEPTED = bulk_update_by_id(
    _outbound,
    "status",
    "twilio_sid",
    "sent_at",
    "updated_at",
    "error_code",
    varying=("new_twilio_sid", "new_error_code"),
)
_SET_RETRY = bulk_update_by_id(
    _outbound,
    "status",
    "lease_until",
    "updated_at",
    "error_code",
    varying=("new_lease_until", "new_error_code"),
)
_SET_SETTLED = bulk_update_by_id(
    _outbound, "status", "updated_at", "error_code", varying=("new_error_code",)
)


class Dispatcher:
    def __init__(
        self, engine: Engine, settings: Settings, catalog: Catalog, transport: Transport
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.catalog = catalog
        self.transport = transport
        self.window = settings.send_window
        self.status_callback = f"{settings.public_base_url}/sms/status"

    async def tick(self, now: datetime.datetime) -> TickReport:
        report = TickReport()
        report.resumed = await asyncio.to_thread(self._resume_finished_pauses, now)
        await asyncio.to_thread(self._settle_abandoned_sends, now, report)
        while True:  # every row a dead pass left claimed, batch after batch
            expired_before = report.expired
            recovered = await asyncio.to_thread(self._reclaim_expired, now, report)
            await self.send_claimed(recovered, now, report)
            looked_at = len(recovered) + report.expired - expired_before
            if looked_at < self.settings.tick_batch_size:
                break
        # One send pipeline for the whole pass, fed batch after batch: no ramp-down and
        # restart of the requests in flight at each batch's end.
        await self._send_stream(self._claimed_batches(now, report), now, report)
        return report

    async def _claimed_batches(
        self, now: datetime.datetime, report: TickReport
    ) -> AsyncGenerator[list[Claimed], None]:
        """Claim batch after batch, the next one in a thread while the last is handed out:
        claimed rows are safe to hold (a crash leaves them to be reclaimed when their lease
        ends), and the database work then overlaps the network waits."""
        next_batch = asyncio.create_task(asyncio.to_thread(self._claim_batch, now, report))
        try:
            while True:
                claimed, looked_at = await next_batch
                if not looked_at:
                    return
                next_batch = asyncio.create_task(asyncio.to_thread(self._claim_batch, now, report))
                if claimed:
                    yield claimed
        finally:
            if not next_batch.done():
                # The pass stopped early: let the claim finish (its rows wait for their lease).
                await asyncio.wait([next_batch])

    def _claim_batch(self, now: datetime.datetime, report: TickReport) -> tuple[list[Claimed], int]:
        """One claim, and how many due subscribers it looked at (0: nobody is due)."""
        before = report.claimed + report.deferred
        claimed = self.claim_due(now, report)
        return claimed, report.claimed + report.deferred - before

    # --- claiming -----------------------------------------------------------------------

    def _resume_finished_pauses(self, now: datetime.datetime) -> int:
        with session_scope(self.engine) as session:
            result = session.execute(
                update(Subscriber)
                .where(
                    col(Subscriber.status) == SubscriberStatus.PAUSED,
                    col(Subscriber.paused_until).is_not(None),
                    col(Subscriber.paused_until) <= now,
                )
                .values(
                    status=SubscriberStatus.ACTIVE,
                    paused_until=None,
                    next_prompt_at=now,
                    updated_at=now,
                )
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def claim_due(self, now: datetime.datetime, report: TickReport) -> list[Claimed]:
        """Lock a batch of due subscribers, move their schedule on and write their outbound
        rows as `claimed`, all in one transaction.

        Plain column rows on a Connection (no ORM objects, no Session): a batch is one locking
        SELECT per kind of due (index range scans, see lock_due), the history reads, one
        executemany UPDATE of the schedules and one INSERT that reports the new ids.
        """
        with self.engine.begin() as connection:
            subscribers = lock_due(connection, now, self.settings.tick_batch_size)
            if not subscribers:
                return []
            histories = prompt_histories(connection, [s.id for s in subscribers])
            recap_facts = _recap_facts(connection, subscribers, now)
            window = self.window
            no_facts = (0, False)
            no_history: list[str] = []
            schedules: list[tuple[Any, ...]] = []
            rows: list[tuple[Any, ...]] = []
            for subscriber in subscribers:
                wins, prompted_today = recap_facts.get(subscriber.id, no_facts)
                plan = plan_due(
                    subscriber, now, window, wins_this_week=wins, prompted_today=prompted_today
                )
                schedules.append((subscriber.id, plan.next_prompt_at, plan.next_recap_at))
                if plan.send is None:
                    report.deferred += 1
                    continue
                body, prompt_id, category = self._compose(
                    subscriber, plan.send, histories.get(subscriber.id, no_history), wins
                )
                # In _CLAIM_VARYING's order.
                rows.append(
                    (
                        subscriber.id,
                        subscriber.phone,
                        plan.send,
                        prompt_id,
                        category,
                        plan.slot_at,
                        body,
                    )
                )
            _UPDATE_SCHEDULES.run(connection, {"new_updated_at": now}, schedules)
            if not rows:
                return []
            shared = {
                "status": OutboundStatus.CLAIMED,
                "attempts": 0,
                "lease_until": now + CLAIM_LEASE,
                "created_at": now,
                "updated_at": now,
            }
            ids = _insert_claimed(connection, shared, rows)
            claimed = [Claimed(row_id, row[1]) for row_id, row in zip(ids, rows, strict=True)]
            report.claimed += len(claimed)
            return claimed

    def _compose(
        self, subscriber: DueSubscriber, kind: OutboundKind, history: list[str], wins: int
    ) -> tuple[str, str | None, str | None]:
        values = {"partner": subscriber.partner_name}
        seed = _seed(f"{subscriber.phone}:{len(history)}")
        if kind is OutboundKind.RECAP:
            template = self.catalog.recaps[seed % len(self.catalog.recaps)]
            return (
                render(template, {**values, "count": str(wins)}, self.catalog.fallbacks),
                None,
                None,
            )
        prompt = choose_prompt(self.catalog.prompt_index, history, subscriber.love_language, seed)
        return render(prompt.text, values, self.catalog.fallbacks), prompt.id, prompt.category

    def _reclaim_expired(self, now: datetime.datetime, report: TickReport) -> list[Claimed]:
        """Claimed rows whose process died, or that wait for a retry, are sent by whoever ticks."""
        with session_scope(self.engine) as session:
            query = (
                select(OutboundMessage)
                .where(
                    col(OutboundMessage.status) == OutboundStatus.CLAIMED,
                    col(OutboundMessage.lease_until) <= now,
                )
                .limit(self.settings.tick_batch_size)
                .with_for_update(skip_locked=True)
            )
            rows = list(session.scalars(query))
            reclaimed: list[Claimed] = []
            for row in rows:
                row.updated_at = now
                if row.created_at < now - STALE_AFTER:
                    row.status = OutboundStatus.EXPIRED
                    report.expired += 1
                    continue
                row.lease_until = now + CLAIM_LEASE
                if row.id is not None:
                    reclaimed.append(Claimed(row.id, row.phone))
            return reclaimed

    def _settle_abandoned_sends(self, now: datetime.datetime, report: TickReport) -> None:
        with session_scope(self.engine) as session:
            result = session.execute(
                update(OutboundMessage)
                .where(
                    col(OutboundMessage.status) == OutboundStatus.SENDING,
                    col(OutboundMessage.lease_until) <= now,
                )
                .values(status=OutboundStatus.UNKNOWN, updated_at=now)
            )
            report.unknown += int(result.rowcount or 0)  # type: ignore[attr-defined]

    # --- sending ------------------------------------------------------------------------

    async def send_claimed(
        self, claimed: Sequence[Claimed], now: datetime.datetime, report: TickReport
    ) -> None:
        """Send these claimed rows (see _send_stream)."""
        if claimed:
            await self._send_stream(_one_batch(claimed), now, report)

    async def _send_stream(
        self,
        batches: AsyncGenerator[Sequence[Claimed], None],
        now: datetime.datetime,
        report: TickReport,
    ) -> None:
        """Send claimed rows as a pipeline: senders take rows from a queue while one database
        lane, in a thread, writes the outcomes that came in and moves the next rows
        claimed -> sending, both in one transaction. Batches are taken from `batches` as the
        rows waiting run low, so claiming keeps only a little ahead of sending.

        Rows in `sending` whose outcome is not written yet (what a crash would leave `unknown`,
        never resent) stay at most UNWRITTEN_SENDS_PER_REQUEST_SLOT x max_in_flight: a
        transaction moves no more rows to `sending` than that bound leaves room for once its
        own outcomes are written. A row moves to `sending` only shortly (a transaction or two)
        before its request can start, so a STOP that lands before then still wins.
        """
        in_flight = self.settings.max_in_flight
        bound = UNWRITTEN_SENDS_PER_REQUEST_SLOT * in_flight
        # A fixed set of senders, no more than the transport lets through at once: a task per
        # message would make most of them queue on the transport's semaphore, whose acquire
        # scans its waiters (Python 3.11), costing more per message the more are waiting.
        ready_rows: asyncio.Queue[tuple[int, str, str] | None] = asyncio.Queue()
        outcomes: list[tuple[int, SendResult]] = []
        wake_lane = asyncio.Event()  # an outcome, a batch or the end of the batches came in
        failures: list[Exception] = []

        async def sender() -> None:
            while (row := await ready_rows.get()) is not None:
                row_id, phone, body = row
                try:
                    result = await self.transport.send(phone, body, self.status_callback)
                except Exception as error:  # a bug: the request may have gone out
                    failures.append(error)
                    result = SendResult(Delivery.UNKNOWN, detail=f"{type(error).__name__}: {error}")
                outcomes.append((row_id, result))
                wake_lane.set()

        waiting: collections.deque[Claimed] = collections.deque()  # not offered to the CAS yet
        more_to_come = True
        stop_feeding = False
        rows_taken = asyncio.Event()

        async def feed() -> None:
            nonlocal more_to_come
            try:
                async with contextlib.aclosing(batches):
                    async for batch in batches:
                        waiting.extend(batch)
                        wake_lane.set()
                        while len(waiting) >= bound and not stop_feeding:
                            rows_taken.clear()
                            await rows_taken.wait()
                        if stop_feeding:
                            return
            finally:
                more_to_come = False
                wake_lane.set()

        # The lane holds one connection for the pass: no pool checkout (and on PostgreSQL no
        # pre-ping round trip) per transaction.
        lane = await asyncio.to_thread(self.engine.connect)
        senders = [asyncio.create_task(sender()) for _ in range(in_flight)]
        feeder = asyncio.create_task(feed())
        in_sending = 0  # rows moved to `sending` whose outcome is not written yet
        try:
            while more_to_come or waiting or in_sending:
                written = outcomes[:]
                room = bound - in_sending + len(written)
                starting_count = min(room, len(waiting))
                worth_starting = min(len(waiting), max(1, in_flight // 2))
                if not written and (not starting_count or starting_count < worth_starting):
                    # Nothing to write, and nothing or too little to start to be worth a
                    # transaction (as at the end, with every row offered and sends in flight).
                    wake_lane.clear()
                    await wake_lane.wait()
                    continue
                del outcomes[: len(written)]
                starting = [waiting.popleft() for _ in range(starting_count)]
                rows_taken.set()
                ready = await asyncio.to_thread(
                    self._write_and_start,
                    lane,
                    written,
                    [c.outbound_id for c in starting],
                    now,
                    report,
                )
                in_sending += len(ready) - len(written)
                report.cancelled += len(starting) - len(ready)
                for row in ready:
                    ready_rows.put_nowait(row)
        finally:
            # Whatever happened, rows already in `sending` are sent (their outcomes are only
            # written if the lane is still going: otherwise they are left to become unknown),
            # and a claim in progress finishes (its rows wait for their lease).
            stop_feeding = True
            rows_taken.set()
            for _ in senders:
                ready_rows.put_nowait(None)
            await asyncio.gather(*senders, feeder, return_exceptions=True)
            await asyncio.to_thread(lane.close)
        feeder.result()  # a failed claim fails the pass, once what it started is sent
        if failures:
            raise failures[0]

    def _write_and_start(
        self,
        connection: Connection,
        outcomes: list[tuple[int, SendResult]],
        outbound_ids: list[int],
        now: datetime.datetime,
        report: TickReport,
    ) -> list[tuple[int, str, str]]:
        """One transaction: write these outcomes, then compare-and-set these rows to `sending`.

        On PostgreSQL it is pipelined when the outcomes need nothing read back (the usual
        burst: accepted, unknown, failed), so the lane waits for the database once, at the
        commit, instead of once per statement.
        """
        plain = all(result.delivery in _WRITTEN_BLIND for _, result in outcomes)
        with pipelined(connection) if plain else contextlib.nullcontext(), connection.begin():
            if outcomes:
                self._write_outcomes(connection, outcomes, now, report)
            started = self._move_to_sending(connection, outbound_ids, now)
        # Read after the commit: pipelined, the whole transaction is one wait.
        return started()

    def _move_to_sending(
        self, connection: Connection, outbound_ids: list[int], now: datetime.datetime
    ) -> Callable[[], list[tuple[int, str, str]]]:
        """Compare-and-set claimed -> sending while the subscriber is still active (and to
        cancelled if not); the rows that are to be sent, read when called."""
        if not outbound_ids:
            return list
        start, ids = _start_statement_for(connection.dialect, outbound_ids)
        moved = start.later(connection, ids | {"lease_until": now + SEND_LEASE, "updated_at": now})
        return lambda: [
            (row[0], row[1], row[2]) for row in moved() if row[3] is OutboundStatus.SENDING
        ]

    def _write_outcomes(
        self,
        connection: Connection,
        outcomes: list[tuple[int, SendResult]],
        now: datetime.datetime,
        report: TickReport,
    ) -> None:
        accepted: list[tuple[Any, ...]] = []
        retrying: list[tuple[Any, ...]] = []
        settled: dict[OutboundStatus, list[tuple[Any, ...]]] = defaultdict(list)
        opted_out: list[int] = []
        undeliverable: list[int] = []
        retry_ids = [row_id for row_id, r in outcomes if r.delivery is Delivery.RETRY_LATER]
        attempts = _attempts(connection, retry_ids) if retry_ids else {}
        for row_id, result in outcomes:
            report.count(result.delivery)
            match result.delivery:
                case Delivery.ACCEPTED:
                    accepted.append((row_id, result.sid, result.error_code))
                    report.sent += 1
                case Delivery.RETRY_LATER if attempts.get(row_id, 0) < MAX_ATTEMPTS:
                    backoff = RETRY_BACKOFF * (2 ** max(attempts.get(row_id, 1) - 1, 0))
                    retrying.append((row_id, now + backoff, result.error_code))
                    report.retry_later += 1
                case Delivery.UNKNOWN:
                    settled[OutboundStatus.UNKNOWN].append((row_id, result.error_code))
                    report.unknown += 1
                case Delivery.OPTED_OUT:
                    settled[OutboundStatus.FAILED].append((row_id, result.error_code))
                    opted_out.append(row_id)
                    report.failed += 1
                case Delivery.UNDELIVERABLE:
                    settled[OutboundStatus.FAILED].append((row_id, result.error_code))
                    undeliverable.append(row_id)
                    report.failed += 1
                case _:
                    settled[OutboundStatus.FAILED].append((row_id, result.error_code))
                    report.failed += 1
        _SET_ACCEPTED.run(
            connection,
            {"new_status": OutboundStatus.ACCEPTED, "new_sent_at": now, "new_updated_at": now},
            accepted,
        )
        _SET_RETRY.run(
            connection, {"new_status": OutboundStatus.CLAIMED, "new_updated_at": now}, retrying
        )
        for status, rows in settled.items():
            _SET_SETTLED.run(connection, {"new_status": status, "new_updated_at": now}, rows)
        if opted_out:
            with Session(bind=connection) as session:  # joins this transaction
                _opt_out_by_carrier(session, opted_out, now)
                session.flush()
        if undeliverable:
            _stop_scheduling(connection, undeliverable, now)


@functools.cache
def _start_statement(slots: int) -> PreparedStatement:
    """The CAS of `slots` ids (0: one array parameter, PostgreSQL's `= ANY`) in one statement:
    a claimed row moves to `sending` while its subscriber is active, and to `cancelled`
    otherwise (someone who left is not sent it, ever). It returns each row's new status."""
    chosen: ColumnElement[bool]
    if slots:
        chosen = _outbound.c.id.in_([bindparam(f"id_{i}", type_=Integer) for i in range(slots)])
    else:
        chosen = _outbound.c.id == any_(bindparam("ids", type_=ARRAY(Integer)))
    # Correlated, so each row checks its own subscriber by primary key (an uncorrelated
    # `IN (SELECT id ... WHERE status = 'active')` may read every active subscriber).
    still_active = (
        exists()
        .where(
            _subscriber.c.id == _outbound.c.subscriber_id,
            _subscriber.c.status == SubscriberStatus.ACTIVE,
        )
        .correlate(_outbound)
    )
    # The status is checked through coalesce() so that no index on it can drive the
    # statement: with statistics that lag a burst, PostgreSQL took ix_outbound_pending for
    # `status = 'claimed'` and read every claimed row, not the chunk's ids by primary key.
    still_claimed = func.coalesce(_outbound.c.status, "") == OutboundStatus.CLAIMED
    return PreparedStatement(
        update(_outbound)
        .where(chosen, still_claimed)
        .values(
            status=case(
                (still_active, literal(OutboundStatus.SENDING, _outbound.c.status.type)),
                else_=literal(OutboundStatus.CANCELLED, _outbound.c.status.type),
            ),
            attempts=_outbound.c.attempts + case((still_active, 1), else_=0),
            lease_until=case(
                (still_active, bindparam("lease_until", type_=_outbound.c.lease_until.type)),
                else_=_outbound.c.lease_until,
            ),
            updated_at=bindparam("updated_at", type_=_outbound.c.updated_at.type),
        )
        .returning(_outbound.c.id, _outbound.c.phone, _outbound.c.body, _outbound.c.status),
    )


def _start_statement_for(
    dialect: Dialect, outbound_ids: list[int]
) -> tuple[PreparedStatement, dict[str, Any]]:
    """The CAS statement for these ids, and the ids as its parameters.

    PreparedStatement takes no expanding IN list. PostgreSQL gets one array parameter (psycopg
    re-parses any query with more than 50 parameters on every execution); SQLite, which has no
    arrays, a fixed list of placeholders rounded up to a power of two, padded with a repeat
    of the first id, so a handful of statements covers every chunk size.
    """
    if dialect.name == "postgresql":
        return _start_statement(0), {"ids": outbound_ids}
    slots = 1 << (len(outbound_ids) - 1).bit_length()
    padded = outbound_ids + [outbound_ids[0]] * (slots - len(outbound_ids))
    return _start_statement(slots), {f"id_{i}": v for i, v in enumerate(padded)}


def _insert_claimed(
    connection: Connection, shared: Mapping[str, Any], rows: Sequence[Sequence[Any]]
) -> list[int]:
    """Insert the claimed rows (tuples in _CLAIM_VARYING's order); their ids, in that order.

    Never one multi-row INSERT ... VALUES ... RETURNING (what SQLAlchemy makes of a RETURNING
    executemany): its thousands of placeholders are parsed anew on every batch. PostgreSQL's
    INSERT ... SELECT FROM unnest(...) takes one array per column, a statement prepared once.
    """
    dialect = connection.dialect
    if dialect.name == "sqlite":
        # sqlite3's executemany keeps no per-row id; an execute per row (the statement
        # stays compiled in sqlite3's cache) gives each one as lastrowid, with no SELECT after.
        sql, arguments = _INSERT_CLAIMED.prepared(dialect, shared, rows)
        with dbapi_cursor(connection, sql) as cursor:
            ids: list[int] = []
            for argument in arguments:
                cursor.execute(sql, argument)
                ids.append(cursor.lastrowid)
            return ids
    id_of = dict(_INSERT_CLAIMED.run(connection, shared, rows))  # subscriber id -> new id
    return [id_of[row[0]] for row in rows]


def lock_due(connection: Connection, now: datetime.datetime, limit: int) -> list[DueSubscriber]:
    """Lock up to `limit` due active subscribers, skipping rows other ticks hold.

    Two queries, each an index range scan that ends at `now` (ix_subscriber_due and
    ix_subscriber_recap_due): the cost follows the number due, never the table's size. One
    query with `prompt due OR recap due` has no such plan: PostgreSQL walks the whole
    (status, next_prompt_at) index or the table whenever fewer than `limit` rows are due,
    as in every tick's last claim.
    """
    make = DueSubscriber._make
    rows = [make(row) for row in _PROMPT_DUE.rows(connection, {"now": now, "limit": limit})]
    if len(rows) < limit:
        parameters = {"now": now, "limit": limit - len(rows)}
        rows += [make(row) for row in _RECAP_DUE.rows(connection, parameters)]
    return rows


def prompt_due_query(now: Any, limit: Any) -> Select[*tuple[Any, ...]]:
    """Active subscribers whose prompt is due, longest waiting first, locked."""
    return (
        core_select(*_DUE_COLUMNS)
        .where(
            col(Subscriber.status) == SubscriberStatus.ACTIVE,
            col(Subscriber.next_prompt_at) <= now,
        )
        .order_by(col(Subscriber.next_prompt_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )


def recap_due_query(now: Any, limit: Any) -> Select[*tuple[Any, ...]]:
    """Active subscribers whose weekly recap is due and whose prompt is not, locked."""
    return (
        core_select(*_DUE_COLUMNS)
        .where(
            col(Subscriber.status) == SubscriberStatus.ACTIVE,
            col(Subscriber.next_recap_at) <= now,
            or_(col(Subscriber.next_prompt_at).is_(None), col(Subscriber.next_prompt_at) > now),
        )
        .order_by(col(Subscriber.next_recap_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )


# The same queries with `now` and the limit as parameters, compiled once.
_PROMPT_DUE = PreparedStatement(
    prompt_due_query(bindparam("now"), bindparam("limit", type_=Integer))
)
_RECAP_DUE = PreparedStatement(recap_due_query(bindparam("now"), bindparam("limit", type_=Integer)))


def _recap_facts(
    connection: Connection, subscribers: Sequence[DueSubscriber], now: datetime.datetime
) -> dict[int, tuple[int, bool]]:
    """Wins this week and whether a prompt already went out today, for recap-day subscribers."""
    relevant = {
        s.id: s
        for s in subscribers
        if s.next_recap_at is not None and s.next_recap_at - now < datetime.timedelta(days=1)
    }
    if not relevant:
        return {}
    since = now - datetime.timedelta(days=8)
    wins: dict[int, list[datetime.datetime]] = defaultdict(list)
    for subscriber_id, created_at in connection.execute(
        select(Win.subscriber_id, Win.created_at).where(
            col(Win.subscriber_id).in_(list(relevant)), col(Win.created_at) >= since
        )
    ):
        wins[subscriber_id].append(created_at)
    prompted: dict[int, list[datetime.datetime]] = defaultdict(list)
    for subscriber_id, created_at in connection.execute(
        select(OutboundMessage.subscriber_id, OutboundMessage.created_at).where(
            col(OutboundMessage.subscriber_id).in_(list(relevant)),
            col(OutboundMessage.kind) == OutboundKind.PROMPT,
            col(OutboundMessage.created_at) >= now - datetime.timedelta(days=1),
            col(OutboundMessage.status).not_in((OutboundStatus.CANCELLED, OutboundStatus.EXPIRED)),
        )
    ):
        prompted[subscriber_id].append(created_at)
    facts: dict[int, tuple[int, bool]] = {}
    for subscriber_id, subscriber in relevant.items():
        zone = ZoneInfo(subscriber.timezone)
        start = week_start(now, zone)
        today = now.astimezone(zone).date()
        facts[subscriber_id] = (
            sum(1 for at in wins[subscriber_id] if at >= start),
            any(at.astimezone(zone).date() == today for at in prompted[subscriber_id]),
        )
    return facts


def _attempts(connection: Connection, outbound_ids: list[int]) -> dict[int, int]:
    query = core_select(_outbound.c.id, _outbound.c.attempts).where(
        _outbound.c.id.in_(outbound_ids)
    )
    return {int(row_id): int(count) for row_id, count in connection.execute(query)}


def _opt_out_by_carrier(session: Session, outbound_ids: list[int], now: datetime.datetime) -> None:
    """Twilio's 21610: the person sent STOP to the carrier; record it like any opt-out."""
    subscribers = session.scalars(
        select(Subscriber)
        .join(OutboundMessage, and_(col(OutboundMessage.subscriber_id) == col(Subscriber.id)))
        .where(col(OutboundMessage.id).in_(outbound_ids))
    ).unique()
    for subscriber in subscribers:
        if subscriber.status is SubscriberStatus.OPTED_OUT:
            continue
        subscriber.status = SubscriberStatus.OPTED_OUT
        subscriber.next_prompt_at = None
        subscriber.next_recap_at = None
        subscriber.updated_at = now
        session.add(
            ConsentEvent(
                subscriber_id=subscriber.id,
                phone=subscriber.phone,
                kind=ConsentKind.OPT_OUT,
                method=ConsentMethod.TWILIO_ERROR_21610,
                occurred_at=now,
            )
        )
        assert subscriber.id is not None  # loaded from the database
        cancel_unsent(session.connection(), subscriber.id, now)


def _stop_scheduling(
    connection: Connection, outbound_ids: list[int], now: datetime.datetime
) -> None:
    """21211/21614: the number can't get texts; keep the subscriber but schedule nothing."""
    owners = core_select(_outbound.c.subscriber_id).where(_outbound.c.id.in_(outbound_ids))
    connection.execute(
        update(_subscriber)
        .where(_subscriber.c.id.in_(owners))
        .values(undeliverable_at=now, next_prompt_at=None, next_recap_at=None, updated_at=now)
    )


async def _one_batch(claimed: Sequence[Claimed]) -> AsyncGenerator[Sequence[Claimed], None]:
    yield claimed


def _seed(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
