"""One dispatch pass: claim who is due, then send each prompt right after its own check.

The database is the source of truth, so any number of processes may tick at once:
- claiming locks a batch of due subscribers (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite:
  BEGIN IMMEDIATE), moves their schedule on and writes their outbound rows as `claimed`, in
  one transaction, so a slot is claimed once;
- immediately before its own request, a row moves claimed -> sending by a compare-and-set
  that also checks the subscriber is still active: a STOP committed before that check
  cancels the prompt, whatever the pacing or Twilio's latency;
- a row's outcome is written as soon as Twilio answers, before its request slot is freed, so
  at most MAX_IN_FLIGHT rows are `sending` at any moment: a process killed mid-pass leaves no
  more than that, and they become `unknown` when their lease ends, never resent blindly;
- a row left `claimed` by a dead process, or waiting for a retry, is sent by whoever ticks
  once its lease ends.
A failure on one subscriber or one row is logged, counted in a metric, and the pass goes on.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from sqlalchemy import Connection, Engine, bindparam, exists, insert, select, update
from sqlalchemy.exc import IntegrityError

from service.catalog import Catalog, choose_prompt, render
from service.catalog.recaps import RecapWeek
from service.catalog.recaps import compose as compose_recap
from service.checkins import service as check_ins
from service.checkins.timing import History, is_due
from service.couples.rhythm import rhythm_for_two
from service.couples.service import Partner, partners_of, question_to_send
from service.couples.upkeep import remind_and_close
from service.database import table_of
from service.dispatch.due import caps_reached, lock_due, recap_facts
from service.dispatch.models import OutboundKind, OutboundMessage, OutboundStatus
from service.dispatch.outbox import SentPrompt, pacing_at, prompt_records
from service.dispatch.pacing import Pacer
from service.dispatch.planning import DueSubscriber, Plan, plan_due
from service.metrics import DISPATCH_FAILURES
from service.scheduling.state_rules import StateRule, default_rules, rule_for
from service.scheduling.zones import zones_of
from service.settings import Settings
from service.sms_encoding import smart_encoded
from service.subscribers.models import ConsentMethod, Subscriber, SubscriberStatus
from service.subscribers.service import opt_out
from service.transport import Delivery, SendResult, Transport

CLAIM_LEASE = datetime.timedelta(minutes=5)
SEND_LEASE = datetime.timedelta(minutes=2)
RETRY_BACKOFF = datetime.timedelta(minutes=2)
MAX_ATTEMPTS = 5
STALE_AFTER = datetime.timedelta(hours=12)  # a claimed prompt older than this is not sent late
SHARED_CATEGORY = "together"  # a shared question's category, beside the prompts'

log = logging.getLogger(__name__)
_outbound = table_of(OutboundMessage)
_subscriber = table_of(Subscriber)
QUIET_WEEK = RecapWeek(tries=0, category=None, together=0)


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
    skipped: int = 0  # subscribers or rows whose own failure was logged; the pass went on
    outcomes: dict[str, int] = field(default_factory=dict)

    def count(self, delivery: Delivery) -> None:
        self.outcomes[delivery.value] = self.outcomes.get(delivery.value, 0) + 1


class Outgoing(NamedTuple):
    """A row that passed its check and is now `sending`."""

    phone: str
    body: str


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
        rate = settings.messages_per_second
        self.rate = rate
        self.pacer = Pacer(rate) if rate is not None else None
        # A claimed batch should be sent well within its lease, or another process's tick
        # would take it over (harmless, since the check is a compare-and-set, but wasted).
        paced_batch = int(rate * CLAIM_LEASE.total_seconds() / 2) if rate else None
        self.batch_size = max(1, min(settings.tick_batch_size, paced_batch or 10**9))

    async def tick(self, now: datetime.datetime) -> TickReport:
        """One pass at `now`: every record it writes is dated `now`, but the leases it takes
        count from `now` plus the time the pass has taken so far, so a long pass keeps them
        ahead of other processes' ticks."""
        report = TickReport()
        started = time.monotonic()

        def lease_start() -> datetime.datetime:
            return now + datetime.timedelta(seconds=time.monotonic() - started)

        slots = asyncio.Semaphore(self.settings.max_in_flight)
        report.resumed = await asyncio.to_thread(self._resume_finished_pauses, now)
        await asyncio.to_thread(self._couples_upkeep, now)
        report.unknown += await asyncio.to_thread(self._settle_abandoned_sends, now)
        while True:  # rows a dead pass left claimed, and retries whose wait is over
            reclaimed, looked_at = await asyncio.to_thread(self._reclaim_expired, now, report)
            await self._send_all(reclaimed, now, lease_start, slots, report)
            if looked_at < self.batch_size:
                break
        failed: set[int] = set()
        while True:
            claimed, looked_at = await asyncio.to_thread(self.claim_due, now, report, failed)
            if not looked_at:
                break
            await self._send_all(claimed, now, lease_start, slots, report)
        return report

    # --- before claiming ----------------------------------------------------------------

    def _resume_finished_pauses(self, now: datetime.datetime) -> int:
        with self.engine.begin() as connection:
            result = connection.execute(
                update(_subscriber)
                .where(
                    _subscriber.c.status == SubscriberStatus.PAUSED,
                    _subscriber.c.paused_until.is_not(None),
                    _subscriber.c.paused_until <= now,
                )
                .values(
                    status=SubscriberStatus.ACTIVE,
                    paused_until=None,
                    next_prompt_at=now,
                    updated_at=now,
                )
            )
            return int(result.rowcount)

    def _couples_upkeep(self, now: datetime.datetime) -> None:
        """Reminders and closings of shared questions, queued before this pass sends, so a
        notice due now goes out with it."""
        with self.engine.begin() as connection:
            remind_and_close(connection, self.settings, self.catalog, now)

    def _settle_abandoned_sends(self, now: datetime.datetime) -> int:
        """A row still `sending` after its lease may have reached Twilio: it is `unknown`."""
        with self.engine.begin() as connection:
            result = connection.execute(
                update(_outbound)
                .where(
                    _outbound.c.status == OutboundStatus.SENDING,
                    _outbound.c.lease_until <= now,
                )
                .values(status=OutboundStatus.UNKNOWN, updated_at=now)
            )
            return int(result.rowcount)

    def _reclaim_expired(self, now: datetime.datetime, report: TickReport) -> tuple[list[int], int]:
        """Claimed rows whose lease ended, taken over (those too old expire instead); the ids
        to send, and how many rows were looked at."""
        with self.engine.begin() as connection:
            rows = connection.execute(
                select(_outbound.c.id, _outbound.c.created_at)
                .where(
                    _outbound.c.status == OutboundStatus.CLAIMED,
                    _outbound.c.lease_until <= now,
                )
                .order_by(_outbound.c.id)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            ).all()
            stale = [row.id for row in rows if row.created_at < now - STALE_AFTER]
            fresh = [row.id for row in rows if row.created_at >= now - STALE_AFTER]
            if stale:
                connection.execute(
                    update(_outbound)
                    .where(_outbound.c.id.in_(stale))
                    .values(status=OutboundStatus.EXPIRED, updated_at=now)
                )
            if fresh:
                connection.execute(
                    update(_outbound)
                    .where(_outbound.c.id.in_(fresh))
                    .values(lease_until=now + CLAIM_LEASE, updated_at=now)
                )
        report.expired += len(stale)
        return fresh, len(rows)

    # --- claiming -----------------------------------------------------------------------

    def claim_due(
        self, now: datetime.datetime, report: TickReport, failed: set[int] | None = None
    ) -> tuple[list[int], int]:
        """Lock a batch of due subscribers, move their schedule on and write their outbound
        rows as `claimed`, in one transaction; the new rows' ids, and how many subscribers
        were looked at (0: nobody is due). Subscribers in `failed` are left alone; one whose
        claim fails is logged, added to it, and left as it was."""
        failed = set() if failed is None else failed
        with self.engine.begin() as connection:
            subscribers = lock_due(connection, now, self.batch_size, exclude=failed)
            if not subscribers:
                return [], 0
            records = prompt_records(connection, [s.id for s in subscribers])
            asked = check_ins.histories(connection, [s.id for s in subscribers])
            pairs = partners_of(connection, [s.id for s in subscribers])
            weeks = recap_facts(connection, subscribers, pairs, now)
            rules = {s.id: rule for s in subscribers if (rule := self._rule(s.phone))}
            caps = caps_reached(connection, rules, now)
            claims: list[_Claim] = []
            for subscriber in subscribers:
                # When this one would reach Twilio at the sender's pace, behind those before it.
                queued = report.claimed + sum(1 for claim in claims if claim.plan.send)
                reaches = now + datetime.timedelta(seconds=queued / self.rate) if self.rate else now
                week, prompted_today = weeks.get(subscriber.id, (QUIET_WEEK, False))
                partner, partner_cadence = pairs.get(subscriber.id, (None, 0))
                try:
                    plan = plan_due(
                        subscriber,
                        now,
                        self.window,
                        wins_this_week=week.tries,
                        prompted_today=prompted_today,
                        reaches_twilio_at=reaches,
                        rule=rules.get(subscriber.id),
                        cap_clears_at=caps.get(subscriber.id),
                        rhythm=(
                            rhythm_for_two(
                                partner.pair_id, subscriber.prompts_per_week, partner_cadence
                            )
                            if partner
                            else None
                        ),
                    )
                    claims.append(
                        self._claim(
                            connection,
                            subscriber,
                            partner,
                            plan,
                            _Recent(records[subscriber.id], asked.get(subscriber.id), week),
                            reaches,
                            now,
                        )
                    )
                except Exception:
                    self._skip(subscriber.id, failed, report, "could not be planned")
            try:
                with connection.begin_nested():
                    ids = _write_claims(connection, claims, now)
            except IntegrityError:
                # One row broke a constraint: write them one by one, so only it is left out.
                ids = []
                for claim in claims:
                    try:
                        with connection.begin_nested():
                            ids += _write_claims(connection, [claim], now)
                    except IntegrityError:
                        self._skip(claim.subscriber.id, failed, report, "could not be claimed")
        report.claimed += len(ids)
        report.deferred += sum(1 for claim in claims if claim.plan.send is None)
        return ids, len(subscribers)

    def _claim(
        self,
        connection: Connection,
        subscriber: DueSubscriber,
        partner: Partner | None,
        plan: Plan,
        recent: _Recent,
        arrives_at: datetime.datetime,
        now: datetime.datetime,
    ) -> _Claim:
        if plan.send is None:
            return _Claim(subscriber, plan)
        if plan.send is OutboundKind.PROMPT and partner is not None:
            shared = self._shared_question(connection, subscriber, partner, now)
            if shared is not None:
                return _Claim(subscriber, plan, *shared)
        if plan.send is OutboundKind.PROMPT:
            check_in = self._check_in(subscriber, recent.asked, now)
            if check_in is not None:
                return _Claim(subscriber, replace(plan, send=OutboundKind.CHECK_IN), check_in)
        body, prompt_id, category = self._compose(
            subscriber, plan.send, recent.sent, recent.week, arrives_at
        )
        return _Claim(subscriber, plan, body, prompt_id, category)

    def _shared_question(
        self,
        connection: Connection,
        subscriber: DueSubscriber,
        partner: Partner,
        now: datetime.datetime,
    ) -> tuple[str, str, str] | None:
        """A paired member's prompt is the pair's shared question when one is due for them."""
        catalog = self.catalog.in_language(subscriber.language)
        questions = catalog.shared_questions
        number = question_to_send(connection, partner, len(questions), now)
        if number is None or catalog.replies is None:
            return None
        question = questions[number % len(questions)]
        body = smart_encoded(catalog.replies.reply("shared_question", question=question.text))
        return body, question.id, SHARED_CATEGORY

    def _check_in(
        self, subscriber: DueSubscriber, asked: History | None, now: datetime.datetime
    ) -> str | None:
        """The monthly check-in's words, when it is due: it takes this prompt's place."""
        if asked is None or not is_due(asked, now):
            return None
        catalog = self.catalog.in_language(subscriber.language)
        return check_ins.question(catalog, subscriber.partner_name)

    def _rule(self, phone: str) -> StateRule | None:
        return rule_for(phone, default_rules()) if self.settings.state_rules else None

    def _compose(
        self,
        subscriber: DueSubscriber,
        kind: OutboundKind,
        sent: list[SentPrompt],
        week: RecapWeek,
        arrives_at: datetime.datetime,
    ) -> tuple[str, str | None, str | None]:
        catalog = self.catalog.in_language(subscriber.language)
        values = {"partner": subscriber.partner_name}
        seed = _seed(f"{subscriber.phone}:{len(sent)}")
        if kind is OutboundKind.RECAP and catalog.recaps is not None:
            template, words = compose_recap(catalog.recaps, week, seed)
            return render(template, {**values, **words}, catalog.fallbacks), None, None
        zone = zones_of(subscriber.timezone, subscriber.candidate_zones)[0]
        anniversary = (subscriber.anniversary_month, subscriber.anniversary_day)
        pacing = pacing_at(arrives_at, zone, subscriber.created_at, sent, anniversary)
        history = [record.prompt_id for record in sent]
        prompt = choose_prompt(
            catalog.prompt_index, history, subscriber.love_language, seed, pacing
        )
        return render(prompt.text, values, catalog.fallbacks), prompt.id, prompt.category

    def _skip(self, subscriber_id: int, failed: set[int], report: TickReport, what: str) -> None:
        log.exception("subscriber %d %s; the pass goes on without them", subscriber_id, what)
        DISPATCH_FAILURES.labels(stage="claim").inc()
        failed.add(subscriber_id)
        report.skipped += 1

    # --- sending ------------------------------------------------------------------------

    async def send_claimed(self, outbound_ids: Sequence[int], now: datetime.datetime) -> TickReport:
        """Send these claimed rows now (the simulator's "send it now", and tests)."""
        report = TickReport()
        slots = asyncio.Semaphore(self.settings.max_in_flight)
        await self._send_all(outbound_ids, now, lambda: now, slots, report)
        return report

    async def _send_all(
        self,
        outbound_ids: Sequence[int],
        now: datetime.datetime,
        lease_start: Callable[[], datetime.datetime],
        slots: asyncio.Semaphore,
        report: TickReport,
    ) -> None:
        """Send every row, at most max_in_flight at once; returns when all are settled."""
        async with asyncio.TaskGroup() as group:
            for outbound_id in outbound_ids:
                await slots.acquire()
                group.create_task(self._deliver(outbound_id, now, lease_start, slots, report))

    async def _deliver(
        self,
        outbound_id: int,
        now: datetime.datetime,
        lease_start: Callable[[], datetime.datetime],
        slot: asyncio.Semaphore,
        report: TickReport,
    ) -> None:
        """Wait for the sender's pace, check the row, send it, write the outcome; a failure
        is this row's alone."""
        try:
            if self.pacer is not None:
                await self.pacer.wait()
            outgoing = await asyncio.to_thread(self.start_sending, outbound_id, now, lease_start())
            if outgoing is None:
                report.cancelled += 1
                return
            result = await self.transport.send(outgoing.phone, outgoing.body, self.status_callback)
            await asyncio.to_thread(
                self.write_outcome, outbound_id, result, now, lease_start(), report
            )
        except Exception:
            log.exception("prompt %d could not be sent; the pass goes on", outbound_id)
            DISPATCH_FAILURES.labels(stage="send").inc()
            report.skipped += 1
        finally:
            slot.release()

    def start_sending(
        self, outbound_id: int, now: datetime.datetime, lease_start: datetime.datetime
    ) -> Outgoing | None:
        """The check right before the request: claimed -> sending while the subscriber is
        still active; claimed -> cancelled if they are not (someone who left is never sent
        it). None unless the row is now this pass's to send."""
        with self.engine.begin() as connection:
            started = connection.execute(
                _START_SENDING,
                {"row": outbound_id, "lease": lease_start + SEND_LEASE, "at": now},
            ).first()
            if started is not None:
                return Outgoing(started.phone, started.body)
            connection.execute(_CANCEL_CLAIMED, {"row": outbound_id, "at": now})
            return None

    def write_outcome(
        self,
        outbound_id: int,
        result: SendResult,
        now: datetime.datetime,
        lease_start: datetime.datetime,
        report: TickReport,
    ) -> None:
        report.count(result.delivery)
        shared = {"row": outbound_id, "at": now, "error": result.error_code}
        with self.engine.begin() as connection:
            attempts, subscriber_id, phone = connection.execute(
                _ROW_FACTS, {"row": outbound_id}
            ).one()
            match result.delivery:
                case Delivery.ACCEPTED:
                    connection.execute(_SET_ACCEPTED, shared | {"sid": result.sid})
                    report.sent += 1
                case Delivery.RETRY_LATER if attempts < MAX_ATTEMPTS:
                    retry = {"lease": retry_at(lease_start, attempts)}
                    connection.execute(_SET_RETRY, shared | retry)
                    report.retry_later += 1
                case Delivery.UNKNOWN:
                    connection.execute(_SET_SETTLED, shared | {"status": OutboundStatus.UNKNOWN})
                    report.unknown += 1
                case _:
                    connection.execute(_SET_SETTLED, shared | {"status": OutboundStatus.FAILED})
                    report.failed += 1
            if subscriber_id is None:
                return
            if result.delivery is Delivery.OPTED_OUT:
                _opt_out_by_carrier(connection, subscriber_id, phone, now)
            elif result.delivery is Delivery.UNDELIVERABLE:
                _stop_scheduling(connection, subscriber_id, now)


