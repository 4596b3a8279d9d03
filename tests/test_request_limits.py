"""Request bodies over the limit are refused as they stream in, on every route."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from starlette.types import Message

from service.request_limits import MAX_REQUEST_BYTES

CHUNK = b"x" * 4096
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.mark.parametrize("path", ["/sms/inbound", "/sms/status", "/login", "/flags/1"])
def test_a_chunked_body_is_refused_once_it_passes_the_limit(client: TestClient, path: str) -> None:
    """Driven as the server drives the app (the test client would read the body whole first):
    the app stops asking for chunks once the limit is passed."""
    asked = 0
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal asked
        asked += 1
        return {"type": "http.request", "body": CHUNK, "more_body": asked < 1000}  # 4 MB

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "https",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"nudge.example.test"),
            (b"content-type", FORM["Content-Type"].encode()),
            (b"transfer-encoding", b"chunked"),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("nudge.example.test", 443),
        "state": {},
    }
    asyncio.run(client.app(scope, receive, send))
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 413
    assert b"too large" in b"".join(m.get("body", b"") for m in sent[1:])
    assert asked * len(CHUNK) <= MAX_REQUEST_BYTES + len(CHUNK)


def test_the_test_client_s_chunked_body_is_refused_too(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield from [CHUNK] * 100

    response = client.post("/sms/inbound", content=chunks(), headers=FORM)
    assert response.status_code == 413 and "too large" in response.json()["detail"]


@pytest.mark.parametrize("declared", [str(MAX_REQUEST_BYTES + 1), "12abc"])
def test_a_declared_length_over_the_limit_is_refused_unread(
    client: TestClient, declared: str
) -> None:
    response = client.post(
        "/login", content=b"token=x", headers=FORM | {"Content-Length": declared}
    )
    assert response.status_code == 413


def test_a_body_under_the_limit_reaches_the_route(client: TestClient) -> None:
    body = b"token=" + b"x" * (MAX_REQUEST_BYTES - 100)
    response = client.post("/login", content=body, headers=FORM)
    assert response.status_code == 422  # the route's own check: the token is too long
