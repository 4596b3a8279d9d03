"""GET /admin/stats and the figures behind it, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from service.admin.stats import category_rates, programme_stats, rate
from service.deps import Runtime
from tests.admin.conftest import AUTH
from tests.admin.factories import NOW, WEEKS, seed_programme


def test_rate_is_zero_without_a_denominator() -> None:
    assert rate(0, 0) == 0.0
    assert rate(2, 3) == 0.667


def test_category_rates_list_unsent_categories_and_rank_best_first() -> None:
    rows = category_rates(
        {"play": 4, "repair": 2, None: 1},
        {"play": 1, "repair": 2},
        {"play": "Play", "repair": "Repair", "touch": "Touch"},
    )
    assert [(r.category, r.label, r.sent, r.replied, r.reply_rate) for r in rows] == [
        ("repair", "Repair", 2, 2, 1.0),
        ("play", "Play", 4, 1, 0.25),
        ("(none)", "(none)", 1, 0, 0.0),
        ("touch", "Touch", 0, 0, 0.0),
    ]


def test_programme_stats_add_up(engine: Engine, runtime: Runtime) -> None:
    seed_programme(engine)
    stats = programme_stats(engine, runtime.catalog, NOW, weeks=3)

    assert stats.subscribers == {"pending": 1, "active": 2, "paused": 0, "opted_out": 1}
    assert stats.prompts_sent == 3  # the failed one never left
    assert stats.wins == 3
    assert stats.reply_rate == 0.667  # two of three prompts got a reply (one of them twice)
    by_category = {row.category: row for row in stats.reply_rate_by_category}
    assert (by_category["appreciation"].sent, by_category["appreciation"].replied) == (2, 2)
    assert by_category["appreciation"].reply_rate == 1.0
    assert (by_category["play"].sent, by_category["play"].replied) == (1, 0)
    assert by_category["appreciation"].label == runtime.catalog.categories["appreciation"]
    assert stats.reply_rate_by_category[0].category == "appreciation"
    assert stats.delivery_failures == {"30003": 1}
    assert stats.safety_flagged == 1

    weeks = [
        (w.week_start, w.joins, w.opt_outs, w.prompts_sent, w.wins, w.active) for w in stats.weeks
    ]
    assert weeks == [
        (WEEKS[0], 1, 0, 1, 1, 1),
        (WEEKS[1], 1, 1, 1, 0, 1),  # B's opt-out at Sunday 23:59:59 is still this week
        (WEEKS[2], 1, 0, 1, 2, 2),  # D's confirmation at Monday 00:00:00 is this week's
    ]


def test_stats_on_an_empty_programme(engine: Engine, runtime: Runtime) -> None:
    stats = programme_stats(engine, runtime.catalog, NOW, weeks=2)
    assert stats.prompts_sent == 0 and stats.wins == 0 and stats.reply_rate == 0.0
    assert [w.active for w in stats.weeks] == [0, 0]
    assert all(row.sent == 0 for row in stats.reply_rate_by_category)


def test_the_stats_route_keeps_the_contract_and_adds_the_rest(
    client: TestClient, engine: Engine
) -> None:
    seed_programme(engine)
    client.app.state.runtime.clock = lambda: NOW  # type: ignore[attr-defined]
    response = client.get("/admin/stats", params={"weeks": 3}, headers=AUTH)
    assert response.status_code == 200
    body = response.json()
    assert body["subscribers"] == {"pending": 1, "active": 2, "paused": 0, "opted_out": 1}
    assert body["prompts_sent"] == 3 and body["wins"] == 3
    assert [w["week_start"] for w in body["weeks"]] == [d.isoformat() for d in WEEKS]
    assert [w["opt_outs"] for w in body["weeks"]] == [0, 1, 0]
    assert body["delivery_failures"] == {"30003": 1}
    assert body["safety_flagged"] == 1


def test_weeks_default_to_twelve_and_are_bounded(client: TestClient) -> None:
    client.app.state.runtime.clock = lambda: NOW  # type: ignore[attr-defined]
    body = client.get("/admin/stats", headers=AUTH).json()
    assert len(body["weeks"]) == 12
    assert body["weeks"][-1]["week_start"] == datetime.date(2026, 3, 16).isoformat()
    assert client.get("/admin/stats", params={"weeks": 0}, headers=AUTH).status_code == 422
    assert client.get("/admin/stats", params={"weeks": 105}, headers=AUTH).status_code == 422


def test_weeks_reach_activity_recorded_ahead_of_the_clock(engine: Engine, runtime: Runtime) -> None:
    """The phone simulator records texts "as of" a later time; the weeks run to them."""
    seed_programme(engine)
    a_week_earlier = NOW - datetime.timedelta(weeks=1)
    stats = programme_stats(engine, runtime.catalog, a_week_earlier, weeks=2)
    assert [w.week_start for w in stats.weeks] == WEEKS[1:]
    assert stats.weeks[-1].wins == 2


def test_weeks_none_means_since_the_first_consent_event(engine: Engine, runtime: Runtime) -> None:
    seed_programme(engine)
    later = NOW + datetime.timedelta(weeks=2)
    stats = programme_stats(engine, runtime.catalog, later, weeks=None)
    assert stats.weeks[0].week_start == WEEKS[0]
    assert len(stats.weeks) == 5
