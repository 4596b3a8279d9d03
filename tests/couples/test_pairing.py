"""Pairing by code, never by a partner's number: pure checks, and over signed webhooks on
SQLite and PostgreSQL."""

from __future__ import annotations

import datetime
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from service.couples.models import Pair, PairCode
from service.couples.pairing import MAX_FAILED_CODES, CodeCheck, CodeFacts, check_code
from service.deps import Runtime
from service.subscribers.models import Subscriber, SubscriberStatus
from tests.couples.helpers import notices_to
from tests.phone import Phone

NOW = datetime.datetime(2026, 3, 10, 18, 0, tzinfo=datetime.UTC)
GOOD = CodeFacts(owner_id=1, expires_at=NOW + datetime.timedelta(days=1), used=False,
                 owner_active=True, owner_paired=False)  # fmt: skip


@pytest.mark.parametrize(
    ("code", "found", "claimant", "failures", "expected"),
    [
        ("123456", GOOD, 2, 0, CodeCheck.VALID),
        ("123456", GOOD, None, 0, CodeCheck.VALID),  # a new number
        ("123456", None, 2, 0, CodeCheck.WRONG),
        ("12345a", GOOD, 2, 0, CodeCheck.WRONG),  # letters for digits
        ("1234567", GOOD, 2, 0, CodeCheck.WRONG),
        ("123456", GOOD, 1, 0, CodeCheck.OWN),
        ("123456", CodeFacts(1, NOW + datetime.timedelta(days=1), True, True, False), 2, 0,
         CodeCheck.USED),
        ("123456", CodeFacts(1, NOW, False, True, False), 2, 0, CodeCheck.EXPIRED),
        ("123456", CodeFacts(1, NOW + datetime.timedelta(days=1), False, False, False), 2, 0,
         CodeCheck.UNAVAILABLE),
        ("123456", CodeFacts(1, NOW + datetime.timedelta(days=1), False, True, True), 2, 0,
         CodeCheck.UNAVAILABLE),
        ("123456", GOOD, 2, MAX_FAILED_CODES, CodeCheck.THROTTLED),
    ],
)  # fmt: skip
def test_check_code(
    code: str, found: CodeFacts | None, claimant: int | None, failures: int, expected: CodeCheck
) -> None:
    assert check_code(code, found, claimant, failures, NOW) is expected


@given(
    used=st.booleans(),
    active=st.booleans(),
    paired=st.booleans(),
    hours_left=st.integers(-48, 200),
    claimant=st.sampled_from([1, 2, None]),
    failures=st.integers(0, 10),
)
def test_a_code_is_valid_only_when_nothing_stands_in_the_way(
    used: bool, active: bool, paired: bool, hours_left: int, claimant: int | None, failures: int
) -> None:
    found = CodeFacts(1, NOW + datetime.timedelta(hours=hours_left), used, active, paired)
    valid = check_code("654321", found, claimant, failures, NOW) is CodeCheck.VALID
    assert valid == (
        not used and active and not paired and hours_left > 0 and claimant != 1
        and failures < MAX_FAILED_CODES
    )  # fmt: skip


def code_in(reply: str | None) -> str:
    [code] = re.findall(r"\b\d{6}\b", reply or "")  # the only 6-digit number in it
    return code


def pairs(engine: Engine) -> list[Pair]:
    with Session(engine) as session:
        return list(session.exec(select(Pair).order_by(col(Pair.id))))


def test_two_members_pair_by_code_and_both_are_told(phone: Phone, engine: Engine) -> None:
    sam = phone.other("+14155550201")
    phone.join()
    sam.join()
    code = code_in(phone.text("PAIR"))
    assert "You're paired with your partner" in (sam.text(f"PAIR {code}") or "")
    [pair] = pairs(engine)
    assert pair.ended_at is None
    assert any("now paired" in body for body in notices_to(engine, phone.number))
    assert "already paired" in (sam.text("PAIR") or "")
    assert "didn't work" in (phone.other("+14155550202").text(f"PAIR {code}") or "")  # used


