"""Choose the next prompt (and acknowledgement) for a subscriber.

Pure and deterministic: the caller passes the history, the moment and a seed, so the same
inputs always give the same choice and tests need no mocking.

Pacing a year (`Pacing`, issue 19): an idea is not repeated while fresh ones are left; a
morning prompt never arrives after noon; a new member's first two weeks are light, the next
two add medium, and deep comes after; a member who stopped replying gets light ones; a heavy
prompt (deep, high effort or costly) never follows another; a series goes on part by part; a rest
week is rare; anniversary prompts wait for the days before the member's anniversary. Each
rule gives way, least important first, only when keeping it would leave nothing to send.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from service.catalog.loader import Prompt, PromptIndex
from service.catalog.traits import Cost, Depth, Effort, Form, Occasion, TimeOfDay

# How often a known love language wins over a plain pick from the rotation's candidates.
LOVE_LANGUAGE_PREFERENCE: Final = 0.6
MORNING_ENDS: Final = datetime.time(12)
LIGHT_ONLY_DAYS: Final = 14  # a new member's first two weeks
NO_DEEP_DAYS: Final = 28  # then medium joins; deep after four weeks
QUIET_AFTER: Final = 3  # prompts in a row with no reply: lighter ones until they answer
REST_NOT_BEFORE_DAYS: Final = 28
REST_SPACING: Final = 8  # prompts between two rest weeks, at least
SERIES_PATIENCE: Final = 3  # a series goes on if its latest part is among the last prompts


@dataclass(frozen=True)
class Pacing:
    """Where the member is, at the moment the prompt will arrive."""

    local_time: datetime.time  # in the member's zone
    days_in: int  # since they joined
    unanswered: int = 0  # the latest prompts in a row that got no reply
    anniversary_soon: bool = False  # their anniversary is in the next few days


def is_heavy(prompt: Prompt) -> bool:
    """A big ask: deep, a planned evening's effort, or money to spend."""
    return (
        prompt.traits.depth is Depth.DEEP
        or prompt.traits.effort is Effort.HIGH
        or prompt.traits.cost is Cost.SOME
    )


def depths_allowed(pacing: Pacing) -> frozenset[Depth]:
    if pacing.days_in < LIGHT_ONLY_DAYS or pacing.unanswered >= QUIET_AFTER:
        return frozenset({Depth.LIGHT})
    if pacing.days_in < NO_DEEP_DAYS:
        return frozenset({Depth.LIGHT, Depth.MEDIUM})
    return frozenset(Depth)


def fits_the_hour(prompt: Prompt, local_time: datetime.time) -> bool:
    """A morning prompt only before noon; an evening one may be read early, as a plan."""
    return prompt.traits.time is not TimeOfDay.MORNING or local_time < MORNING_ENDS


def choose_prompt(
    prompts: Sequence[Prompt] | PromptIndex,
    history: Sequence[str],
    love_language: str | None,
    seed: int,
    pacing: Pacing | None = None,
) -> Prompt:
    """The next prompt to send, given the ids already sent (oldest first).

    With `pacing`, the next part of a series in progress comes first; otherwise the prompts
    the pacing rules allow (see the module doc) go through the rotation below.

    The rotation:
    1. Only the least-sent prompts are candidates, so nothing repeats until every prompt
       has been sent as often (ids in `history` that are no longer in `prompts` are ignored).
    2. Among the candidates, take the category used least recently (never-used first; ties
       broken by the seed). The previous prompt's category is the most recent, so it is
       only repeated when no other category has candidates.
    3. With a love language, pick a prompt of that language with probability
       LOVE_LANGUAGE_PREFERENCE, otherwise any candidate of the category, so matching
       prompts come earlier without crowding out the rest.
    Raises ValueError when `prompts` is empty.
    """
    index = prompts if isinstance(prompts, PromptIndex) else PromptIndex.of(tuple(prompts))
    if not index.prompts:
        raise ValueError("cannot choose a prompt from an empty catalog")
    rng = random.Random(seed)
    if pacing is None:
        return _rotation(index, history, love_language, rng, index.category_of)
    sent = [index.by_id[prompt_id] for prompt_id in history if prompt_id in index.by_id]
    following = _next_in_series(index.prompts, sent, pacing)
    if following is not None:
        return following
    pool = _paced_pool(index, sent, pacing)
    return _rotation(PromptIndex.of(pool), history, love_language, rng, index.category_of)


def _next_in_series(
    prompts: Sequence[Prompt], sent: Sequence[Prompt], pacing: Pacing
) -> Prompt | None:
    """The next part of the series begun among the latest prompts, if it can go now; a part
    that must wait (a morning one in the evening) goes at a later prompt."""
    started = next((p for p in reversed(sent[-SERIES_PATIENCE:]) if p.traits.series), None)
    if started is None or started.traits.part is None:
        return None
    used = {prompt.idea for prompt in sent}
    return next(
        (
            prompt
            for prompt in prompts
            if prompt.traits.series == started.traits.series
            and prompt.traits.part == started.traits.part + 1
            and prompt.idea not in used
            and fits_the_hour(prompt, pacing.local_time)
            and not (is_heavy(prompt) and is_heavy(sent[-1]))
        ),
        None,
    )


