"""The database engine and sessions: SQLite embedded by default, PostgreSQL in production."""

from __future__ import annotations

import datetime
import fcntl
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from enum import StrEnum
from itertools import repeat
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from sqlalchemy import (
    Column,
    DateTime,
    Dialect,
    Engine,
    Insert,
    Integer,
    String,
    Table,
    any_,
    bindparam,
    column,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.sql.expression import ClauseElement, TableValuedAlias
from sqlalchemy.types import TypeDecorator, TypeEngine
from sqlmodel import Session, create_engine

SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_WAL_AUTOCHECKPOINT_PAGES = 10_000


def make_engine(database_url: str, *, pool_size: int = 10) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        in_file = bool(url.database) and url.database != ":memory:"
        writer = SqliteWriterTurn(Path(f"{url.database}.writer") if in_file else None)
        event.listen(engine, "begin", writer.begin)
        event.listen(engine, "commit", writer.end)
        event.listen(engine, "rollback", writer.end)
        event.listen(engine, "engine_disposed", writer.close)
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # autocommit at driver level; we issue BEGIN
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # A checkpoint every 10,000 WAL pages (about 40 MB) instead of 1,000: the index pages a
    # dispatch pass writes again and again reach the database file once per checkpoint, and
    # at 100,000 due the commits that ran the checkpoints took a third of the lane's time.
    cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_WAL_AUTOCHECKPOINT_PAGES}")
    cursor.close()


class SqliteWriterTurn:
    """One transaction at a time on an SQLite database, waiting in line rather than polling.

    pysqlite's own transaction handling defers BEGIN, which lets two writers both read and
    then collide; we emit BEGIN IMMEDIATE ourselves, so a claim is atomic. Before that, a
    writer takes its turn: first among the threads of its process (a lock), then among
    processes (an flock on `<database>.writer`, held until commit or rollback, released by
    the kernel if the process dies). SQLite's busy handler would make them poll with sleeps
    of up to 100 ms, which under a burst of webhooks meant multi-second tails.
    """

    def __init__(self, lock_path: Path | None) -> None:
        self._lock = threading.Lock()
        self._lock_path = lock_path
        self._lock_file: BinaryIO | None = None  # opened on the first write, closed on dispose
        # Who holds the turn: the Connection itself, not a mark in its `info`, which is
        # cleared if the connection is invalidated mid-transaction (the turn would never end).
        self._holder: Connection | None = None

    def begin(self, connection: Connection) -> None:
        if not self._lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
            raise OperationalError("BEGIN IMMEDIATE", None, Exception("database is locked"))
        try:
            if self._lock_path is not None:
                if self._lock_file is None:
                    self._lock_file = open(self._lock_path, "a+b")  # noqa: SIM115
                fcntl.flock(self._lock_file, fcntl.LOCK_EX)
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            self._release()
            raise
        self._holder = connection

    def end(self, connection: Connection) -> None:
        if self._holder is connection:
            self._holder = None
            self._release()

    def _release(self) -> None:
        if self._lock_file is not None:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
        self._lock.release()

    def close(self, _engine: Engine) -> None:
        """On Engine.dispose(): let go of the lock file (a later write opens it again). A turn
        in progress keeps it; it is not waited for, since its thread may be the one disposing."""
        if self._lock.acquire(blocking=False):
            try:
                if self._lock_file is not None:
                    self._lock_file.close()
                    self._lock_file = None
            finally:
                self._lock.release()


@contextmanager
def savepoint(connection: Connection) -> Iterator[None]:
    """Statements inside are undone if the block raises; the transaction around stays usable.

    Issued on the DBAPI cursor, like PreparedStatement, for the same reason: it brackets every
    text the webhook answers. Not reentrant (one name).
    """
    with dbapi_cursor(connection, "SAVEPOINT answer") as cursor:
        cursor.execute("SAVEPOINT answer")
        try:
            yield
        except BaseException:
            cursor.execute("ROLLBACK TO SAVEPOINT answer")
            raise
        cursor.execute("RELEASE SAVEPOINT answer")


def table_of(model: type[Any]) -> Table:
    """A SQLModel table class's Core table, for statements built once and run as plain rows
    on the hot paths (the ORM's per-object work costs more than the database there)."""
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


def enum_column(enum_type: type[StrEnum], *, index: bool = False) -> Column[Any]:
    return Column(EnumText(enum_type), nullable=False, index=index)


