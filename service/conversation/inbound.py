"""Receiving one inbound text: store it, decide, apply the decision, word the reply.

This is the imperative shell around `decisions.decide`: it reads the database and the clock's
value handed to it, and writes the results. It never calls Twilio; replies travel in TwiML.

Every text is a burst candidate (a million people get their prompt in the same evening), so
this path runs statements built once, on plain rows, in one transaction per batch: the ORM's
per-object bookkeeping cost several times what the database did.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, String, any_, bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError

from service.admin.erased import is_erased
from service.catalog import Catalog, choose_acknowledgement, choose_prompt, render
from service.conversation.decisions import (
    Circumstances,
    Decision,
    ReplyKind,
    SubscriberState,
    decide,
)
from service.conversation.intents import Intent, IntentKind, parse_intent
from service.conversation.models import InboundMessage
from service.conversation.replies import ReplyFacts
from service.conversation.replies import render as render_reply
from service.conversation.tone import sounds_discouraged
from service.database import (
    BulkStatement,
    PreparedStatement,
    bulk_insert,
    bulk_update_by_id,
    pipelined,
    savepoint,
    table_of,
)
from service.dispatch.models import OutboundKind, OutboundMessage, OutboundStatus
from service.dispatch.outbox import cancel_unsent, latest_slots, prompt_histories
from service.phones import country_of, infer_timezone
from service.safety.detection import Concern, assess
from service.safety.flags import record_flag, resources_sent_recently
from service.safety.resources import (
    DEFAULT_LANGUAGE,
    help_line,
    reminder_reply,
    safety_reply,
)
from service.scheduling.schedule import (
    is_inside_window,
    rescheduled_for_new_time,
    restarted_schedule,
    resume_at,
    week_start,
)
from service.settings import Settings
from service.subscribers.models import ConsentEvent, Subscriber, SubscriberStatus
from service.wins.progress import progress_phrase, wins_summary
from service.wins.recording import record_win

ON_DEMAND_WINDOW = datetime.timedelta(hours=24)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InboundText:
    message_sid: str
    phone: str  # E.164
    body: str
    to_number: str | None = None
    opt_out_type: str | None = None


@dataclass
class SubscriberRow:
    """The subscriber being answered, read under a row lock and written back in one UPDATE."""

    id: int
    phone: str
    status: SubscriberStatus
    timezone: str
    preferred_time: datetime.time
    prompts_per_week: int
    next_prompt_at: datetime.datetime | None
    next_recap_at: datetime.datetime | None
    paused_until: datetime.datetime | None
    partner_name: str | None
    love_language: str | None
    recap_weekday: int
    onboarding_question_pending: bool
    last_acknowledgement: str | None
    safety_flagged_at: datetime.datetime | None
    updated_at: datetime.datetime


class AlreadyReceived(Exception):
    """Twilio retried a message we already have (same MessageSid)."""


_subscriber = table_of(Subscriber)
_inbound = table_of(InboundMessage)
_outbound = table_of(OutboundMessage)
_SUBSCRIBER_COLUMNS = [_subscriber.c[name] for name in SubscriberRow.__dataclass_fields__]
_LOCK_SUBSCRIBER = PreparedStatement(
    select(*_SUBSCRIBER_COLUMNS).where(_subscriber.c.phone == bindparam("sender")).with_for_update()
)
# PostgreSQL: every sender of a batch locked by one statement, always in phone order, so two
# batches locking some of the same rows wait for each other instead of deadlocking.
_LOCK_SENDERS = PreparedStatement(
    select(*_SUBSCRIBER_COLUMNS)
    .where(_subscriber.c.phone == any_(bindparam("senders", type_=ARRAY(String))))
    .order_by(_subscriber.c.phone)
    .with_for_update()
)
_SUBSCRIBER_ID = select(_subscriber.c.id).where(_subscriber.c.phone == bindparam("sender"))
_INSERT_SUBSCRIBER = PreparedStatement(
    insert(_subscriber).returning(_subscriber.c.id),
    columns=[column.name for column in _subscriber.columns if column.name != "id"],
)
_UPDATED_COLUMNS = tuple(name for name in SubscriberRow.__dataclass_fields__ if name != "id")
_UPDATE_SUBSCRIBERS = bulk_update_by_id(
    _subscriber, *_UPDATED_COLUMNS, varying=tuple(f"new_{name}" for name in _UPDATED_COLUMNS)
)
_INBOUND_COLUMNS = (
    "message_sid",
    "phone",
    "to_number",
    "body",
    "opt_out_type",
    "subscriber_id",
    "intent",
    "received_at",
)
_INSERT_INBOUND = bulk_insert(_inbound, _INBOUND_COLUMNS)
# A new subscriber's texts of the batch, stored before the subscriber existed, linked to it.
_LINK_INBOUND = BulkStatement(
    update(_inbound)
    .where(_inbound.c.message_sid == bindparam("sid"))
    .values(subscriber_id=bindparam("owner")),
    varying=("sid",),
    postgresql=update(_inbound)
    .where(_inbound.c.message_sid == any_(bindparam("sid", type_=ARRAY(String))))
    .values(subscriber_id=bindparam("owner")),
)
_CONSENT_COLUMNS = (
    "subscriber_id",
    "phone",
    "kind",
    "method",
    "message_sid",
    "text",
    "occurred_at",
)
_INSERT_CONSENTS = bulk_insert(table_of(ConsentEvent), _CONSENT_COLUMNS)
_REPLY_COLUMNS = (
    "subscriber_id",
    "phone",
    "kind",
    "prompt_id",
    "category",
    "body",
    "status",
    "attempts",
    "created_at",
    "sent_at",
    "updated_at",
)
_INSERT_REPLIES = bulk_insert(_outbound, _REPLY_COLUMNS)
_ON_DEMAND_PROMPTS_SINCE = PreparedStatement(
    select(func.count()).where(
        _outbound.c.subscriber_id == bindparam("owner"),
        _outbound.c.kind == OutboundKind.PROMPT,
        _outbound.c.status == OutboundStatus.REPLIED_INLINE,
        _outbound.c.created_at >= bindparam("since"),
    )
)


def receive(
    engine: Engine, settings: Settings, catalog: Catalog, text: InboundText, now: datetime.datetime
) -> str | None:
    """The reply to send back, if any. A MessageSid seen before gets none and changes nothing."""
    return receive_batch(engine, settings, catalog, [(text, now)])[0]


def receive_batch(
    engine: Engine,
    settings: Settings,
    catalog: Catalog,
    texts: Sequence[tuple[InboundText, datetime.datetime]],
    connection: Connection | None = None,
) -> list[str | None]:
    """The replies to several texts, answered in order in one transaction (one commit).

    Nothing is replied before the commit: every reply leaves after its text is stored. The
    usual case runs every answer straight in the one transaction. If anything fails (a
    MessageSid Twilio retried, two first texts racing to create a subscriber, a bug), that
    attempt is rolled back whole and the batch is answered again, each text in a savepoint
    of its own: the text whose answer fails is then stored alone, and the others get the
    same answers, since an answer depends only on the database, the text and `now`.
    Savepoints cost two statements per text; the fallback pays for them only when needed.

    On PostgreSQL the batch is `pipelined`: it waits for the database only where a result is
    needed. A reply that tells the week's wins is worded once the batch's other statements
    are sent, so its count costs no round trip of its own.

    `connection`, if given, is the caller's to keep (an answering thread holds one while it
    is busy); the fallback always takes a fresh one from the pool, in case that one broke.
    """
    try:
        with _borrowed_or_new(engine, connection) as held, pipelined(held), held.begin():
            return _answer_all(held, settings, catalog, texts)
    except Exception:
        log.debug("a batch of %d texts is answered again text by text", len(texts))
    with engine.connect() as fresh, fresh.begin():
        return [_receive_one(fresh, settings, catalog, text, now) for text, now in texts]


def _answer_all(
    connection: Connection,
    settings: Settings,
    catalog: Catalog,
    texts: Sequence[tuple[InboundText, datetime.datetime]],
) -> list[str | None]:
    """Stores the texts and answers them in order, in the connection's transaction.

    Statements per text were most of a batch's cost (in the driver and in PostgreSQL), so
    the batch's texts are stored by one statement, and what answering writes but never reads
    back (replies kept, consent events, the subscribers as answered) waits in `_Writes` for
    one statement per kind of row. Only a win is written text by text: its INSERT counts
    the week's wins. Raises AlreadyReceived if a MessageSid is stored already (at once,
    unless `pipelined`: there it fails the batch at its next wait).
    """
    senders = _locked_senders(connection, [text.phone for text, _ in texts])
    intents = [parse_intent(text.body) for text, _ in texts]
    owners = [row.id if (row := senders[text.phone]) else None for text, _ in texts]
    _store(connection, texts, intents, owners)
    writes = _Writes()
    replies: list[str | None] = []
    waiting: list[_Answer] = []
    for index, ((text, now), intent) in enumerate(zip(texts, intents, strict=True)):
        known = senders[text.phone] is not None
        waiting.append(_answer(connection, settings, catalog, text, intent, now, senders, writes))
        if not known and (joined := senders[text.phone]) is not None:
            # Its texts from here on were stored before it existed: as answering them one
            # after another would have stored them, they are its.
            later = [
                (other.message_sid,) for other, _ in texts[index:] if other.phone == text.phone
            ]
            _LINK_INBOUND.run(connection, {"owner": joined.id}, later)
        if waiting[-1].read_by_later_texts:
            replies += _worded(waiting, writes)
            writes.flush(connection)
            waiting = []
    replies += _worded(waiting, writes)
    writes.flush(connection)
    return replies


def _locked_senders(connection: Connection, phones: list[str]) -> dict[str, SubscriberRow | None]:
    """The batch's senders, read and locked once for the whole batch: answering then keeps
    them in memory, so their rows are written only once answered. A phone with no row yet
    maps to None. PostgreSQL reads them all in one statement (one round trip); SQLite, whose
    transaction already excludes other writers, one by one."""
    senders: dict[str, SubscriberRow | None] = dict.fromkeys(phones)
    if connection.dialect.name == "postgresql":
        found = _LOCK_SENDERS.rows(connection, {"senders": list(senders)})
    else:
        found = [
            row
            for phone in senders
            if (row := _LOCK_SUBSCRIBER.first(connection, {"sender": phone}))
        ]
    for row in found:
        subscriber = SubscriberRow(*row)
        senders[subscriber.phone] = subscriber
    return senders


def _borrowed_or_new(
    engine: Engine, connection: Connection | None
) -> contextlib.AbstractContextManager[Connection]:
    return contextlib.nullcontext(connection) if connection is not None else engine.connect()


def _receive_one(
    connection: Connection,
    settings: Settings,
    catalog: Catalog,
    text: InboundText,
    now: datetime.datetime,
) -> str | None:
    for attempt in (1, 2):
        try:
            with savepoint(connection):
                return _answer_all(connection, settings, catalog, [(text, now)])[0]
        except AlreadyReceived:
            return None
        except IntegrityError:
            # Two first texts from a new number raced to create the subscriber; the row
            # exists now, so answering again finds and locks it.
            if attempt == 2:
                log.exception("text %s could not be answered", text.message_sid)
        except Exception:
            log.exception("text %s could not be answered", text.message_sid)
            break
    try:
        with savepoint(connection):
            owner = connection.execute(_SUBSCRIBER_ID, {"sender": text.phone}).scalar()
            _store(connection, [(text, now)], [parse_intent(text.body)], [owner])
    except AlreadyReceived:
        pass
    return None


def _store(
    connection: Connection,
    texts: Sequence[tuple[InboundText, datetime.datetime]],
    intents: Sequence[Intent],
    owners: Sequence[int | None],
) -> None:
    """Inserts the texts' rows, each owned by the subscriber id beside it, if any; raises
    AlreadyReceived for a MessageSid we already have (see `_answer_all`)."""
    rows = [
        (
            text.message_sid,
            text.phone,
            text.to_number,
            text.body,
            text.opt_out_type,
            owner,
            intent.kind.value,
            now,
        )
        for (text, now), intent, owner in zip(texts, intents, owners, strict=True)
    ]
    try:
        _INSERT_INBOUND.run(connection, {}, rows)
    except IntegrityError as duplicate:
        # The only unique column of the row: Twilio delivered this MessageSid before.
        raise AlreadyReceived from duplicate


@dataclass
class _Writes:
    """What answering writes and never reads back, until `flush` writes it: one statement per
    kind of row (PostgreSQL: one for all the rows; SQLite: one executemany). A subscriber
    answered twice is written once, as answered last (its row is locked meanwhile)."""

    consents: list[tuple[Any, ...]] = field(default_factory=list)
    replies: list[tuple[Any, ...]] = field(default_factory=list)
    subscribers: dict[int, SubscriberRow] = field(default_factory=dict)

    def flush(self, connection: Connection) -> None:
        _INSERT_CONSENTS.run(connection, {}, self.consents)
        _UPDATE_SUBSCRIBERS.run(
            connection,
            {},
            [
                (row.id, *(getattr(row, name) for name in _UPDATED_COLUMNS))
                for row in self.subscribers.values()
            ],
        )
        _INSERT_REPLIES.run(connection, {}, self.replies)
        self.consents, self.replies, self.subscribers = [], [], {}


def _answer(
    connection: Connection,
    settings: Settings,
    catalog: Catalog,
    text: InboundText,
    intent: Intent,
    now: datetime.datetime,
    senders: dict[str, SubscriberRow | None],
    writes: _Writes,
) -> _Answer:
    """Applies the stored text; its reply is worded by `_worded`.

    `senders` holds the batch's senders, locked; answering keeps it up to date (the rows
    are changed in place, and a new subscriber is added)."""
    subscriber = senders[text.phone]
    zone = ZoneInfo(subscriber.timezone if subscriber else settings.default_timezone)
    window = settings.send_window
    ordinary = intent.kind is IntentKind.MESSAGE
    concern = assess(text.body) if ordinary else None
    facts = Circumstances(
        twilio_answered=bool(text.opt_out_type),
        safety_concern=concern is not None,
        safety_resources_recent=(
            concern is not None and resources_sent_recently(connection, text.phone, now)
        ),
        discouraged=ordinary and sounds_discouraged(text.body),
        inside_send_window=is_inside_window(now, zone, window),
        on_demand_prompts_today=(
            _on_demand_prompts_since(connection, subscriber, now - ON_DEMAND_WINDOW)
            if intent.kind is IntentKind.NEW
            else 0
        ),
        on_demand_prompts_per_day=settings.max_new_prompts_per_day,
    )
    state = (
        SubscriberState(
            status=subscriber.status,
            prompts_per_week=subscriber.prompts_per_week,
            onboarding_question_pending=subscriber.onboarding_question_pending,
            safety_flagged=subscriber.safety_flagged_at is not None,
        )
        if subscriber
        else None
    )
    if subscriber is None and is_erased(connection, text.phone):
        # An operator erased this number (service/admin/erase.py): it stays opted out, so it
        # hears nothing until it opts in again, exactly like an opted-out subscriber.
        state = SubscriberState(SubscriberStatus.OPTED_OUT, settings.prompts_per_week)
    decision = decide(intent, state, facts)

    if subscriber is None and decision.status is not None:
        subscriber = senders[text.phone] = _new_subscriber(connection, settings, text.phone, now)
    if concern is not None and decision.log_safety_concern:
        record_flag(
            connection,
            subscriber_id=subscriber.id if subscriber else None,
            phone=text.phone,
            message_sid=text.message_sid,
            concern=concern,
            resources_sent=decision.reply is ReplyKind.SAFETY,
            now=now,
        )
    if subscriber is None:
        words = _safety_words(settings, catalog, text.phone, decision, concern)
        return _Answer(decision.reply, replace(_base_facts(settings, None), **words))
    writes.subscribers[subscriber.id] = subscriber
    answer = _apply(connection, settings, catalog, subscriber, decision, text, now, writes)
    words = _safety_words(settings, catalog, text.phone, decision, concern)
    return replace(answer, facts=replace(answer.facts, **words))


# Said when the catalog has no resources file (a catalog built by hand, as some tests do).
FALLBACK_SAFETY_REPLY = "If you are in danger, please call your local emergency number."


def _safety_words(
    settings: Settings,
    catalog: Catalog,
    phone: str,
    decision: Decision,
    concern: Concern | None,
) -> dict[str, Any]:
    """The words of a reply that come from the resources file, in the number's country."""
    resources = catalog.safety_resources
    kind = decision.reply
    if resources is None or kind not in (ReplyKind.HELP, *_SAFETY_REPLIES):
        return {"safety_reply": FALLBACK_SAFETY_REPLY} if kind in _SAFETY_REPLIES else {}
    country = country_of(phone)
    if kind is ReplyKind.HELP:
        return {"help_line": help_line(resources, country=country, language=DEFAULT_LANGUAGE)}
    if kind is ReplyKind.SAFETY_REMINDER or concern is None:
        reply = reminder_reply(resources, country=country, language=DEFAULT_LANGUAGE)
    else:
        reply = safety_reply(
            resources,
            country=country,
            language=DEFAULT_LANGUAGE,
            concern=concern,
            paused=decision.flag_safety,
            override=settings.safety_resources,
        )
    return {"safety_reply": reply}


