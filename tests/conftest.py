"""Shared fixtures: every database test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime
import os
import secrets
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session, SQLModel, select

import service.models  # noqa: F401  (the whole schema on SQLModel.metadata)
from service.app import catalog_directory, create_app
from service.catalog import load_catalog
from service.database import make_engine
from service.deps import Runtime
from service.dispatch.models import OutboundKind, OutboundMessage, OutboundStatus
from service.migrations.runner import upgrade
from service.settings import Settings, SmsTransportKind
from service.subscribers.models import Subscriber
from tests.phone import Phone

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/test"
)
BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this run, migrated once, dropped at the end."""
    name = f"nudge_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is required for the test suite and is not reachable: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    url = f"{base}/{name}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies, instead of migrating again."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "nudge.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    url: str = request.getfixturevalue("postgres_url")
    _empty_all_tables(url)
    yield url


def _empty_all_tables(url: str) -> None:
    engine = make_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def auth_token() -> str:
    return secrets.token_hex(16)


PUBLIC_BASE_URL = "https://nudge.example.test"
ADMIN_TOKEN = "admin-" + "x" * 24


@pytest.fixture
def settings(database_url: str, auth_token: str) -> Settings:
    return Settings(
        database_url=database_url,
        twilio_auth_token=auth_token,  # type: ignore[arg-type]
        sms_transport=SmsTransportKind.CONSOLE,
        public_base_url=PUBLIC_BASE_URL,
        admin_token=ADMIN_TOKEN,  # type: ignore[arg-type]
        scheduler_enabled=False,
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
def runtime(settings: Settings, engine: Engine) -> Runtime:
    return Runtime(
        settings=settings, engine=engine, catalog=load_catalog(catalog_directory(settings))
    )


@pytest.fixture
def client(settings: Settings, runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(settings, runtime)) as test_client:
        yield test_client


@pytest.fixture
def phone(client: TestClient, auth_token: str) -> Phone:
    return Phone(client, auth_token, PUBLIC_BASE_URL, "+14155550123")


def a_prompt_was_sent(engine: Engine, phone: str, at: datetime.datetime | None = None) -> None:
    """A prompt handed to Twilio for this member, so their next text is a reply to it."""
    when = at or datetime.datetime.now(datetime.UTC)
    with Session(engine) as session:
        member = session.exec(select(Subscriber).where(Subscriber.phone == phone)).one()
        session.add(
            OutboundMessage(
                subscriber_id=member.id,
                phone=phone,
                kind=OutboundKind.PROMPT,
                prompt_id="appreciation-001",
                category="appreciation",
                body="Thank them for one thing today.",
                status=OutboundStatus.ACCEPTED,
                attempts=1,
                created_at=when,
                sent_at=when,
                updated_at=when,
            )
        )
        session.commit()