@dataclass(frozen=True)
class _CompiledForm:
    sql: str
    names: tuple[str, ...]  # every parameter, in placeholder order for positional paramstyles
    positional: bool  # qmark (SQLite) rather than named (psycopg's pyformat)
    defaults: dict[str, Any]  # the statement's literal values (an enum in a WHERE, say)
    bind_processors: dict[str, Callable[[Any], Any]]
    result_processors: tuple[Callable[[Any], Any] | None, ...]
    arrays: frozenset[str]  # parameters of an ARRAY type (PostgreSQL), sent as array literals


def _compile(
    statement: ClauseElement, dialect: Dialect, columns: list[str] | None
) -> _CompiledForm:
    if isinstance(statement, Insert):
        # An INSERT returns only what it names. SQLAlchemy would add RETURNING of the
        # primary key on PostgreSQL: a result to read back, a round trip when `pipelined`.
        statement = statement.inline()
    compiled: Any = statement.compile(dialect=dialect, column_keys=columns)
    if any(bind.expanding for bind in compiled.binds.values()):
        # Their placeholders are only rendered per execution.
        raise ValueError("IN lists are not supported; spell them with or_() / and_()")
    positional = bool(compiled.positiontup)
    return _CompiledForm(
        sql=str(compiled),
        names=tuple(compiled.positiontup if positional else compiled.binds),
        positional=positional,
        defaults={
            name: value
            for name, value in compiled.params.items()
            if not (name in compiled.binds and compiled.binds[name].required)
        },
        bind_processors={
            name: process
            for bind, name in compiled.bind_names.items()
            if (process := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        },
        result_processors=tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in getattr(statement, "exported_columns", ())
        ),
        arrays=frozenset(
            name
            for name, bind in compiled.binds.items()
            if dialect.name == "postgresql" and isinstance(bind.type, ARRAY)
        ),
    )


def array_literal(values: Sequence[Any]) -> str:
    """A PostgreSQL array literal: `{1,"two",NULL}`, every non-integer element quoted.

    For array parameters, whose statement casts them (SQLAlchemy renders `%(ids)s::INTEGER[]`):
    psycopg dumps a list element by element in Python, looking up each element's dumper, at
    four times this cost, and a dispatch batch sends ten such arrays of 500.
    """
    parts = []
    for value in values:
        if value is None:
            parts.append("NULL")
        elif type(value) is int:
            parts.append(str(value))
        else:
            parts.append('"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"')
    return "{" + ",".join(parts) + "}"


@contextmanager
def dbapi_cursor(connection: Connection, sql: str) -> Iterator[Any]:
    """A DBAPI cursor in the connection's transaction; driver errors raised as SQLAlchemy's
    (a unique violation is still an IntegrityError)."""
    cursor = connection.connection.cursor()
    try:
        with _driver_errors(connection, sql, cursor):
            yield cursor
    finally:
        cursor.close()


@contextmanager
def _driver_errors(connection: Connection, sql: str, cursor: Any) -> Iterator[None]:
    """A driver error raised as SQLAlchemy's; the cursor is closed if one is raised."""
    dbapi_error = connection.dialect.loaded_dbapi.Error
    try:
        yield
    except dbapi_error as error:
        cursor.close()
        raise DBAPIError.instance(sql, None, error, dbapi_error) from error


@contextmanager
def pipelined(connection: Connection) -> Iterator[None]:
    """PostgreSQL: statements inside are sent without waiting for each one's answer; the
    driver waits only when a result is read (see `PreparedStatement.later`) and at the end.

    Each wait costs both processes a wake-up, which on this path cost as much CPU as the
    statements themselves. Errors then surface at the next wait, not at the statement that
    caused them, so this is only for work that is redone whole if anything fails. Elsewhere
    (SQLite runs in-process) it changes nothing.
    """
    if connection.dialect.name != "postgresql":
        yield
        return
    driver: Any = connection.connection.driver_connection
    try:
        with driver.pipeline():
            yield
    except BaseException:
        # A COMMIT that follows a failed statement in the pipeline is skipped, which leaves
        # the transaction open (and aborted) behind the error: end it, or the connection's
        # next transaction would find it.
        with suppress(connection.dialect.loaded_dbapi.Error):
            driver.rollback()
        raise


