"""Reading a check-in's 1-5 out of a text: what counts, what is a sentence with a number in it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.checkins.scores import parse_score


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("3", 3),
        ("4!", 4),
        ("a 4", 4),
        ("cuatro", 4),
        ("5/5", 5),
        ("1", 1),
        ("  2.  ", 2),
        ("Five", 5),
        ("FOUR!!", 4),
        ("4 out of 5", 4),
        ("4 / 5", 4),
        ("3 of 5", 3),
        ("4 :)", 4),
        ("4 😊", 4),
        ("4️⃣", 4),  # a keycap emoji
        ("４", 4),  # full width, as some keyboards send
        ("(3)", 3),
        ("I'd say 4", 4),
        ("I’d say a 4", 4),
        ("maybe a 3", 3),
        ("honestly 2", 2),
        ("a solid 4", 4),
        ("4, thanks", 4),
        ("un 4", 4),
        ("Un cuatro", 4),
        ("Diría que 4", 4),
        ("creo que tres", 3),
        ("4 de 5", 4),
        ("¡Cinco!", 5),
        ("uno", 1),
        ("2 gracias", 2),
    ],
)
def test_a_plain_rating_is_a_score(text: str, score: int) -> None:
    assert parse_score(text) == score


@pytest.mark.parametrize(
    "text",
    [
        "2 kids",
        "I'm 5 min late",
        "3 days since we talked",
        "we did 4 things together",
        "0",
        "-1",
        "+5",
        "6",
        "10",
        "4.5",
        "3-4",
        "3 or 4",
        "between 3 and 4",
        "4/10",
        "5 stars",
        "one more thing",
        "a",
        "",
        "👍",
        "hi",
        "tenemos 2 hijos",
        "PAUSE 3",
        "1, he hit me",
    ],
)
def test_a_number_in_a_sentence_is_not_a_score(text: str) -> None:
    assert parse_score(text) is None


DECORATION = st.text(alphabet=" !.?)(:*~❤️😊🙂", max_size=4)  # no sign: "-1" is not 1


@given(score=st.integers(1, 5), before=DECORATION, after=DECORATION)
def test_punctuation_and_emoji_around_a_score_change_nothing(
    score: int, before: str, after: str
) -> None:
    assert parse_score(f"{before}{score}{after}") == score


@given(number=st.integers().filter(lambda n: not 1 <= n <= 5))
def test_no_other_number_is_a_score(number: int) -> None:
    assert parse_score(str(number)) is None


WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=12).filter(
    lambda word: word not in {"out", "thanks", "thx", "gracias", "sobre", "five", "cinco"}
)


@given(score=st.integers(1, 5), word=WORDS)
def test_a_score_followed_by_a_word_is_a_sentence(score: int, word: str) -> None:
    assert parse_score(f"{score} {word}") is None


@given(st.text(max_size=60))
def test_any_text_gives_a_score_in_range_or_none(text: str) -> None:
    score = parse_score(text)
    assert score is None or 1 <= score <= 5
