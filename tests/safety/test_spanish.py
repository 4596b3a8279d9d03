"""Spanish texts: how they are read (accents, SMS shorthand, typos) and what they show."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.safety.detection import Family, assess, languages, rulebook
from service.safety.words import strip_accents
from tests.safety.test_detection import NEAR_MISS, SPANISH_SETS, load


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Me AMENAZÓ", "me amenazo"),
        ("el niño", "el nino"),
        ("q hago", "que hago"),
        ("k hago", "que hago"),
        ("xq no contesté", "porque no conteste"),
        ("pq", "porque"),
        ("tb", "tambien"),
        ("ntp", "no te preocupes"),
        ("d mi marido", "de mi marido"),
        ("x su culpa", "por su culpa"),
        ("toy asustada", "estoy asustada"),
        ("me revisa el cel", "me revisa el celular"),
        ("me amenaso", "me amenazo"),  # sounds the same
        ("un cuchiyo", "un cuchillo"),
        ("me pegué con la mesa", "me pegue con la mesa"),  # mine, not "me pego"
        ("me golpeé", "me golpee"),
        ("estoy aterrada", "estoy aterrada"),  # not in the word list, still not a typo
        ("yo se lo pido", "yo se lo pido"),
    ],
)
def test_spanish_is_read_without_accents_and_with_shorthand_spelled_out(
    text: str, words: str
) -> None:
    assert rulebook("es").reader.words(text) == words


@pytest.mark.parametrize(
    ("text", "read_as"),
    [
        ("mi esposo me pegó anoche", ("es",)),
        ("he hit me last night", ("en",)),
        ("me pegó", ("en", "es")),
        ("tengo miedo de que he finds out", ("es",)),
    ],
)
def test_a_text_is_read_in_the_language_of_its_function_words(
    text: str, read_as: tuple[str, ...]
) -> None:
    assert languages(text) == read_as


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("me pegó", Family.VIOLENCE),
        ("me ha pegado", Family.VIOLENCE),
        ("me golpeó", Family.VIOLENCE),
        ("amenazó con matarme", Family.THREATS),
        ("dijo que me va a matar", Family.THREATS),
        ("me quiere matar", Family.THREATS),
        ("no me deja salir", Family.COERCIVE_CONTROL),
        ("me revisa el celular", Family.COERCIVE_CONTROL),
        ("me quita el dinero", Family.COERCIVE_CONTROL),
        ("me sigue a todas partes", Family.STALKING),
        ("me rastrea el teléfono", Family.STALKING),
        ("me obliga a tener relaciones", Family.SEXUAL_COERCION),
        ("me forzó", Family.SEXUAL_COERCION),
        ("tengo miedo de volver a casa", Family.FEAR),
        ("me quiero morir", Family.SELF_HARM),
        ("no quiero vivir", Family.SELF_HARM),
        ("me voy a cortar", Family.SELF_HARM),
        ("pensando en suicidarme", Family.SELF_HARM),
    ],
)
def test_spanish_disclosures_are_caught_in_their_family(text: str, family: Family) -> None:
    concern = assess(text)
    assert concern is not None
    assert family in concern.families


@pytest.mark.parametrize(
    "text",
    [
        "me mata de risa",
        "me muero de hambre",
        "este tráfico me mata",
        "me golpeé con la mesa",
        "el perro me mordió",
        "mi hijo me pegó con la pelota jugando",
        "vamos a matar el tiempo",
        "me controla el azúcar el doctor",
        "me sigue en Instagram",
        "no me deja de hacer reír",
        "quiero matar a mi jefe jaja",
        "nunca me ha pegado",
        "él jamás me amenazaría",
        "le pegué un grito de emoción al verlo",
    ],
)
def test_everyday_spanish_is_left_alone(text: str) -> None:
    assert assess(text) is None


@pytest.mark.parametrize(
    ("text", "imminent"),
    [
        ("tiene un cuchillo y está afuera", True),
        ("viene para acá y me va a matar", True),
        ("me pegó el año pasado", False),
    ],
)
def test_imminent_danger_is_told_apart_in_spanish(text: str, imminent: bool) -> None:
    concern = assess(text)
    assert concern is not None
    assert concern.imminent is imminent


SPANISH = load(SPANISH_SETS)
NEAR_MISSES = [item.text for item in SPANISH if item.family == NEAR_MISS]


@settings(deadline=None)
@given(text=st.sampled_from([item.text for item in SPANISH]))
def test_stripping_accents_never_changes_the_verdict(text: str) -> None:
    original, stripped = assess(text), assess(strip_accents(text))
    assert (original is None) == (stripped is None)
    if original is not None and stripped is not None:
        assert stripped.families == original.families


@settings(deadline=None)
@given(
    text=st.sampled_from(NEAR_MISSES),
    laugh=st.sampled_from(["jaja", "jajaja", "JAJAJ", "jsjsjs", "😂", "xD"]),
)
def test_laughing_after_everyday_speech_never_raises_a_flag(text: str, laugh: str) -> None:
    assert assess(f"{text} {laugh}") is None
