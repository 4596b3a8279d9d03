"""/simulator with two phones side by side: pairing and a reveal, through the simulator's own
routes (signed webhooks and dispatch passes as of the simulated time)."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from service.conversation.models import InboundMessage
from service.simulator.conversation import offset_past_next_prompt

ANA, BEN = "+14155550100", "+14155550101"  # the page's two default numbers
NOW = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)


def text(client: TestClient, phone: str, body: str, offset: int = 0) -> dict[str, Any]:
    other = BEN if phone == ANA else ANA
    response = client.post(
        "/simulator/api/text",
        json={"phone": phone, "body": body, "offset_minutes": offset, "other_phone": other},
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    assert answer["conversation"]["phone"] == phone and answer["other"]["phone"] == other
    return answer


def jump(client: TestClient, offset: int, **step: object) -> dict[str, Any]:
    """Advance as the page does with two phones: about the first, naming the second."""
    payload = {"phone": ANA, "other_phone": BEN, "offset_minutes": offset, **step}
    response = client.post("/simulator/api/advance", json=payload)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def phones(answer: dict[str, Any]) -> dict[str, list[str]]:
    """What each phone shows, by number: the bodies of its messages, oldest first."""
    both = [answer["conversation"], answer["other"]]
    return {c["phone"]: [m["body"] for m in c["messages"]] for c in both}


def question_on(bodies: list[str]) -> str | None:
    asked = [body for body in bodies if body.startswith("For you both:")]
    return asked[-1] if asked else None


def test_two_phones_pair_and_see_each_other_s_answer(client: TestClient) -> None:
    for phone in (ANA, BEN):
        text(client, phone, "JOIN")
        text(client, phone, "YES")
    [code] = re.findall(r"\b\d{6}\b", text(client, ANA, "PAIR")["reply"])
    paired = text(client, BEN, f"PAIR {code}")
    assert "paired" in paired["reply"]
    ana_s_phone = phones(paired)[ANA]  # shown beside Ben's
    assert ana_s_phone[-2] == "PAIR" and code in ana_s_phone[-1]

    step = jump(client, 0, to_next_prompt=True)  # the earlier of the two next prompts
    offset = step["conversation"]["offset_minutes"]
    shown = phones(step)
    assert any("now paired" in body for body in shown[ANA])  # delivered by the pass
    [first] = [p for p in (ANA, BEN) if question_on(shown[p])][:1]
    second = BEN if first == ANA else ANA
    kept = text(client, first, "The night we got lost", offset)
    assert "waits for your partner's" in kept["reply"]

    if question_on(shown[second]) is None:  # their prompt was due later: jump to it
        step = jump(client, offset, to_next_prompt=True)
        offset = step["conversation"]["offset_minutes"]
        shown = phones(step)
    assert question_on(shown[second]) == question_on(shown[first])  # one question for two
    revealed = text(client, second, "When you made soup", offset)
    assert 'answered: "The night we got lost"' in revealed["reply"]
    assert not any("When you made soup" in b for b in phones(revealed)[first][:-1])  # not yet

    delivered = jump(client, offset, minutes=1)  # the next pass, inside the first's window
    assert delivered["conversation"]["offset_minutes"] == offset + 1
    assert 'answered: "When you made soup"' in phones(delivered)[first][-1]


@pytest.mark.parametrize(
    ("offset", "next_prompts", "expected"),
    [
        (0, [NOW + datetime.timedelta(hours=2), NOW + datetime.timedelta(hours=1)], 61),
        (0, [None, NOW + datetime.timedelta(minutes=30)], 31),
        (0, [None, None], 0),
        (500, [NOW + datetime.timedelta(hours=1)], 500),  # never back in time
        (10, [NOW - datetime.timedelta(hours=1), NOW + datetime.timedelta(hours=1)], 10),
    ],
)
def test_a_jump_lands_just_past_the_earliest_next_prompt_of_the_phones_shown(
    offset: int, next_prompts: list[datetime.datetime | None], expected: int
) -> None:
    assert offset_past_next_prompt(offset, next_prompts, NOW) == expected


def test_a_bad_second_number_is_refused_before_anything_is_sent(
    client: TestClient, engine: Engine
) -> None:
    response = client.post(
        "/simulator/api/text", json={"phone": ANA, "body": "JOIN", "other_phone": "nope"}
    )
    assert response.status_code == 422
    with Session(engine) as session:
        assert session.exec(select(InboundMessage)).all() == []
    advance = client.post("/simulator/api/advance", json={"phone": ANA, "other_phone": "x" * 33})
    assert advance.status_code == 422


def test_one_phone_gets_no_second_conversation(client: TestClient) -> None:
    response = client.post("/simulator/api/text", json={"phone": ANA, "body": "JOIN"})
    assert response.status_code == 200 and response.json()["other"] is None


def test_the_page_offers_a_second_phone_hidden_until_asked(client: TestClient) -> None:
    page = client.get("/simulator").text
    assert '<input type="checkbox" id="two-phones">' in page
    assert 'id="phone-panel-2" hidden' in page and f'value="{BEN}"' in page
    assert '<label for="message-2">' in page
