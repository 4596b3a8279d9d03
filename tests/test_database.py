"""The database layer on SQLite and PostgreSQL: column types, and SQLite's one writer."""

from __future__ import annotations

import datetime
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

import service.database
from service.conversation.models import InboundMessage
from service.database import make_engine, table_of
from service.dispatch.models import OutboundKind, OutboundMessage, OutboundStatus

outbound = table_of(OutboundMessage)
inbound = table_of(InboundMessage)
WHEN = datetime.datetime(2026, 3, 10, 20, 15, 30, 123456, tzinfo=datetime.UTC)


def _insert(engine: Engine, kind: OutboundKind, created_at: datetime.datetime) -> int:
    with engine.begin() as connection:
        return int(
            connection.execute(
                insert(outbound)
                .values(
                    phone="+14155550100",
                    kind=kind,
                    body="hello",
                    status=OutboundStatus.ACCEPTED,
                    attempts=0,
                    created_at=created_at,
                    updated_at=created_at,
                )
                .returning(outbound.c.id)
            ).scalar_one()
        )


def test_values_go_through_the_column_types_both_ways(engine: Engine) -> None:
    """Enums are stored as their value and come back as members; datetimes stay aware UTC."""
    local = WHEN.astimezone(datetime.timezone(datetime.timedelta(hours=-5)))
    prompt = _insert(engine, OutboundKind.PROMPT, local)
    _insert(engine, OutboundKind.REPLY, WHEN)
    with engine.connect() as connection:
        rows = connection.execute(
            select(outbound.c.id, outbound.c.kind, outbound.c.created_at).where(
                outbound.c.kind == OutboundKind.PROMPT, outbound.c.created_at >= WHEN
            )
        ).all()
    assert [tuple(row) for row in rows] == [(prompt, OutboundKind.PROMPT, WHEN)]
    assert type(rows[0][1]) is OutboundKind and rows[0][2].tzinfo == datetime.UTC
    with Session(engine) as session:  # and the ORM reads what was written the same way
        stored = session.get(OutboundMessage, prompt)
        assert stored is not None and stored.kind is OutboundKind.PROMPT
        assert stored.created_at == WHEN


def test_a_naive_datetime_is_refused(engine: Engine) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        _insert(engine, OutboundKind.PROMPT, WHEN.replace(tzinfo=None))


def test_a_savepoint_undoes_only_its_own_statements(engine: Engine) -> None:
    row = {"message_sid": "SM1", "phone": "+14155550102", "body": "hi", "received_at": WHEN}
    with engine.begin() as connection:
        connection.execute(insert(inbound).values(row))
        with pytest.raises(IntegrityError), connection.begin_nested():
            connection.execute(insert(inbound).values(row))
        connection.execute(insert(inbound).values({**row, "message_sid": "SM2"}))
    with engine.connect() as connection:
        sids = connection.execute(select(inbound.c.message_sid).order_by(inbound.c.id)).scalars()
        assert list(sids) == ["SM1", "SM2"]


def _sqlite(tmp_path: Path) -> tuple[Engine, Engine]:
    """Two engines on one file: two processes, as far as SQLite can tell."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    first = make_engine(url)
    with first.begin() as connection:
        connection.execute(text("CREATE TABLE counter (value INTEGER)"))
        connection.execute(text("INSERT INTO counter VALUES (0)"))
    return first, make_engine(url)


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    engine, _ = _sqlite(tmp_path)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        timeout = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
    assert timeout == service.database.SQLITE_BUSY_TIMEOUT_MS < 15_000  # Twilio's timeout


def test_sqlite_writers_read_then_write_one_after_another(tmp_path: Path) -> None:
    """BEGIN IMMEDIATE: a transaction that reads then writes holds the write lock from its
    start, so two of them never both read the old value (a claim is atomic)."""
    first, second = _sqlite(tmp_path)
    barrier = threading.Barrier(8)

    def increment(engine: Engine) -> None:
        barrier.wait()
        for _ in range(20):
            with engine.begin() as connection:
                value = connection.execute(text("SELECT value FROM counter")).scalar_one()
                connection.execute(text("UPDATE counter SET value = :v"), {"v": value + 1})

    threads = [threading.Thread(target=increment, args=(e,)) for e in (first, second) * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with first.connect() as connection:
        assert connection.execute(text("SELECT value FROM counter")).scalar_one() == 160


def test_a_sqlite_writer_gives_up_after_the_busy_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service.database, "SQLITE_BUSY_TIMEOUT_MS", 200)
    first, second = _sqlite(tmp_path)
    with first.begin() as holding:
        holding.execute(update_counter())
        started = time.monotonic()
        with pytest.raises(OperationalError, match="locked"), second.begin() as waiting:
            waiting.execute(update_counter())
        assert 0.15 < time.monotonic() - started < 5


def update_counter() -> object:
    return text("UPDATE counter SET value = value + 1")


def test_updates_reach_the_rows_they_name(engine: Engine) -> None:
    row_id = _insert(engine, OutboundKind.PROMPT, WHEN)
    status = select(outbound.c.status).where(outbound.c.id == row_id)
    with engine.connect() as connection, connection.begin() as transaction:
        connection.execute(
            update(outbound).where(outbound.c.id == row_id).values(status=OutboundStatus.FAILED)
        )
        transaction.rollback()
    with engine.connect() as connection:
        assert connection.execute(status).scalar_one() is OutboundStatus.ACCEPTED
