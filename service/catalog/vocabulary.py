"""Reading a language folder's `keywords.yaml` into a Vocabulary for the parser."""

from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType
from typing import Final

from service.catalog.yaml_files import UNREADABLE, read_yaml
from service.conversation.vocabulary import ENGLISH_COMMANDS, Vocabulary, without_accents

KEYWORDS_FILE: Final = "keywords.yaml"
_WORD_LISTS: Final = ("opt_out", "opt_in", "confirm", "help", "language", "markers")


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
