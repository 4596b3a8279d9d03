"""Replies that say a try did not land get encouragement, not a celebration."""

from __future__ import annotations

import pytest

from service.conversation.tone import sounds_discouraged

DID_NOT_LAND = [
    "Didn't go well, he ignored me",
    "it didn’t work",
    "She brushed me off",
    "he rolled his eyes",
    "We argued about it instead",
    "That backfired lol",
    "felt awkward",
    "I'm so sad right now",
    "Honestly I feel rejected",
    "no response at all",
    "I couldn't find the time today",
    "forgot to do it",
    "Nope",
    "meh",
    "not really",
    "It went badly",
    "not great tbh",
    "it wasn't fun for her",
    "He just ignored it",
    "they didn't respond",
]
LANDED = [
    "We hugged for a whole minute",
    "we laughed so hard it hurt",
    "not bad at all!",
    "It felt awkward at first but then we laughed",
    "no fights tonight, just a walk",
    "She said no one had noticed that before",
    "Yes!",
    "I didn't expect her to cry happy tears",
    "Done. He smiled.",
    "love it",
    "We went for a walk and held hands",
    "he said I'm not good at hiding how much I care",
    "Good!",
    "it was a bit weird but fun",
    "we talked for an hour",
]


@pytest.mark.parametrize("text", DID_NOT_LAND)
def test_replies_that_did_not_land(text: str) -> None:
    assert sounds_discouraged(text)


@pytest.mark.parametrize("text", LANDED)
def test_replies_that_landed(text: str) -> None:
    assert not sounds_discouraged(text)
