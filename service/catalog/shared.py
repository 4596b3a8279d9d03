"""Shared questions for couples: `shared_questions.yaml` in each language folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from service.catalog.yaml_files import UNREADABLE, read_yaml

SHARED_QUESTIONS_FILE: Final = "shared_questions.yaml"


@dataclass(frozen=True)
class SharedQuestion:
    id: str
    text: str
    depth: str  # light, medium or deep


def read_shared_questions(directory: Path, problems: list[str]) -> tuple[SharedQuestion, ...]:
    """The folder's shared questions; none when it has no such file (couples mode then
    sends the individual prompts only)."""
    path = directory / SHARED_QUESTIONS_FILE
    if not path.exists():
        return ()
    content = read_yaml(path, problems)
    if content is UNREADABLE:
        return ()
    entries = content.get("questions") if isinstance(content, dict) else None
    if not isinstance(entries, list):
        problems.append(f"{SHARED_QUESTIONS_FILE}: expected 'questions:' with a list")
        return ()
    questions: list[SharedQuestion] = []
    seen: set[str] = set()
    for position, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(key), str) and entry[key].strip() for key in ("id", "text")
        ):
            problems.append(f"{SHARED_QUESTIONS_FILE}: item {position}: needs an id and a text")
            continue
        if entry["id"] in seen:
            problems.append(f"{SHARED_QUESTIONS_FILE}: duplicate id {entry['id']!r}")
            continue
        seen.add(entry["id"])
        questions.append(
            SharedQuestion(entry["id"], entry["text"].strip(), str(entry.get("depth", "light")))
        )
    return tuple(questions)
