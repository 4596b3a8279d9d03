"""Replies that say a try did not land get encouragement, not a celebration."""

from __future__ import annotations

import pytest

from service.conversation.tone import is_about_the_service, sounds_discouraged

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
    # Spanish, with and without accents
    "Me ignoró por completo",
    "salio mal",
    "Discutimos otra vez",
    "no me hizo caso",
    "me siento triste",
    "se enojó conmigo",
    "no funcionó",
    "me dejó en visto",
    "nada",
    "todavía no",
    "ya no nos hablamos",
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
    "Nos reímos muchísimo",
    "Fue lindo, gracias",
    "Al principio fue raro pero al final nos reímos",
    "Lo hicimos y salió genial",
    "no puedo creer lo bonito que fue",
    "Sí, le encantó",
    "nos dimos un abrazo largo",
    "no hubo peleas, solo una caminata",
]


@pytest.mark.parametrize("text", DID_NOT_LAND)
def test_replies_that_did_not_land(text: str) -> None:
    assert sounds_discouraged(text)


@pytest.mark.parametrize("text", LANDED)
def test_replies_that_landed(text: str) -> None:
    assert not sounds_discouraged(text)


def test_recall_and_precision_on_the_labelled_replies() -> None:
    flagged_bad = sum(sounds_discouraged(text) for text in DID_NOT_LAND)
    flagged_good = sum(sounds_discouraged(text) for text in LANDED)
    recall = flagged_bad / len(DID_NOT_LAND)
    precision = flagged_bad / max(flagged_bad + flagged_good, 1)
    print(f"tone: recall {recall:.2f}, precision {precision:.2f}")
    assert recall == 1.0 and precision == 1.0


@pytest.mark.parametrize(
    "text",
    ["hi", "Hello!", "hey there", "Hola", "buenas tardes", "who is this?", "How does this work?",
     "is this a bot", "¿Quién eres?", "¿qué es esto?"],
)  # fmt: skip
def test_greetings_and_questions_to_the_service_are_not_replies(text: str) -> None:
    assert is_about_the_service(text)


@pytest.mark.parametrize(
    "text",
    ["We said hello to the neighbors together", "hi! we hugged", "she said hey love",
     "Hola, lo hicimos anoche", "who knew a walk could help", "what a lovely evening"],
)  # fmt: skip
def test_replies_that_greet_or_ask_are_still_replies(text: str) -> None:
    assert not is_about_the_service(text)
