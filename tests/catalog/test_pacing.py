"""Pacing a member's year: which prompts the rules allow at a given moment (pure)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.catalog import Prompt, load_catalog
from service.catalog.choice import (
    LIGHT_ONLY_DAYS,
    NO_DEEP_DAYS,
    QUIET_AFTER,
    Pacing,
    choose_prompt,
    depths_allowed,
    fits_the_hour,
    is_heavy,
)
from service.catalog.traits import Depth, Effort, Form, Occasion, TimeOfDay, Traits

CATALOG = load_catalog(Path(__file__).parents[2] / "messages")
NOON = datetime.time(12)
MORNING = datetime.time(8)
EVENING = datetime.time(18, 30)


def prompt(prompt_id: str, **traits: object) -> Prompt:
    return Prompt(prompt_id, prompt_id.split("-")[0], "text", None, (), Traits(**traits))  # type: ignore[arg-type]


def settled(local_time: datetime.time = NOON, **changes: object) -> Pacing:
    """A member of two months who replies."""
    return Pacing(local_time=local_time, days_in=60, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("days_in", "unanswered", "allowed"),
    [
        (0, 0, {Depth.LIGHT}),
        (LIGHT_ONLY_DAYS - 1, 0, {Depth.LIGHT}),
        (LIGHT_ONLY_DAYS, 0, {Depth.LIGHT, Depth.MEDIUM}),
        (NO_DEEP_DAYS - 1, 0, {Depth.LIGHT, Depth.MEDIUM}),
        (NO_DEEP_DAYS, 0, set(Depth)),
        (NO_DEEP_DAYS, QUIET_AFTER - 1, set(Depth)),
        (400, QUIET_AFTER, {Depth.LIGHT}),  # stopped replying: lighter until they answer
    ],
)
def test_depth_grows_over_the_first_weeks_and_lightens_when_quiet(
    days_in: int, unanswered: int, allowed: set[Depth]
) -> None:
    pacing = Pacing(local_time=NOON, days_in=days_in, unanswered=unanswered)
    assert depths_allowed(pacing) == allowed


@pytest.mark.parametrize(
    ("time", "at", "fits"),
    [
        (TimeOfDay.MORNING, datetime.time(7), True),
        (TimeOfDay.MORNING, datetime.time(11, 59), True),
        (TimeOfDay.MORNING, NOON, False),
        (TimeOfDay.MORNING, EVENING, False),
        (TimeOfDay.EVENING, MORNING, True),  # read in the morning, as a plan for the evening
        (None, EVENING, True),
    ],
)
def test_a_morning_prompt_never_arrives_after_noon(
    time: TimeOfDay | None, at: datetime.time, fits: bool
) -> None:
    assert fits_the_hour(prompt("a-1", time=time), at) is fits


def test_a_series_goes_on_part_by_part() -> None:
    prompts = [
        prompt("a-1", form=Form.SERIES, series="s", part=1),
        prompt("a-2", form=Form.SERIES, series="s", part=2),
        prompt("a-3", form=Form.SERIES, series="s", part=3),
        *(prompt(f"b-{n}") for n in range(5)),
    ]
    assert choose_prompt(prompts, ["a-1"], None, 1, settled()).id == "a-2"
    assert choose_prompt(prompts, ["a-1", "a-2"], None, 1, settled()).id == "a-3"
    # A later part never starts a series on its own.
    for seed in range(40):
        assert choose_prompt(prompts, ["b-0"], None, seed, settled()).id in {
            "a-1",
            "b-1",
            "b-2",
            "b-3",
            "b-4",
        }


def test_a_series_waits_when_its_next_part_is_for_the_morning() -> None:
    prompts = [
        prompt("a-1", form=Form.SERIES, series="s", part=1),
        prompt("a-2", form=Form.SERIES, series="s", part=2, time=TimeOfDay.MORNING),
        prompt("b-1"),
    ]
    assert choose_prompt(prompts, ["a-1"], None, 1, settled(EVENING)).id == "b-1"
    assert choose_prompt(prompts, ["a-1", "b-1"], None, 1, settled(MORNING)).id == "a-2"


def test_anniversary_prompts_wait_for_the_days_before_it() -> None:
    prompts = [prompt("a-1", occasion=Occasion.ANNIVERSARY), prompt("b-1"), prompt("c-1")]
    chosen = {choose_prompt(prompts, [], None, seed, settled()).id for seed in range(30)}
    assert "a-1" not in chosen
    soon = settled(anniversary_soon=True)
    assert {choose_prompt(prompts, [], None, seed, soon).id for seed in range(30)} == {"a-1"}


def test_a_rest_week_is_rare_and_never_in_the_first_month() -> None:
    prompts = [prompt("a-1", form=Form.REST), prompt("b-1"), prompt("c-1")]
    new = Pacing(local_time=NOON, days_in=3)
    assert all(choose_prompt(prompts, [], None, seed, new).id != "a-1" for seed in range(30))
    rested = ["a-1", "b-1"]
    assert all(
        choose_prompt(prompts, rested, None, seed, settled()).id != "a-1" for seed in range(30)
    )


depths = st.sampled_from(list(Depth))
efforts = st.sampled_from(list(Effort))
times = st.sampled_from([None, TimeOfDay.MORNING, TimeOfDay.EVENING])


@st.composite
def catalogs(draw: st.DrawFn) -> list[Prompt]:
    size = draw(st.integers(3, 30))
    return [
        prompt(
            f"{draw(st.sampled_from('abcd'))}-{n}",
            idea=f"idea-{draw(st.integers(0, size))}",
            depth=draw(depths),
            effort=draw(efforts),
            time=draw(times),
        )
        for n in range(size)
    ]


@settings(max_examples=150)
@given(
    catalogs(),
    st.integers(0, 2**32),
    st.integers(0, 200),
    st.integers(0, 5),
    st.sampled_from([MORNING, NOON, EVENING]),
)
def test_the_firm_rules_hold_and_the_others_give_way_only_when_nothing_is_left(
    prompts: list[Prompt], seed: int, days_in: int, unanswered: int, at: datetime.time
) -> None:
    history: list[str] = []
    for step in range(len(prompts) + 3):
        pacing = Pacing(local_time=at, days_in=days_in, unanswered=unanswered)
        chosen = choose_prompt(prompts, history, None, seed + step, pacing)
        allowed_now = [p for p in prompts if fits_the_hour(p, at)]
        if allowed_now:
            assert fits_the_hour(chosen, at)  # a morning prompt never after noon
        used = {p.idea for p in prompts if p.id in history}
        fresh = [p for p in allowed_now if p.idea not in used]
        if fresh:
            assert chosen.idea not in used  # no idea repeats while fresh ones remain
            gentle = [p for p in fresh if p.traits.depth in depths_allowed(pacing)]
            if gentle:
                assert chosen.traits.depth in depths_allowed(pacing)
                previous = next((p for p in prompts if history and p.id == history[-1]), None)
                light_left = any(not is_heavy(p) for p in gentle)
                if previous is not None and is_heavy(previous) and light_left:
                    assert not is_heavy(chosen)  # never heavy after heavy
        history.append(chosen.id)


def test_the_real_catalog_gives_a_new_member_light_prompts_in_the_evening() -> None:
    history: list[str] = []
    for day in range(LIGHT_ONLY_DAYS):
        chosen = choose_prompt(
            CATALOG.prompt_index, history, None, day, Pacing(local_time=EVENING, days_in=day)
        )
        assert chosen.traits.depth is Depth.LIGHT
        assert chosen.traits.time is not TimeOfDay.MORNING
        history.append(chosen.id)
