"""Programme figures for operators."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from service.dispatch.models import OutboundKind, OutboundMessage, OutboundStatus
from service.subscribers.models import Subscriber, SubscriberStatus
from service.wins.models import Win

DELIVERED_OR_ON_ITS_WAY = (
    OutboundStatus.ACCEPTED,
    OutboundStatus.QUEUED,
    OutboundStatus.SENT,
    OutboundStatus.DELIVERED,
    OutboundStatus.REPLIED_INLINE,
)


def programme_stats(engine: Engine) -> dict[str, Any]:
    with Session(engine) as session:
        by_status = dict(
            session.exec(
                select(Subscriber.status, func.count()).group_by(col(Subscriber.status))
            ).all()
        )
        prompts_sent = session.exec(
            select(func.count()).where(
                col(OutboundMessage.kind) == OutboundKind.PROMPT,
                col(OutboundMessage.status).in_(DELIVERED_OR_ON_ITS_WAY),
            )
        ).one()
        wins = session.exec(select(func.count()).select_from(Win)).one()
        flagged = session.exec(
            select(func.count()).where(col(Subscriber.safety_flagged_at).is_not(None))
        ).one()
        failures = dict(
            session.exec(
                select(OutboundMessage.error_code, func.count())
                .where(col(OutboundMessage.error_code).is_not(None))
                .group_by(col(OutboundMessage.error_code))
            ).all()
        )
    return {
        "subscribers": {status.value: int(by_status.get(status, 0)) for status in SubscriberStatus},
        "prompts_sent": int(prompts_sent),
        "wins": int(wins),
        "reply_rate": round(int(wins) / int(prompts_sent), 3) if prompts_sent else 0.0,
        "safety_flagged": int(flagged),
        "delivery_failures": {str(code): int(n) for code, n in failures.items()},
    }
