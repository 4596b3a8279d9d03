"""/admin/pairs: couples figures and pairs, and ending a pair, on SQLite and PostgreSQL."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from service.couples.models import Pair
from service.deps import Runtime
from tests.admin.conftest import AUTH
from tests.admin.factories import NOW
from tests.admin.pair_factories import ANA, BEN, seed_pairs
from tests.couples.helpers import notices_to, paired
from tests.phone import Phone


def as_of_now(client: TestClient, runtime: Runtime) -> TestClient:
    runtime.clock = lambda: NOW
    return client


def test_pairs_come_with_their_figures_suspended_first(
    client: TestClient, runtime: Runtime, engine: Engine
) -> None:
    ids = seed_pairs(engine)
    response = as_of_now(client, runtime).get("/admin/pairs", headers=AUTH)
    assert response.status_code == 200, response.text
    report = response.json()
    figures = report["figures"]
    assert figures["pairs"] == {"active": 1, "suspended": 1, "ended": 1}
    assert figures["since"].startswith("2025-12-29T00:00:00")
    assert figures["questions"] == {"open": 1, "revealed": 1, "expired": 2}
    assert figures["shared_answers"] == {"sent": 8, "answered": 5, "rate": 0.625}
    assert figures["individual_replies"] == {"sent": 3, "answered": 2, "rate": 0.667}
    assert [item["id"] for item in report["items"]] == [
        ids["cam_dee"],
        ids["ana_ben"],
        ids["eve_fay"],
    ]
    assert [item["state"] for item in report["items"]] == ["suspended", "active", "ended"]
    suspended, active, ended = report["items"]
    assert [(m["phone"], m["safety_flagged"]) for m in suspended["members"]] == [
        ("********0203", False),
        ("********0204", True),
    ]
    assert [m["name"] for m in active["members"]] == ["Ana", "Ben"]
    assert active["questions"] == {"open": 1, "revealed": 1, "expired": 1}
    assert (active["answers"]["answered"], active["answers"]["sent"]) == (4, 6)
    assert ended["questions"] == {"open": 0, "revealed": 1, "expired": 0}  # all its own
    assert "+1415" not in response.text
    for answer in ("The picnic", "Soup", "Dancing", "Our walk"):  # what partners wrote
        assert answer not in response.text


def test_pairs_filter_by_state_and_page(
    client: TestClient, runtime: Runtime, engine: Engine
) -> None:
    ids = seed_pairs(engine)
    as_of_now(client, runtime)
    only = client.get("/admin/pairs", params={"state": "ended"}, headers=AUTH).json()
    assert only["total"] == 1 and [item["id"] for item in only["items"]] == [ids["eve_fay"]]
    second = client.get("/admin/pairs", params={"limit": 1, "offset": 1}, headers=AUTH).json()
    assert second["total"] == 3 and [item["id"] for item in second["items"]] == [ids["ana_ben"]]
    assert client.get("/admin/pairs", params={"state": "x"}, headers=AUTH).status_code == 422
    assert client.get("/admin/pairs").status_code == 401


def test_ending_a_pair_tells_both_members_once(
    client: TestClient, runtime: Runtime, engine: Engine
) -> None:
    ids = seed_pairs(engine)
    as_of_now(client, runtime)
    ended = client.post(f"/admin/pairs/{ids['ana_ben']}/end", headers=AUTH)
    assert ended.status_code == 200, ended.text
    assert ended.json() == {
        "pair_id": ids["ana_ben"],
        "ended_at": NOW.isoformat().replace("+00:00", "Z"),
        "ended_now": True,
    }
    with Session(engine) as session:
        pair = session.get(Pair, ids["ana_ben"])
        assert pair is not None and pair.ended_at == NOW
    for number in (ANA, BEN):
        assert notices_to(engine, number) == [
            f"{runtime.settings.program_name}: your pairing has ended. Your own prompts carry on."
        ]
    again = client.post(f"/admin/pairs/{ids['ana_ben']}/end", headers=AUTH)
    assert again.status_code == 409 and "already ended" in again.text
    assert len(notices_to(engine, ANA)) == 1
    assert client.post("/admin/pairs/999999/end", headers=AUTH).status_code == 404
    assert client.post(f"/admin/pairs/{ids['cam_dee']}/end").status_code == 401


def test_an_operator_ends_a_pair_with_the_notice_unpair_sends(
    client: TestClient, engine: Engine, phone: Phone
) -> None:
    """One way to tell a member their pairing ended: the operator's is UNPAIR's."""
    ana, ben = phone, phone.other("+14155550212")
    cam, dee = phone.other("+14155550213"), phone.other("+14155550214")
    paired(ana, ben)
    paired(cam, dee)
    assert "ended" in (ana.text("UNPAIR") or "")
    [told_by_unpair] = [body for body in notices_to(engine, ben.number) if "ended" in body]

    with Session(engine) as session:
        pair = session.exec(select(Pair).where(col(Pair.ended_at).is_(None))).one()
    assert client.post(f"/admin/pairs/{pair.id}/end", headers=AUTH).status_code == 200
    for member in (cam, dee):
        assert [body for body in notices_to(engine, member.number) if "ended" in body] == [
            told_by_unpair
        ]
        assert "not paired" in (member.text("UNPAIR") or "")
