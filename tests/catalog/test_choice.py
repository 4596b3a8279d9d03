import random
from collections import Counter
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.catalog import LOVE_LANGUAGES, Prompt, choose_acknowledgement, choose_prompt
from service.catalog.choice import LOVE_LANGUAGE_PREFERENCE
from service.catalog.loader import PromptIndex


def make_prompt(prompt_id: str, love_language: str | None = None) -> Prompt:
    """A prompt whose category is the id's prefix before the dash: "a-1" is in category "a"."""
    return Prompt(prompt_id, prompt_id.split("-")[0], f"Text of {prompt_id}", love_language, ())


def make_prompts(*prompt_ids: str) -> list[Prompt]:
    return [make_prompt(prompt_id) for prompt_id in prompt_ids]


def simulate(
    prompts: Sequence[Prompt], sends: int, love_language: str | None, seed: int
) -> list[Prompt]:
    """Send `sends` prompts in a row to one subscriber, feeding each choice into the history."""
    history: list[str] = []
    sent: list[Prompt] = []
    for step in range(sends):
        chosen = choose_prompt(prompts, history, love_language, seed + step)
        history.append(chosen.id)
        sent.append(chosen)
    return sent


@st.composite
def catalogs(draw: st.DrawFn) -> list[Prompt]:
    size = draw(st.integers(min_value=1, max_value=24))
    return [
        Prompt(
            id=f"p{index}",
            category=draw(st.sampled_from("abcd")),
            text="text",
            love_language=draw(st.sampled_from([None, *LOVE_LANGUAGES])),
            tags=(),
        )
        for index in range(size)
    ]


seeds = st.integers(min_value=0, max_value=2**32)
love_languages = st.sampled_from([None, *LOVE_LANGUAGES])


def test_empty_catalog_is_an_error() -> None:
    with pytest.raises(ValueError):
        choose_prompt([], [], None, seed=1)


@pytest.mark.parametrize(
    ("prompts", "history", "allowed"),
    [
        pytest.param(
            make_prompts("a-1", "a-2", "b-1"),
            ["a-1", "b-1"],
            {"a-2"},
            id="the one unsent prompt",
        ),
        pytest.param(
            make_prompts("a-1", "a-2", "b-1"),
            ["b-1", "a-1"],
            {"a-2"},
            id="unsent prompt even in the previous category",
        ),
        pytest.param(
            make_prompts("a-1", "b-1"),
            ["gone-1", "a-1", "gone-2"],
            {"b-1"},
            id="retired ids are ignored",
        ),
        pytest.param(make_prompts("a-1"), ["gone-1"], {"a-1"}, id="only retired ids sent"),
        pytest.param(
            make_prompts("a-1", "a-2", "b-1", "b-2"),
            ["a-1", "b-1", "a-2", "b-2"],
            {"a-1", "a-2"},
            id="second round starts with the least recent category",
        ),
        pytest.param(
            make_prompts("a-1", "b-1", "c-1"),
            ["a-1", "b-1", "c-1", "a-1", "b-1"],
            {"c-1"},
            id="only least-sent prompts are candidates",
        ),
        pytest.param(
            make_prompts("a-1", "a-2", "b-1", "b-2", "c-1", "c-2"),
            ["c-1", "a-1", "b-1"],
            {"c-2"},
            id="least recently used category",
        ),
        pytest.param(
            make_prompts("a-1", "a-2", "b-1", "c-1"),
            ["b-1", "c-1"],
            {"a-1", "a-2"},
            id="never-used category first",
        ),
        pytest.param(
            make_prompts("a-1", "a-2", "a-3", "b-1"),
            ["a-1", "b-1", "a-2"],
            {"a-3"},
            id="category repeats when it alone has candidates",
        ),
    ],
)
def test_choose_prompt_follows_the_rotation_rules(
    prompts: list[Prompt], history: list[str], allowed: set[str]
) -> None:
    for seed in range(20):
        assert choose_prompt(prompts, history, None, seed).id in allowed