# The statements run for every prompt, built once (bind parameters are named apart from the
# columns they set, as SQLAlchemy asks).
_THIS_ROW = _outbound.c.id == bindparam("row")
_STILL_CLAIMED = (_THIS_ROW, _outbound.c.status == OutboundStatus.CLAIMED)
_SUBSCRIBER_ACTIVE = exists().where(
    _subscriber.c.id == _outbound.c.subscriber_id,
    _subscriber.c.status == SubscriberStatus.ACTIVE,
)
_START_SENDING = (
    update(_outbound)
    .where(*_STILL_CLAIMED, _SUBSCRIBER_ACTIVE)
    .values(
        status=OutboundStatus.SENDING,
        attempts=_outbound.c.attempts + 1,
        lease_until=bindparam("lease"),
        updated_at=bindparam("at"),
    )
    .returning(_outbound.c.phone, _outbound.c.body)
)
_CANCEL_CLAIMED = (
    update(_outbound)
    .where(*_STILL_CLAIMED)
    .values(status=OutboundStatus.CANCELLED, updated_at=bindparam("at"))
)
_ROW_FACTS = select(_outbound.c.attempts, _outbound.c.subscriber_id, _outbound.c.phone).where(
    _THIS_ROW
)
_SET_ACCEPTED = (
    update(_outbound)
    .where(_THIS_ROW)
    .values(
        status=OutboundStatus.ACCEPTED,
        twilio_sid=bindparam("sid"),
        sent_at=bindparam("at"),
        updated_at=bindparam("at"),
        error_code=bindparam("error"),
    )
)
_SET_RETRY = (
    update(_outbound)
    .where(_THIS_ROW)
    .values(
        status=OutboundStatus.CLAIMED,
        lease_until=bindparam("lease"),
        updated_at=bindparam("at"),
        error_code=bindparam("error"),
    )
)
_SET_SETTLED = (
    update(_outbound)
    .where(_THIS_ROW)
    .values(
        status=bindparam("status", type_=_outbound.c.status.type),
        updated_at=bindparam("at"),
        error_code=bindparam("error"),
    )
)


