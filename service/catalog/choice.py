"""Choose the next prompt (and acknowledgement) for a subscriber.

Pure and deterministic: the caller passes the history and a seed, so the same inputs
always give the same choice and tests need no mocking.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from typing import Final

from service.catalog.loader import Prompt, PromptIndex

# How often a known love language wins over a plain pick from the rotation's candidates.
LOVE_LANGUAGE_PREFERENCE: Final = 0.6


def choose_prompt(
    prompts: Sequence[Prompt] | PromptIndex,
    history: Sequence[str],
    love_language: str | None,
    seed: int,
) -> Prompt:
    """The next prompt to send, given the ids already sent (oldest first).

    1. Only the least-sent prompts are candidates, so nothing repeats until every prompt
       has been sent as often (ids in `history` that are no longer in `prompts` are ignored).
    2. Among the candidates, take the category used least recently (never-used first; ties
       broken by the seed). The previous prompt's category is the most recent, so it is
       only repeated when no other category has candidates.
    3. With a love language, pick a prompt of that language with probability
       LOVE_LANGUAGE_PREFERENCE, otherwise any candidate of the category, so matching
       prompts come earlier without crowding out the rest.
    Raises ValueError when `prompts` is empty.

    Cost: O(len(history) + categories + one category's prompts) given the catalog's
    `prompt_index`; a plain sequence of prompts is indexed on every call.
    """
    index = prompts if isinstance(prompts, PromptIndex) else PromptIndex.of(tuple(prompts))
    if not index.prompts:
        raise ValueError("cannot choose a prompt from an empty catalog")
    rng = random.Random(seed)
    category_of = index.category_of
    known_history = [prompt_id for prompt_id in history if prompt_id in category_of]
    times_sent = Counter(known_history)
    last_used_at = {category_of[prompt_id]: i for i, prompt_id in enumerate(known_history)}

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