class _CompiledOnce:
    """A Core statement compiled once per dialect (see PreparedStatement, BulkStatement)."""

    def __init__(self, statement: ClauseElement, columns: Sequence[str] | None = None) -> None:
        self.statement = statement
        self.columns = list(columns) if columns is not None else None
        self._forms: dict[str, _CompiledForm] = {}

    def _form(self, dialect: Dialect) -> _CompiledForm:
        form = self._forms.get(dialect.name)
        if form is None:
            form = self._forms[dialect.name] = _compile(self.statement, dialect, self.columns)
        return form


class PreparedStatement(_CompiledOnce):
    """A Core statement compiled once per dialect and run straight on the DBAPI cursor.

    For the per-text hot path: Connection.execute() spends ~60 us of Python per statement on
    SQLite where the statement itself takes ~6 us (PostgreSQL: ~260 us vs ~115 us). Values
    still go through the columns' own types (UTC datetimes, enums) both ways, and a
    constraint violation is still raised as SQLAlchemy's IntegrityError. Not for expanding
    IN lists. An INSERT or UPDATE names the `columns` it sets: each is a parameter of the
    same name.
    """

    def rows(self, connection: Connection, parameters: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Runs the statement in the connection's transaction; the rows it returns, if any."""
        return self.later(connection, parameters)()

    def later(
        self, connection: Connection, parameters: Mapping[str, Any]
    ) -> Callable[[], list[tuple[Any, ...]]]:
        """Runs the statement now and reads the rows it returns when called (once).

        Inside `pipelined`, PostgreSQL's answer is only waited for then, so the statements
        sent in between share one round trip with it.
        """
        form = self._form(connection.dialect)
        values = form.defaults | dict(parameters)
        for name, process in form.bind_processors.items():
            values[name] = process(values[name])
        for name in form.arrays:
            values[name] = array_literal(values[name])
        arguments: Any = [values[n] for n in form.names] if form.positional else values
        cursor = connection.connection.cursor()
        with _driver_errors(connection, form.sql, cursor):
            cursor.execute(form.sql, arguments)
        if not form.result_processors:
            cursor.close()
            return list

        def read() -> list[tuple[Any, ...]]:
            with _driver_errors(connection, form.sql, cursor):
                raw_rows = cursor.fetchall()
            cursor.close()
            processors = form.result_processors
            return [
                tuple(
                    value if p is None else p(value)
                    for p, value in zip(processors, row, strict=True)
                )
                for row in raw_rows
            ]

        if connection.dialect.name == "postgresql":
            return read
        # SQLite has no round trip to save, and a statement whose rows are unread blocks a
        # savepoint or a commit on its connection: read them now.
        rows = read()
        return lambda: rows

    def first(
        self, connection: Connection, parameters: Mapping[str, Any]
    ) -> tuple[Any, ...] | None:
        found = self.rows(connection, parameters)
        return found[0] if found else None

    def scalar(self, connection: Connection, parameters: Mapping[str, Any]) -> Any:
        found = self.first(connection, parameters)
        return found[0] if found else None


def unnest_rows(name: str, **column_types: TypeEngine[Any]) -> TableValuedAlias:
    """PostgreSQL's `unnest(:a, :b, ...) AS name(a, b, ...)`: a set of rows given as one array
    parameter per column (named after the column), to join an UPDATE or feed an INSERT."""
    arrays = [bindparam(key, type_=ARRAY(type_)) for key, type_ in column_types.items()]
    columns = [column(key, type_) for key, type_ in column_types.items()]
    return func.unnest(*arrays).table_valued(*columns).render_derived(name)


class BulkStatement(_CompiledOnce):
    """A Core INSERT or UPDATE compiled once per dialect and run by the DBAPI cursor's
    executemany, as PreparedStatement runs single statements.

    SQLAlchemy's executemany builds and type-processes each row's parameters in Python, several
    times the driver's own work per row. Here the values every row shares (`now`, a status) are
    processed once per call and each varying column goes through its type's processor in one
    map(). Rows are tuples in the order of `varying`; `columns` names an INSERT's columns.

    `postgresql`, if given, is the same work as one statement whose varying parameters are
    arrays (see unnest_rows): PostgreSQL then runs one statement per call instead of one per
    row, which cost both the server and the driver more than the rows' own work.
    """

    def __init__(
        self,
        statement: ClauseElement,
        varying: Sequence[str],
        columns: Sequence[str] | None = None,
        *,
        postgresql: ClauseElement | None = None,
    ) -> None:
        super().__init__(statement, columns)
        self.varying = tuple(varying)
        self.array_form = PreparedStatement(postgresql) if postgresql is not None else None

    def prepared(
        self, dialect: Dialect, shared: Mapping[str, Any], rows: Sequence[Sequence[Any]]
    ) -> tuple[str, list[Any]]:
        """The SQL and one DBAPI parameter set per row, types applied."""
        form = self._form(dialect)
        processors = form.bind_processors
        values: dict[str, Any] = {}
        for name, value in (form.defaults | dict(shared)).items():
            process = processors.get(name)
            values[name] = value if process is None else process(value)
        columns: dict[str, Iterable[Any]] = {}
        for name, column_values in zip(self.varying, zip(*rows, strict=True), strict=True):
            process = processors.get(name)
            columns[name] = column_values if process is None else list(map(process, column_values))
        # Not strict: the shared values are endless repeats beside the rows' columns.
        ordered = [columns[n] if n in columns else repeat(values[n]) for n in form.names]
        if form.positional:
            return form.sql, list(zip(*ordered, strict=False))
        return form.sql, [
            dict(zip(form.names, row, strict=True)) for row in zip(*ordered, strict=False)
        ]

    def run(
        self, connection: Connection, shared: Mapping[str, Any], rows: Sequence[Sequence[Any]]
    ) -> list[tuple[Any, ...]]:
        """Runs the statement for every row; what the PostgreSQL array form returns, if it ran
        (executemany keeps no rows)."""
        if not rows:
            return []
        if self.array_form is not None and connection.dialect.name == "postgresql":
            return self.array_form.rows(connection, {**shared, **self._as_arrays(rows)})
        sql, arguments = self.prepared(connection.dialect, shared, rows)
        with dbapi_cursor(connection, sql) as cursor:
            cursor.executemany(sql, arguments)
        return []

    def _as_arrays(self, rows: Sequence[Sequence[Any]]) -> dict[str, list[Any]]:
        """The rows as one list per varying column: the array form's parameters."""
        return {
            name: list(values)
            for name, values in zip(self.varying, zip(*rows, strict=True), strict=True)
        }


def bulk_insert(
    table: Table,
    varying: Sequence[str],
    shared: Sequence[str] = (),
    *,
    returning: Sequence[str] = (),
) -> BulkStatement:
    """An INSERT of rows whose `varying` columns differ and whose `shared` ones are one value
    for the call: executemany, or on PostgreSQL one INSERT ... SELECT FROM unnest(...).

    `returning` columns come back from the PostgreSQL form only (executemany keeps no rows).
    """
    columns = (*varying, *shared)
    rows = unnest_rows("new_row", **{name: table.c[name].type for name in varying})
    array_form = insert(table).from_select(
        columns,
        select(
            *(rows.c[name] for name in varying),
            *(bindparam(name, type_=table.c[name].type) for name in shared),
        ),
    )
    if returning:
        array_form = array_form.returning(*(table.c[name] for name in returning))
    return BulkStatement(insert(table), varying=varying, columns=columns, postgresql=array_form)


def bulk_update_by_id(table: Table, *columns: str, varying: Sequence[str]) -> BulkStatement:
    """An UPDATE by primary key (parameter `row_id`) setting `columns` from parameters named
    new_<column>: those in `varying` differ row by row, the others are one value for the call.
    Row by row, or on PostgreSQL for all rows at once."""
    rows = unnest_rows(
        "changed",
        row_id=Integer(),
        **{name: table.c[name.removeprefix("new_")].type for name in varying},
    )
    return BulkStatement(
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values({name: bindparam(f"new_{name}") for name in columns}),
        varying=("row_id", *varying),
        postgresql=update(table)
        # The id list again, as `= ANY`: a primary-key lookup whatever the table's statistics
        # say. Joined to the arrays alone, PostgreSQL hash-joins a sequential scan of the
        # whole table while its statistics lag its growth (as during a first big pass).
        .where(
            table.c.id == any_(bindparam("row_id", type_=ARRAY(Integer))),
            table.c.id == rows.c.row_id,
        )
        .values(
            {
                name: rows.c[f"new_{name}"]
                if f"new_{name}" in varying
                else bindparam(f"new_{name}")
                for name in columns
            }
        ),
    )
