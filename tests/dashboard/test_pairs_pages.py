"""The Couples page, a pair's page, the overview's couples summary, and ending a pair."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from service.conversation.models import InboundMessage
from service.couples.models import Pair
from service.safety.models import SafetyFlag
from tests.admin.factories import NOW, at
from tests.admin.pair_factories import ANA, BEN, DEE, seed_pairs
from tests.conftest import ADMIN_TOKEN
from tests.couples.helpers import notices_to
from tests.dashboard.conftest import submit

FLAGGED_TEXT = "he said he will hurt me"
ANSWERS = ("The picnic", "The market", "Soup", "Dancing", "Our walk")


@pytest.fixture
def pairs(browser: TestClient, engine: Engine) -> dict[str, int]:
    """The pairs of pair_factories, Dee's flagged text beside them, signed in as of NOW."""
    ids = seed_pairs(engine)
    with Session(engine) as session:
        session.add(
            InboundMessage(
                message_sid="SMflagged",
                phone=DEE,
                body=FLAGGED_TEXT,
                subscriber_id=ids["dee"],
                intent="message",
                received_at=at(13),
            )
        )
        session.add(
            SafetyFlag(
                subscriber_id=ids["dee"],
                phone=DEE,
                message_sid="SMflagged",
                families="threats",
                matched="threats: will hurt me",
                resources_sent=True,
                created_at=at(13),
            )
        )
        session.commit()
    browser.app.state.runtime.clock = lambda: NOW  # type: ignore[attr-defined]
    assert browser.post("/login", data={"token": ADMIN_TOKEN}).status_code == 303
    return ids


@pytest.mark.parametrize("path", ["/pairs", "/pairs/1"])
def test_pair_pages_send_strangers_to_sign_in(browser: TestClient, path: str) -> None:
    response = browser.get(path)
    assert response.status_code == 303 and response.headers["location"] == "/login"


def test_the_couples_page_shows_pairs_figures_and_the_suspended_pair_first(
    browser: TestClient, pairs: dict[str, int]
) -> None:
    response = browser.get("/pairs")
    assert response.status_code == 200
    page = response.text
    assert response.headers["cache-control"] == "no-store"
    assert '<a href="/pairs" aria-current="page">Couples</a>' in page
    assert "1 pair is suspended for safety" in page and 'href="/pairs?state=suspended"' in page
    rows = re.findall(r'<a href="/pairs/(\d+)">Pair', page)
    assert rows == [str(pairs[key]) for key in ("cam_dee", "ana_ben", "eve_fay")]
    assert "<strong>suspended</strong>" in page
    assert f'<a href="/subscribers/{pairs["ana"]}">********0201</a> Ana' in page
    assert f'<a href="/subscribers/{pairs["cam"]}">********0203</a> Cam' in page  # Dee's word
    dee = f'<a href="/subscribers/{pairs["dee"]}">********0204</a> (paused)'  # Cam named no one
    assert f'{dee} <a href="/flags"><strong>safety flag</strong></a>' in page
    assert "Shared questions, per partner (5 of 8)" in page  # the chart, in words
    assert "Individual prompts (2 of 3)" in page
    assert "62%" in page and "67%" in page
    assert "1 open, 1 revealed, 1 expired" in page and "4 of 6" in page
    assert "+1415" not in page and FLAGGED_TEXT not in page
    for answer in ANSWERS:
        assert answer not in page


def test_the_couples_page_filters_by_state(browser: TestClient, pairs: dict[str, int]) -> None:
    page = browser.get("/pairs", params={"state": "ended"}).text
    assert "1 pair found" in page
    assert re.findall(r'<a href="/pairs/(\d+)">Pair', page) == [str(pairs["eve_fay"])]
    assert "3 pairs found" in browser.get("/pairs", params={"state": "nonsense"}).text


def test_the_overview_sums_up_couples(browser: TestClient, pairs: dict[str, int]) -> None:
    page = browser.get("/").text
    assert '<h2 id="couples-heading">Couples</h2>' in page
    assert "1 pair is suspended for safety" in page
    assert "Suspended for safety" in page and "5 of 8 sent to a partner" in page
    assert "2 of 3, same weeks" in page and "the 12 weeks since Dec 29" in page
    assert FLAGGED_TEXT not in page


def test_a_pair_s_page_shows_it_without_answers_or_the_flagged_text(
    browser: TestClient, pairs: dict[str, int]
) -> None:
    page = browser.get(f"/pairs/{pairs['cam_dee']}").text
    assert "Suspended for safety." in page and "End pair" in page
    assert "0 open, 0 revealed, 1 expired" in page and "1 of 2 sent to a partner (50%)" in page
    assert FLAGGED_TEXT not in page and "Our walk" not in page
    assert FLAGGED_TEXT in browser.get("/flags").text  # where flags are shown, and only there
    ended = browser.get(f"/pairs/{pairs['eve_fay']}").text
    assert "Ended" in ended and "End pair" not in ended
    assert browser.get("/pairs/999999").status_code == 404
    assert browser.get(f"/pairs/{2**40}").status_code == 404


def test_ending_a_pair_needs_the_confirmation_and_tells_both(
    browser: TestClient, engine: Engine, pairs: dict[str, int]
) -> None:
    page = f"/pairs/{pairs['ana_ben']}"
    unconfirmed = submit(browser, page, f"{page}/end")
    assert unconfirmed.status_code == 303 and unconfirmed.headers["location"] == page
    assert _ended_at(engine, pairs["ana_ben"]) is None

    ended = submit(browser, page, f"{page}/end", {"confirm": "yes"})
    assert ended.status_code == 303 and ended.headers["location"] == f"{page}?ended=1"
    assert _ended_at(engine, pairs["ana_ben"]) == NOW
    for number in (ANA, BEN):
        assert [body for body in notices_to(engine, number) if "ended" in body] == [
            "Closer: your pairing has ended. Your own prompts carry on."
        ]
    shown = browser.get(f"{page}?ended=1").text
    assert "The pair has ended." in shown and "End pair" not in shown

    # A second post (another tab, another operator) changes nothing and tells no one again.
    again = submit(browser, "/pairs", f"{page}/end", {"confirm": "yes"})
    assert again.status_code == 303 and again.headers["location"] == page
    assert len([body for body in notices_to(engine, ANA) if "ended" in body]) == 1
    assert submit(browser, "/pairs", "/pairs/999999/end", {"confirm": "yes"}).status_code == 404


def test_ending_a_pair_needs_this_session_s_form_token(
    browser: TestClient, engine: Engine, pairs: dict[str, int]
) -> None:
    action = f"/pairs/{pairs['ana_ben']}/end"
    assert browser.post(action, data={"confirm": "yes"}).status_code == 403
    refused = browser.post(
        action, data={"confirm": "yes"}, headers={"Origin": "https://evil.example"}
    )
    assert refused.status_code == 403
    assert _ended_at(engine, pairs["ana_ben"]) is None


def _ended_at(engine: Engine, pair_id: int) -> object:
    with Session(engine) as session:
        pair = session.get(Pair, pair_id)
        assert pair is not None
        return pair.ended_at
