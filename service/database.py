"""The database engine and sessions.

SQLite is the embedded default for one machine: one writer at a time, so every transaction
starts with BEGIN IMMEDIATE (a claim can never be read by two writers before either writes)
and a writer waits for its turn up to SQLITE_BUSY_TIMEOUT_MS. PostgreSQL is the database for
several processes or replicas: row locks and SKIP LOCKED keep their ticks apart.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Column, DateTime, Dialect, Engine, String, Table, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, create_engine

# Well under Twilio's 15 s webhook timeout: a text that cannot get the database by then is
# refused with a 503 rather than answered after Twilio gave up on it.
SQLITE_BUSY_TIMEOUT_MS = 5_000


def make_engine(database_url: str, *, pool_size: int = 10) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        event.listen(engine, "connect", _sqlite_connected)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def transactions_at_once(engine: Engine) -> int:
    """How many transactions of one process can make progress together: SQLite has one
    writer, PostgreSQL as many as the pool holds. More threads than this only wait, and on
    SQLite they wait in its busy handler, polling with sleeps."""
    if engine.dialect.name == "sqlite":
        return 1
    size: int = engine.pool.size()  # type: ignore[attr-defined]  # QueuePool's
    return size


def _sqlite_connected(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling defers BEGIN, which lets two writers both read and
    # then collide; SQLAlchemy's documented recipe: no driver transactions, we emit BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def table_of(model: type[Any]) -> Table:
    """A SQLModel table class's Core table, for set-based statements on plain rows."""
    table: Table = model.__table__
    return table


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


class UtcDateTime(TypeDecorator[datetime.datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no offset of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self, value: datetime.datetime | None, dialect: Dialect
    ) -> datetime.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(datetime.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(
        self, value: datetime.datetime | None, dialect: Dialect
    ) -> datetime.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=datetime.UTC)
        return value.astimezone(datetime.UTC)


def utc_datetime_column(*, nullable: bool = True, index: bool = False) -> Column[datetime.datetime]:
    return Column(UtcDateTime(), nullable=nullable, index=index)


E = TypeVar("E", bound=StrEnum)


class EnumText(TypeDecorator[E]):
    """A StrEnum stored as its plain value (no database enum types to migrate)."""

    impl = String(24)
    cache_ok = True

    def __init__(self, enum_type: type[E]) -> None:
        super().__init__()
        self.enum_type = enum_type

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        if isinstance(value, self.enum_type):  # the usual case: no lookup by value
            return value.value
        return None if value is None else self.enum_type(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        return None if value is None else self.enum_type(value)


def enum_column(
    enum_type: type[StrEnum], *, index: bool = False, nullable: bool = False
) -> Column[Any]:
    return Column(EnumText(enum_type), nullable=nullable, index=index)