_SAFETY_REPLIES = (ReplyKind.SAFETY, ReplyKind.SAFETY_REMINDER)


@dataclass(frozen=True)
class _Answer:
    """A text's reply before it is worded: what it says, but for the week's wins count."""

    kind: ReplyKind | None
    facts: ReplyFacts
    kept_as: dict[str, object] | None = None  # the outbound row that keeps it, but its body
    # The count the reply tells, if it tells one; reading it waits for the database.
    wins_this_week: Callable[[], int] | None = None

    @property
    def read_by_later_texts(self) -> bool:
        """An inline prompt is: the next reply's win links to it, a NEW counts it. Nothing
        in answering reads the other replies kept."""
        return self.kept_as is not None and self.kept_as["kind"] is OutboundKind.PROMPT


def _worded(answers: Sequence[_Answer], writes: _Writes) -> list[str | None]:
    """Each answer's reply, in order; each reply to be kept in the subscriber's history."""
    replies: list[str | None] = []
    for answer in answers:
        facts = answer.facts
        if answer.wins_this_week is not None:
            facts = replace(facts, progress=progress_phrase(answer.wins_this_week()))
        reply = render_reply(answer.kind, facts) if answer.kind else None
        if reply is not None and answer.kept_as is not None:
            kept = answer.kept_as | {"body": reply}
            writes.replies.append(tuple(kept[name] for name in _REPLY_COLUMNS))
        replies.append(reply)
    return replies


