"""The words of the system replies in one language: `replies.yaml` in that language's folder.

Only the words live here; which reply a text gets is conversation/decisions.py's to say, and
conversation/replies.py fills the words in.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Final

from service.catalog.yaml_files import UNREADABLE, placeholder_problems, read_yaml

REPLIES_FILE: Final = "replies.yaml"

# Every reply the conversation words from this file, with the placeholders it may use.
REPLY_PLACEHOLDERS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "confirm_request": frozenset({"program", "often", "rates"}),
        "welcome": frozenset({"program", "time"}),
        "welcome_zone_uncertain": frozenset({"program", "time", "zone"}),
        "welcome_zone_unknown": frozenset({"program"}),
        "resubscribed": frozenset({"program", "often", "rates"}),
        "already_active": frozenset({"program"}),
        "opted_out": frozenset({"program"}),
        "help": frozenset({"program", "often", "rates", "support"}),
        "how_to_join": frozenset({"program"}),
        "pending_reminder": frozenset({"program"}),
        "menu": frozenset(),
        "paused": frozenset({"until"}),
        "paused_indefinitely": frozenset(),
        "resumed": frozenset(),
        "not_paused": frozenset(),
        "time_set": frozenset({"time"}),
        "cadence_set": frozenset({"often"}),
        "cadence_set_paired": frozenset({"often"}),
        "anniversary_set": frozenset({"date"}),
        "new_limit": frozenset(),
        "new_outside_window": frozenset(),
        "name_set": frozenset({"partner"}),
        "love_set": frozenset({"words"}),
        "skipped": frozenset(),
        "unclear": frozenset({"hint"}),
        "noted": frozenset(),
        "quiet_ack": frozenset(),
        "quiet_ack_paused": frozenset(),
        "zone_set": frozenset({"zone", "local_time"}),
        "zone_unknown": frozenset(),
        "language_set": frozenset(),
        "welcome_paired": frozenset({"program", "time", "partner"}),
        "pair_code": frozenset({"program", "code"}),
        "paired": frozenset({"partner"}),
        "pair_failed": frozenset(),
        "pair_throttled": frozenset(),
        "already_paired": frozenset(),
        "unpaired": frozenset(),
        "not_paired": frozenset(),
        "partner_paired": frozenset({"program", "partner"}),
        "pairing_ended": frozenset({"program"}),
        "shared_question": frozenset({"question"}),
        "answer_kept": frozenset(),
        "reveal": frozenset({"partner", "answer"}),
        "question_reminder": frozenset(),
        "question_closed": frozenset(),
        "check_in": frozenset({"partner"}),
        "check_in_heard": frozenset(),
        "check_in_heard_low": frozenset(),
        # Short answers to a question about the service, by topic.
        "about_who": frozenset({"program"}),
        "about_often": frozenset({"often"}),
        "about_time": frozenset({"time"}),
        "about_pause": frozenset(),
        "about_stop": frozenset(),
        "about_bot": frozenset({"program"}),
        "about_cost": frozenset({"rates", "support"}),
    }
)
FREQUENCIES: Final = ("daily", "weekly", "several")
LOVE_LANGUAGE_KEYS: Final = ("words", "time", "touch", "acts", "gifts")
HINT_KEYS: Final = ("time", "pause", "love", "name", "zone", "date")
# Single templates, with their placeholders.
SENTENCES: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "rates": frozenset(),
        "date": frozenset({"weekday", "month", "day"}),
        "short_date": frozenset({"month", "day"}),
        "progress": frozenset({"count"}),
        "wins_none": frozenset(),
        "wins_one": frozenset({"since"}),
        "wins_many": frozenset({"count", "since"}),
        "wins_latest": frozenset({"quote"}),
        "wins_end": frozenset(),
    }
)


@dataclass(frozen=True)
class ReplyTexts:
    sentences: Mapping[str, str]  # SENTENCES' keys
    twelve_hour_clock: bool
    weekdays: tuple[str, ...]  # Monday first
    months: tuple[str, ...]  # January first
    frequency: Mapping[str, str]  # FREQUENCIES; "several" has {count}
    love_language_words: Mapping[str, str]
    command_hints: Mapping[str, str]
    numbers: tuple[str, ...]  # one, two...: counts told in words
    replies: Mapping[str, str]  # REPLY_PLACEHOLDERS' keys

    def sentence(self, key: str, **values: str) -> str:
        return self.sentences[key].format(**values)

    def reply(self, key: str, **values: str) -> str:
        return self.replies[key].format(**values)

    def often(self, prompts_per_week: int) -> str:
        if prompts_per_week >= 7:
            return self.frequency["daily"]
        if prompts_per_week == 1:
            return self.frequency["weekly"]
        return self.frequency["several"].format(count=prompts_per_week)

    def clock(self, value: datetime.time) -> str:
        """7:30pm, 8am, or 19:30, 8:00: how people write times in a text, in this language."""
        if not self.twelve_hour_clock:
            return f"{value.hour}:{value.minute:02d}"
        hour = value.hour % 12 or 12
        suffix = "am" if value.hour < 12 else "pm"
        minutes = f":{value.minute:02d}" if value.minute else ""
        return f"{hour}{minutes}{suffix}"

    def day(self, value: datetime.date, form: str = "date") -> str:
        """Tue Mar 10 (form "date") or Mar 10 ("short_date"), in this language's words."""
        return self.sentence(
            form,
            weekday=self.weekdays[value.weekday()],
            month=self.months[value.month - 1],
            day=str(value.day),
        )


