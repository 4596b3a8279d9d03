"""The weekly recap: `recaps.yaml` in each language folder, and the choice of its words.

A recap names one thing the member did that week ("you said a thank-you out loud"), counts
their tries in words, never as a score, and for a pair that answered shared questions says
what the two did together. Layout of the file:

* ``recaps``: templates; placeholders ``{partner}``, ``{did}``, ``{tries}``
* ``together``: templates for a pair that answered shared questions that week; also
  ``{questions}``
* ``did``: for each category id (and ``together`` for a shared question, ``any`` when the
  category is unknown), what the member did, as it completes "you ..."; no placeholders
* ``tries`` / ``questions``: "one try", "two tries"... in order from one; ``tries_many`` /
  ``questions_many`` word larger counts with ``{count}``
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Final, NamedTuple

from service.catalog.yaml_files import UNREADABLE, placeholder_problems, read_yaml

RECAPS_FILE: Final = "recaps.yaml"
ANY_CATEGORY: Final = "any"
_TEMPLATE_PLACEHOLDERS: Final = ("partner", "did", "tries")
_KEYS: Final = frozenset(
    {"recaps", "together", "did", "tries", "tries_many", "questions", "questions_many"}
)


@dataclass(frozen=True)
class Recaps:
    week: tuple[str, ...]
    together: tuple[str, ...]
    did: Mapping[str, str]
    tries: tuple[str, ...]
    tries_many: str
    questions: tuple[str, ...]
    questions_many: str


class RecapWeek(NamedTuple):
    """What the member did this week, as the dispatcher read it."""

    tries: int  # wins this week
    category: str | None  # of their latest win
    together: int  # shared questions both partners answered this week


def compose(recaps: Recaps, week: RecapWeek, seed: int) -> tuple[str, dict[str, str]]:
    """The template and its values ({partner} is left to the caller). Pure."""
    rng = random.Random(seed)
    values = {
        "did": recaps.did.get(week.category or ANY_CATEGORY, recaps.did[ANY_CATEGORY]),
        "tries": _counted(week.tries, recaps.tries, recaps.tries_many),
        "questions": _counted(week.together, recaps.questions, recaps.questions_many),
    }
    templates = recaps.together if week.together > 0 and recaps.together else recaps.week
    return rng.choice(templates), values


def longest_renderings(recaps: Recaps) -> Iterator[tuple[str, dict[str, str]]]:
    """Every template with the longest values it can get, for the length checks."""
    values = {
        "did": max(recaps.did.values(), key=len),
        "tries": max((*recaps.tries, recaps.tries_many.format(count=99)), key=len),
        "questions": max((*recaps.questions, recaps.questions_many.format(count=99)), key=len),
    }
    for template in (*recaps.week, *recaps.together):
        yield template, values


def _counted(count: int, words: tuple[str, ...], many: str) -> str:
    return words[count - 1] if 1 <= count <= len(words) else many.format(count=count)


def read_recaps(
    directory: Path, categories: set[str], fallbacks: Mapping[str, str], problems: list[str]
) -> Recaps | None:
    """The folder's recaps, or None after adding what is wrong with them to `problems`."""
    before = len(problems)
    content = read_yaml(directory / RECAPS_FILE, problems)
    if content is UNREADABLE:
        return None
    if not isinstance(content, dict):
        problems.append(f"{RECAPS_FILE}: expected a mapping with {', '.join(sorted(_KEYS))}")
        return None
    problems.extend(f"{RECAPS_FILE}: unknown key {key!r}" for key in sorted(set(content) - _KEYS))
    allowed = [*_TEMPLATE_PLACEHOLDERS, *fallbacks]
    week = _texts(content, "recaps", allowed, problems)
    together = _texts(content, "together", [*allowed, "questions"], problems)
    tries = _texts(content, "tries", [], problems)
    questions = _texts(content, "questions", [], problems)
    tries_many = _text(content, "tries_many", ["count"], problems)
    questions_many = _text(content, "questions_many", ["count"], problems)
    did = content.get("did")
    if not isinstance(did, dict) or not all(
        isinstance(key, str) and isinstance(value, str) and value.strip()
        for key, value in did.items()
    ):
        problems.append(f"{RECAPS_FILE}: 'did' must map category ids to texts")
        did = {}
    needed = {*categories, "together", ANY_CATEGORY}
    problems.extend(
        f"{RECAPS_FILE}: 'did' has no text for {key!r}" for key in sorted(needed - set(did))
    )
    problems.extend(
        f"{RECAPS_FILE}: 'did' names {key!r}, which is not a category"
        for key in sorted(set(did) - needed)
    )
    for key, text in did.items():
        problems.extend(f"{RECAPS_FILE}: did.{key}: {p}" for p in placeholder_problems(text, []))
    if not week:
        problems.append(f"{RECAPS_FILE}: at least one recap is needed")
    if len(problems) > before:
        return None
    return Recaps(
        week=week,
        together=together,
        did=MappingProxyType({key: text.strip() for key, text in did.items()}),
        tries=tries,
        tries_many=tries_many,
        questions=questions,
        questions_many=questions_many,
    )


def _texts(
    content: dict[object, object], key: str, allowed: list[str], problems: list[str]
) -> tuple[str, ...]:
    entries = content.get(key)
    if not isinstance(entries, list) or not all(
        isinstance(text, str) and text.strip() for text in entries
    ):
        problems.append(f"{RECAPS_FILE}: '{key}' must be a list of texts")
        return ()
    for position, text in enumerate(entries, start=1):
        problems.extend(
            f"{RECAPS_FILE}: {key} item {position}: {problem}"
            for problem in placeholder_problems(text, allowed)
        )
    return tuple(text.strip() for text in entries)


def _text(content: dict[object, object], key: str, allowed: list[str], problems: list[str]) -> str:
    text = content.get(key)
    if not isinstance(text, str) or not text.strip():
        problems.append(f"{RECAPS_FILE}: '{key}' must be a text")
        return ""
    problems.extend(f"{RECAPS_FILE}: {key}: {p}" for p in placeholder_problems(text, allowed))
    return text.strip()
