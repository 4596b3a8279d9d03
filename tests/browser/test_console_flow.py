"""The whole experience in a browser: simulator, then the dashboard showing what happened."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import ADMIN_TOKEN


def sign_in(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/")
    expect(page).to_have_url(f"{base_url}/login")
    page.get_by_label("Admin token").fill(ADMIN_TOKEN)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Overview")).to_be_visible()


def send(page: Page, body: str) -> None:
    page.get_by_label("Message").fill(body)
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#conversation .message.sent").last).to_contain_text(body)


def test_simulator_to_dashboard(page: Page, live_server: str, artifacts: Path) -> None:
    sign_in(page, live_server)
    assert ADMIN_TOKEN not in page.url
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["nudge_session"]["httpOnly"] and cookies["nudge_session"]["sameSite"] == "Strict"

    page.goto(f"{live_server}/simulator")
    expect(page.get_by_role("heading", level=1, name="Phone simulator")).to_be_visible()
    received = page.locator("#conversation .message.received")

    expect(page.get_by_text("No messages yet")).to_be_visible()
    send(page, "JOIN")
    expect(received.last).to_contain_text("Reply YES")
    expect(page.get_by_text("No messages yet")).to_be_hidden()
    send(page, "YES")
    expect(received.last).to_contain_text("Welcome")
    page.screenshot(path=artifacts / "01-simulator-joined.png", full_page=True)

    page.get_by_role("button", name="Jump to the next prompt").click()
    expect(page.locator("#sim-time")).to_contain_text("ahead")
    expect(received).to_have_count(3)
    prompt = received.last.locator(".body").inner_text()
    assert prompt and "Welcome" not in prompt
    expect(received.last).to_contain_text("Service (prompt)")
    page.screenshot(path=artifacts / "02-simulator-prompt.png", full_page=True)

    send(page, "We cooked dinner together and laughed a lot")
    expect(received).to_have_count(4)
    expect(received.last).not_to_contain_text("this week")  # no counter on every reply
    page.screenshot(path=artifacts / "03-simulator-reply.png", full_page=True)

    page.goto(f"{live_server}/")
    wins = page.locator("dt", has_text="Small wins").locator("xpath=following-sibling::dd")
    expect(wins).to_have_text("1")
    expect(page.locator("dt", has_text="Active subscribers").locator("xpath=..")).to_contain_text(
        "1"
    )
    for chart in ("chart-active", "chart-wins", "chart-reply-rate", "chart-opt-outs"):
        expect(page.locator(f"#{chart} svg")).to_be_visible()
    expect(page.locator("#chart-wins svg rect.bar")).to_have_count(12)
    bar_heights = page.locator("#chart-wins svg rect.bar").evaluate_all(
        "bars => bars.map(b => Number(b.getAttribute('height')))"
    )
    assert sum(1 for height in bar_heights if height > 0) == 1  # this week's win
    expect(page.locator("#chart-reply-rate svg rect.bar")).to_have_count(1)
    expect(page.locator("#chart-reply-rate desc")).to_have_text(re.compile(r": 100%"))
    page.screenshot(path=artifacts / "04-dashboard-overview.png", full_page=True)

    page.get_by_role("link", name="Subscribers").click()
    page.get_by_role("link", name=re.compile(r"\*+0100")).click()
    expect(page.locator(".conversation")).to_contain_text("small win")
    page.screenshot(path=artifacts / "05-dashboard-subscriber.png", full_page=True)

    # A form that changes something carries the session's form token and our own Origin.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Admin token")).to_be_visible()
    page.goto(f"{live_server}/subscribers")
    expect(page.get_by_label("Admin token")).to_be_visible()


def test_keyboard_sign_in_and_a_phone_sized_screen(
    page: Page, live_server: str, artifacts: Path
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/login")
    page.keyboard.press("Tab")  # the skip link comes first
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Admin token")).to_be_focused()
    page.keyboard.type(ADMIN_TOKEN)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Overview")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the overview scrolls sideways on a phone ({width}px)"
    page.screenshot(path=artifacts / "06-overview-phone.png", full_page=True)