def read_reply_texts(directory: Path, problems: list[str]) -> ReplyTexts | None:
    """The reply texts of `directory`, or None after recording every problem found."""
    name = REPLIES_FILE
    before = len(problems)
    content = read_yaml(directory / name, problems)
    if content is UNREADABLE:
        return None
    if not isinstance(content, dict):
        problems.append(f"{name}: expected a mapping at the top")
        return None

    def texts(key: str, keys: Mapping[str, frozenset[str]]) -> dict[str, str]:
        value = content.get(key)
        if not isinstance(value, dict):
            problems.append(f"{name}: '{key}' must be a mapping")
            return {}
        found: dict[str, str] = {}
        for wanted in keys:
            text = value.get(wanted)
            if not isinstance(text, str) or not text.strip():
                problems.append(f"{name}: {key}.{wanted} is missing or empty")
                continue
            problems.extend(
                f"{name}: {key}.{wanted}: {problem}"
                for problem in placeholder_problems(text, keys[wanted])
            )
            found[wanted] = text.strip()
        problems.extend(f"{name}: {key}.{extra}: unknown entry" for extra in set(value) - set(keys))
        return found

    def words(key: str, count: int | None = None) -> tuple[str, ...]:
        value = content.get(key)
        if (
            not isinstance(value, list)
            or not all(isinstance(word, str) and word.strip() for word in value)
            or (count is not None and len(value) != count)
        ):
            problems.append(f"{name}: '{key}' must be a list of {count or 'some'} words")
            return ()
        return tuple(str(word).strip() for word in value)

    sentences: dict[str, str] = {}
    for key, allowed in SENTENCES.items():
        text = content.get(key)
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{name}: '{key}' is missing or empty")
            continue
        problems.extend(f"{name}: {key}: {p}" for p in placeholder_problems(text, allowed))
        sentences[key] = text.strip()
    clock = content.get("clock")
    if clock not in ("12h", "24h"):
        problems.append(f"{name}: 'clock' must be 12h or 24h")
    texts_found = ReplyTexts(
        sentences=MappingProxyType(sentences),
        twelve_hour_clock=clock == "12h",
        weekdays=words("weekdays", 7),
        months=words("months", 12),
        frequency=MappingProxyType(
            texts("frequency", MappingProxyType(dict.fromkeys(FREQUENCIES, frozenset({"count"}))))
        ),
        love_language_words=MappingProxyType(
            texts(
                "love_language_words",
                MappingProxyType(dict.fromkeys(LOVE_LANGUAGE_KEYS, frozenset())),
            )
        ),
        command_hints=MappingProxyType(
            texts("command_hints", MappingProxyType(dict.fromkeys(HINT_KEYS, frozenset())))
        ),
        numbers=words("numbers"),
        replies=MappingProxyType(texts("replies", REPLY_PLACEHOLDERS)),
    )
    known = {"clock", "weekdays", "months", "frequency", "love_language_words", "command_hints"}
    known |= {"numbers", "replies", *SENTENCES}
    problems.extend(f"{name}: unknown key '{key}'" for key in sorted(set(content) - known))
    return texts_found if len(problems) == before else None
