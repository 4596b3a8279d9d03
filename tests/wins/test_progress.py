"""Progress in words, never points: pure pieces."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.app import PROJECT_ROOT
from service.catalog import load_catalog
from service.sms_encoding import Encoding, segment_info
from service.wins.progress import brief_quote, in_words, progress_phrase, summary_text

TEXTS = load_catalog(PROJECT_ROOT / "messages").replies
assert TEXTS is not None


@pytest.mark.parametrize(
    ("n", "word"),
    [(1, "one"), (3, "three"), (5, "five"), (10, "ten"), (11, "11"), (111, "111")],
)
def test_counts_in_words(n: int, word: str) -> None:
    assert in_words(n, TEXTS) == word


def test_progress_phrase() -> None:
    assert progress_phrase(3, TEXTS) == "That's three tries this week."
    assert progress_phrase(12, TEXTS) == "That's 12 tries this week."
    assert progress_phrase(1, TEXTS) == ""  # "one tries" reads wrong; never said for one
    assert progress_phrase(0, TEXTS) == ""


def test_summary_states_the_count_in_digits_and_quotes_briefly() -> None:
    text = summary_text(
        5,
        datetime.date(2026, 3, 3),
        "We danced in the kitchen 💃 after dinner, it was lovely",
        TEXTS,
    )
    assert text.startswith("You've logged 5 small wins since Mar 3.")
    assert 'Latest: "We danced in the kitchen after dinner..."' in text
    assert summary_text(0, None, None, TEXTS).startswith("You've logged 0 small wins")
    assert "1 small win since" in summary_text(1, datetime.date(2026, 1, 9), "hug", TEXTS)


@given(st.integers(0, 10_000), st.text(max_size=300))
def test_summaries_always_fit_one_gsm7_segment(total: int, latest: str) -> None:
    text = summary_text(total, datetime.date(2026, 12, 30), latest, TEXTS)
    assert segment_info(text).encoding is Encoding.GSM7
    assert segment_info(text).segments == 1
    assert len(brief_quote(latest)) <= 40
