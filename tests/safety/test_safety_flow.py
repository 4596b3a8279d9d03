"""The safety net end to end, over signed webhooks, on SQLite and PostgreSQL: the discreet reply
for the number's country, the pause and flag, what later texts get, and what the operator sees
and does on the flags page, with every view and action in the audit log."""

from __future__ import annotations

import csv
import datetime
import io
import logging
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from service.safety.models import AuditAction, SafetyAudit, SafetyFlag
from service.subscribers.models import Subscriber, SubscriberStatus
from service.wins.models import Win
from tests.conftest import ADMIN_TOKEN
from tests.dashboard.conftest import submit
from tests.phone import Phone

# Monday 9 March 2026, 10:00 in Los Angeles (the phone's 415 number).
MORNING = datetime.datetime(2026, 3, 9, 17, 0, tzinfo=datetime.UTC)
DISCLOSURE = "tried the prompt but he hit me again last night and i'm scared"
ALARMING_PREVIEW = re.compile(r"\b(?:dv|abuse|hotline|violence|suicide)\b", re.IGNORECASE)


def set_clock(client: TestClient, now: datetime.datetime) -> None:
    client.app.state.runtime.clock = lambda: now  # type: ignore[attr-defined]


def member(engine: Engine, number: str) -> Subscriber | None:
    with Session(engine) as session:
        return session.exec(select(Subscriber).where(Subscriber.phone == number)).first()


def flags(engine: Engine) -> list[SafetyFlag]:
    with Session(engine) as session:
        return list(session.exec(select(SafetyFlag).order_by(col(SafetyFlag.id))).all())


def wins(engine: Engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(Win)).all())


