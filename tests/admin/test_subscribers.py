"""GET /admin/subscribers (filters, paging, masked numbers) and one subscriber's history."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from service.admin.subscribers import number_suffix
from tests.admin.conftest import AUTH
from tests.conftest import a_prompt_was_sent
from tests.phone import Phone


@pytest.mark.parametrize(
    ("raw", "digits"),
    [
        ("0123", "0123"),
        ("+1 (415) 555-0123", "14155550123"),
        ("abc", None),
        ("", None),
        (None, None),
    ],
)
def test_a_search_keeps_only_digits(raw: str | None, digits: str | None) -> None:
    assert number_suffix(raw) == digits


def test_list_masks_numbers_and_filters(client: TestClient, programme: dict[str, int]) -> None:
    everyone = client.get("/admin/subscribers", headers=AUTH).json()
    assert everyone["total"] == 4
    assert [item["id"] for item in everyone["items"]] == sorted(programme.values(), reverse=True)
    assert {item["phone"] for item in everyone["items"]} == {
        "********0001",
        "********0002",
        "********0003",
        "********0004",
    }
    assert "+1415" not in client.get("/admin/subscribers", headers=AUTH).text

    active = client.get("/admin/subscribers", params={"status": "active"}, headers=AUTH).json()
    assert {item["id"] for item in active["items"]} == {programme["A"], programme["D"]}
    a = next(item for item in active["items"] if item["id"] == programme["A"])
    assert a["wins"] == 3

    flagged = client.get("/admin/subscribers", params={"flagged": "true"}, headers=AUTH).json()
    assert [item["id"] for item in flagged["items"]] == [programme["D"]]
    unflagged = client.get("/admin/subscribers", params={"flagged": "false"}, headers=AUTH).json()
    assert unflagged["total"] == 3


@pytest.mark.parametrize("search", ["0002", "+1 415 555 0002", "14155550002"])
def test_search_by_the_end_of_the_number(
    client: TestClient, programme: dict[str, int], search: str
) -> None:
    found = client.get("/admin/subscribers", params={"number": search}, headers=AUTH).json()
    assert [item["id"] for item in found["items"]] == [programme["B"]]


def test_a_wildcard_in_a_search_is_not_a_wildcard(
    client: TestClient, programme: dict[str, int]
) -> None:
    found = client.get("/admin/subscribers", params={"number": "%"}, headers=AUTH).json()
    assert found["total"] == 4  # no digits: no number filter at all, not "match anything"
    found = client.get("/admin/subscribers", params={"number": "9%1"}, headers=AUTH).json()
    assert found["total"] == 0


def test_paging(client: TestClient, programme: dict[str, int]) -> None:
    pages = [
        client.get("/admin/subscribers", params={"limit": 3, "offset": offset}, headers=AUTH).json()
        for offset in (0, 3)
    ]
    assert [len(page["items"]) for page in pages] == [3, 1]
    assert all(page["total"] == 4 for page in pages)
    seen = [item["id"] for page in pages for item in page["items"]]
    assert sorted(seen) == sorted(programme.values())
    assert client.get("/admin/subscribers", params={"limit": 0}, headers=AUTH).status_code == 422
    assert client.get("/admin/subscribers", params={"limit": 201}, headers=AUTH).status_code == 422
    assert client.get("/admin/subscribers", params={"status": "x"}, headers=AUTH).status_code == 422


def test_history_of_one_subscriber(client: TestClient, phone: Phone, engine: Engine) -> None:
    phone.text("JOIN")
    phone.text("YES")
    a_prompt_was_sent(engine, phone.number)
    phone.text("We cooked together")
    subscriber_id = client.get("/admin/subscribers", headers=AUTH).json()["items"][0]["id"]

    history = client.get(f"/admin/subscribers/{subscriber_id}", headers=AUTH).json()
    assert history["subscriber"]["phone"] == "********" + phone.number[-4:]
    assert "+1415" not in str(history["subscriber"])
    assert [r["body"] for r in history["replies"]] == ["We cooked together", "YES", "JOIN"]
    assert [r["win"] for r in history["replies"]] == [True, False, False]
    kinds = sorted(p["kind"] for p in history["prompts"])
    assert kinds == ["prompt", "reply", "reply", "reply"]
    assert [(c["kind"], c["text"]) for c in history["consent"]] == [
        ("opt_in", "JOIN"),
        ("confirmation", "YES"),
    ]


def test_history_of_nobody_is_404(client: TestClient) -> None:
    assert client.get("/admin/subscribers/999", headers=AUTH).status_code == 404
    assert client.get("/admin/subscribers/0", headers=AUTH).status_code == 422
    assert client.get(f"/admin/subscribers/{2**40}", headers=AUTH).status_code == 422


def test_paging_bounds_are_checked_before_the_database(client: TestClient) -> None:
    for params in ({"offset": 2**63}, {"offset": -1}, {"number": "1" * 41}):
        assert client.get("/admin/subscribers", params=params, headers=AUTH).status_code == 422