def _paced_pool(index: PromptIndex, sent: Sequence[Prompt], pacing: Pacing) -> tuple[Prompt, ...]:
    """The prompts the rules allow now. The first three rules always hold. The others rank
    the rest, most important first, and the best-ranked are kept: a rule gives way only when
    no prompt left by the rules before it keeps it."""
    used_ideas = {prompt.idea for prompt in sent}
    depths = depths_allowed(pacing)
    after_heavy = bool(sent) and is_heavy(sent[-1])
    rest_allowed = pacing.days_in >= REST_NOT_BEFORE_DAYS and not any(
        p.traits.form is Form.REST for p in sent[-REST_SPACING:]
    )

    def ranked(prompt: Prompt) -> tuple[bool, ...]:
        traits = prompt.traits
        # A series starts only if every part of it suits the member now.
        depth = index.series_depth[traits.series] if traits.series else traits.depth
        return (
            prompt.idea not in used_ideas,
            pacing.anniversary_soon and traits.occasion is Occasion.ANNIVERSARY,
            depth in depths,
            not (after_heavy and is_heavy(prompt)),
            traits.form is not Form.REST or rest_allowed,
        )

    allowed = [
        prompt
        for prompt in index.prompts
        if fits_the_hour(prompt, pacing.local_time)
        and (prompt.traits.part or 1) == 1  # a series starts at its beginning
        and (prompt.traits.occasion is not Occasion.ANNIVERSARY or pacing.anniversary_soon)
    ]
    if not allowed:
        return index.prompts
    ranks = [ranked(prompt) for prompt in allowed]
    best = max(ranks)
    return tuple(prompt for prompt, rank in zip(allowed, ranks, strict=True) if rank == best)


def _rotation(
    index: PromptIndex,
    history: Sequence[str],
    love_language: str | None,
    rng: random.Random,
    category_of_any: Mapping[str, str],
) -> Prompt:
    """Steps 1-3 of choose_prompt over `index`; `category_of_any` places every sent id in
    its category, including ids the pacing left out of `index`.

    Cost: O(len(history) + categories + one category's prompts) given the catalog's
    `prompt_index`; a plain sequence of prompts is indexed on every call.
    """
    category_of = index.category_of
    known_history = [prompt_id for prompt_id in history if prompt_id in category_of]
    times_sent = Counter(known_history)
    last_used_at = {
        category_of_any[prompt_id]: i
        for i, prompt_id in enumerate(history)
        if prompt_id in category_of_any
    }

    # The candidates are the prompts sent `fewest` times; only their categories are needed
    # here, and only the chosen category's prompts are looked at below.
    if len(times_sent) < index.distinct_ids:
        fewest = 0  # some id was never sent
        # Prompts sent, per category (map and Counter run in C when ids are unique).
        sent_in_category = (
            Counter(map(category_of.__getitem__, times_sent))
            if index.distinct_ids == len(index.prompts)
            else Counter(
                category
                for prompt_id in times_sent
                for category in index.categories_of_id[prompt_id]
            )
        )
        candidate_categories = [
            category
            for category in index.categories
            if sent_in_category[category] < len(index.by_category[category])
        ]
    else:
        fewest = min(times_sent.values())
        candidate_categories = sorted(
            {
                category
                for prompt_id, count in times_sent.items()
                if count == fewest
                for category in index.categories_of_id[prompt_id]
            }
        )
    oldest_use = min(last_used_at.get(category, -1) for category in candidate_categories)
    stalest_categories = [
        category
        for category in candidate_categories
        if last_used_at.get(category, -1) == oldest_use
    ]
    category = rng.choice(stalest_categories)
    in_category = index.by_category[category]
    in_rotation = (
        in_category
        if not times_sent
        else [prompt for prompt in in_category if times_sent[prompt.id] == fewest]
    )

    speaking_their_language = (
        [prompt for prompt in in_rotation if prompt.love_language == love_language]
        if love_language
        else []
    )
    # Always draw the coin, so adding a language does not shift the rest of the sequence.
    prefer_language = rng.random() < LOVE_LANGUAGE_PREFERENCE
    if speaking_their_language and prefer_language:
        return rng.choice(speaking_their_language)
    return rng.choice(in_rotation)


def choose_acknowledgement(pool: Sequence[str], previous: str | None, seed: int) -> str:
    """A reply to a logged win, never the previous one when the pool offers another.

    Raises ValueError when `pool` is empty.
    """
    if not pool:
        raise ValueError("cannot choose an acknowledgement from an empty pool")
    fresh = [text for text in pool if text != previous]
    return random.Random(seed).choice(fresh or list(pool))
