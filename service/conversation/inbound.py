"""Receiving one inbound text: store it, decide, apply the decision, word the reply.

The conversation's service function, the imperative shell around `decisions.decide`: one
text, one transaction. It reads the database and the `now` handed to it, and writes the
results; it never calls Twilio, since replies travel in TwiML. Scale by processes
(`nudge serve --workers N`) and replicas on PostgreSQL.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import logging
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from service.admin.erased import is_erased
from service.catalog import Catalog, choose_acknowledgement, choose_prompt, render
from service.catalog.loader import SUPPORT_POOL
from service.checkins.service import answer_to, record_answer
from service.conversation.decisions import (
    SUPPORT_LOOKBACK,
    Circumstances,
    Decision,
    ReplyKind,
    SubscriberState,
    decide,
)
from service.conversation.intents import Intent, IntentKind, normalize, parse_intent, plain_words
from service.conversation.models import InboundMessage
from service.conversation.pairing import apply_pairing, code_check, shared_answer
from service.conversation.replies import ReplyFacts
from service.conversation.replies import render as render_reply
from service.conversation.tone import ReplyTone, classify_reply, question_topic
from service.conversation.vocabulary import without_accents
from service.couples.notices import notify_member
from service.couples.service import (
    partner_of,
    record_failure,
)
from service.database import table_of
from service.dispatch.models import OutboundKind, OutboundMessage, OutboundStatus
from service.dispatch.outbox import latest_slots, pacing_at, prompt_records
from service.phones import country_of, zones_for_number
from service.safety.detection import Concern, assess
from service.safety.detection import languages as text_languages
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
from service.scheduling.zones import resolve_place, zone_label, zones_of
from service.settings import Settings
from service.subscribers.models import ConsentEvent, ConsentMethod, Subscriber, SubscriberStatus
from service.subscribers.service import opt_out
from service.wins.progress import progress_phrase, wins_summary
from service.wins.recording import (
    LatestPrompt,
    RecentWin,
    ReplyTo,
    latest_prompt,
    recent_wins,
    record_win,
    reply_to,
)

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
    language: str
    pending_pair_code: str | None
    candidate_zones: str | None
    zone_confirmed: bool
    anniversary_month: int | None
    anniversary_day: int | None
    created_at: datetime.datetime  # when they first texted: prompts pace from it
    updated_at: datetime.datetime


class AlreadyReceived(Exception):
    """Twilio retried a message we already have (same MessageSid)."""


_subscriber = table_of(Subscriber)
_inbound = table_of(InboundMessage)
_outbound = table_of(OutboundMessage)
_SUBSCRIBER_COLUMNS = [_subscriber.c[name] for name in SubscriberRow.__dataclass_fields__]
_UPDATED_COLUMNS = tuple(
    name for name in SubscriberRow.__dataclass_fields__ if name not in ("id", "created_at")
)
# Every text runs these: built once, with bind parameters.
_LOCK_SUBSCRIBER = (
    select(*_SUBSCRIBER_COLUMNS).where(_subscriber.c.phone == bindparam("sender")).with_for_update()
)
_INSERT_INBOUND = insert(_inbound).returning(_inbound.c.id)
_UPDATE_SUBSCRIBER = (
    update(_subscriber)
    .where(_subscriber.c.id == bindparam("row"))
    .values({name: bindparam(f"new_{name}") for name in _UPDATED_COLUMNS})
)
_INSERT_REPLY = insert(_outbound)


def receive(
    engine: Engine, settings: Settings, catalog: Catalog, text: InboundText, now: datetime.datetime
) -> str | None:
    """The reply to send back, if any, once the text and everything it changed are committed.

    A MessageSid seen before gets no reply and changes nothing. If answering fails, the text
    is still stored (nothing a texter sent is lost) and gets no reply; the failure is logged.
    """
    for attempt in (1, 2):
        try:
            with engine.begin() as connection:
                return answer(connection, settings, catalog, text, now)
        except AlreadyReceived:
            return None
        except OperationalError:
            raise  # the database is locked or gone: nothing was stored, the route says 503
        except IntegrityError:
            # Two first texts from a new number raced to create the subscriber; the row
            # exists now, so answering again finds and locks it.
            if attempt == 2:
                log.exception("text %s could not be answered", text.message_sid)
        except Exception:
            log.exception("text %s could not be answered", text.message_sid)
            break
    with engine.begin() as connection:
        owner = connection.execute(
            select(_subscriber.c.id).where(_subscriber.c.phone == text.phone)
        ).scalar()
        with contextlib.suppress(AlreadyReceived):
            _store(connection, text, parse_intent(text.body, catalog.vocabularies), owner, now)
    return None


def answer(
    connection: Connection,
    settings: Settings,
    catalog: Catalog,
    text: InboundText,
    now: datetime.datetime,
) -> str | None:
    """Stores the text and answers it, in the connection's transaction; raises
    AlreadyReceived if its MessageSid is stored already."""
    found = connection.execute(_LOCK_SUBSCRIBER, {"sender": text.phone}).first()
    subscriber = SubscriberRow(*found) if found else None
    intent = parse_intent(text.body, catalog.vocabularies)
    inbound_id = _store(connection, text, intent, subscriber.id if subscriber else None, now)
    return _answer(connection, settings, catalog, text, intent, inbound_id, subscriber, now)


def _store(
    connection: Connection,
    text: InboundText,
    intent: Intent,
    owner: int | None,
    now: datetime.datetime,
) -> int:
    """Inserts the text's row, owned by the subscriber `owner` if any; its id. Raises
    AlreadyReceived for a MessageSid we already have."""
    try:
        result = connection.execute(
            _INSERT_INBOUND,
            {
                "message_sid": text.message_sid,
                "phone": text.phone,
                "to_number": text.to_number,
                "body": text.body,
                "opt_out_type": text.opt_out_type,
                "subscriber_id": owner,
                "intent": intent.kind.value,
                "received_at": now,
            },
        )
    except IntegrityError as duplicate:
        # The only unique column of the row: Twilio delivered this MessageSid before.
        raise AlreadyReceived from duplicate
    inserted: int = result.scalar_one()
    return inserted


def _answer(
    connection: Connection,
    settings: Settings,
    catalog: Catalog,
    text: InboundText,
    intent: Intent,
    inbound_id: int,
    subscriber: SubscriberRow | None,
    now: datetime.datetime,
) -> str | None:
    """Decides on the stored text and applies the decision; the reply, if any."""
    zone = ZoneInfo(subscriber.timezone if subscriber else settings.default_timezone)
    window = settings.send_window
    ordinary = intent.kind is IntentKind.MESSAGE
    concern = assess(text.body) if ordinary else None
    prompt = latest_prompt(connection, subscriber.id) if subscriber and ordinary else None
    check_in = answer_to(connection, prompt, text.body, now)
    partner = partner_of(connection, subscriber.id) if subscriber else None
    tone = classify_reply(text.body) if subscriber and ordinary else ReplyTone.NEUTRAL
    replying_to = reply_to(prompt, now)  # NOTHING but for a member's ordinary text
    counted: tuple[RecentWin, ...] = ()  # the wins a first reply is weighed with
    if subscriber and replying_to is ReplyTo.FIRST and tone is not ReplyTone.SERVICE_QUESTION:
        counted = recent_wins(connection, subscriber.id, now - SUPPORT_LOOKBACK)
    this_week = week_start(now, zone)
    facts = Circumstances(
        twilio_answered=bool(text.opt_out_type),
        safety_concern=concern is not None,
        safety_resources_recent=(
            concern is not None and resources_sent_recently(connection, text.phone, now)
        ),
        tone=tone,
        topic=question_topic(text.body) if tone is ReplyTone.SERVICE_QUESTION else None,
        inside_send_window=is_inside_window(now, zone, window),
        on_demand_prompts_today=(
            _on_demand_prompts_since(connection, subscriber, now - ON_DEMAND_WINDOW)
            if intent.kind is IntentKind.NEW
            else 0
        ),
        on_demand_prompts_per_day=settings.max_new_prompts_per_day,
        named_zone=resolve_place(intent.place) if intent.kind is IntentKind.ZONE else None,
        reply_to=replying_to,
        code_check=code_check(connection, text, intent, subscriber, now),
        paired=partner is not None,
        check_in_score=check_in.score if check_in else None,
        counted_this_week=sum(win.created_at >= this_week for win in counted),
        recent_tones=tuple(win.tone for win in counted),
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

    if decision.record_code_failure:
        record_failure(connection, text.phone, now)
    if subscriber is None and decision.status is not None:
        language = decision.language or intent.language or DEFAULT_LANGUAGE
        subscriber = _new_subscriber(connection, settings, text.phone, now, language)
        connection.execute(
            update(_inbound).where(_inbound.c.id == inbound_id).values(subscriber_id=subscriber.id)
        )
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
        return _reply_to_stranger(settings, catalog, text, intent, decision, concern)
    language = decision.language or subscriber.language
    local = catalog.in_language(language)
    reply_facts = _apply(
        connection, settings, local, subscriber, decision, text, inbound_id, prompt, now, catalog
    )
    reply_facts = apply_pairing(
        connection, settings, catalog, subscriber, decision, intent, reply_facts, now
    )
    if decision.record_check_in and check_in is not None:
        record_answer(connection, subscriber.id, check_in, inbound_id, subscriber.language, now)
    words = _safety_words(settings, catalog, text.phone, decision, concern, language)
    shared = None
    # A check-in's score, a greeting or a question to us is no shared answer (though a
    # concern in it still suspends the pair).
    answers = not decision.record_check_in and (
        tone is not ReplyTone.SERVICE_QUESTION or concern is not None
    )
    if partner is not None and ordinary and answers:
        shared = shared_answer(
            connection, settings, catalog, subscriber, partner, text, concern, now
        )
    if decision.reply is None:
        return None
    reply = render_reply(decision.reply, replace(reply_facts, **words), local.reply_texts())
    if shared and decision.reply is ReplyKind.ACKNOWLEDGEMENT:
        reply = f"{reply}\n{shared}"
    _keep_reply(connection, subscriber, decision, reply_facts, reply, now)
    return reply


def _reply_to_stranger(
    settings: Settings,
    catalog: Catalog,
    text: InboundText,
    intent: Intent,
    decision: Decision,
    concern: Concern | None,
) -> str | None:
    """A number with no subscriber row: in the language its words were in; a text that looks
    Spanish learns how to join in both languages."""
    if decision.reply is None:
        return None
    written_in = intent.language
    plain = plain_words(without_accents(normalize(text.body)))
    if written_in is None and concern is not None:
        # Resources in the language the danger was told in, when the detector read only it.
        told_in = text_languages(text.body)
        written_in = told_in[0] if len(told_in) == 1 else None
    languages = [written_in or DEFAULT_LANGUAGE]
    if decision.reply is ReplyKind.HOW_TO_JOIN and intent.language is None:
        languages += [
            words.language for words in catalog.vocabularies if words.looks_like(plain, text.body)
        ]
    replies = []
    for language in languages:
        words = _safety_words(settings, catalog, text.phone, decision, concern, language)
        facts = replace(_base_facts(settings, None), **words)
        texts = catalog.in_language(language).reply_texts()
        replies.append(render_reply(decision.reply, facts, texts))
    return "\n".join(replies)


# Said when the catalog has no resources file (a catalog built by hand, as some tests do).
FALLBACK_SAFETY_REPLY = "If you are in danger, please call your local emergency number."


def _safety_words(
    settings: Settings,
    catalog: Catalog,
    phone: str,
    decision: Decision,
    concern: Concern | None,
    language: str,
) -> dict[str, Any]:
    """The words of a reply that come from the resources file, in the number's country."""
    resources = catalog.safety_resources
    kind = decision.reply
    if resources is None or kind not in (ReplyKind.HELP, *_SAFETY_REPLIES):
        return {"safety_reply": FALLBACK_SAFETY_REPLY} if kind in _SAFETY_REPLIES else {}
    country = country_of(phone)
    if kind is ReplyKind.HELP:
        return {"help_line": help_line(resources, country=country, language=language)}
    if kind is ReplyKind.SAFETY_REMINDER or concern is None:
        reply = reminder_reply(resources, country=country, language=language)
    else:
        reply = safety_reply(
            resources,
            country=country,
            language=language,
            concern=concern,
            paused=decision.flag_safety,
            override=settings.safety_resources,
        )
    return {"safety_reply": reply}