def test_a_new_number_joins_with_a_code_and_is_paired_on_yes(phone: Phone, engine: Engine) -> None:
    phone.join()
    code = code_in(phone.text("PAIR"))
    newcomer = phone.other("+14155550203")
    confirm = newcomer.text(f"JOIN {code}") or ""
    assert "Reply YES" in confirm and "Msg & data rates may apply" in confirm
    assert pairs(engine) == []  # never before their own YES
    assert "You're paired with your partner" in (newcomer.text("YES") or "")
    [pair] = pairs(engine)
    with Session(engine) as session:
        joined = session.exec(select(Subscriber).where(Subscriber.phone == newcomer.number)).one()
    assert pair.second_id == joined.id and joined.status is SubscriberStatus.ACTIVE


@pytest.mark.parametrize("attempt", ["PAIR 000000", "PAIR abcdef", "PAIR 12345"])
def test_a_wrong_code_changes_nothing(phone: Phone, engine: Engine, attempt: str) -> None:
    phone.join()
    assert "didn't work" in (phone.text(attempt) or "")
    assert "didn't work" in (phone.other("+14155550204").text(attempt) or "")
    assert pairs(engine) == []
    with Session(engine) as session:
        assert session.exec(select(Subscriber)).all()[0].phone == phone.number  # no one new


def test_own_expired_and_departed_codes_do_not_pair(
    phone: Phone, engine: Engine, runtime: Runtime
) -> None:
    partner = phone.other("+14155550205")
    phone.join()
    partner.join()
    code = code_in(phone.text("PAIR"))
    assert "didn't work" in (phone.text(f"PAIR {code}") or "")  # their own
    with Session(engine) as session:
        session.execute(update(PairCode).values(expires_at=NOW))
        session.commit()
    assert "didn't work" in (partner.text(f"PAIR {code}") or "")  # expired
    fresh = code_in(phone.text("PAIR"))
    phone.text("STOP")
    assert "didn't work" in (partner.text(f"PAIR {fresh}") or "")  # its owner left
    assert pairs(engine) == []


def test_fifty_codes_in_a_row_are_throttled(phone: Phone, engine: Engine) -> None:
    phone.join()
    replies = [phone.text(f"PAIR {n:06d}") for n in range(MAX_FAILED_CODES + 2)]
    assert all("didn't work" in (r or "") for r in replies[:MAX_FAILED_CODES])
    assert "Too many codes" in (replies[-1] or "")
    assert pairs(engine) == []


def test_unpair_ends_it_and_both_are_told(phone: Phone, engine: Engine) -> None:
    partner = phone.other("+14155550206")
    phone.join()
    partner.join()
    partner.text(f"PAIR {code_in(phone.text('PAIR'))}")
    assert "has ended" in (phone.text("UNPAIR") or "")
    assert pairs(engine)[0].ended_at is not None
    assert any("has ended" in body for body in notices_to(engine, partner.number))
    assert "not paired" in (partner.text("UNPAIR") or "")


def test_stop_by_one_partner_ends_the_pair_and_the_other_keeps_their_prompts(
    phone: Phone, engine: Engine
) -> None:
    partner = phone.other("+14155550207")
    phone.join()
    partner.join()
    partner.text(f"PAIR {code_in(phone.text('PAIR'))}")
    assert phone.text("STOP") == "Closer: you're unsubscribed and will get no more messages."
    assert pairs(engine)[0].ended_at is not None
    with Session(engine) as session:
        kept = session.exec(select(Subscriber).where(Subscriber.phone == partner.number)).one()
    assert kept.status is SubscriberStatus.ACTIVE and kept.next_prompt_at is not None
    [notice] = [b for b in notices_to(engine, partner.number) if "ended" in b]
    assert "STOP" not in notice and "unsubscribed" not in notice  # not told why