def _new_subscriber(
    connection: Connection, settings: Settings, phone: str, now: datetime.datetime
) -> SubscriberRow:
    # The model gives the defaults (preferred time, recap day...), so they live in one place.
    values: dict[str, Any] = Subscriber(
        phone=phone,
        status=SubscriberStatus.PENDING,
        timezone=infer_timezone(phone, settings.default_timezone),
        prompts_per_week=settings.prompts_per_week,
        created_at=now,
        updated_at=now,
    ).model_dump(exclude={"id"})
    values["id"] = _INSERT_SUBSCRIBER.scalar(connection, values)
    return SubscriberRow(**{name: values[name] for name in SubscriberRow.__dataclass_fields__})


def _base_facts(settings: Settings, subscriber: SubscriberRow | None) -> ReplyFacts:
    return ReplyFacts(
        program_name=settings.program_name,
        support_contact=settings.support_contact,
        prompts_per_week=subscriber.prompts_per_week if subscriber else settings.prompts_per_week,
        preferred_time=subscriber.preferred_time if subscriber else ReplyFacts.preferred_time,
        partner_name=subscriber.partner_name if subscriber else None,
        love_language=subscriber.love_language if subscriber else None,
        prompts_paused=subscriber is not None and subscriber.status is SubscriberStatus.PAUSED,
    )


