"""What the dashboard pages show, worked out from the admin figures: pure functions, no I/O."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from markupsafe import Markup

from service.admin.stats import ProgrammeStats
from service.admin.subscribers import SubscriberHistory
from service.dashboard.charts import Point, bar_chart, line_chart, percent, rate_chart
from service.scheduling.zones import zone_label

PAGE_SIZE = 25


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    hint: str = ""


@dataclass(frozen=True)
class Overview:
    figures: list[Figure]
    charts: list[Markup]
    failures: list[tuple[str, int]]
    has_replies_data: bool


@dataclass(frozen=True)
class Entry:
    """One line of a subscriber's conversation, oldest first."""

    at: datetime.datetime
    direction: str  # "in" (they texted) or "out" (we sent)
    kind: str  # reply, prompt, recap; or the intent read in an inbound text
    body: str
    note: str  # delivery status, "small win", "got a reply"


@dataclass(frozen=True)
class PageLink:
    label: str
    href: str


def week_label(day: datetime.date) -> str:
    return f"{day:%b} {day.day}"


def when(moment: datetime.datetime | None, zone: str | None = None) -> str:
    """UTC, and beside it the subscriber's local time when their zone is given."""
    if moment is None:
        return ""
    text = moment.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    if zone:
        local = moment.astimezone(ZoneInfo(zone))
        text += f" ({local:%a %H:%M} {zone_label(zone)})"
    return text


def overview(stats: ProgrammeStats) -> Overview:
    subscribers = stats.subscribers
    figures = [
        Figure("Active subscribers", str(subscribers.get("active", 0))),
        Figure("Waiting to confirm", str(subscribers.get("pending", 0))),
        Figure("Paused", str(subscribers.get("paused", 0))),
        Figure("Opted out", str(subscribers.get("opted_out", 0))),
        Figure("Prompts sent", str(stats.prompts_sent)),
        Figure("Small wins", str(stats.wins)),
        Figure("Reply rate", percent(stats.reply_rate), "prompts that got at least one reply"),
        Figure("Safety flags", str(stats.safety_flagged), "texts that showed a safety concern"),
    ]
    weeks = stats.weeks
    sent_categories = [row for row in stats.reply_rate_by_category if row.sent > 0]
    charts = [
        line_chart(
            [Point(week_label(w.week_start), w.active) for w in weeks],
            title="Active subscribers over time (end of each week)",
            value_header="Subscribed",
            chart_id="chart-active",
        ),
        bar_chart(
            [Point(week_label(w.week_start), w.wins) for w in weeks],
            title="Small wins per week",
            value_header="Wins",
            chart_id="chart-wins",
        ),
        bar_chart(
            [Point(week_label(w.week_start), w.opt_outs) for w in weeks],
            title="Opt-outs per week",
            value_header="Opt-outs",
            chart_id="chart-opt-outs",
        ),
    ]
    if sent_categories:  # no prompts sent yet: the page says so instead of an empty chart
        charts.insert(
            2,
            rate_chart(
                [Point(row.label, row.reply_rate) for row in sent_categories],
                title="Reply rate by prompt category",
                notes=[f"{row.replied} of {row.sent} prompts" for row in sent_categories],
                chart_id="chart-reply-rate",
            ),
        )
    return Overview(
        figures=figures,
        charts=charts,
        failures=sorted(stats.delivery_failures.items(), key=lambda item: -item[1]),
        has_replies_data=bool(sent_categories),
    )


def timeline(history: SubscriberHistory) -> list[Entry]:
    entries = [
        Entry(
            at=message.created_at,
            direction="out",
            kind=message.kind.value,
            body=message.body,
            note=message.status.value.replace("_", " ")
            + (f", error {message.error_code}" if message.error_code else "")
            + (", got a reply" if message.replied else ""),
        )
        for message in history.prompts
    ] + [
        Entry(
            at=message.received_at,
            direction="in",
            kind=(message.intent or "text").replace("_", " "),
            body=message.body,
            note=(
                "small win"
                if message.win
                else f"check-in answer: {message.check_in_score} of 5"
                if message.check_in_score is not None
                else ""
            ),
        )
        for message in history.replies
    ]
    # A reply is written in the same instant as the text it answers: the text comes first.
    return sorted(entries, key=lambda entry: (entry.at, entry.direction != "in"))


class Paged(Protocol):
    """A page of a longer list: subscribers, pairs."""

    @property
    def total(self) -> int: ...
    @property
    def limit(self) -> int: ...
    @property
    def offset(self) -> int: ...


def page_links(page: Paged, filters: dict[str, str]) -> list[PageLink]:
    """Previous / next links that keep the current filters."""
    links = []
    current = page.offset // page.limit + 1
    kept = {key: value for key, value in filters.items() if value}
    if page.offset > 0:
        links.append(PageLink("Previous page", "?" + urlencode({**kept, "page": current - 1})))
    if page.offset + page.limit < page.total:
        links.append(PageLink("Next page", "?" + urlencode({**kept, "page": current + 1})))
    return links
