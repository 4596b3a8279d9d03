from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

import httpx
import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.deps import Runtime
from service.settings import Settings
from tests.conftest import ADMIN_TOKEN


@pytest.fixture
def browser(settings: Settings, runtime: Runtime) -> Iterator[TestClient]:
    """A client over https (the public URL is https, so the session cookie is Secure)."""
    with TestClient(
        create_app(settings, runtime), base_url="https://testserver", follow_redirects=False
    ) as client:
        yield client


@pytest.fixture
def signed_in(browser: TestClient) -> TestClient:
    response = browser.post("/login", data={"token": ADMIN_TOKEN})
    assert response.status_code == 303, response.text
    return browser


def submit(
    client: TestClient, page: str, action: str, data: Mapping[str, str] | None = None
) -> httpx.Response:
    """Posts a form the way a browser does: with the form token of the page it is on."""
    html = client.get(page).text
    found = re.search(r'name="form_token" value="([0-9a-f]+)"', html)
    assert found is not None, f"{page} has no form"
    return client.post(action, data={**(data or {}), "form_token": found[1]})
