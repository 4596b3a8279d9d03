from __future__ import annotations

from collections.abc import Iterator

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