_SAFETY_REPLIES = (ReplyKind.SAFETY, ReplyKind.SAFETY_REMINDER)


def _new_subscriber(
    connection: Connection, settings: Settings, phone: str, now: datetime.datetime, language: str
) -> SubscriberRow:
    # The model gives the defaults (preferred time, recap day...), so they live in one place.
    zones = zones_for_number(phone, settings.default_timezone)
    values: dict[str, Any] = Subscriber(
        phone=phone,
        status=SubscriberStatus.PENDING,
        timezone=zones[0],
        candidate_zones=" ".join(zones) if len(zones) > 1 else None,
        prompts_per_week=settings.prompts_per_week,
        language=language,
        created_at=now,
        updated_at=now,
    ).model_dump(exclude={"id"})
    values["id"] = connection.execute(
        insert(_subscriber).values(values).returning(_subscriber.c.id)
    ).scalar_one()
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
    inbound_id: int,
    prompt: LatestPrompt | None,
    now: datetime.datetime,
    notices: Catalog,
) -> ReplyFacts:
    """Writes what the decision changes for this subscriber; the facts its reply tells."""
    zone = ZoneInfo(subscriber.timezone)
    window = settings.send_window
    jitter_key = subscriber.phone
    opting_out = decision.status is SubscriberStatus.OPTED_OUT

    if decision.consent is not None and not opting_out:
        kind, method = decision.consent
        connection.execute(
            insert(table_of(ConsentEvent)).values(
                subscriber_id=subscriber.id,
                phone=subscriber.phone,
                kind=kind,
                method=method,
                message_sid=text.message_sid,
                text=text.body,
                occurred_at=now,
            )
        )
    if decision.status is not None:
        subscriber.status = decision.status
    if decision.schedule_first_prompt:
        subscriber.paused_until = None
        already_sent = latest_slots(connection, subscriber.id)
        subscriber.next_prompt_at, subscriber.next_recap_at = restarted_schedule(
            now=now,
            zones=zones_of(subscriber.timezone, subscriber.candidate_zones),
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
    if decision.anniversary is not None:
        subscriber.anniversary_month, subscriber.anniversary_day = decision.anniversary
    if decision.love_language is not None:
        subscriber.love_language = decision.love_language
    if decision.end_onboarding:
        subscriber.onboarding_question_pending = False
    if decision.language is not None:
        subscriber.language = decision.language
    local_time: datetime.time | None = None  # told back when the subscriber names a zone
    if decision.timezone is not None:
        subscriber.timezone, subscriber.candidate_zones = decision.timezone, None
        subscriber.zone_confirmed = True
        zone = ZoneInfo(decision.timezone)
        if subscriber.status is SubscriberStatus.ACTIVE:
            subscriber.next_prompt_at = rescheduled_for_new_time(
                now=now,
                current_next=subscriber.next_prompt_at,
                tz=zone,
                preferred=subscriber.preferred_time,
                window=window,
                jitter_key=jitter_key,
            )
        local_time = now.astimezone(zone).time().replace(second=0, microsecond=0)

    facts = _base_facts(settings, subscriber)
    if subscriber.paused_until is not None:
        local_until = subscriber.paused_until.astimezone(zone).date()
        facts = replace(facts, paused_until=local_until)
    facts = replace(
        facts,
        unclear_command=decision.unclear_command,
        zone=zone_label(subscriber.timezone),
        local_time=local_time,
        zone_uncertain=subscriber.candidate_zones is not None,
        zone_known=subscriber.candidate_zones is None or subscriber.next_prompt_at is not None,
        anniversary=decision.anniversary and datetime.date(2000, *decision.anniversary),
    )
    if decision.record_win and prompt is not None:
        record_win(connection, subscriber.id, inbound_id, prompt, now, decision.tone)
    if decision.reply is ReplyKind.ACKNOWLEDGEMENT and decision.tone is not None:
        pools, seed = catalog.acknowledgements, _seed(text.message_sid)
        acknowledgement = choose_acknowledgement(
            pools[decision.tone], subscriber.last_acknowledgement, seed
        )
        subscriber.last_acknowledgement = acknowledgement
        facts = replace(facts, acknowledgement=acknowledgement)
        if decision.tries_this_week is not None:
            progress = progress_phrase(decision.tries_this_week, catalog.reply_texts())
            facts = replace(facts, progress=progress)
        if decision.offer_support:
            facts = replace(facts, support=choose_acknowledgement(pools[SUPPORT_POOL], None, seed))
    if decision.reply is ReplyKind.WINS_SUMMARY:
        summary = wins_summary(
            connection, subscriber.id, subscriber.timezone, catalog.reply_texts()
        )
        facts = replace(facts, wins_summary=summary)
    if decision.send_prompt_now:
        sent = prompt_records(connection, [subscriber.id])[subscriber.id]
        zone = zones_of(subscriber.timezone, subscriber.candidate_zones)[0]
        chosen = choose_prompt(
            catalog.prompt_index,
            [record.prompt_id for record in sent],
            subscriber.love_language,
            _seed(text.message_sid),
            pacing_at(
                now,
                zone,
                subscriber.created_at,
                sent,
                (subscriber.anniversary_month, subscriber.anniversary_day),
            ),
        )
        body = render(chosen.text, {"partner": subscriber.partner_name}, catalog.fallbacks)
        facts = replace(
            facts, prompt_text=body, prompt_id=chosen.id, prompt_category=chosen.category
        )

    subscriber.updated_at = now
    changes = {name: getattr(subscriber, name) for name in _UPDATED_COLUMNS}
    connection.execute(
        _UPDATE_SUBSCRIBER,
        {"row": subscriber.id} | {f"new_{name}": value for name, value in changes.items()},
    )
    if opting_out:
        _, method = decision.consent or (None, ConsentMethod.KEYWORD)
        former_partner = opt_out(
            connection,
            subscriber_id=subscriber.id,
            phone=subscriber.phone,
            method=method,
            now=now,
            message_sid=text.message_sid,
            text=text.body,
        )
        if former_partner is not None:  # told only that it ended, never why
            notify_member(connection, settings, notices, former_partner, "pairing_ended", now)
    return facts


def _keep_reply(
    connection: Connection,
    subscriber: SubscriberRow,
    decision: Decision,
    facts: ReplyFacts,
    reply: str,
    now: datetime.datetime,
) -> None:
    """Every reply is kept, so a subscriber's history reads as the conversation it was."""
    connection.execute(
        _INSERT_REPLY,
        {
            "subscriber_id": subscriber.id,
            "phone": subscriber.phone,
            "kind": OutboundKind.PROMPT if decision.send_prompt_now else OutboundKind.REPLY,
            "prompt_id": facts.prompt_id if decision.send_prompt_now else None,
            "category": facts.prompt_category if decision.send_prompt_now else None,
            "body": reply,
            "status": OutboundStatus.REPLIED_INLINE,
            "attempts": 0,
            "created_at": now,
            "sent_at": now,
            "updated_at": now,
        },
    )


def _on_demand_prompts_since(
    connection: Connection, subscriber: SubscriberRow | None, since: datetime.datetime
) -> int:
    if subscriber is None:
        return 0
    return int(
        connection.execute(
            select(func.count()).where(
                _outbound.c.subscriber_id == subscriber.id,
                _outbound.c.kind == OutboundKind.PROMPT,
                _outbound.c.status == OutboundStatus.REPLIED_INLINE,
                _outbound.c.created_at >= since,
            )
        ).scalar_one()
    )


def _seed(message_sid: str) -> int:
    return int.from_bytes(hashlib.sha256(message_sid.encode()).digest()[:8], "big")
