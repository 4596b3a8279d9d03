"""Choose the next prompt (and acknowledgement) for a subscriber.

Pure and deterministic: the caller passes the history and a seed, so the same inputs
always give the same choice and tests need no mocking.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from typing import Final

from service.catalog.loader import Prompt

# How often a known love language wins over a plain pick from the rotation's candidates.
LOVE_LANGUAGE_PREFERENCE: Final = 0.6


def choose_prompt(
    prompts: Sequence[Prompt], history: Sequence[str], love_language: str | None, seed: int
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
    """
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
