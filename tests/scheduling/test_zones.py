"""Zones: the places a subscriber names, and sending when a number could be in several zones."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.phones import zones_for_number
from service.scheduling.schedule import (
    DEFAULT_SEND_WINDOW,
    SendWindow,
    first_shared_moment,
    inside_every_window,
    is_inside_window,
)
from service.scheduling.state_rules import default_rules, narrowed, rule_for
from service.scheduling.zones import resolve_place, zone_label, zones_of

WINDOW = DEFAULT_SEND_WINDOW


@pytest.mark.parametrize(
    ("place", "zone"),
    [
        ("Perth", "Australia/Perth"),
        ("perth", "Australia/Perth"),
        ("Pert", "Australia/Perth"),  # a typo
        ("Denver", "America/Denver"),
        ("denvr", "America/Denver"),
        ("PST", "America/Los_Angeles"),
        ("est", "America/New_York"),
        ("Europe/Madrid", "Europe/Madrid"),
        ("america/denver", "America/Denver"),
        ("Nueva York", "America/New_York"),
        ("Ciudad de México", "America/Mexico_City"),
        ("cdmx", "America/Mexico_City"),
        ("Londres", "Europe/London"),
        ("Seattle", "America/Los_Angeles"),
        ("Boise", "America/Boise"),
        ("Auckland", "Pacific/Auckland"),
        ("  Madrid! ", "Europe/Madrid"),
    ],
)
def test_places_people_name(place: str, zone: str) -> None:
    assert resolve_place(place) == zone


@pytest.mark.parametrize("place", ["", "   ", "xq", "asdkjhqwe", "Mars", "x" * 500, None])
def test_unknown_places_resolve_to_nothing(place: str | None) -> None:
    assert resolve_place(place) is None


@given(st.text(max_size=80))
def test_any_text_resolves_to_a_real_zone_or_nothing(place: str) -> None:
    zone = resolve_place(place)
    assert zone is None or ZoneInfo(zone) is not None


def test_a_zone_is_named_by_its_city() -> None:
    assert zone_label("America/New_York") == "New York"
    assert zone_label("Australia/Perth") == "Perth"


@pytest.mark.parametrize(
    ("phone", "zones"),
    [
        ("+12125550101", ("America/New_York",)),
        ("+12085551234", ("America/Boise", "America/Los_Angeles")),  # Idaho's 208
        ("+6421123456", ("Pacific/Auckland", "Pacific/Chatham")),
    ],
)
def test_a_number_gets_every_zone_it_could_be_in(phone: str, zones: tuple[str, ...]) -> None:
    assert zones_for_number(phone, "America/New_York") == zones


def test_a_number_that_tells_nothing_gets_the_default() -> None:
    assert zones_for_number("+15550009999", "America/Chicago") == ("America/Chicago",)
    assert zones_for_number("not a number", "America/Chicago") == ("America/Chicago",)


EVENING_UTC = datetime.datetime(2026, 3, 10, 23, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    "zones",
    [
        "Pacific/Auckland Pacific/Chatham",
        "Europe/London Europe/Guernsey Europe/Jersey Europe/Isle_of_Man",
        "Australia/Adelaide Australia/Brisbane Australia/Eucla Australia/Lord_Howe "
        "Australia/Perth Australia/Sydney Indian/Christmas Indian/Cocos",
        "America/Boise America/Los_Angeles",
        "America/Adak America/Anchorage",
    ],
)
def test_zones_of_one_country_share_some_daytime(zones: str) -> None:
    found = first_shared_moment(EVENING_UTC, zones_of("", zones), WINDOW)
    assert found is not None and found >= EVENING_UTC
    for zone in zones.split():
        assert is_inside_window(found, ZoneInfo(zone), WINDOW), zone


def test_zones_half_a_world_apart_share_none() -> None:
    zones = zones_of("", "America/New_York Pacific/Guam Europe/London")
    assert first_shared_moment(EVENING_UTC, zones, WINDOW) is None


ZONE_NAMES = [
    "Pacific/Auckland", "Pacific/Chatham", "Europe/London", "Europe/Madrid", "Atlantic/Canary",
    "America/New_York", "America/Chicago", "America/Denver", "America/Boise",
    "America/Los_Angeles", "America/Anchorage", "America/Adak", "Australia/Perth",
    "Australia/Sydney", "Australia/Lord_Howe", "Asia/Kolkata", "America/St_Johns",
]  # fmt: skip


@given(
    at=st.datetimes(
        min_value=datetime.datetime(2025, 1, 1),
        max_value=datetime.datetime(2028, 12, 31),
        timezones=st.just(datetime.UTC),
    ),
    names=st.lists(st.sampled_from(ZONE_NAMES), min_size=1, max_size=4, unique=True),
    start=st.integers(6, 10),
    length=st.integers(4, 14),
)
def test_a_shared_moment_is_inside_the_window_in_every_zone(
    at: datetime.datetime, names: list[str], start: int, length: int
) -> None:
    """Across DST changes: whatever moment is found is inside every zone's window, never
    before `at`, and any instant just before it (if after `at`) is outside some window."""
    window = SendWindow(datetime.time(start), datetime.time(min(start + length, 23)))
    zones = tuple(ZoneInfo(name) for name in names)
    found = first_shared_moment(at, zones, window)
    if found is None:
        return
    assert found >= at
    assert inside_every_window(found, zones, window)
    just_before = found - datetime.timedelta(seconds=1)
    if just_before >= at:
        assert not inside_every_window(just_before, zones, window)


@pytest.mark.parametrize(
    ("phone", "state"),
    [("+13055551234", "FL"), ("+19545551234", "FL"), ("+14055551234", "OK")],
)
def test_florida_and_oklahoma_numbers_have_their_state_s_rule(phone: str, state: str) -> None:
    rule = rule_for(phone, default_rules())
    assert rule is not None and rule.state == state and rule.per_24_hours == 3
    assert narrowed(WINDOW, rule) == SendWindow(datetime.time(8), datetime.time(20))


@pytest.mark.parametrize("phone", ["+12125550101", "+447911123456", "+1305555123", "+61305551234"])
def test_other_numbers_keep_the_service_s_window(phone: str) -> None:
    rule = rule_for(phone, default_rules())
    assert rule is None and narrowed(WINDOW, rule) == WINDOW
