"""Every /admin route refuses a missing or wrong token, and so does a closed admin."""

from __future__ import annotations

import datetime

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from service.admin.routes import router as admin_router
from service.app import create_app
from service.dashboard.throttle import BEARER_ATTEMPTS, PERIOD
from service.deps import Runtime
from service.settings import Settings
from tests.admin.conftest import AUTH
from tests.conftest import ADMIN_TOKEN

EXPECTED = {
    ("GET", "/admin/stats"),
    ("GET", "/admin/subscribers"),
    ("GET", "/admin/subscribers/{subscriber_id}"),
    ("DELETE", "/admin/subscribers/{subscriber_id}"),
    ("GET", "/admin/catalog"),
    ("GET", "/admin/pairs"),
    ("POST", "/admin/pairs/{pair_id}/end"),
    ("GET", "/admin/export/stats.csv"),
    ("GET", "/admin/export/consent.csv"),
    ("GET", "/admin/export/check-ins.csv"),
}
BAD_HEADERS = [
    {},
    {"Authorization": "Bearer wrong-token"},
    {"Authorization": f"Bearer {ADMIN_TOKEN}x"},
    {"Authorization": f"Basic {ADMIN_TOKEN}"},
    {"Authorization": ADMIN_TOKEN},
    {"Authorization": "Bearer "},
]


def admin_routes(_client: TestClient | None = None) -> list[tuple[str, str]]:
    """Every operation of the /admin router, the one the bearer dependency guards."""
    return sorted(
        (method, route.path)
        for route in admin_router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    )


def concrete(path: str) -> str:
    return path.replace("{subscriber_id}", "1").replace("{pair_id}", "1")


def test_the_admin_routes_are_the_ones_we_guard(client: TestClient) -> None:
    assert set(admin_routes()) == EXPECTED
    served = client.get("/openapi.json").json()["paths"]
    admin_paths = {
        (m.upper(), p) for p, ops in served.items() if p.startswith("/admin") for m in ops
    }
    assert admin_paths == EXPECTED  # nothing under /admin comes from another router


@pytest.mark.parametrize("headers", BAD_HEADERS, ids=lambda h: h.get("Authorization", "none"))
def test_every_admin_route_refuses_a_bad_token(
    client: TestClient, programme: dict[str, int], headers: dict[str, str]
) -> None:
    for method, path in admin_routes(client):
        response = client.request(method, concrete(path), headers=headers)
        assert response.status_code == 401, (method, path, response.status_code)
        assert response.headers["www-authenticate"] == "Bearer"
    # nothing was erased by the refused DELETE
    assert client.get("/admin/subscribers/1", headers=AUTH).status_code == 200


def test_every_admin_route_is_closed_when_no_token_is_set(
    settings: Settings, runtime: Runtime
) -> None:
    closed = settings.model_copy(update={"admin_token": None})
    app = create_app(closed, Runtime(closed, runtime.engine, runtime.catalog))
    with TestClient(app) as client:
        for method, path in admin_routes(client):
            for headers in ({}, AUTH, {"Authorization": "Bearer "}):
                response = client.request(method, concrete(path), headers=headers)
                assert response.status_code == 401, (method, path)


def test_admin_routes_are_in_the_openapi_schema(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    documented = {(method.upper(), path) for path, ops in paths.items() for method in ops}
    assert documented >= EXPECTED
    assert not any(path in paths for path in ("/", "/login", "/simulator", "/metrics"))


@pytest.mark.parametrize("api_docs", [False, True])
def test_the_interactive_api_pages_are_served_only_when_asked_for(
    settings: Settings, runtime: Runtime, api_docs: bool
) -> None:
    chosen = settings.model_copy(update={"api_docs": api_docs})
    with TestClient(create_app(chosen, runtime)) as client:
        assert client.get("/openapi.json").status_code == 200
        for page in ("/docs", "/redoc"):
            assert (client.get(page).status_code == 200) is api_docs, page


def test_wrong_bearer_tokens_are_throttled_per_address(
    client: TestClient, runtime: Runtime, programme: dict[str, int]
) -> None:
    start = runtime.clock()
    wrong = {"Authorization": "Bearer wrong-token"}
    for _ in range(BEARER_ATTEMPTS):
        assert client.get("/admin/stats", headers=wrong).status_code == 401
    locked = client.get("/admin/stats", headers=AUTH)  # even the right token waits
    assert locked.status_code == 429
    assert 0 < int(locked.headers["retry-after"]) <= PERIOD.total_seconds()
    assert client.get("/admin/stats", headers={}).status_code == 401  # no guess, no lock
    runtime.clock = lambda: start + PERIOD + datetime.timedelta(seconds=1)
    assert client.get("/admin/stats", headers=AUTH).status_code == 200
