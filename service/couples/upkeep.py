"""What a dispatch pass does for pairs besides prompts: one reminder a day on, and closing a
question at 48 hours, telling whoever answered that their answer stays unshared."""

from __future__ import annotations

import datetime

from sqlalchemy import Connection, select, update

from service.catalog import Catalog
from service.couples.models import Pair
from service.couples.models import SharedQuestion as SharedQuestionRow
from service.couples.notices import notify_member
from service.couples.reveal import REMIND_AFTER
from service.database import table_of
from service.settings import Settings

_question = table_of(SharedQuestionRow)
_pair = table_of(Pair)


def remind_and_close(
    connection: Connection, settings: Settings, catalog: Catalog, now: datetime.datetime
) -> tuple[int, int]:
    """Reminders queued and questions closed."""
    reminded = closed = 0
    open_questions = connection.execute(
        select(_question, _pair.c.first_id, _pair.c.second_id)
        .join(_pair, _pair.c.id == _question.c.pair_id)
        .where(_question.c.closed_at.is_(None), _question.c.revealed_at.is_(None))
        .with_for_update(of=_question, skip_locked=True)
    ).all()
    for row in open_questions:
        members = {"first": row.first_id, "second": row.second_id}
        if now >= row.closes_at:
            connection.execute(
                update(_question).where(_question.c.id == row.id).values(closed_at=now)
            )
            closed += 1
            for side, member in members.items():
                if getattr(row, f"{side}_answer") is not None:
                    notify_member(connection, settings, catalog, member, "question_closed", now)
            continue
        if now - row.created_at < REMIND_AFTER:
            continue
        for side, member in members.items():
            waiting = (
                getattr(row, f"{side}_sent_at") is not None
                and getattr(row, f"{side}_answer") is None
                and getattr(row, f"{side}_reminded_at") is None
            )
            if waiting:
                connection.execute(
                    update(_question)
                    .where(_question.c.id == row.id)
                    .values({f"{side}_reminded_at": now})
                )
                notify_member(connection, settings, catalog, member, "question_reminder", now)
                reminded += 1
    return reminded, closed
