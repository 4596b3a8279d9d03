"""Messages to one partner about the pair: in their language, inside their own window."""

from __future__ import annotations

import datetime

from sqlalchemy import Connection, select

from service.catalog import Catalog
from service.couples.service import notify
from service.database import table_of
from service.scheduling.schedule import first_shared_moment
from service.scheduling.zones import zones_of
from service.settings import Settings
from service.sms_encoding import smart_encoded
from service.subscribers.models import Subscriber, SubscriberStatus

_subscriber = table_of(Subscriber)


def named(partner: str, key: str) -> str:
    """The partner as a reply names them: a reveal starts with them ("Your partner answered")."""
    return partner[:1].upper() + partner[1:] if key == "reveal" else partner


def notify_member(
    connection: Connection,
    settings: Settings,
    catalog: Catalog,
    member_id: int,
    key: str,
    now: datetime.datetime,
    answer: str = "",
) -> None:
    """Queue the reply text `key` for this member; nothing when they are not active."""
    member = connection.execute(
        select(
            _subscriber.c.phone,
            _subscriber.c.language,
            _subscriber.c.partner_name,
            _subscriber.c.timezone,
            _subscriber.c.candidate_zones,
            _subscriber.c.status,
        ).where(_subscriber.c.id == member_id)
    ).one()
    if member.status is not SubscriberStatus.ACTIVE:
        return  # paused or gone: nothing is sent to them
    local = catalog.in_language(member.language)
    if local.replies is None:
        return
    body = smart_encoded(
        local.replies.reply(
            key,
            program=settings.program_name,
            partner=named(member.partner_name or local.fallbacks.get("partner", ""), key),
            answer=answer,
        )
    )
    zones = zones_of(member.timezone, member.candidate_zones)
    send_at = first_shared_moment(now, zones, settings.send_window) or now
    notify(connection, member_id, member.phone, body, now, send_at)
