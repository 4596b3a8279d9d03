"""How texters say the service's keywords in a language other than English (a language
folder's `keywords.yaml`, read by service/catalog/vocabulary.py). Pure: no imports of the
catalog, so the parser (intents.py) can use it from anywhere."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

ENGLISH_COMMANDS: Final = frozenset(
    {
        *("wins", "menu", "pause", "resume", "time", "more", "less", "new", "name", "love"),
        *("skip", "date"),
    }
)


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
