"""The fake Twilio server, driven by the real SDK (blocking client) over real HTTP."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from tests.fake_twilio import (
    FakeTwilio,
    parse_form,
    twilio_error_body,
    validate_message_form,
)
from tests.twilio_sync_client import make_sync_client

ACCOUNT_SID = "AC" + "1234abcd" * 4
AUTH_TOKEN = "test-auth-token"
TO = "+15551230001"
FROM = "+15550009999"
SERVICE_SID = "MG" + "9876fedc" * 4
REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeTwilio]:
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as server:
        yield server


@pytest.fixture(autouse=True)
def clean_fake(fake: FakeTwilio) -> None:
    fake.reset()


@pytest.fixture(scope="module")
def client(fake: FakeTwilio) -> Client:
    return make_sync_client(ACCOUNT_SID, AUTH_TOKEN, fake.base_url)


def twilio_error(call: Any) -> TwilioRestException:
    with pytest.raises(TwilioRestException) as caught:
        call()
    return caught.value


def test_accepted_message_has_twilio_shape_and_is_listed(fake: FakeTwilio, client: Client) -> None:
    message = client.messages.create(
        to=TO, from_=FROM, body="Tell them one thing you admire.", status_callback="http://cb/x"
    )

    assert re.fullmatch(r"SM[0-9a-f]{32}", message.sid)
    assert (message.to, message.from_, message.body) == (
        TO,
        FROM,
        "Tell them one thing you admire.",
    )
    assert message.status == "queued"
    assert message.direction == "outbound-api"
    assert message.account_sid == ACCOUNT_SID
    assert message.api_version == "2010-04-01"
    assert message.num_segments == "1"
    assert message.date_created is not None
    assert message.price is None and message.error_code is None and message.error_message is None
    assert message.uri == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{message.sid}.json"
    assert set(message.subresource_uris) == {"media", "feedback"}

    [stored] = fake.messages
    assert (stored.sid, stored.to, stored.from_, stored.body) == (
        message.sid,
        TO,
        FROM,
        message.body,
    )
    assert stored.status_callback == "http://cb/x"
    listing = requests.get(f"{fake.base_url}/_fake/messages", timeout=5).json()
    assert listing == [stored.as_listing()]
    assert listing[0]["from"] == FROM


def test_messaging_service_sender_is_accepted_without_from(
    fake: FakeTwilio, client: Client
) -> None:
    message = client.messages.create(to=TO, messaging_service_sid=SERVICE_SID, body="Hi")

    assert message.messaging_service_sid == SERVICE_SID
    assert message.from_ is None
    assert message.status == "accepted"  # what Twilio says before the service picks a sender
    assert fake.messages[0].messaging_service_sid == SERVICE_SID


def test_long_unicode_body_counts_segments(client: Client) -> None:
    message = client.messages.create(to=TO, from_=FROM, body="💛" * 40)  # 80 UTF-16 units

    assert message.num_segments == "2"


def test_wrong_auth_token_is_refused_with_20003(fake: FakeTwilio) -> None:
    intruder = make_sync_client(ACCOUNT_SID, "wrong-token", fake.base_url)

    error = twilio_error(lambda: intruder.messages.create(to=TO, from_=FROM, body="x"))

    assert (error.status, error.code) == (401, 20003)
    assert fake.messages == []


def test_account_sid_in_path_must_match_credentials(fake: FakeTwilio) -> None:
    other_account = "AC" + "0" * 32
    # Authenticated as ACCOUNT_SID, but writing into another account.
    client = make_sync_client(ACCOUNT_SID, AUTH_TOKEN, fake.base_url)

    error = twilio_error(
        lambda: client.api.v2010.accounts(other_account).messages.create(
            to=TO, from_=FROM, body="x"
        )
    )

    assert (error.status, error.code) == (401, 20003)


def test_error_bodies_have_twilio_shape(fake: FakeTwilio) -> None:
    response = requests.post(
        f"{fake.base_url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json",
        data={"To": TO, "From": FROM, "Body": "x"},
        auth=(ACCOUNT_SID, "nope"),
        timeout=5,
    )

    assert response.status_code == 401
    assert response.json() == {
        "code": 20003,
        "message": "Authenticate",
        "more_info": "https://www.twilio.com/docs/errors/20003",
        "status": 401,
    }


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"to": "", "from_": FROM, "body": "x"}, 21604),
        ({"to": TO, "body": "x"}, 21603),
        ({"to": TO, "from_": FROM}, 21602),
        ({"to": "555-1234", "from_": FROM, "body": "x"}, 21211),
        ({"to": "+1555", "from_": FROM, "body": "x"}, 21211),
        ({"to": "+0123456789", "from_": FROM, "body": "x"}, 21211),
        ({"to": TO, "from_": FROM, "body": "x" * 1601}, 21617),
    ],
)
def test_invalid_requests_get_twilio_error_codes(
    fake: FakeTwilio, client: Client, fields: dict[str, str], code: int
) -> None:
    error = twilio_error(lambda: client.messages.create(**fields))

    assert (error.status, error.code) == (400, code)
    assert fake.messages == []


@pytest.mark.parametrize(
    ("status", "code"),
    [(429, 20429), (500, 20500), (503, 20503), (400, 21610), (400, 21211), (400, 21614)],
)
def test_injected_failure_happens_n_times_then_messages_go_through(
    fake: FakeTwilio, client: Client, status: int, code: int
) -> None:
    fake.fail(TO, status, code, times=2)

    for _ in range(2):
        error = twilio_error(lambda: client.messages.create(to=TO, from_=FROM, body="x"))
        assert (error.status, error.code) == (status, code)
    message = client.messages.create(to=TO, from_=FROM, body="x")

    assert fake.request_count == 3
    assert [m.sid for m in fake.messages] == [message.sid]


def test_failure_for_one_number_leaves_other_numbers_alone(
    client: Client, fake: FakeTwilio
) -> None:
    fake.fail(TO, 400, 21610, times=None)

    client.messages.create(to="+15557770000", from_=FROM, body="x")
    for _ in range(3):
        assert twilio_error(lambda: client.messages.create(to=TO, from_=FROM, body="x")).code == (
            21610
        )

    assert [m.to for m in fake.messages] == ["+15557770000"]


def test_failure_for_all_numbers_and_number_rules_take_precedence(
    client: Client, fake: FakeTwilio
) -> None:
    fake.fail(None, 500, 20500, times=None)
    fake.fail(TO, 400, 21614, times=1)

    assert twilio_error(lambda: client.messages.create(to=TO, from_=FROM, body="x")).code == 21614
    assert twilio_error(lambda: client.messages.create(to=TO, from_=FROM, body="x")).code == 20500
    other = twilio_error(lambda: client.messages.create(to="+15557770000", from_=FROM, body="x"))
    assert other.code == 20500


def test_fetch_by_sid(client: Client) -> None:
    created = client.messages.create(to=TO, from_=FROM, body="Fetch me")

    fetched = client.messages(created.sid).fetch()

    assert (fetched.sid, fetched.body, fetched.to) == (created.sid, "Fetch me", TO)


def test_fetch_unknown_sid_is_20404(client: Client) -> None:
    error = twilio_error(lambda: client.messages("SM" + "0" * 32).fetch())

    assert (error.status, error.code) == (404, 20404)


def test_request_count_includes_failed_requests(fake: FakeTwilio, client: Client) -> None:
    client.messages.create(to=TO, from_=FROM, body="x")
    twilio_error(lambda: client.messages.create(to="bad", from_=FROM, body="x"))

    assert fake.request_count == 2
    count = requests.get(f"{fake.base_url}/_fake/requests/count", timeout=5).json()
    assert count == {"count": 2}


def test_rules_latency_and_reset_over_http(fake: FakeTwilio, client: Client) -> None:
    base = fake.base_url
    added = requests.post(
        f"{base}/_fake/rules",
        json={"to": TO, "status": 429, "code": 20429, "times": 1},
        timeout=5,
    )
    assert added.status_code == 200
    requests.post(f"{base}/_fake/rules", json={"latency": 0.001}, timeout=5)

    assert twilio_error(lambda: client.messages.create(to=TO, from_=FROM, body="x")).code == 20429
    client.messages.create(to=TO, from_=FROM, body="x")
    assert len(fake.messages) == 1

    assert requests.post(f"{base}/_fake/reset", timeout=5).json() == {"ok": True}
    assert fake.messages == [] and fake.request_count == 0
    stats = requests.get(f"{base}/_fake/stats", timeout=5).json()
    assert stats == {"requests": 0, "messages": 0, "max_concurrent": 0}


def test_several_rules_at_once_over_http(fake: FakeTwilio, client: Client) -> None:
    rules: list[Any] = [
        {"to": TO, "status": 400, "code": 21614, "times": None},
        {"to": None, "delay": 0.001},  # only slows the next request down
    ]
    response = requests.post(f"{fake.base_url}/_fake/rules", json={"rules": rules}, timeout=5)
    assert response.json()["rules_added"] == 2

    assert twilio_error(lambda: client.messages.create(to=TO, from_=FROM, body="x")).code == 21614
    client.messages.create(to="+15557770000", from_=FROM, body="x")

    assert [m.to for m in fake.messages] == ["+15557770000"]


@pytest.mark.parametrize(
    "payload",
    [
        {"status": 500, "code": "x"},
        {"to": TO, "code": 21610},
        {"rules": [{"status": 400, "code": 21610, "times": 0}]},
        {"latency": -1},
        [1],
        "not json",
    ],
)
def test_malformed_rules_are_rejected(fake: FakeTwilio, payload: Any) -> None:
    body = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()

    response = requests.post(f"{fake.base_url}/_fake/rules", data=body, timeout=5)

    assert response.status_code == 400
    assert "error" in response.json()


def test_stopped_server_refuses_connections() -> None:
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as server:
        base_url = server.base_url
        assert requests.get(f"{base_url}/_fake/stats", timeout=5).status_code == 200

    with pytest.raises(requests.ConnectionError):
        requests.get(f"{base_url}/_fake/stats", timeout=5)


def test_command_line_serves_until_terminated() -> None:
    command = [sys.executable, "-m", "tests.fake_twilio", "--port", "0"]
    command += ["--account-sid", ACCOUNT_SID, "--auth-token", AUTH_TOKEN]
    environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    with subprocess.Popen(
        command, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True, env=environment
    ) as process:
        try:
            assert process.stdout is not None
            base_url = process.stdout.readline().strip()
            assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base_url)
            client = make_sync_client(ACCOUNT_SID, AUTH_TOKEN, base_url)
            assert client.messages.create(to=TO, from_=FROM, body="x").status == "queued"
        finally:
            process.send_signal(signal.SIGTERM)
            exit_code = process.wait(timeout=10)
    assert exit_code == 0


# -- pure parts --------------------------------------------------------------------------------


def test_error_body_links_the_code() -> None:
    assert twilio_error_body(400, 21610, "Attempt to send to unsubscribed recipient") == {
        "code": 21610,
        "message": "Attempt to send to unsubscribed recipient",
        "more_info": "https://www.twilio.com/docs/errors/21610",
        "status": 400,
    }


@given(digits=st.text(alphabet="0123456789", min_size=1, max_size=20))
def test_e164_means_plus_and_8_to_15_digits_without_leading_zero(digits: str) -> None:
    problem = validate_message_form({"To": "+" + digits, "From": FROM, "Body": "x"})

    is_e164 = 8 <= len(digits) <= 15 and not digits.startswith("0")
    assert (problem is None) == is_e164
    if problem is not None:
        assert problem.code == 21211


form_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)


@given(fields=st.dictionaries(form_text.filter(bool), form_text, max_size=6))
def test_parse_form_reads_what_urlencode_writes(fields: dict[str, str]) -> None:
    assert parse_form(urlencode(fields).encode()) == fields
