"""Receiving one inbound text: store it, decide, apply the decision, word the reply.

This is the imperative shell around `decisions.decide`: it reads the database and the clock's
value handed to it, and writes the results. It never calls Twilio; replies travel in TwiML.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from service.admin.erased import is_erased
from service.catalog import Catalog, choose_acknowledgement, choose_prompt, render
from service.conversation.decisions import (
    Circumstances,
    Decision,
    ReplyKind,
    SubscriberState,
    decide,
)
from service.conversation.intents import IntentKind, parse_intent
from service.conversation.models import InboundMessage
from service.conversation.replies import ReplyFacts
from service.conversation.replies import render as render_reply
from service.conversation.safety import shows_safety_concern
from service.conversation.tone import sounds_discouraged
from service.dispatch.models import OutboundKind, OutboundMessage, OutboundStatus
from service.dispatch.outbox import cancel_unsent, prompt_histories
from service.phones import infer_timezone
from service.scheduling.schedule import (
    first_prompt_at,
    is_inside_window,
    next_recap_at,
    rescheduled_for_new_time,
    resume_at,
)
from service.settings import Settings
from service.subscribers.models import ConsentEvent, Subscriber, SubscriberStatus
from service.wins.progress import wins_summary, wins_this_week_phrase
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


def receive(
    engine: Engine, settings: Settings, catalog: Catalog, text: InboundText, now: datetime.datetime
) -> str | None:
    """The reply to send back, if any. A MessageSid seen before gets none and changes nothing.

    One transaction: the message is inserted first, the answer is worked out inside a
    savepoint, and both commit before the reply leaves. If answering fails, the savepoint is
    rolled back and the message is still committed, so nothing accepted is lost.
    """
    # No autoflush: the reads here never need pending changes (the win being logged is counted
    # as pending); flushing before every query was most of this path's cost.
    with Session(engine, expire_on_commit=False, autoflush=False) as session:
        try:
            inbound_id = session.execute(
                insert(InboundMessage)
                .values(
                    message_sid=text.message_sid,
                    phone=text.phone,
                    to_number=text.to_number,
                    body=text.body,
                    opt_out_type=text.opt_out_type,
                    received_at=now,
                )
                .returning(col(InboundMessage.id))
            ).scalar_one()
        except IntegrityError:
            session.rollback()
            return None  # Twilio retried a message we already have
        reply = _answer_in_savepoint(session, settings, catalog, text, inbound_id, now)
        session.commit()
        return reply


def _answer_in_savepoint(
    session: Session,
    settings: Settings,
    catalog: Catalog,
    text: InboundText,
    inbound_id: int,
    now: datetime.datetime,
) -> str | None:
    for attempt in (1, 2):
        try:
            with session.begin_nested():
                return _answer(session, settings, catalog, text, inbound_id, now)
        except IntegrityError:
            # Two first texts from a new number raced to create the subscriber; the row
            # exists now, so answering again finds and locks it.
            if attempt == 2:
                log.exception("inbound %s could not be answered", inbound_id)
        except Exception:
            log.exception("inbound %s could not be answered", inbound_id)
            break
    return None


def _lock_subscriber(session: Session, phone: str) -> Subscriber | None:
    query = select(Subscriber).where(Subscriber.phone == phone).with_for_update()
    return session.exec(query).first()


def _answer(
    session: Session,
    settings: Settings,
    catalog: Catalog,
    text: InboundText,
    inbound_id: int,
    now: datetime.datetime,
) -> str | None:
    subscriber = _lock_subscriber(session, text.phone)
    intent = parse_intent(text.body)
    zone = ZoneInfo(subscriber.timezone if subscriber else settings.default_timezone)
    window = settings.send_window
    ordinary = intent.kind is IntentKind.MESSAGE
    facts = Circumstances(
        twilio_answered=bool(text.opt_out_type),
        safety_concern=ordinary and shows_safety_concern(text.body),
        discouraged=ordinary and sounds_discouraged(text.body),
        inside_send_window=is_inside_window(now, zone, window),
        on_demand_prompts_today=(
            _on_demand_prompts_since(session, subscriber, now - ON_DEMAND_WINDOW)
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
        )
        if subscriber
        else None
    )
    if subscriber is None and is_erased(session, text.phone):
        # An operator erased this number (service/admin/erase.py): it stays opted out, so it
        # hears nothing until it opts in again, exactly like an opted-out subscriber.
        state = SubscriberState(SubscriberStatus.OPTED_OUT, settings.prompts_per_week)
    decision = decide(intent, state, facts)

    if subscriber is None and decision.status is not None:
        subscriber = _new_subscriber(settings, text.phone, now)
        session.add(subscriber)
        session.flush()
    if subscriber is not None:
        reply_facts = _apply(
            session, settings, catalog, subscriber, decision, text, inbound_id, now
        )
    else:
        reply_facts = _base_facts(settings, None)

    session.execute(
        update(InboundMessage)
        .where(col(InboundMessage.id) == inbound_id)
        .values(intent=intent.kind.value, subscriber_id=subscriber.id if subscriber else None)
    )
    reply = render_reply(decision.reply, reply_facts) if decision.reply else None
    if reply is not None and subscriber is not None:
        session.add(_inline_reply(subscriber, reply, decision, reply_facts, now))
    return reply


def _new_subscriber(settings: Settings, phone: str, now: datetime.datetime) -> Subscriber:
    return Subscriber(
        phone=phone,
        status=SubscriberStatus.PENDING,
        timezone=infer_timezone(phone, settings.default_timezone),
        prompts_per_week=settings.prompts_per_week,
        created_at=now,
        updated_at=now,
    )


def _base_facts(settings: Settings, subscriber: Subscriber | None) -> ReplyFacts:
    return ReplyFacts(
        program_name=settings.program_name,
        support_contact=settings.support_contact,
        prompts_per_week=subscriber.prompts_per_week if subscriber else settings.prompts_per_week,
        preferred_time=subscriber.preferred_time if subscriber else ReplyFacts.preferred_time,
        partner_name=subscriber.partner_name if subscriber else None,
        love_language=subscriber.love_language if subscriber else None,
        safety_resources=settings.safety_resources,
    )


def _apply(
    session: Session,
    settings: Settings,
    catalog: Catalog,
    subscriber: Subscriber,
    decision: Decision,
    text: InboundText,
    inbound_id: int,
    now: datetime.datetime,
) -> ReplyFacts:
    zone = ZoneInfo(subscriber.timezone)
    window = settings.send_window
    jitter_key = subscriber.phone

    if decision.consent is not None:
        kind, method = decision.consent
        session.add(
            ConsentEvent(
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
    if decision.status is SubscriberStatus.OPTED_OUT:
        subscriber.next_prompt_at = None
        subscriber.next_recap_at = None
        subscriber.paused_until = None
        cancel_unsent(session, subscriber.id, now)
    if decision.schedule_first_prompt:
        subscriber.paused_until = None
        subscriber.next_prompt_at = first_prompt_at(
            confirmed_at=now,
            tz=zone,
            preferred=subscriber.preferred_time,
            window=window,
            jitter_key=jitter_key,
        )
        subscriber.next_recap_at = next_recap_at(
            after=now, tz=zone, weekday=subscriber.recap_weekday, window=window
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
    if decision.record_win:
        record_win(session, subscriber, inbound_id, now)
        encouraging = decision.reply is ReplyKind.ENCOURAGEMENT and bool(catalog.encouragements)
        acknowledgement = choose_acknowledgement(
            catalog.encouragements if encouraging else catalog.acknowledgements,
            subscriber.last_acknowledgement,
            _seed(text.message_sid),
        )
        subscriber.last_acknowledgement = acknowledgement
        # Counting wins back to someone whose try just fell flat would ring hollow.
        progress = "" if encouraging else wins_this_week_phrase(session, subscriber, now, pending=1)
        facts = replace(facts, acknowledgement=acknowledgement, progress=progress)
    if decision.reply is ReplyKind.WINS_SUMMARY:
        facts = replace(facts, wins_summary=wins_summary(session, subscriber))
    if decision.send_prompt_now:
        assert subscriber.id is not None
        history = prompt_histories(session, [subscriber.id])[subscriber.id]
        prompt = choose_prompt(
            catalog.prompts, history, subscriber.love_language, _seed(text.message_sid)
        )
        body = render(prompt.text, {"partner": subscriber.partner_name}, catalog.fallbacks)
        facts = replace(
            facts, prompt_text=body, prompt_id=prompt.id, prompt_category=prompt.category
        )
    return facts


def _inline_reply(
    subscriber: Subscriber,
    reply: str,
    decision: Decision,
    facts: ReplyFacts,
    now: datetime.datetime,
) -> OutboundMessage:
    """Every reply is kept, so a subscriber's history reads as the conversation it was."""
    return OutboundMessage(
        subscriber_id=subscriber.id,
        phone=subscriber.phone,
        kind=OutboundKind.PROMPT if decision.send_prompt_now else OutboundKind.REPLY,
        prompt_id=facts.prompt_id if decision.send_prompt_now else None,
        category=facts.prompt_category if decision.send_prompt_now else None,
        body=reply,
        status=OutboundStatus.REPLIED_INLINE,
        created_at=now,
        sent_at=now,
        updated_at=now,
    )


def _on_demand_prompts_since(
    session: Session, subscriber: Subscriber | None, since: datetime.datetime
) -> int:
    if subscriber is None:
        return 0
    query = select(func.count()).where(
        OutboundMessage.subscriber_id == subscriber.id,
        OutboundMessage.kind == OutboundKind.PROMPT,
        OutboundMessage.status == OutboundStatus.REPLIED_INLINE,
        col(OutboundMessage.created_at) >= since,
    )
    return int(session.exec(query).one())


def _seed(message_sid: str) -> int:
    return int.from_bytes(hashlib.sha256(message_sid.encode()).digest()[:8], "big")
