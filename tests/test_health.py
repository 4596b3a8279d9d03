from fastapi.testclient import TestClient

from tests.conftest import ADMIN_TOKEN
from tests.phone import Phone


def test_healthz_checks_the_database(client: TestClient) -> None:
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_admin_stats_needs_the_bearer_token(client: TestClient, phone: Phone) -> None:
    phone.text("JOIN")
    phone.other("+12125550111").text("JOIN")
    phone.other("+12125550111").text("YES")
    assert client.get("/admin/stats").status_code == 401
    assert client.get("/admin/stats", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/admin/stats", headers={"Authorization": ADMIN_TOKEN}).status_code == 401
    response = client.get("/admin/stats", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert response.status_code == 200
    body = response.json()
    assert body["subscribers"] == {"pending": 1, "active": 1, "paused": 0, "opted_out": 0}
    assert body["prompts_sent"] == 0 and body["wins"] == 0
