"""Safety flags: recording a concerning text, and what operators see and do about it.

A flag is written for every concerning text, from a member, a pending number or a stranger, in
the transaction that answers it. Operators read flags on the dashboard: every view of a flagged
text and every action on one is written to the audit log, in the same transaction as the action.
A member's own flag (`Subscriber.safety_flagged_at`) stays until every one of their flags is
reviewed, whatever they text meanwhile; RESUME restarts their prompts, never the review.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, insert, select
from sqlmodel import Session, col

from service.admin.export import csv_lines, rows_in_batches, safe_cell
from service.conversation.models import InboundMessage
from service.database import session_scope
from service.dispatch.outbox import LatestSlots, latest_slots
from service.phones import mask_phone
from service.safety.detection import Concern
from service.safety.models import AuditAction, SafetyAudit, SafetyFlag
from service.scheduling.schedule import SendWindow, restarted_schedule
from service.scheduling.zones import zones_of
from service.subscribers.models import Subscriber, SubscriberStatus

RESOURCES_AT_MOST_EVERY = datetime.timedelta(days=1)
AUDIT_COLUMNS = ("occurred_at", "actor", "action", "flag_id", "subscriber_id", "note")


def record_flag(
    connection: Connection,
    *,
    subscriber_id: int | None,
    phone: str,
    message_sid: str,
    concern: Concern,
    resources_sent: bool,
    now: datetime.datetime,
) -> None:
    connection.execute(
        insert(SafetyFlag).values(
            subscriber_id=subscriber_id,
            phone=phone,
            message_sid=message_sid,
            families=",".join(concern.families),
            matched=concern.explanation()[:1000],
            imminent=concern.imminent,
            resources_sent=resources_sent,
            created_at=now,
        )
    )


def resources_sent_recently(connection: Connection, phone: str, now: datetime.datetime) -> bool:
    """Whether this number was sent the resources less than a day ago."""
    since = now - RESOURCES_AT_MOST_EVERY
    found = connection.execute(
        select(func.count())
        .select_from(SafetyFlag)
        .where(
            col(SafetyFlag.phone) == phone,
            col(SafetyFlag.resources_sent).is_(True),
            col(SafetyFlag.created_at) > since,
        )
    ).scalar_one()
    return bool(found)


@dataclass(frozen=True)
class FlagView:
    id: int
    subscriber_id: int | None
    phone: str  # masked
    text: str | None  # None once erased
    families: tuple[str, ...]
    matched: str
    imminent: bool
    created_at: datetime.datetime
    status: str  # the subscriber's status, or "not a member"
    reviewed_at: datetime.datetime | None
    reviewed_by: str | None
    review_note: str | None


def list_flags(engine: Engine, *, limit: int, actor: str, now: datetime.datetime) -> list[FlagView]:
    """The newest flags with their texts; the views are audited in the same transaction."""
    with session_scope(engine) as session:
        rows = session.execute(
            select(SafetyFlag, col(InboundMessage.body), col(Subscriber.status))
            .outerjoin(InboundMessage, col(InboundMessage.message_sid) == SafetyFlag.message_sid)
            .outerjoin(Subscriber, col(Subscriber.id) == SafetyFlag.subscriber_id)
            .order_by(col(SafetyFlag.created_at).desc(), col(SafetyFlag.id).desc())
            .limit(limit)
        ).all()
        views = [_view(flag, body, status) for flag, body, status in rows]
        session.add_all(
            SafetyAudit(
                occurred_at=now,
                actor=actor,
                action=AuditAction.VIEWED,
                flag_id=view.id,
                subscriber_id=view.subscriber_id,
            )
            for view in views
        )
    return views


def _view(flag: SafetyFlag, body: str | None, status: SubscriberStatus | None) -> FlagView:
    assert flag.id is not None
    return FlagView(
        id=flag.id,
        subscriber_id=flag.subscriber_id,
        phone=mask_phone(flag.phone),
        text=body,
        families=tuple(flag.families.split(",")),
        matched=flag.matched,
        imminent=flag.imminent,
        created_at=flag.created_at,
        status=status.value.replace("_", " ") if status else "not a member",
        reviewed_at=flag.reviewed_at,
        reviewed_by=flag.reviewed_by,
        review_note=flag.review_note,
    )


def act_on_flag(
    engine: Engine,
    *,
    flag_id: int,
    action: AuditAction,
    note: str | None,
    actor: str,
    window: SendWindow,
    now: datetime.datetime,
) -> bool:
    """Mark a flag reviewed, keep its member paused, or resume their prompts; False when
    there is no such flag. The action and its audit row are one transaction."""
    with session_scope(engine) as session:
        flag = session.get(SafetyFlag, flag_id, with_for_update=True)
        if flag is None:
            return False
        member = (
            session.get(Subscriber, flag.subscriber_id, with_for_update=True)
            if flag.subscriber_id is not None
            else None
        )
        if action is AuditAction.REVIEWED:
            flag.reviewed_at, flag.reviewed_by, flag.review_note = now, actor, note
            session.add(flag)
            session.flush()
            if member is not None and not _unreviewed(session, member):
                member.safety_flagged_at = None
        elif member is not None and action is AuditAction.KEPT_PAUSED:
            if member.status is SubscriberStatus.ACTIVE:
                member.status, member.paused_until = SubscriberStatus.PAUSED, None
        elif (
            member is not None
            and action is AuditAction.RESUMED
            and member.status is SubscriberStatus.PAUSED
        ):
            assert member.id is not None  # a stored row
            _resume(member, latest_slots(session.connection(), member.id), window, now)
        if member is not None:
            member.updated_at = now
            session.add(member)
        session.add(
            SafetyAudit(
                occurred_at=now,
                actor=actor,
                action=action,
                flag_id=flag_id,
                subscriber_id=flag.subscriber_id,
                note=note,
            )
        )
    return True


def _unreviewed(session: Session, member: Subscriber) -> bool:
    count = session.execute(
        select(func.count())
        .select_from(SafetyFlag)
        .where(
            col(SafetyFlag.subscriber_id) == member.id,
            col(SafetyFlag.reviewed_at).is_(None),
        )
    ).scalar_one()
    return bool(count)


def _resume(
    member: Subscriber, already_sent: LatestSlots, window: SendWindow, now: datetime.datetime
) -> None:
    member.status, member.paused_until = SubscriberStatus.ACTIVE, None
    member.next_prompt_at, member.next_recap_at = restarted_schedule(
        now=now,
        zones=zones_of(member.timezone, member.candidate_zones),
        preferred=member.preferred_time,
        recap_weekday=member.recap_weekday,
        window=window,
        jitter_key=member.phone,
        last_prompt_slot=already_sent.prompt,
        last_recap_slot=already_sent.recap,
    )


def audit_csv(engine: Engine) -> Iterator[str]:
    return csv_lines(
        AUDIT_COLUMNS, rows_in_batches(engine, SafetyAudit, SafetyAudit.id, _audit_row)
    )


def _audit_row(entry: SafetyAudit) -> Sequence[object]:
    return (
        safe_cell(entry.occurred_at),
        safe_cell(entry.actor),
        entry.action.value,
        safe_cell(entry.flag_id),
        safe_cell(entry.subscriber_id),
        safe_cell(entry.note),
    )
