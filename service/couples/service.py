"""Pairing in the database: codes, pairs, and the notices a partner gets."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import Connection, and_, func, insert, or_, select, update

from service.couples.models import FailedPairCode, Pair, PairCode
from service.couples.models import SharedQuestion as SharedQuestionRow
from service.couples.pairing import CODE_LIFETIME, FAILURE_PERIOD, CodeFacts
from service.couples.reveal import ANSWER_WINDOW, QUESTION_EVERY, QuestionState
from service.database import table_of
from service.dispatch.models import OutboundKind, OutboundMessage, OutboundStatus
from service.subscribers.models import Subscriber, SubscriberStatus

_pair = table_of(Pair)
_code = table_of(PairCode)
_failed = table_of(FailedPairCode)
_subscriber = table_of(Subscriber)
_outbound = table_of(OutboundMessage)


class Partner(NamedTuple):
    pair_id: int
    partner_id: int
    side: str  # the member's own: "first" (who asked for the code) or "second"


def partner_of(connection: Connection, subscriber_id: int) -> Partner | None:
    """The member's open pair, if any, and who is on the other side."""
    found = partners_of(connection, [subscriber_id]).get(subscriber_id)
    return found[0] if found else None


def partners_of(
    connection: Connection, subscriber_ids: Sequence[int]
) -> dict[int, tuple[Partner, int]]:
    """For each of these members in an open pair: the pair as they see it, and their
    partner's cadence (prompts a week). One query, for one member or a dispatch batch."""
    if not subscriber_ids:
        return {}
    first, second = _subscriber.alias("first"), _subscriber.alias("second")
    rows = connection.execute(
        select(
            _pair.c.id,
            _pair.c.first_id,
            _pair.c.second_id,
            first.c.prompts_per_week,
            second.c.prompts_per_week,
        )
        .join(first, first.c.id == _pair.c.first_id)
        .join(second, second.c.id == _pair.c.second_id)
        .where(
            _pair.c.ended_at.is_(None),
            or_(_pair.c.first_id.in_(subscriber_ids), _pair.c.second_id.in_(subscriber_ids)),
        )
    )
    wanted = set(subscriber_ids)
    found: dict[int, tuple[Partner, int]] = {}
    for pair_id, first_id, second_id, first_cadence, second_cadence in rows:
        if first_id in wanted:
            found[first_id] = (Partner(pair_id, second_id, "first"), second_cadence)
        if second_id in wanted:
            found[second_id] = (Partner(pair_id, first_id, "second"), first_cadence)
    return found


def new_code(connection: Connection, owner_id: int, now: datetime.datetime) -> str:
    """A fresh code for `owner_id`, unlike any code still open; the owner's older open codes
    stop working."""
    connection.execute(
        update(_code)
        .where(_code.c.owner_id == owner_id, _code.c.used_at.is_(None))
        .values(expires_at=now)
    )
    while True:
        code = f"{secrets.randbelow(1_000_000):06d}"
        taken = connection.execute(
            select(_code.c.id).where(_code.c.code == code, _code.c.expires_at > now).limit(1)
        ).first()
        if taken is None:
            break
    connection.execute(
        insert(_code).values(
            code=code, owner_id=owner_id, created_at=now, expires_at=now + CODE_LIFETIME
        )
    )
    return code


