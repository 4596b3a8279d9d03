"""The dashboard: sign-in with a session cookie, pages with real figures, erasing from a page."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from service.app import create_app
from service.dashboard import session
from service.dashboard.throttle import ATTEMPTS, PERIOD
from service.deps import Runtime
from service.settings import Settings
from service.subscribers.models import Subscriber
from tests.admin.factories import NOW, seed_programme
from tests.conftest import ADMIN_TOKEN, PUBLIC_BASE_URL
from tests.dashboard.conftest import submit
from tests.phone import Phone


def sign_in(client: TestClient) -> TestClient:
    assert client.post("/login", data={"token": ADMIN_TOKEN}).status_code == 303
    return client


PAGES = ["/", "/subscribers", "/subscribers/1", "/catalog", "/flags", "/export/stats.csv"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_send_strangers_to_sign_in(browser: TestClient, path: str) -> None:
    response = browser.get(path)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"


def test_a_forged_or_foreign_cookie_does_not_sign_in(browser: TestClient) -> None:
    browser.cookies.set(
        session.COOKIE_NAME, session.issue("not-the-token", NOW, "00c0ffee"), "testserver"
    )
    assert browser.get("/").status_code == 303


def test_sign_in_sets_a_strict_http_only_cookie(browser: TestClient) -> None:
    form = browser.get("/login")
    assert form.status_code == 200
    assert '<label for="token">' in form.text and 'type="password"' in form.text

    response = browser.post("/login", data={"token": ADMIN_TOKEN})
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{session.COOKIE_NAME}=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" in cookie
    assert ADMIN_TOKEN not in cookie
    assert ADMIN_TOKEN not in response.headers["location"]
    assert browser.get("/").status_code == 200
    assert browser.get("/login").headers["location"] == "/"


def test_a_wrong_token_is_refused_with_a_message(browser: TestClient) -> None:
    response = browser.post("/login", data={"token": "nope"})
    assert response.status_code == 401
    assert 'role="alert"' in response.text and "set-cookie" not in response.headers
    assert browser.get("/").status_code == 303


def test_sign_out_ends_the_session(signed_in: TestClient) -> None:
    response = submit(signed_in, "/", "/logout")
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert signed_in.get("/").status_code == 303


def test_a_copy_of_the_cookie_stops_working_after_sign_out(
    signed_in: TestClient, settings: Settings, runtime: Runtime
) -> None:
    cookie = signed_in.cookies[session.COOKIE_NAME]
    with TestClient(create_app(settings, runtime), base_url="https://testserver") as copy:
        copy.cookies.set(session.COOKIE_NAME, cookie)
        assert copy.get("/", follow_redirects=False).status_code == 200
        assert submit(signed_in, "/", "/logout").status_code == 303
        assert copy.get("/", follow_redirects=False).status_code == 303
        assert copy.get("/login", follow_redirects=False).status_code == 200
    assert sign_in(signed_in).get("/").status_code == 200  # a new session is not revoked


def test_wrong_tokens_from_one_address_are_throttled(browser: TestClient) -> None:
    clock = [NOW]
    browser.app.state.runtime.clock = lambda: clock[0]  # type: ignore[attr-defined]
    for _ in range(ATTEMPTS):
        assert browser.post("/login", data={"token": "guess"}).status_code == 401
    refused = browser.post("/login", data={"token": ADMIN_TOKEN})
    assert refused.status_code == 429 and "Too many wrong tokens" in refused.text
    assert refused.headers["Retry-After"] == str(int(PERIOD.total_seconds()))
    clock[0] = NOW + PERIOD
    assert sign_in(browser).get("/").status_code == 200


@pytest.mark.parametrize("origin", ["https://evil.example", "null"])
def test_cross_site_posts_are_refused(signed_in: TestClient, origin: str) -> None:
    response = signed_in.post("/logout", headers={"Origin": origin})
    assert response.status_code == 403
    assert signed_in.get("/").status_code == 200


ANOTHER_SESSION_S_TOKEN = session.form_token(ADMIN_TOKEN, "1765000000.another-session")


@pytest.mark.parametrize("token", [None, "", "0" * 64, ANOTHER_SESSION_S_TOKEN])
def test_a_form_without_this_session_s_token_is_refused(
    signed_in: TestClient, engine: Engine, token: str | None
) -> None:
    ids = seed_programme(engine)
    data = {"confirm": "yes"} | ({} if token is None else {"form_token": token})
    response = signed_in.post(f"/subscribers/{ids['A']}/erase", data=data)
    assert response.status_code == 403 and "reload the page" in response.text
    with Session(engine) as db:
        assert db.get(Subscriber, ids["A"]) is not None


def test_overview_shows_figures_and_charts(browser: TestClient, engine: Engine) -> None:
    seed_programme(engine)
    browser.app.state.runtime.clock = lambda: NOW  # type: ignore[attr-defined]
    signed_in = sign_in(browser)  # as of NOW, like everything else in this test
    response = signed_in.get("/")
    assert response.status_code == 200
    page = response.text
    assert response.headers["cache-control"] == "no-store"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert "<h1>Overview</h1>" in page
    for chart in ("chart-active", "chart-wins", "chart-reply-rate", "chart-opt-outs"):
        assert f'id="{chart}"' in page
    assert "Small wins per week. " in page and "Mar 16: 2" in page  # wins chart, in words
    assert "Appreciation" in page  # a category label from the catalog
    assert "30003" in page
    assert "+1415" not in page
    assert not re.search(r"<(script|link)[^>]+https?://", page)  # nothing from the internet


def test_subscriber_list_search_and_detail(signed_in: TestClient, engine: Engine) -> None:
    ids = seed_programme(engine)
    listing = signed_in.get("/subscribers", params={"number": "0001"})
    assert listing.status_code == 200
    assert "1 subscriber found" in listing.text
    assert "********0001" in listing.text and "+14155550001" not in listing.text
    assert (
        signed_in.get("/subscribers", params={"status": "pending"}).text.count("********000") == 1
    )

    detail = signed_in.get(f"/subscribers/{ids['A']}")
    assert detail.status_code == 200
    assert "We hugged" in detail.text and "small win" in detail.text
    assert "Prompt appreciation-001" in detail.text
    assert "+14155550001" not in detail.text
    assert signed_in.get("/subscribers/9999").status_code == 404
    assert signed_in.get(f"/subscribers/{2**40}").status_code == 404


def test_catalog_ranks_prompts_by_reply_rate(signed_in: TestClient, engine: Engine) -> None:
    seed_programme(engine)
    page = signed_in.get("/catalog").text
    assert page.index("appreciation-001") < page.index("play-001")
    assert "100%" in page and "not sent yet" in page


def test_flags_list_flagged_texts(signed_in: TestClient, engine: Engine) -> None:
    seed_programme(engine)
    page = signed_in.get("/flags").text
    assert "********0004" in page and "he hit me again" in page and "Mark reviewed" in page
    assert "********0001" not in page


def test_erase_from_the_page_needs_the_confirmation(signed_in: TestClient, engine: Engine) -> None:
    ids = seed_programme(engine)
    person = f"/subscribers/{ids['A']}"
    unconfirmed = submit(signed_in, person, f"{person}/erase")
    assert unconfirmed.status_code == 303
    with Session(engine) as db:
        assert db.get(Subscriber, ids["A"]) is not None

    erased = submit(signed_in, person, f"{person}/erase", {"confirm": "yes"})
    assert erased.status_code == 303 and erased.headers["location"] == "/subscribers?erased=1"
    with Session(engine) as db:
        assert db.get(Subscriber, ids["A"]) is None
        assert len(db.exec(select(Subscriber)).all()) == 3
    assert "was erased" in signed_in.get("/subscribers?erased=1").text


def test_exports_download_with_the_session(browser: TestClient, engine: Engine) -> None:
    seed_programme(engine)
    browser.app.state.runtime.clock = lambda: NOW  # type: ignore[attr-defined]
    signed_in = sign_in(browser)  # as of NOW, like everything else in this test
    weekly = signed_in.get("/export/stats.csv")
    assert weekly.status_code == 200 and weekly.headers["content-type"].startswith("text/csv")
    assert len(list(csv.DictReader(io.StringIO(weekly.text)))) == 3
    consent = signed_in.get("/export/consent.csv")
    assert len(list(csv.DictReader(io.StringIO(consent.text)))) == 8


def test_the_dashboard_is_closed_without_an_admin_token(settings: object, runtime: object) -> None:
    from service.app import create_app
    from service.deps import Runtime
    from service.settings import Settings

    assert isinstance(settings, Settings) and isinstance(runtime, Runtime)
    closed = settings.model_copy(update={"admin_token": None})
    app = create_app(closed, Runtime(closed, runtime.engine, runtime.catalog))
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        assert "ADMIN_TOKEN" in client.get("/login").text
        assert client.post("/login", data={"token": ""}).status_code == 401
        assert client.post("/login", data={"token": "anything"}).status_code == 401
        assert client.get("/").status_code == 303


def test_static_files_are_served_locally(browser: TestClient) -> None:
    response = browser.get("/static/dashboard.css")
    assert response.status_code == 200 and "text/css" in response.headers["content-type"]


def test_an_empty_programme_says_so_instead_of_an_empty_rate_chart(signed_in: TestClient) -> None:
    page = signed_in.get("/").text
    assert 'id="chart-reply-rate"' not in page
    assert "No prompts have been sent yet" in page
    assert 'id="chart-wins"' in page


def test_a_subscriber_s_zone_language_and_local_times_are_shown(
    signed_in: TestClient, engine: Engine, auth_token: str
) -> None:
    idaho = Phone(signed_in, auth_token, PUBLIC_BASE_URL, "+12085551234")
    idaho.text("UNIRME")
    with Session(engine) as session:
        member = session.exec(select(Subscriber)).one()
    page = signed_in.get(f"/subscribers/{member.id}").text
    assert "not confirmed" in page and "America/Boise, America/Los_Angeles" in page
    assert "Spanish" in page
    assert "Boise)" in page  # times beside UTC, in the subscriber's own zone
    assert "(unconfirmed)" in signed_in.get("/subscribers").text
