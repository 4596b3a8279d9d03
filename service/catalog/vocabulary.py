"""How texters say the service's keywords in a language other than English: a language
folder's `keywords.yaml`. The parser (conversation/intents.py) reads texts with them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Final

from service.catalog.yaml_files import UNREADABLE, read_yaml

KEYWORDS_FILE: Final = "keywords.yaml"
ENGLISH_COMMANDS: Final = frozenset(
    {"wins", "menu", "pause", "resume", "time", "more", "less", "new", "name", "love", "skip"}
)
_WORD_LISTS: Final = ("opt_out", "opt_in", "confirm", "help", "language", "markers")


def without_accents(text: str) -> str:
    """ "más" -> "mas", "español" -> "espanol": how many people text."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@dataclass(frozen=True)
class Vocabulary:
    language: str
    opt_out: frozenset[str]
    opt_in: frozenset[str]
    confirm: frozenset[str]
    help: frozenset[str]
    language_words: frozenset[str]  # switch to this language
    commands: Mapping[str, str]  # word -> English command
    arguments: Mapping[str, str]  # word -> English word
    stop_sentences: tuple[re.Pattern[str], ...]
    markers: frozenset[str]
    opening_marks: str = ""

    def is_stop_sentence(self, plain: str) -> bool:
        """`plain`: the text's plain words, without accents."""
        return any(pattern.fullmatch(plain) for pattern in self.stop_sentences)

    def looks_like(self, plain: str, raw: str) -> bool:
        """A text likely written in this language: one of its words among the first few, or
        an opening mark only it uses (¿, ¡)."""
        if any(mark in raw for mark in self.opening_marks):
            return True
        return any(word in self.markers for word in plain.split()[:6])

    def in_english(self, bare: str) -> str | None:
        """A command of this language said the English way ("pausa 3 dias" -> "pause 3
        days"), or None when `bare` (normalised, without accents) does not start with one."""
        head = re.match(r"[^\W\d_]+", bare)
        if head is None or head.group() not in self.commands:
            return None
        rest = bare[head.end() :]
        if self.arguments:
            words = "|".join(sorted(map(re.escape, self.arguments), key=len, reverse=True))
            rest = re.sub(rf"\b(?:{words})\b", lambda m: self.arguments[m.group()], rest)
        return (self.commands[head.group()] + rest).strip()


def read_vocabulary(directory: Path, language: str, problems: list[str]) -> Vocabulary | None:
    """The keywords of the language folder `directory`; None after recording problems."""
    before = len(problems)
    content = read_yaml(directory / KEYWORDS_FILE, problems)
    if content is UNREADABLE:
        return None
    if not isinstance(content, dict):
        problems.append(f"{KEYWORDS_FILE}: expected a mapping at the top")
        return None
    lists: dict[str, frozenset[str]] = {}
    for key in _WORD_LISTS:
        value = content.get(key)
        if not isinstance(value, list) or not all(isinstance(word, str) for word in value):
            problems.append(f"{KEYWORDS_FILE}: '{key}' must be a list of words")
            continue
        lists[key] = frozenset(" ".join(without_accents(str(w)).casefold().split()) for w in value)
    mappings: dict[str, dict[str, str]] = {}
    for key in ("commands", "arguments"):
        value = content.get(key)
        if not isinstance(value, dict):
            problems.append(f"{KEYWORDS_FILE}: '{key}' must map words to English ones")
            continue
        mappings[key] = {str(k): str(v) for k, v in value.items()}
    unknown = set(mappings.get("commands", {}).values()) - ENGLISH_COMMANDS
    problems.extend(f"{KEYWORDS_FILE}: unknown command '{name}'" for name in sorted(unknown))
    patterns: list[re.Pattern[str]] = []
    for text in content.get("stop_sentences") or []:
        try:
            patterns.append(re.compile(str(text)))
        except re.error as error:
            problems.append(f"{KEYWORDS_FILE}: stop sentence {str(text)[:30]!r}: {error}")
    if len(problems) != before:
        return None
    return Vocabulary(
        language=language,
        opt_out=lists["opt_out"],
        opt_in=lists["opt_in"],
        confirm=lists["confirm"],
        help=lists["help"],
        language_words=lists["language"],
        commands=MappingProxyType(mappings["commands"]),
        arguments=MappingProxyType(mappings["arguments"]),
        stop_sentences=tuple(patterns),
        markers=lists["markers"],
        opening_marks=str(content.get("opening_marks") or ""),
    )
