"""A year of prompts played through the real schedule and prompt choice, with the real
catalog in each language: what issue 19 asks of a member's year at 3 prompts a week."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from pathlib import Path

import pytest

from service.catalog import Catalog, load_catalog
from service.catalog.choice import LIGHT_ONLY_DAYS, QUIET_AFTER, is_heavy
from service.catalog.traits import Depth, TimeOfDay
from service.catalog.year import simulate, weeks_until_an_idea_repeats

CATALOG = load_catalog(Path(__file__).parents[2] / "messages")
LANGUAGES = {"en": CATALOG, **CATALOG.translations}

MEMBERS: dict[str, tuple[datetime.time, Callable[[int], bool]]] = {
    "evening, always replies": (datetime.time(18, 30), lambda n: True),
    "morning, replies to every other": (datetime.time(7, 30), lambda n: n % 2 == 0),
    "lunchtime, goes quiet after a month": (datetime.time(12, 15), lambda n: n < 12),
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("member", MEMBERS)
def test_a_year_at_three_a_week(language: str, member: str) -> None:
    catalog: Catalog = LANGUAGES[language]
    preferred, answers = MEMBERS[member]
    sends = simulate(
        catalog, prompts_per_week=3, weeks=52, preferred=preferred, answers=answers, seed=7
    )
    assert 150 <= len(sends) <= 160
    ideas = [send.prompt.idea for send in sends]
    assert len(ideas) == len(set(ideas)), "an idea came back within 12 months"
    for before, after in itertools.pairwise(sends):
        assert not (is_heavy(before.prompt) and is_heavy(after.prompt)), (before, after)
    for send in sends:
        if send.prompt.traits.time is TimeOfDay.MORNING:
            assert send.at.time() < datetime.time(12), send
    first_day = sends[0].at
    for send in sends:
        if send.at - first_day < datetime.timedelta(days=LIGHT_ONLY_DAYS):
            assert send.prompt.traits.depth is Depth.LIGHT, send
    unanswered = 0
    for n, send in enumerate(sends):
        if unanswered >= QUIET_AFTER:
            assert send.prompt.traits.depth is Depth.LIGHT, send  # lighter once quiet
        unanswered = 0 if answers(n) else unanswered + 1
    depths = {depth: sum(s.prompt.traits.depth is depth for s in sends) for depth in Depth}
    print(f"{language} {member}: {len(sends)} prompts, depth {depths}")
    if answers(40):
        assert depths[Depth.DEEP] > 0  # the year does deepen for someone who keeps replying


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_idea_repeats_within_a_year_even_at_seven_a_week(language: str) -> None:
    weeks = weeks_until_an_idea_repeats(LANGUAGES[language], 7)
    print(f"{language}: first repeated idea at 7 a week after {weeks} weeks")
    assert weeks is None or weeks >= 45