def retry_at(failed_at: datetime.datetime, attempts: int) -> datetime.datetime:
    """When a prompt Twilio could not take yet (429, 5xx, no connection) is tried again:
    exponential backoff from RETRY_BACKOFF after its `attempts` so far."""
    return failed_at + RETRY_BACKOFF * (1 << max(attempts - 1, 0))


class _Recent(NamedTuple):
    """What a claim reads of a member's recent past."""

    sent: list[SentPrompt]  # prompts, oldest first
    asked: History | None  # for the monthly check-in
    week: RecapWeek  # for the recap


class _Claim(NamedTuple):
    subscriber: DueSubscriber
    plan: Plan
    body: str | None = None
    prompt_id: str | None = None
    category: str | None = None


def _write_claims(
    connection: Connection, claims: Sequence[_Claim], now: datetime.datetime
) -> list[int]:
    """Writes the claims' schedules, and the outbound rows of those that send something; the
    new rows' ids."""
    if not claims:
        return []
    connection.execute(
        update(_subscriber)
        .where(_subscriber.c.id == bindparam("subscriber_id"))
        .values(
            next_prompt_at=bindparam("next_prompt"),
            next_recap_at=bindparam("next_recap"),
            updated_at=now,
        ),
        [
            {
                "subscriber_id": claim.subscriber.id,
                "next_prompt": claim.plan.next_prompt_at,
                "next_recap": claim.plan.next_recap_at,
            }
            for claim in claims
        ],
    )
    sending = [claim for claim in claims if claim.plan.send is not None]
    if not sending:
        return []
    rows = connection.execute(
        insert(_outbound).returning(_outbound.c.id, sort_by_parameter_order=True),
        [
            {
                "subscriber_id": claim.subscriber.id,
                "phone": claim.subscriber.phone,
                "kind": claim.plan.send,
                "prompt_id": claim.prompt_id,
                "category": claim.category,
                "slot_at": claim.plan.slot_at,
                "body": claim.body,
                "status": OutboundStatus.CLAIMED,
                "attempts": 0,
                "lease_until": now + CLAIM_LEASE,
                "created_at": now,
                "updated_at": now,
            }
            for claim in sending
        ],
    )
    return [row_id for (row_id,) in rows]


def _opt_out_by_carrier(
    connection: Connection, subscriber_id: int, phone: str, now: datetime.datetime
) -> None:
    """Twilio's 21610: the person sent STOP to the carrier; record it like any opt-out."""
    status = connection.execute(
        select(_subscriber.c.status).where(_subscriber.c.id == subscriber_id)
    ).scalar()
    if status is None or status is SubscriberStatus.OPTED_OUT:
        return
    opt_out(
        connection,
        subscriber_id=subscriber_id,
        phone=phone,
        method=ConsentMethod.TWILIO_ERROR_21610,
        now=now,
    )


def _stop_scheduling(connection: Connection, subscriber_id: int, now: datetime.datetime) -> None:
    """21211/21614: the number can't get texts; keep the subscriber but schedule nothing."""
    connection.execute(
        update(_subscriber)
        .where(_subscriber.c.id == subscriber_id)
        .values(undeliverable_at=now, next_prompt_at=None, next_recap_at=None, updated_at=now)
    )


def _seed(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
