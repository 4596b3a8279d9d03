"""What couples tests share: pairing two phones, and the notices waiting for a partner."""

from __future__ import annotations

import re

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from service.dispatch.models import OutboundMessage, OutboundStatus
from tests.phone import Phone


def paired(phone: Phone, partner: Phone) -> None:
    """Both join; `phone` asks for a code and `partner` texts it."""
    phone.join()
    partner.join()
    [code] = re.findall(r"\b\d{6}\b", phone.text("PAIR") or "")
    assert "paired" in (partner.text(f"PAIR {code}") or "")


def notices_to(engine: Engine, number: str) -> list[str]:
    """Messages waiting for a dispatch pass (a partner's notices wait so), oldest first."""
    with Session(engine) as session:
        rows = session.exec(
            select(OutboundMessage)
            .where(
                OutboundMessage.phone == number, OutboundMessage.status == OutboundStatus.CLAIMED
            )
            .order_by(col(OutboundMessage.id))
        )
        return [row.body for row in rows]