def code_facts(connection: Connection, code: str) -> CodeFacts | None:
    """The newest code with these digits, and its owner as they are now."""
    row = connection.execute(
        select(_code.c.owner_id, _code.c.expires_at, _code.c.used_at, _subscriber.c.status)
        .join(_subscriber, _subscriber.c.id == _code.c.owner_id)
        .where(_code.c.code == code)
        .order_by(_code.c.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return CodeFacts(
        owner_id=row.owner_id,
        expires_at=row.expires_at,
        used=row.used_at is not None,
        owner_active=row.status in (SubscriberStatus.ACTIVE, SubscriberStatus.PAUSED),
        owner_paired=partner_of(connection, row.owner_id) is not None,
    )


def pair_with(connection: Connection, code: str, claimant_id: int, now: datetime.datetime) -> int:
    """Uses the code and pairs its owner with `claimant_id`; the owner's id."""
    owner_id: int = connection.execute(
        update(_code)
        .where(_code.c.code == code, _code.c.used_at.is_(None), _code.c.expires_at > now)
        .values(used_at=now)
        .returning(_code.c.owner_id)
    ).scalar_one()
    connection.execute(
        insert(_pair).values(first_id=owner_id, second_id=claimant_id, created_at=now)
    )
    return owner_id


def end_pair(connection: Connection, subscriber_id: int, now: datetime.datetime) -> int | None:
    """Ends the member's open pair; the partner's id, or None when they had none."""
    partner = partner_of(connection, subscriber_id)
    if partner is None:
        return None
    connection.execute(update(_pair).where(_pair.c.id == partner.pair_id).values(ended_at=now))
    # Its open question closes unrevealed, with no reminder or notice about it.
    suspend_questions(connection, partner.pair_id, now)
    return partner.partner_id


def recent_failures(connection: Connection, phone: str, now: datetime.datetime) -> int:
    return int(
        connection.execute(
            select(func.count()).where(
                and_(_failed.c.phone == phone, _failed.c.at > now - FAILURE_PERIOD)
            )
        ).scalar_one()
    )


def record_failure(connection: Connection, phone: str, now: datetime.datetime) -> None:
    connection.execute(_failed.delete().where(_failed.c.at <= now - FAILURE_PERIOD))
    connection.execute(insert(_failed).values(phone=phone, at=now))


def notify(
    connection: Connection,
    subscriber_id: int,
    phone: str,
    body: str,
    now: datetime.datetime,
    send_at: datetime.datetime,
) -> None:
    """A message to the partner, sent by the next dispatch pass at or after `send_at` (inside
    their own window): it waits `claimed`, as any prompt, and passes the same check."""
    connection.execute(
        insert(_outbound).values(
            subscriber_id=subscriber_id,
            phone=phone,
            kind=OutboundKind.REPLY,
            body=body,
            status=OutboundStatus.CLAIMED,
            attempts=0,
            lease_until=send_at,
            created_at=now,
            updated_at=now,
        )
    )


_question = table_of(SharedQuestionRow)


class OpenQuestion(NamedTuple):
    id: int
    number: int
    side: str  # "first" or "second": which partner's columns are this member's
    state: QuestionState
    their_answer: str | None


def is_suspended(connection: Connection, pair_id: int) -> bool:
    """A member of the pair wrote something that showed a safety concern, and an operator has
    not reviewed it yet: nothing is revealed, and no new question is asked."""
    flagged = connection.execute(
        select(func.count())
        .select_from(_pair)
        .join(
            _subscriber,
            or_(_subscriber.c.id == _pair.c.first_id, _subscriber.c.id == _pair.c.second_id),
        )
        .where(_pair.c.id == pair_id, _subscriber.c.safety_flagged_at.is_not(None))
    ).scalar_one()
    return bool(flagged)


def open_question(
    connection: Connection, partner: Partner, now: datetime.datetime
) -> OpenQuestion | None:
    """The pair's latest question still open, as the member `partner` was read for sees it."""
    row = connection.execute(
        select(_question)
        .where(
            _question.c.pair_id == partner.pair_id,
            _question.c.closed_at.is_(None),
            _question.c.revealed_at.is_(None),
            _question.c.closes_at > now,
        )
        .order_by(_question.c.id.desc())
        .limit(1)
        # Both partners answering at the same instant: the second waits and reads the
        # first's answer, so exactly one of them triggers the reveal.
        .with_for_update()
    ).first()
    if row is None:
        return None
    mine = partner.side
    theirs = "second" if mine == "first" else "first"
    state = QuestionState(
        sent_to_me=getattr(row, f"{mine}_sent_at") is not None,
        i_answered=getattr(row, f"{mine}_answer") is not None,
        they_answered=getattr(row, f"{theirs}_answer") is not None,
        closes_at=row.closes_at,
        closed=is_suspended(connection, partner.pair_id),
    )
    return OpenQuestion(row.id, row.number, mine, state, getattr(row, f"{theirs}_answer"))


def question_to_send(
    connection: Connection, partner: Partner, count: int, now: datetime.datetime
) -> int | None:
    """The number of the shared question this member's prompt should be, marked as sent to
    them: the pair's open one they have not had, or a new one when the pair had none this
    week (the first prompt after pairing always is one). None: an individual prompt."""
    if count == 0:
        return None
    question = open_question(connection, partner, now)
    if question is not None and (question.state.sent_to_me or question.state.closed):
        return None  # already theirs, or the pair is suspended
    if question is None:
        if is_suspended(connection, partner.pair_id):
            return None
        latest = connection.execute(
            select(_question.c.created_at)
            .where(_question.c.pair_id == partner.pair_id)
            .order_by(_question.c.id.desc())
            .limit(1)
        ).scalar()
        if latest is not None and now - latest < QUESTION_EVERY:
            return None
        asked = set(
            connection.execute(
                select(_question.c.number).where(_question.c.pair_id == partner.pair_id)
            ).scalars()
        )
        fresh = [n for n in range(count) if n not in asked] or list(range(count))
        number = fresh[secrets.randbelow(len(fresh))]
        question_id = connection.execute(
            insert(_question)
            .values(
                pair_id=partner.pair_id,
                number=number,
                created_at=now,
                closes_at=now + ANSWER_WINDOW,
            )
            .returning(_question.c.id)
        ).scalar_one()
        side = partner.side
    else:
        question_id, number, side = question.id, question.number, question.side
    connection.execute(
        update(_question).where(_question.c.id == question_id).values({f"{side}_sent_at": now})
    )
    return number


def keep_answer(
    connection: Connection, question: OpenQuestion, answer: str, now: datetime.datetime
) -> None:
    values: dict[str, object] = {f"{question.side}_answer": answer[:1600]}
    if question.their_answer is not None:
        values["revealed_at"] = now
    connection.execute(update(_question).where(_question.c.id == question.id).values(values))


def suspend_questions(connection: Connection, pair_id: int, now: datetime.datetime) -> None:
    """After a safety concern: the pair's open questions close unrevealed, silently."""
    connection.execute(
        update(_question)
        .where(
            _question.c.pair_id == pair_id,
            _question.c.closed_at.is_(None),
            _question.c.revealed_at.is_(None),
        )
        .values(closed_at=now)
    )
