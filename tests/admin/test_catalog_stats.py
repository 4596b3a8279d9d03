"""GET /admin/catalog: each prompt's sends and replies, best first."""

from __future__ import annotations

from fastapi.testclient import TestClient

from service.admin.catalog_stats import rank_prompts
from service.catalog import Catalog, Prompt
from tests.admin.conftest import AUTH


def _catalog() -> Catalog:
    return Catalog(
        prompts=tuple(
            Prompt(id=pid, category="play", text=f"text {pid}", love_language=None, tags=())
            for pid in ("p1", "p2", "p3")
        ),
        categories={"play": "Play"},
        fallbacks={},
        acknowledgements={},
        recaps=None,
    )


def test_ranking_by_rate_then_sends_and_retired_prompts_listed() -> None:
    rows = rank_prompts(_catalog(), {"p1": 4, "p2": 2, "gone": 3}, {"p1": 2, "p2": 1, "gone": 3})
    assert [(r.id, r.sent, r.replied, r.reply_rate, r.in_catalog) for r in rows] == [
        ("gone", 3, 3, 1.0, False),
        ("p1", 4, 2, 0.5, True),
        ("p2", 2, 1, 0.5, True),
        ("p3", 0, 0, 0.0, True),
    ]
    assert rows[1].category_label == "Play" and rows[0].text is None


def test_catalog_route_counts_sends_and_replies(
    client: TestClient, programme: dict[str, int]
) -> None:
    response = client.get("/admin/catalog", headers=AUTH)
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()}
    assert (rows["appreciation-001"]["sent"], rows["appreciation-001"]["replied"]) == (1, 1)
    assert (rows["appreciation-002"]["sent"], rows["appreciation-002"]["replied"]) == (1, 1)
    assert (rows["play-001"]["sent"], rows["play-001"]["replied"]) == (1, 0)
    assert rows["play-002"]["sent"] == 0  # failed: never reached the phone
    ranked = [row["id"] for row in response.json()]
    assert ranked.index("appreciation-001") < ranked.index("play-001")
    assert all(row["in_catalog"] for row in response.json())