def test_a_member_gets_discreet_resources_is_paused_and_flagged(
    client: TestClient, phone: Phone, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    set_clock(client, MORNING)
    phone.join()
    caplog.set_level(logging.DEBUG)
    reply = phone.text(DISCLOSURE)

    assert reply is not None
    assert not ALARMING_PREVIEW.search(reply[:40])
    assert "1-800-799-7233" in reply and "988" in reply and "911" in reply
    assert "RESUME" in reply and "hit me" not in reply
    record = member(engine, phone.number)
    assert record is not None and record.status is SubscriberStatus.PAUSED
    assert record.paused_until is None and record.next_prompt_at is not None
    assert record.safety_flagged_at == MORNING
    assert wins(engine) == 0
    [flag] = flags(engine)
    assert flag.subscriber_id == record.id and flag.resources_sent
    assert flag.families.split(",")[0] in {"violence", "fear"}
    assert DISCLOSURE not in caplog.text, "the concerning text must never be logged"


def test_while_flagged_nothing_is_cheered_and_resources_come_once_a_day(
    client: TestClient, phone: Phone, engine: Engine
) -> None:
    set_clock(client, MORNING)
    phone.join()
    phone.text(DISCLOSURE)

    quiet = phone.text("ok thanks")
    assert quiet is not None and quiet.startswith("Thank you for your message.")
    assert "RESUME" in quiet and "!" not in quiet

    again = phone.text("he said he'd kill me if i leave")
    assert again is not None and "911" in again and len(again) < len(DISCLOSURE) + 80
    set_clock(client, MORNING + datetime.timedelta(days=1, minutes=1))
    next_day = phone.text("he said he'd kill me if i leave")
    assert next_day is not None and "1-800-799-7233" in next_day

    assert [flag.resources_sent for flag in flags(engine)] == [True, False, True]
    assert wins(engine) == 0

    assert phone.text("RESUME") is not None
    resumed = member(engine, phone.number)
    assert resumed is not None and resumed.status is SubscriberStatus.ACTIVE
    assert resumed.safety_flagged_at is not None, "the operator's flag stays until reviewed"
    assert (phone.text("we hugged") or "").startswith("Thank you for your message.")
    assert wins(engine) == 0


def test_a_pending_number_and_a_stranger_get_their_countrys_lines(
    client: TestClient, phone: Phone, engine: Engine
) -> None:
    set_clock(client, MORNING)
    assert "YES" in (phone.text("JOIN") or "")
    pending = phone.text("i don't want to be here anymore")
    assert pending is not None and "988" in pending and "RESUME" not in pending
    record = member(engine, phone.number)
    assert record is not None and record.status is SubscriberStatus.PENDING

    uk = phone.other("+447700900123").text("my boyfriend grabbed me by the throat")
    assert uk is not None and "999" in uk and "0808 2000 247" in uk and "911" not in uk
    australia = phone.other("+61412345678").text("i have pills saved up, tonight is the night")
    assert australia is not None and australia.startswith("If you are in danger right now")
    assert "000" in australia and "13 11 14" in australia

    recorded = flags(engine)
    assert [flag.subscriber_id for flag in recorded] == [record.id, None, None]
    assert recorded[2].imminent
    assert member(engine, "+447700900123") is None, "a stranger is never signed up"


def test_an_opted_out_number_hears_nothing_but_the_operator_sees_it(
    client: TestClient, phone: Phone, engine: Engine
) -> None:
    set_clock(client, MORNING)
    phone.join()
    phone.text("STOP")
    assert phone.text("he hits me") is None
    assert len(flags(engine)) == 1


def test_help_points_to_the_lines_of_the_numbers_country(phone: Phone) -> None:
    assert "988" in (phone.text("HELP") or "")
    assert "116 123" in (phone.other("+447700900123").text("HELP") or "")


def test_the_operator_reads_reviews_and_resumes_with_an_audit_trail(
    client: TestClient, phone: Phone, engine: Engine, browser: TestClient
) -> None:
    set_clock(client, MORNING)
    phone.join()
    phone.text(DISCLOSURE)
    [flag] = flags(engine)

    assert browser.post("/login", data={"token": ADMIN_TOKEN}).status_code == 303
    page = browser.get("/flags")
    assert page.status_code == 200
    assert "he hit me again last night" in page.text and "looks imminent" not in page.text
    assert "violence" in page.text or "fear" in page.text

    reviewed = submit(
        browser,
        "/",
        f"/flags/{flag.id}",
        {"action": "reviewed", "note": "Called back, safe tonight."},
    )
    assert reviewed.status_code == 303
    record = member(engine, phone.number)
    assert record is not None and record.safety_flagged_at is None
    assert record.status is SubscriberStatus.PAUSED
    resumed = submit(browser, "/", f"/flags/{flag.id}", {"action": "resume"})
    assert resumed.status_code == 303
    record = member(engine, phone.number)
    assert record is not None and record.status is SubscriberStatus.ACTIVE

    assert submit(browser, "/", f"/flags/{flag.id}", {"action": "nonsense"}).status_code == 404
    assert submit(browser, "/", "/flags/999999", {"action": "resume"}).status_code == 404

    with Session(engine) as session:
        audit = session.exec(select(SafetyAudit).order_by(col(SafetyAudit.id))).all()
    assert [entry.action for entry in audit] == [
        AuditAction.VIEWED,
        AuditAction.REVIEWED,
        AuditAction.RESUMED,
    ]
    assert {entry.actor for entry in audit} == {audit[0].actor}
    assert audit[0].actor.startswith("dashboard session ")
    assert audit[1].note == "Called back, safe tonight."

    exported = browser.get("/export/safety-audit.csv")
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[0] == ["occurred_at", "actor", "action", "flag_id", "subscriber_id", "note"]
    assert [row[2] for row in rows[1:]] == ["viewed", "reviewed", "resumed"]


def test_a_stranger_cannot_read_flags_or_act_on_them(
    client: TestClient, phone: Phone, engine: Engine, browser: TestClient
) -> None:
    set_clock(client, MORNING)
    phone.text("he hits me")
    [flag] = flags(engine)
    assert browser.get("/flags").status_code == 303
    assert browser.get("/export/safety-audit.csv").status_code == 303
    assert browser.post(f"/flags/{flag.id}", data={"action": "resume"}).status_code == 303
    with Session(engine) as session:
        assert session.exec(select(SafetyAudit)).all() == []


def test_erasing_a_member_erases_their_flags(
    client: TestClient, phone: Phone, engine: Engine, browser: TestClient
) -> None:
    set_clock(client, MORNING)
    phone.join()
    phone.text(DISCLOSURE)
    record = member(engine, phone.number)
    assert record is not None
    assert browser.post("/login", data={"token": ADMIN_TOKEN}).status_code == 303
    person = f"/subscribers/{record.id}"
    erased = submit(browser, person, f"{person}/erase", {"confirm": "yes"})
    assert erased.status_code == 303
    assert flags(engine) == []
