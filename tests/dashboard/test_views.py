"""Shaping figures for pages: conversation order and paging links."""

from __future__ import annotations

import datetime

from service.admin.subscribers import (
    ReceivedMessage,
    SentMessage,
    SubscriberHistory,
    SubscriberPage,
    SubscriberSummary,
)
from service.dashboard.views import page_links, timeline, week_label, when
from service.dispatch.models import OutboundKind, OutboundStatus
from service.subscribers.models import SubscriberStatus

T = datetime.datetime(2026, 3, 18, 12, 0, tzinfo=datetime.UTC)


def _summary() -> SubscriberSummary:
    return SubscriberSummary(
        id=1,
        phone="********0001",
        status=SubscriberStatus.ACTIVE,
        timezone="UTC",
        candidate_zones=[],
        zone_confirmed=False,
        language="en",
        prompts_per_week=3,
        wins=1,
        created_at=T,
        updated_at=T,
        paused_until=None,
        safety_flagged_at=None,
        undeliverable_at=None,
    )


def test_timeline_puts_a_text_before_the_reply_written_in_the_same_instant() -> None:
    history = SubscriberHistory(
        subscriber=_summary(),
        partner_name=None,
        love_language=None,
        preferred_time=datetime.time(18, 30),
        next_prompt_at=None,
        prompts=[
            SentMessage(
                id=2,
                kind=OutboundKind.REPLY,
                prompt_id=None,
                category=None,
                body="Nice!",
                status=OutboundStatus.REPLIED_INLINE,
                error_code=None,
                created_at=T,
                replied=False,
            ),
            SentMessage(
                id=1,
                kind=OutboundKind.PROMPT,
                prompt_id="p",
                category="play",
                body="Play a game",
                status=OutboundStatus.DELIVERED,
                error_code=None,
                created_at=T - datetime.timedelta(hours=2),
                replied=True,
            ),
        ],
        replies=[
            ReceivedMessage(id=1, body="We played", intent="message", received_at=T, win=True)
        ],
        consent=[],
    )
    entries = timeline(history)
    assert [(e.direction, e.body) for e in entries] == [
        ("out", "Play a game"),
        ("in", "We played"),
        ("out", "Nice!"),
    ]
    assert entries[0].note == "delivered, got a reply" and entries[1].note == "small win"


def test_page_links_keep_filters() -> None:
    page = SubscriberPage(total=60, limit=25, offset=25, items=[])
    links = page_links(page, {"number": "12", "status": ""})
    assert [(link.label, link.href) for link in links] == [
        ("Previous page", "?number=12&page=1"),
        ("Next page", "?number=12&page=3"),
    ]
    assert page_links(SubscriberPage(total=3, limit=25, offset=0, items=[]), {}) == []


def test_week_label() -> None:
    assert week_label(datetime.date(2026, 3, 2)) == "Mar 2"


def test_times_show_utc_and_the_subscriber_s_local_time() -> None:
    assert when(T) == "2026-03-18 12:00 UTC"
    assert when(T, "Australia/Perth") == "2026-03-18 12:00 UTC (Wed 20:00 Perth)"
    assert when(None, "Australia/Perth") == ""