def test_same_inputs_give_the_same_prompt() -> None:
    prompts = [make_prompt(f"{c}-{n}", LOVE_LANGUAGES[n % 5]) for c in "abc" for n in range(5)]
    history = ["a-0", "b-3"]

    for seed in range(30):
        first = choose_prompt(prompts, history, "touch", seed)
        assert all(choose_prompt(prompts, history, "touch", seed) == first for _ in range(3))


def test_different_seeds_give_variety() -> None:
    prompts = make_prompts("a-1", "a-2", "b-1", "b-2", "c-1", "c-2")

    first_picks = {choose_prompt(prompts, [], None, seed).id for seed in range(100)}

    assert first_picks == {prompt.id for prompt in prompts}


def test_love_language_without_a_match_in_the_rotation_keeps_the_rotation() -> None:
    prompts = [
        make_prompt("a-1", "words"),
        make_prompt("a-2", "time"),
        make_prompt("b-1", "gifts"),
        make_prompt("b-2", "gifts"),
    ]

    picks = {choose_prompt(prompts, ["b-1"], "gifts", seed).id for seed in range(50)}

    assert picks == {"a-1", "a-2"}


def test_love_language_is_preferred_about_60_percent_of_the_time() -> None:
    # In every category 2 of 10 prompts speak "touch": a 20% share.
    prompts = [
        make_prompt(f"{category}-{n}", "touch" if n < 2 else "words")
        for category in "abc"
        for n in range(10)
    ]

    def touch_share(love_language: str | None) -> float:
        picks = [choose_prompt(prompts, [], love_language, seed) for seed in range(2000)]
        return sum(p.love_language == "touch" for p in picks) / len(picks)

    assert 0.15 < touch_share(None) < 0.25
    assert 0.62 < touch_share("touch") < 0.74  # 0.6 + 0.4 * 0.2 = 0.68


def test_love_language_prompts_come_earlier_in_a_run() -> None:
    # 6 of 30 prompts speak "acts"; a run of 10 sends would hold about 2 by chance.
    prompts = [
        make_prompt(f"{category}-{n}", "acts" if n < 2 else None)
        for category in "abc"
        for n in range(10)
    ]

    def acts_sent(love_language: str | None) -> int:
        return sum(
            p.love_language == "acts"
            for seed in range(0, 3000, 100)
            for p in simulate(prompts, 10, love_language, seed)
        )

    runs = 30
    assert acts_sent(None) < 3 * runs
    assert acts_sent("acts") > 4 * runs


@settings(max_examples=60)
@given(catalogs(), love_languages, seeds)
def test_no_prompt_repeats_before_every_prompt_was_sent(
    prompts: list[Prompt], love_language: str | None, seed: int
) -> None:
    sent = simulate(prompts, len(prompts), love_language, seed)

    assert sorted(p.id for p in sent) == sorted(p.id for p in prompts)


@settings(max_examples=60)
@given(catalogs(), love_languages, seeds)
def test_send_counts_never_differ_by_more_than_one(
    prompts: list[Prompt], love_language: str | None, seed: int
) -> None:
    counts = Counter({prompt.id: 0 for prompt in prompts})
    for sent in simulate(prompts, 2 * len(prompts) + 3, love_language, seed):
        counts[sent.id] += 1
        assert max(counts.values()) - min(counts.values()) <= 1


@settings(max_examples=60)
@given(catalogs(), love_languages, seeds)
def test_consecutive_categories_differ_whenever_possible(
    prompts: list[Prompt], love_language: str | None, seed: int
) -> None:
    history: list[str] = []
    previous: Prompt | None = None
    for step in range(2 * len(prompts)):
        counts = Counter(history)
        fewest = min(counts[p.id] for p in prompts)
        candidate_categories = {p.category for p in prompts if counts[p.id] == fewest}

        chosen = choose_prompt(prompts, history, love_language, seed + step)

        if previous is not None and candidate_categories - {previous.category}:
            assert chosen.category != previous.category
        history.append(chosen.id)
        previous = chosen


