"""What a member's text does to their pair: a code checked, a pair made or ended, a shared
answer kept and revealed. The couples side of answering a text (conversation/inbound.py)."""

from __future__ import annotations

import datetime
from dataclasses import replace
from typing import TYPE_CHECKING

from sqlalchemy import Connection, update

from service.catalog import Catalog
from service.conversation.decisions import Decision
from service.conversation.intents import Intent, IntentKind
from service.conversation.replies import ReplyFacts
from service.couples.notices import named, notify_member
from service.couples.pairing import CodeCheck, check_code, is_code
from service.couples.reveal import Outcome, outcome, quoted
from service.couples.service import (
    Partner,
    code_facts,
    end_pair,
    keep_answer,
    new_code,
    open_question,
    pair_with,
    recent_failures,
    suspend_questions,
)
from service.database import table_of
from service.safety.detection import Concern
from service.settings import Settings
from service.sms_encoding import smart_encoded
from service.subscribers.models import Subscriber

if TYPE_CHECKING:  # inbound.py imports this module
    from service.conversation.inbound import InboundText, SubscriberRow

_subscriber = table_of(Subscriber)


def shared_answer(
    connection: Connection,
    settings: Settings,
    catalog: Catalog,
    subscriber: SubscriberRow,
    partner: Partner,
    text: InboundText,
    concern: Concern | None,
    now: datetime.datetime,
) -> str | None:
    """A paired member's text to their open shared question: kept as their answer, and when
    both have answered, each gets the other's. A concern is never forwarded: the pair's
    questions close unrevealed, and the partner hears nothing of it."""
    if concern is not None:
        suspend_questions(connection, partner.pair_id, now)
        return None
    question = open_question(connection, partner, now)
    result = outcome(question.state if question else None, now)
    if question is None or result is Outcome.NOT_AN_ANSWER:
        return None
    keep_answer(connection, question, text.body, now)
    local = catalog.in_language(subscriber.language)
    texts = local.reply_texts()
    if result is Outcome.KEPT:
        return smart_encoded(texts.reply("answer_kept"))
    assert question.their_answer is not None  # Outcome.REVEAL says so
    notify_member(
        connection, settings, catalog, partner.partner_id, "reveal", now, answer=quoted(text.body)
    )
    name = named(subscriber.partner_name or local.fallbacks.get("partner", ""), "reveal")
    return texts.reply("reveal", partner=name, answer=quoted(question.their_answer))


def code_check(
    connection: Connection,
    text: InboundText,
    intent: Intent,
    subscriber: SubscriberRow | None,
    now: datetime.datetime,
) -> CodeCheck | None:
    """The code a text carries (PAIR 123456, JOIN 123456), or the one a pending member joined
    with when they confirm, checked against the database."""
    code = intent.code
    if code is None and intent.kind is IntentKind.CONFIRM and subscriber is not None:
        code = subscriber.pending_pair_code
        if code is None:
            return None
        found = code_facts(connection, code)
        return check_code(code, found, subscriber.id, 0, now)
    if code is None:
        return None
    found = code_facts(connection, code) if is_code(code) else None
    failures = recent_failures(connection, text.phone, now)
    return check_code(code, found, subscriber.id if subscriber else None, failures, now)


def apply_pairing(
    connection: Connection,
    settings: Settings,
    catalog: Catalog,
    subscriber: SubscriberRow,
    decision: Decision,
    intent: Intent,
    facts: ReplyFacts,
    now: datetime.datetime,
) -> ReplyFacts:
    """Codes, pairs and the partner's notices; the reply's facts, with the code or the
    partner's name (theirs for their partner, as they set it with NAME)."""
    local = catalog.in_language(subscriber.language)
    partner_name = subscriber.partner_name or local.fallbacks.get("partner", "")
    if decision.pending_pair_code is not None:
        connection.execute(
            update(_subscriber)
            .where(_subscriber.c.id == subscriber.id)
            .values(pending_pair_code=decision.pending_pair_code)
        )
    if decision.issue_pair_code:
        facts = replace(facts, pair_code=new_code(connection, subscriber.id, now))
    if decision.pair_now:
        code = intent.code or subscriber.pending_pair_code
        assert code is not None  # the decision saw it valid
        owner = pair_with(connection, code, subscriber.id, now)
        connection.execute(
            update(_subscriber)
            .where(_subscriber.c.id == subscriber.id)
            .values(pending_pair_code=None)
        )
        notify_member(connection, settings, catalog, owner, "partner_paired", now)
        facts = replace(facts, partner_name=partner_name, paired_now=True)
    if decision.end_pairing:
        former = end_pair(connection, subscriber.id, now)
        if former is not None:
            notify_member(connection, settings, catalog, former, "pairing_ended", now)
    return facts
