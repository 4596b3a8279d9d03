"""schemathesis against the OpenAPI schema of the admin API and the webhooks: no 5xx.

The app runs in-process (ASGI) on each database backend, over a seeded programme, with a bounded
number of examples per operation so the suite stays quick. Operations are driven one by one
with Hypothesis (schemathesis' pytest plugin is not used: its lazy fixtures do not work with
this pytest).
"""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from sqlalchemy import Engine

from service.webhooks import sign
from tests.admin.conftest import AUTH
from tests.admin.pair_factories import seed_pairs
from tests.conftest import PUBLIC_BASE_URL

MAX_EXAMPLES = 30
FUZZED_PATHS = "^/(admin|sms)/"
FUZZED = {
    ("GET", "/admin/stats"),
    ("GET", "/admin/subscribers"),
    ("GET", "/admin/subscribers/{subscriber_id}"),
    ("DELETE", "/admin/subscribers/{subscriber_id}"),
    ("GET", "/admin/catalog"),
    ("GET", "/admin/pairs"),
    ("POST", "/admin/pairs/{pair_id}/end"),
    ("GET", "/admin/export/stats.csv"),
    ("GET", "/admin/export/consent.csv"),
    ("POST", "/sms/inbound"),
    ("POST", "/sms/status"),
}


def _operations(client: TestClient) -> list[schemathesis.APIOperation]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app).include(
        path_regex=FUZZED_PATHS
    )
    return [result.ok() for result in schema.get_all_operations()]


def test_the_fuzzed_operations_are_the_admin_api_and_the_webhooks(client: TestClient) -> None:
    found = {(op.method.upper(), op.path) for op in _operations(client)}
    assert found >= FUZZED


@pytest.mark.parametrize("operation", sorted(FUZZED), ids=lambda op: f"{op[0]} {op[1]}")
def test_no_server_errors(
    client: TestClient,
    engine: Engine,
    programme: dict[str, int],
    operation: tuple[str, str],
    auth_token: str,
) -> None:
    if operation[1].startswith("/admin/pairs"):
        seed_pairs(engine)  # pairs to list and end, beside the programme's members
    [api] = [op for op in _operations(client) if (op.method.upper(), op.path) == operation]
    seen: list[int] = []

    @given(case=api.as_strategy())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(case: schemathesis.Case) -> None:
        headers = dict(AUTH)
        if case.path.startswith("/sms/") and isinstance(case.body, dict):
            # Sign as Twilio would, so the fuzzing reaches past the signature check.
            form = {str(k): str(v) for k, v in case.body.items()}
            case.body = form
            headers["X-Twilio-Signature"] = sign(auth_token, PUBLIC_BASE_URL + case.path, form)
        response = case.call(headers=headers)
        seen.append(response.status_code)
        assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text}"

    call()
    assert seen, "no request was made"
