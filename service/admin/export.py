"""CSV exports: the programme's weekly figures, the consent log carriers ask for, and the
closeness check-in answers a programme shows its funders.

The consent log carries the full number: it is the proof of who agreed to be texted and when,
which is what a carrier audit asks for. Erased numbers appear as their anonymised tombstone.
The check-in answers carry no number and no id: each member appears as a random key of their
own, so that their answers can be followed over months without saying who they are. Free text
is neutralised against spreadsheet formula injection.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, col, select

from service.admin.stats import WeekRow
from service.checkins.models import CheckIn
from service.subscribers.models import ConsentEvent

WEEK_COLUMNS = ("week_start", "joins", "opt_outs", "active", "prompts_sent", "wins")
CONSENT_COLUMNS = (
    "occurred_at",
    "phone",
    "kind",
    "method",
    "message_sid",
    "text",
    "subscriber_id",
)
CHECK_IN_COLUMNS = ("member", "date", "score", "month_in_programme", "language")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 1000
T = TypeVar("T", bound=SQLModel)


def safe_cell(value: object) -> str:
    """A cell a spreadsheet will show as text, never evaluate."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def weeks_csv(weeks: Iterable[WeekRow]) -> Iterator[str]:
    return csv_lines(
        WEEK_COLUMNS,
        (
            (w.week_start.isoformat(), w.joins, w.opt_outs, w.active, w.prompts_sent, w.wins)
            for w in weeks
        ),
    )


def rows_in_batches(
    engine: Engine, model: type[T], key: Any, row: Callable[[T], Sequence[object]]
) -> Iterator[Sequence[object]]:
    """Every row of an append-only table, oldest first by its integer `key` column, as `row`
    shapes it, read in batches so memory stays flat."""
    last = 0
    while True:
        with Session(engine) as session:
            batch = session.exec(
                select(model).where(col(key) > last).order_by(col(key)).limit(BATCH)
            ).all()
        if not batch:
            return
        yield from (row(item) for item in batch)
        last = getattr(batch[-1], str(key.key))


def consent_row(event: ConsentEvent) -> Sequence[object]:
    return (
        safe_cell(event.occurred_at),
        event.phone,  # E.164 or an erased tombstone ("#..."): never a formula
        event.kind.value,
        event.method.value,
        safe_cell(event.message_sid),
        safe_cell(event.text),
        safe_cell(event.subscriber_id),
    )


def consent_csv(engine: Engine) -> Iterator[str]:
    return csv_lines(
        CONSENT_COLUMNS, rows_in_batches(engine, ConsentEvent, ConsentEvent.id, consent_row)
    )


def check_in_row(answer: CheckIn) -> Sequence[object]:
    return (
        answer.member_key,  # random hex: never a formula
        answer.answered_at.astimezone(datetime.UTC).date().isoformat(),
        answer.score,
        answer.programme_month,
        safe_cell(answer.language),
    )


def check_ins_csv(engine: Engine) -> Iterator[str]:
    """One row per answered check-in, in the order they were answered."""
    return csv_lines(CHECK_IN_COLUMNS, rows_in_batches(engine, CheckIn, CheckIn.id, check_in_row))
