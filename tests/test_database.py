"""PreparedStatement: Core statements run straight on the DBAPI cursor, on both databases."""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import (
    Connection,
    DateTime,
    Engine,
    Integer,
    Text,
    bindparam,
    cast,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from service.conversation.models import InboundMessage
from service.database import (
    SQLITE_WAL_AUTOCHECKPOINT_PAGES,
    PreparedStatement,
    make_engine,
    pipelined,
    table_of,
)
from service.dispatch.models import OutboundKind, OutboundMessage, OutboundStatus

outbound = table_of(OutboundMessage)
inbound = table_of(InboundMessage)
WHEN = datetime.datetime(2026, 3, 10, 20, 15, 30, 123456, tzinfo=datetime.UTC)

INSERT_OUTBOUND = PreparedStatement(
    insert(outbound).returning(outbound.c.id),
    columns=("phone", "kind", "body", "status", "attempts", "created_at", "updated_at"),
)
ANSWERABLE = PreparedStatement(
    select(outbound.c.id, outbound.c.kind, outbound.c.created_at, outbound.c.sent_at)
    .where(
        outbound.c.phone == bindparam("phone"),
        or_(outbound.c.kind == OutboundKind.PROMPT, outbound.c.kind == OutboundKind.RECAP),
        outbound.c.created_at >= bindparam("since"),
    )
    .order_by(outbound.c.id)
)


def _outbound_row(phone: str, kind: OutboundKind, created_at: datetime.datetime) -> dict[str, Any]:
    return {
        "phone": phone,
        "kind": kind,
        "body": "hello",
        "status": OutboundStatus.ACCEPTED,
        "attempts": 0,
        "created_at": created_at,
        "updated_at": created_at,
    }


def _insert(engine: Engine, phone: str, kind: OutboundKind, created_at: datetime.datetime) -> int:
    with engine.begin() as connection:
        return int(INSERT_OUTBOUND.scalar(connection, _outbound_row(phone, kind, created_at)))


def test_values_go_through_the_column_types_both_ways(engine: Engine) -> None:
    """Enums are stored as their value and come back as members; datetimes stay aware UTC."""
    local = WHEN.astimezone(datetime.timezone(datetime.timedelta(hours=-5)))
    prompt = _insert(engine, "+14155550100", OutboundKind.PROMPT, local)
    _insert(engine, "+14155550100", OutboundKind.REPLY, WHEN)  # filtered out by the literals
    recap = _insert(engine, "+14155550100", OutboundKind.RECAP, WHEN + datetime.timedelta(1))
    _insert(engine, "+14155550100", OutboundKind.PROMPT, WHEN - datetime.timedelta(1))  # too old
    with engine.connect() as connection:
        rows = ANSWERABLE.rows(connection, {"phone": "+14155550100", "since": WHEN})
    assert rows == [
        (prompt, OutboundKind.PROMPT, WHEN, None),
        (recap, OutboundKind.RECAP, WHEN + datetime.timedelta(1), None),
    ]
    assert type(rows[0][1]) is OutboundKind and rows[0][2].tzinfo == datetime.UTC
    with Session(engine) as session:  # and the ORM reads what was written the same way
        stored = session.get(OutboundMessage, prompt)
        assert stored is not None and stored.kind is OutboundKind.PROMPT
        assert stored.created_at == WHEN


def test_it_writes_in_the_connection_s_transaction(engine: Engine) -> None:
    row_id = _insert(engine, "+14155550101", OutboundKind.PROMPT, WHEN)
    mark_failed = PreparedStatement(
        update(outbound).where(outbound.c.id == bindparam("row_id")), columns=("status",)
    )
    status = select(outbound.c.status).where(outbound.c.id == row_id)
    with engine.connect() as connection, connection.begin() as transaction:
        mark_failed.rows(connection, {"row_id": row_id, "status": OutboundStatus.FAILED})
        transaction.rollback()
    with engine.connect() as connection:
        assert connection.execute(status).scalar_one() is OutboundStatus.ACCEPTED
    with engine.begin() as connection:
        mark_failed.rows(connection, {"row_id": row_id, "status": OutboundStatus.FAILED})
    with engine.connect() as connection:
        assert connection.execute(status).scalar_one() is OutboundStatus.FAILED


def test_a_constraint_violation_is_sqlalchemy_s_integrity_error(engine: Engine) -> None:
    insert_inbound = PreparedStatement(
        insert(inbound), columns=("message_sid", "phone", "body", "received_at")
    )
    row = {"message_sid": "SM1", "phone": "+14155550102", "body": "hi", "received_at": WHEN}
    with engine.begin() as connection:
        insert_inbound.rows(connection, row)
    with pytest.raises(IntegrityError), engine.begin() as connection:
        insert_inbound.rows(connection, row)


def test_an_insert_returns_only_what_it_names(engine: Engine) -> None:
    """Without returning(), no rows come back (SQLAlchemy would add the primary key on
    PostgreSQL: a result to wait for)."""
    insert_inbound = PreparedStatement(
        insert(inbound), columns=("message_sid", "phone", "body", "received_at")
    )
    row = {"message_sid": "SM2", "phone": "+14155550103", "body": "hi", "received_at": WHEN}
    with engine.begin() as connection:
        assert insert_inbound.rows(connection, row) == []
    assert "RETURNING" not in insert_inbound._form(engine.dialect).sql
    assert "RETURNING" in INSERT_OUTBOUND._form(engine.dialect).sql


def test_pipelined_statements_are_read_later_in_order(engine: Engine) -> None:
    """Rows read after later statements were sent are the statement's own, as of when it ran."""
    first = _insert(engine, "+14155550104", OutboundKind.PROMPT, WHEN)
    since = {"phone": "+14155550104", "since": WHEN}
    with engine.connect() as connection, pipelined(connection), connection.begin():
        before = ANSWERABLE.later(connection, since)
        row = _outbound_row("+14155550104", OutboundKind.RECAP, WHEN)
        second = INSERT_OUTBOUND.later(connection, row)
        after = ANSWERABLE.later(connection, since)
        assert [r[0] for r in after()] == [first, second()[0][0]]
        assert [r[0] for r in before()] == [first]


def test_a_failed_pipelined_transaction_leaves_the_connection_clean(engine: Engine) -> None:
    """On PostgreSQL the error surfaces at the COMMIT, which the pipeline then skips: the
    transaction must still end, or the connection's next one starts aborted."""
    insert_inbound = PreparedStatement(
        insert(inbound), columns=("message_sid", "phone", "body", "received_at")
    )
    row = {"message_sid": "SM3", "phone": "+14155550105", "body": "hi", "received_at": WHEN}
    with engine.connect() as connection:
        with connection.begin():
            insert_inbound.rows(connection, row)
        with pytest.raises(IntegrityError), pipelined(connection), connection.begin():
            insert_inbound.rows(connection, row)
        with pipelined(connection), connection.begin():
            insert_inbound.rows(connection, row | {"message_sid": "SM4"})
    with engine.connect() as connection:
        stored = connection.execute(select(inbound.c.message_sid).order_by(inbound.c.id))
        assert stored.scalars().all() == ["SM3", "SM4"]


def test_a_missing_parameter_is_an_error_not_a_null(engine: Engine) -> None:
    with pytest.raises(KeyError), engine.connect() as connection:
        ANSWERABLE.rows(connection, {"phone": "+14155550100"})


def test_in_lists_are_refused_with_a_clear_message(engine: Engine) -> None:
    statement = PreparedStatement(
        select(outbound.c.id).where(outbound.c.kind.in_([OutboundKind.PROMPT]))
    )
    with pytest.raises(ValueError, match="IN lists"), engine.connect() as connection:
        statement.rows(connection, {})


def test_sqlite_connections_checkpoint_their_wal_every_10000_pages(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    with engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
        mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
    engine.dispose()
    assert (mode, pages) == ("wal", SQLITE_WAL_AUTOCHECKPOINT_PAGES) != ("wal", 1000)


def test_sqlite_writers_of_every_process_take_turns_on_one_lock_file(tmp_path: Path) -> None:
    """Writers queue on an flock of `<database>.writer` (another process holding it here)
    before BEGIN IMMEDIATE, instead of polling SQLite's busy handler."""
    database = tmp_path / "turns.db"
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE event (name TEXT)")
    began = threading.Event()

    def writer() -> None:
        with engine.begin() as connection:
            began.set()
            connection.exec_driver_sql("INSERT INTO event VALUES ('written')")

    with open(f"{database}.writer", "a+b") as other_process:
        fcntl.flock(other_process, fcntl.LOCK_EX)
        thread = threading.Thread(target=writer)
        thread.start()
        assert not began.wait(timeout=0.3)  # SQLite itself is free: the turn is what waits
        fcntl.flock(other_process, fcntl.LOCK_UN)
    thread.join(timeout=10)
    assert began.is_set()
    with engine.connect() as connection:
        names = [row[0] for row in connection.exec_driver_sql("SELECT name FROM event")]
    assert names == ["written"]
    engine.dispose()


def test_a_disposed_sqlite_engine_lets_go_of_its_lock_file(tmp_path: Path) -> None:
    lock_file = str(tmp_path / "turns.db.writer")

    def open_lock_files() -> int:
        count = 0
        for fd in os.listdir("/proc/self/fd"):
            with contextlib.suppress(OSError):  # listdir's own descriptor is gone by now
                count += os.readlink(f"/proc/self/fd/{fd}") == lock_file
        return count

    engine = make_engine(f"sqlite:///{tmp_path / 'turns.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE event (name TEXT)")
    assert open_lock_files() == 1
    engine.dispose()
    assert open_lock_files() == 0
    with engine.begin() as connection:  # still usable: the next write opens it again
        connection.exec_driver_sql("INSERT INTO event VALUES ('after dispose')")
    assert open_lock_files() == 1
    engine.dispose()


def test_a_connection_lost_mid_transaction_ends_its_sqlite_writer_turn(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'turns.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE event (name TEXT)")
    with pytest.raises(ConnectionError), engine.connect() as lost, lost.begin():
        lost.exec_driver_sql("INSERT INTO event VALUES ('never committed')")
        lost.invalidate()  # what SQLAlchemy does when the driver reports the link gone
        raise ConnectionError("the statement that found it gone")
    finished = threading.Event()

    def next_writer() -> None:
        with engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO event VALUES ('written')")
        finished.set()

    threading.Thread(target=next_writer, daemon=True).start()
    assert finished.wait(timeout=5)  # not 10 s later with "database is locked"
    with engine.connect() as connection:
        names = [row[0] for row in connection.exec_driver_sql("SELECT name FROM event")]
    assert names == ["written"]
    engine.dispose()


@pytest.fixture(scope="module")
def postgres_connection(postgres_url: str) -> Iterator[Connection]:
    engine = make_engine(postgres_url)
    with engine.connect() as connection:
        yield connection
    engine.dispose()


ARRAY_ROUND_TRIP = PreparedStatement(
    select(
        cast(bindparam("texts", type_=ARRAY(Text)), ARRAY(Text)),
        cast(bindparam("numbers", type_=ARRAY(Integer)), ARRAY(Integer)),
        cast(
            bindparam("times", type_=ARRAY(DateTime(timezone=True))), ARRAY(DateTime(timezone=True))
        ),
    )
)


@settings(max_examples=60, deadline=None)
@given(
    # Text that reached us is valid UTF-8 (no lone surrogates) and PostgreSQL refuses NUL.
    texts=st.lists(st.none() | st.text(st.characters(codec="utf-8", exclude_characters="\0"))),
    numbers=st.lists(st.none() | st.integers(-(2**31), 2**31 - 1)),
    times=st.lists(
        st.datetimes(timezones=st.just(datetime.UTC), min_value=datetime.datetime(1900, 1, 1))
    ),
)
def test_array_parameters_reach_postgresql_exactly(
    postgres_connection: Connection,
    texts: list[str | None],
    numbers: list[int | None],
    times: list[datetime.datetime],
) -> None:
    """Array parameters go as literals built by array_literal (quotes, backslashes, braces,
    commas, NULL and the string "NULL" included), not through psycopg's list dumper."""
    parameters = {"texts": texts, "numbers": numbers, "times": times}
    assert ARRAY_ROUND_TRIP.rows(postgres_connection, parameters) == [(texts, numbers, times)]