@settings(max_examples=60)
@given(catalogs(), st.sampled_from(LOVE_LANGUAGES), seeds, st.integers(0, 30))
def test_setting_a_love_language_only_ever_swaps_in_a_matching_prompt(
    prompts: list[Prompt], love_language: str, seed: int, history_length: int
) -> None:
    history = [p.id for p in simulate(prompts, history_length, None, seed)]

    with_language = choose_prompt(prompts, history, love_language, seed)
    without_language = choose_prompt(prompts, history, None, seed)

    assert with_language == without_language or with_language.love_language == love_language


@st.composite
def evenly_mixed_catalogs(draw: st.DrawFn) -> tuple[list[Prompt], float]:
    """Categories that all hold the same share (at most half) of "words" prompts."""
    category_count = draw(st.integers(min_value=1, max_value=4))
    per_category = draw(st.integers(min_value=2, max_value=8))
    matching = draw(st.integers(min_value=1, max_value=per_category // 2))
    other_languages = st.sampled_from([None, *(lang for lang in LOVE_LANGUAGES if lang != "words")])
    prompts = [
        make_prompt(f"{category}-{n}", "words" if n < matching else draw(other_languages))
        for category in "abcd"[:category_count]
        for n in range(per_category)
    ]
    words_share = sum(p.love_language == "words" for p in prompts) / len(prompts)
    return prompts, words_share


@settings(max_examples=25, deadline=None)
@given(evenly_mixed_catalogs())
def test_love_language_prompts_are_chosen_more_often_than_their_share(
    catalog: tuple[list[Prompt], float],
) -> None:
    prompts, words_share = catalog

    picks = [choose_prompt(prompts, [], "words", seed) for seed in range(400)]
    chosen_share = sum(p.love_language == "words" for p in picks) / len(picks)

    # Expected 0.6 + 0.4 * share, so at least share + 0.3 when the share is at most 0.5.
    assert chosen_share > words_share + 0.15


def reference_choose_prompt(
    prompts: Sequence[Prompt], history: Sequence[str], love_language: str | None, seed: int
) -> Prompt:
    """choose_prompt as it was before it indexed the catalog: the specification it must match
    draw for draw (an O(catalog) walk on every call, kept here verbatim)."""
    if not prompts:
        raise ValueError("cannot choose a prompt from an empty catalog")
    rng = random.Random(seed)
    category_of = {prompt.id: prompt.category for prompt in prompts}
    known_history = [prompt_id for prompt_id in history if prompt_id in category_of]

    times_sent = Counter(known_history)
    fewest = min(times_sent[prompt.id] for prompt in prompts)
    candidates = [prompt for prompt in prompts if times_sent[prompt.id] == fewest]

    last_used_at = {category_of[prompt_id]: i for i, prompt_id in enumerate(known_history)}
    candidate_categories = sorted({prompt.category for prompt in candidates})
    oldest_use = min(last_used_at.get(category, -1) for category in candidate_categories)
    stalest_categories = [
        category
        for category in candidate_categories
        if last_used_at.get(category, -1) == oldest_use
    ]
    category = rng.choice(stalest_categories)
    in_rotation = [prompt for prompt in candidates if prompt.category == category]

    speaking_their_language = [
        prompt for prompt in in_rotation if love_language and prompt.love_language == love_language
    ]
    prefer_language = rng.random() < LOVE_LANGUAGE_PREFERENCE
    if speaking_their_language and prefer_language:
        return rng.choice(speaking_their_language)
    return rng.choice(in_rotation)


@st.composite
def loose_catalogs(draw: st.DrawFn) -> list[Prompt]:
    """Small catalogs with few ids and categories, so ids can repeat (across categories too)
    and histories cover every prompt several times."""
    size = draw(st.integers(min_value=1, max_value=16))
    return [
        Prompt(
            id=draw(st.sampled_from([f"p{n}" for n in range(12)])),
            category=draw(st.sampled_from("abcde")),
            text="text",
            love_language=draw(st.sampled_from([None, "", *LOVE_LANGUAGES])),
            tags=(),
        )
        for _ in range(size)
    ]


@settings(max_examples=400)
@given(
    loose_catalogs(),
    st.data(),
    st.sampled_from([None, "", *LOVE_LANGUAGES]),
    seeds,
)
def test_choose_prompt_matches_the_reference_implementation(
    prompts: list[Prompt], data: st.DataObject, love_language: str | None, seed: int
) -> None:
    # Histories mix catalog ids (some sent many times) with retired ones.
    ids = [*sorted({p.id for p in prompts}), "gone-1", "gone-2"]
    history = data.draw(st.lists(st.sampled_from(ids), max_size=60))
    expected = reference_choose_prompt(prompts, history, love_language, seed)
    as_tuple = tuple(prompts)

    # `is`: the very element of `prompts`, not merely an equal one.
    assert choose_prompt(prompts, history, love_language, seed) is expected
    assert choose_prompt(as_tuple, history, love_language, seed) is expected
    index = PromptIndex.of(as_tuple)  # as a Catalog holds it
    assert choose_prompt(index, history, love_language, seed) is expected


@settings(max_examples=30, deadline=None)
@given(catalogs(), love_languages, seeds)
def test_whole_runs_match_the_reference_implementation(
    prompts: list[Prompt], love_language: str | None, seed: int
) -> None:
    catalog = tuple(prompts)
    index = PromptIndex.of(catalog)
    history: list[str] = []
    for step in range(3 * len(prompts) + 2):
        expected = reference_choose_prompt(catalog, history, love_language, seed + step)
        assert choose_prompt(index, history, love_language, seed + step) is expected
        history.append(expected.id)


def test_a_catalog_tuple_changed_for_another_gives_that_catalogs_choice() -> None:
    first = tuple(make_prompts("a-1", "b-1"))
    second = tuple(make_prompts("c-1", "d-1"))

    for seed in range(10):
        assert choose_prompt(first, [], None, seed) in first
        assert choose_prompt(second, [], None, seed) in second
        assert choose_prompt(list(second), ["c-1"], None, seed).id == "d-1"


def test_acknowledgement_from_an_empty_pool_is_an_error() -> None:
    with pytest.raises(ValueError):
        choose_acknowledgement([], None, seed=1)


@pytest.mark.parametrize(
    ("pool", "previous", "allowed"),
    [
        (["Nice!"], "Nice!", {"Nice!"}),
        (["Nice!", "Lovely!"], "Nice!", {"Lovely!"}),
        (["Nice!", "Lovely!", "Yes!"], "Yes!", {"Nice!", "Lovely!"}),
        (["Nice!", "Lovely!", "Yes!"], None, {"Nice!", "Lovely!", "Yes!"}),
        (["Nice!", "Lovely!"], "Retired line", {"Nice!", "Lovely!"}),
        (["Nice!", "Nice!"], "Nice!", {"Nice!"}),
    ],
)
def test_acknowledgement_avoids_the_previous_one(
    pool: list[str], previous: str | None, allowed: set[str]
) -> None:
    picks = {choose_acknowledgement(pool, previous, seed) for seed in range(60)}

    assert picks == allowed


@given(st.lists(st.text(), min_size=2, unique=True), st.data(), seeds)
def test_acknowledgement_never_repeats_and_is_deterministic(
    pool: list[str], data: st.DataObject, seed: int
) -> None:
    previous = data.draw(st.sampled_from(pool))

    chosen = choose_acknowledgement(pool, previous, seed)

    assert chosen in pool
    assert chosen != previous
    assert choose_acknowledgement(pool, previous, seed) == chosen
