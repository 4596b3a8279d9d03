"""Erasing a subscriber: their messages and personal data go; an anonymised tombstone stays.

What is deleted: the subscriber row, every message they sent or were sent (matched by id and
by number, so texts from before they joined go too), their wins, their check-in answers and
their safety flags (the audit log of operators' views keeps only ids). What is kept: the consent
log, with the number replaced by a keyed digest and the free text removed, because carriers ask
for the record of consent and opt-out; and the number's digest in `erased_number`, so the
inbound path treats the number as opted out and nothing is ever sent to it by mistake.

Erasing is an opt-out: someone whose data is gone cannot be texted, so an operator opt-out is
logged when the person had not already opted out.
"""

from __future__ import annotations

import datetime

from pydantic import BaseModel
from sqlalchemy import Engine, delete, or_, update
from sqlmodel import col, select

from service.admin.erased import ErasedNumber, phone_digest, tombstone_phone
from service.checkins.models import CheckIn
from service.conversation.models import InboundMessage
from service.couples.models import FailedPairCode, Pair, PairCode, SharedQuestion
from service.database import session_scope
from service.dispatch.models import OutboundMessage
from service.safety.models import SafetyFlag
from service.subscribers.models import ConsentEvent, ConsentMethod, Subscriber, SubscriberStatus
from service.subscribers.service import opt_out
from service.wins.models import Win


class Erasure(BaseModel):
    subscriber_id: int
    messages_deleted: int
    wins_deleted: int
    consent_events_kept: int


def erase_subscriber(engine: Engine, subscriber_id: int, now: datetime.datetime) -> Erasure | None:
    """Erase one subscriber; None when there is no such subscriber."""
    with session_scope(engine) as session:
        subscriber = session.exec(
            select(Subscriber).where(Subscriber.id == subscriber_id).with_for_update()
        ).first()
        if subscriber is None:
            return None
        phone = subscriber.phone
        tombstone = tombstone_phone(phone)
        if subscriber.status is not SubscriberStatus.OPTED_OUT:
            opt_out(
                session.connection(),
                subscriber_id=subscriber_id,
                phone=phone,
                method=ConsentMethod.OPERATOR,
                now=now,
            )

        inbound_ids = select(InboundMessage.id).where(
            or_(
                col(InboundMessage.subscriber_id) == subscriber_id,
                col(InboundMessage.phone) == phone,
            )
        )
        outbound_ids = select(OutboundMessage.id).where(
            or_(
                col(OutboundMessage.subscriber_id) == subscriber_id,
                col(OutboundMessage.phone) == phone,
            )
        )
        wins = session.execute(
            delete(Win).where(
                or_(
                    col(Win.subscriber_id) == subscriber_id,
                    col(Win.inbound_id).in_(inbound_ids),
                    col(Win.outbound_id).in_(outbound_ids),
                )
            )
        )
        session.execute(
            delete(CheckIn).where(
                or_(
                    col(CheckIn.subscriber_id) == subscriber_id,
                    col(CheckIn.inbound_id).in_(inbound_ids),
                    col(CheckIn.outbound_id).in_(outbound_ids),
                )
            )
        )
        session.execute(
            delete(SafetyFlag).where(
                or_(col(SafetyFlag.subscriber_id) == subscriber_id, col(SafetyFlag.phone) == phone)
            )
        )
        inbound = session.execute(
            delete(InboundMessage).where(col(InboundMessage.id).in_(inbound_ids))
        )
        outbound = session.execute(
            delete(OutboundMessage).where(col(OutboundMessage.id).in_(outbound_ids))
        )
        kept = session.execute(
            update(ConsentEvent)
            .where(
                or_(
                    col(ConsentEvent.subscriber_id) == subscriber_id,
                    col(ConsentEvent.phone) == phone,
                )
            )
            .values(phone=tombstone, text=None, subscriber_id=None)
        )
        # Pairs and codes name the subscriber; the partner's side of a pair goes with it,
        # and so do the pair's questions and both answers (theirs is shown to nobody now).
        their_pairs = select(Pair.id).where(
            or_(col(Pair.first_id) == subscriber_id, col(Pair.second_id) == subscriber_id)
        )
        session.execute(delete(SharedQuestion).where(col(SharedQuestion.pair_id).in_(their_pairs)))
        session.execute(delete(Pair).where(col(Pair.id).in_(their_pairs)))
        session.execute(delete(PairCode).where(col(PairCode.owner_id) == subscriber_id))
        session.execute(delete(FailedPairCode).where(col(FailedPairCode.phone) == phone))
        digest = phone_digest(phone)
        if session.get(ErasedNumber, digest) is None:
            session.add(ErasedNumber(phone_hash=digest, erased_at=now))
        session.delete(subscriber)
        return Erasure(
            subscriber_id=subscriber_id,
            messages_deleted=_count(inbound) + _count(outbound),
            wins_deleted=_count(wins),
            consent_events_kept=_count(kept),
        )


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
