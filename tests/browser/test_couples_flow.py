"""Two phones in the simulator pair and see each other's answer; the dashboard then shows the
pair, and an operator ends it."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.browser.test_console_flow import sign_in

QUESTION = "For you both:"


def send(phone: Locator, body: str) -> None:
    phone.locator("input[name=body]").fill(body)
    phone.locator("button[type=submit]", has_text="Send").click()
    expect(phone.locator(".message.sent").last).to_contain_text(body)


def test_two_phones_pair_reveal_and_the_operator_ends_the_pair(
    page: Page, live_server: str, artifacts: Path
) -> None:
    sign_in(page, live_server)
    page.goto(f"{live_server}/simulator")
    first, second = page.locator("#phone-panel"), page.locator("#phone-panel-2")
    expect(second).to_be_hidden()
    page.get_by_label("Two phones side by side").check()
    expect(second).to_be_visible()
    expect(second.get_by_text("Nothing on the partner's phone yet")).to_be_visible()

    for phone in (first, second):
        send(phone, "JOIN")
        send(phone, "YES")
        expect(phone.locator(".message.received").last).to_contain_text("Welcome")
    send(first, "PAIR")
    code = re.findall(r"\b\d{6}\b", first.locator(".message.received").last.inner_text())[0]
    send(second, f"PAIR {code}")
    expect(second.locator(".message.received").last).to_contain_text("paired")

    for _ in range(3):  # each partner's question comes with their own next prompt
        if all(phone.get_by_text(QUESTION).count() for phone in (first, second)):
            break
        page.get_by_role("button", name="Jump to the next prompt").click()
        expect(page.locator("#advance-form")).to_have_attribute("aria-busy", "false")
    for phone in (first, second):
        expect(phone.get_by_text(QUESTION)).to_have_count(1)
    expect(first.get_by_text("now paired")).to_be_visible()  # Ana's notice, on the way
    send(first, "The night we got lost")
    expect(first.locator(".message.received").last).to_contain_text("waits for your partner's")
    send(second, "When you made soup")
    expect(second.locator(".message.received").last).to_contain_text(
        'answered: "The night we got lost"'
    )
    page.get_by_label("Advance time by").select_option("1")
    page.get_by_role("button", name="Advance time").click()
    expect(first.locator(".message.received").last).to_contain_text(
        'answered: "When you made soup"'
    )
    page.screenshot(path=artifacts / "07-simulator-two-phones.png", full_page=True)

    page.goto(f"{live_server}/pairs")
    expect(page.get_by_role("heading", level=1, name="Couples")).to_be_visible()
    expect(page.locator("dt", has_text="Active pairs").locator("xpath=..")).to_contain_text("1")
    expect(page.locator("#chart-couples svg")).to_be_visible()
    page.screenshot(path=artifacts / "08-dashboard-couples.png", full_page=True)
    page.get_by_role("link", name=re.compile(r"^Pair \d+$")).click()
    page.get_by_label(re.compile(r"Yes, end pair")).check()
    page.get_by_role("button", name="End pair").click()
    expect(page.get_by_role("status")).to_contain_text("The pair has ended.")
    expect(page.get_by_role("button", name="End pair")).to_have_count(0)