def _apply(
    connection: Connection,
    settings: Settings,
    catalog: Catalog,
    subscriber: SubscriberRow,
    decision: Decision,
    text: InboundText,
    now: datetime.datetime,
    writes: _Writes,
) -> _Answer:
    zone = ZoneInfo(subscriber.timezone)
    window = settings.send_window
    jitter_key = subscriber.phone

    if decision.consent is not None:
        kind, method = decision.consent
        writes.consents.append(
            (subscriber.id, subscriber.phone, kind, method, text.message_sid, text.body, now)
        )
    if decision.status is not None:
        subscriber.status = decision.status
    if decision.status is SubscriberStatus.OPTED_OUT:
        subscriber.next_prompt_at = None
        subscriber.next_recap_at = None
        subscriber.paused_until = None
        cancel_unsent(connection, subscriber.id, now)
    if decision.schedule_first_prompt:
        subscriber.paused_until = None
        already_sent = latest_slots(connection, subscriber.id)
        subscriber.next_prompt_at, subscriber.next_recap_at = restarted_schedule(
            now=now,
            tz=zone,
            preferred=subscriber.preferred_time,
            recap_weekday=subscriber.recap_weekday,
            window=window,
            jitter_key=jitter_key,
            last_prompt_slot=already_sent.prompt,
            last_recap_slot=already_sent.recap,
        )
        subscriber.onboarding_question_pending = decision.reply is ReplyKind.WELCOME
    if decision.pause_days is not None:
        subscriber.paused_until = resume_at(now=now, days=decision.pause_days)
    if decision.pause_indefinitely:
        subscriber.paused_until = None
    if decision.flag_safety:
        subscriber.safety_flagged_at = now
    if decision.preferred_time is not None:
        subscriber.preferred_time = decision.preferred_time
        subscriber.next_prompt_at = rescheduled_for_new_time(
            now=now,
            current_next=subscriber.next_prompt_at,
            tz=zone,
            preferred=decision.preferred_time,
            window=window,
            jitter_key=jitter_key,
        )
    if decision.prompts_per_week is not None:
        subscriber.prompts_per_week = decision.prompts_per_week
    if decision.partner_name is not None:
        subscriber.partner_name = decision.partner_name
    if decision.love_language is not None:
        subscriber.love_language = decision.love_language
    if decision.end_onboarding:
        subscriber.onboarding_question_pending = False
    subscriber.updated_at = now

    facts = _base_facts(settings, subscriber)
    if subscriber.paused_until is not None:
        local_until = subscriber.paused_until.astimezone(zone).date()
        facts = replace(facts, paused_until=local_until)
    facts = replace(facts, unclear_command=decision.unclear_command)
    wins_this_week = None
    if decision.record_win:
        counted = record_win(
            connection, subscriber.id, text.message_sid, now, week_start(now, zone)
        )
        encouraging = decision.reply is ReplyKind.ENCOURAGEMENT and bool(catalog.encouragements)
        acknowledgement = choose_acknowledgement(
            catalog.encouragements if encouraging else catalog.acknowledgements,
            subscriber.last_acknowledgement,
            _seed(text.message_sid),
        )
        subscriber.last_acknowledgement = acknowledgement
        # Counting wins back to someone whose try just fell flat would ring hollow.
        wins_this_week = None if encouraging else counted
        facts = replace(facts, acknowledgement=acknowledgement)
    if decision.reply is ReplyKind.WINS_SUMMARY:
        summary = wins_summary(connection, subscriber.id, subscriber.timezone)
        facts = replace(facts, wins_summary=summary)
    if decision.send_prompt_now:
        history = prompt_histories(connection, [subscriber.id])[subscriber.id]
        prompt = choose_prompt(
            catalog.prompt_index, history, subscriber.love_language, _seed(text.message_sid)
        )
        body = render(prompt.text, {"partner": subscriber.partner_name}, catalog.fallbacks)
        facts = replace(
            facts, prompt_text=body, prompt_id=prompt.id, prompt_category=prompt.category
        )
    kept_as = _inline_reply(subscriber, decision, facts, now) if decision.reply else None
    return _Answer(decision.reply, facts, kept_as, wins_this_week)


def _inline_reply(
    subscriber: SubscriberRow,
    decision: Decision,
    facts: ReplyFacts,
    now: datetime.datetime,
) -> dict[str, object]:
    """Every reply is kept, so a subscriber's history reads as the conversation it was."""
    return {
        "subscriber_id": subscriber.id,
        "phone": subscriber.phone,
        "kind": OutboundKind.PROMPT if decision.send_prompt_now else OutboundKind.REPLY,
        "prompt_id": facts.prompt_id if decision.send_prompt_now else None,
        "category": facts.prompt_category if decision.send_prompt_now else None,
        "status": OutboundStatus.REPLIED_INLINE,
        "attempts": 0,
        "created_at": now,
        "sent_at": now,
        "updated_at": now,
    }


def _on_demand_prompts_since(
    connection: Connection, subscriber: SubscriberRow | None, since: datetime.datetime
) -> int:
    if subscriber is None:
        return 0
    parameters = {"owner": subscriber.id, "since": since}
    return int(_ON_DEMAND_PROMPTS_SINCE.scalar(connection, parameters))


def _seed(message_sid: str) -> int:
    return int.from_bytes(hashlib.sha256(message_sid.encode()).digest()[:8], "big")
