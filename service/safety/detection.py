"""Does a text show that its sender may be in danger? A pure function of the text.

Advice to appreciate a partner is wrong for someone who is being hurt, so a text that shows a
safety concern gets resources instead of a cheerful answer. The detector reads the words that
`words.Reader` makes of a text (slang spelled out, typos corrected) with rules kept as data in
`rules/`: one file per family, each rule a set of phrases written over word classes
(`rules/words.yaml`: who acts, what they do, to whom). A rule names its family, so an operator
sees why a text was flagged ("threats: said he will kill me").

Single ambiguous words never decide: "hit the gym", "killing it at work", "my wife will kill
me if I forget the milk" and "he threw a party" are everyday speech, and rules that read
hyperbole stand down when the text laughs ("lol", "😂"). When in doubt the rules lean towards
flagging: a kind message with resources costs little, and a cheerful prompt sent to someone in
danger costs much.

Spanish texts are read by their own rules (`rules/es/`, the same files over Spanish word
classes) with their own grammar words (negation, helpers, who is not an assailant). Which
rules read a text is decided by counting function words of each language; a text with as
many of each (none, in "me pegó") is read by both.

Every rule is a regular expression over a few words around its anchor, so the time per text
grows linearly with its length (bench/safety.py measures it).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from service.safety.words import Reader, rule_vocabulary, strip_accents

RULES_DIRECTORY = Path(__file__).resolve().parent / "rules"
LANGUAGES = {"en": RULES_DIRECTORY, "es": RULES_DIRECTORY / "es"}


class Family(StrEnum):
    VIOLENCE = "violence"
    THREATS = "threats"
    COERCIVE_CONTROL = "coercive_control"
    STALKING = "stalking"
    SEXUAL_COERCION = "sexual_coercion"
    FEAR = "fear"
    SELF_HARM = "self_harm"


@dataclass(frozen=True)
class Concern:
    """What a concerning text showed: its families, whether danger looks imminent, and the
    words that matched, for the operator."""

    families: tuple[Family, ...]
    imminent: bool
    matched: tuple[str, ...]

    @property
    def about_self_harm_only(self) -> bool:
        return self.families == (Family.SELF_HARM,)

    def explanation(self) -> str:
        return "; ".join(self.matched)


@dataclass(frozen=True)
class Rule:
    family: Family
    pattern: re.Pattern[str]
    negatable: bool = False  # "he would never hit me" is not a disclosure
    human: bool = False  # stands down after a thing, an animal or a child ("the baby bit me")
    hyperbole: bool = False  # stands down when the text laughs
    unless: re.Pattern[str] | None = None  # words anywhere in the text that explain it away


@dataclass(frozen=True)
class Grammar:
    """A language's words that the checks around a match read."""

    negation: re.Pattern[str]
    negation_reach: int  # words before a match that can cancel it
    helpers: frozenset[str]  # skipped when looking back for who acts
    namers: frozenset[str]  # words that start a named actor ("my husband")
    my: str


@dataclass(frozen=True)
class Rulebook:
    rules: tuple[Rule, ...]
    not_an_assailant: frozenset[str]
    wishing: frozenset[str]
    imminent: re.Pattern[str]
    laughing: re.Pattern[str]
    reader: Reader
    grammar: Grammar
    markers: frozenset[str]  # function words that show a text is in this language


_CLASS = re.compile(r"<([A-Z_]+)>")
_SUBJECT_REACH = 4
_HELPERS = frozenset(
    [
        "will",
        "would",
        "not",
        "just",
        "always",
        "never",
        "also",
        "then",
        "keeps",
        "kept",
        "has",
        "had",
        "have",
        "did",
        "does",
        "do",
        "is",
        "was",
        "really",
        "literally",
        "even",
        "again",
        "still",
        "can",
        "could",
    ]
)
_ENGLISH = Grammar(
    negation=re.compile(r"\b(?:not|never|nobody|no one)\b(?! only| just)"),
    negation_reach=3,
    helpers=_HELPERS,
    namers=frozenset({"my", "our", "his", "her", "their", "the", "he", "she", "they"}),
    my="my",
)
_TOKENS = re.compile(r"[^\W\d_]+")


def _expand(template: str, classes: dict[str, str]) -> str:
    return _CLASS.sub(lambda found: classes[found.group(1)], template)


def _read(directory: Path, name: str) -> Any:
    return yaml.safe_load((directory / name).read_text(encoding="utf-8"))


def _grammar(words: dict[str, Any]) -> Grammar:
    if "grammar" not in words:
        return _ENGLISH
    grammar = words["grammar"]
    return Grammar(
        negation=re.compile(grammar["negation"]),
        negation_reach=grammar["negation_reach"],
        helpers=frozenset(grammar["helpers"]),
        namers=frozenset(grammar["namers"]),
        my=grammar["my"],
    )


def warm_up() -> None:
    """Compile every language's rules (the app does it at startup, not while a text waits)."""
    for language in LANGUAGES:
        rulebook(language)


@functools.cache
def rulebook(language: str = "en") -> Rulebook:
    """The rules of a language (`rules/`, `rules/es/`), compiled once per process."""
    directory = LANGUAGES[language]
    words = _read(directory, "words.yaml")
    classes: dict[str, str] = {}
    for name, value in words["classes"].items():
        alternatives = value if isinstance(value, list) else [value]
        classes[name] = "(?:" + "|".join(_expand(a, classes) for a in alternatives) + ")"
    rules: list[Rule] = []
    for family in Family:
        content = _read(directory, f"{family.value}.yaml")
        for entry in content["rules"]:
            phrases = "|".join(_expand(pattern, classes) for pattern in entry["patterns"])
            # A family's own context ("before my phone dies" for self-harm) joins each rule's.
            unless = "|".join(part for part in (entry.get("unless"), content.get("unless")) if part)
            rules.append(
                Rule(
                    family=family,
                    pattern=re.compile(rf"(?:^|\b)(?:{phrases})(?!\w)"),
                    negatable=entry.get("negatable", False),
                    human=entry.get("human", False),
                    hyperbole=entry.get("hyperbole", False),
                    unless=re.compile(rf"\b(?:{_expand(unless, classes)})\b") if unless else None,
                )
            )
    return Rulebook(
        rules=tuple(rules),
        not_an_assailant=frozenset(words["not_an_assailant"]),
        wishing=frozenset(words["wishing"]),
        imminent=re.compile(words["imminent"]),
        laughing=re.compile(words["laughing"]),
        reader=Reader(
            rule_vocabulary([rule.pattern.pattern for rule in rules]),
            spelled_out=words["spelled_out"],
            emoji=words["emoji"],
            spanish=language == "es",
        ),
        grammar=_grammar(words),
        markers=frozenset(words["markers"]),
    )


def languages(text: str) -> tuple[str, ...]:
    """The languages whose rules read a text: the one with more of its function words, or
    both when neither has more ("me pegó", "he me pegó")."""
    tokens = _TOKENS.findall(strip_accents(text.casefold()))
    english = sum(token in rulebook("en").markers for token in tokens)
    spanish = sum(token in rulebook("es").markers for token in tokens)
    if english == spanish:
        return ("en", "es")
    return ("en",) if english > spanish else ("es",)


def assess(text: str) -> Concern | None:
    """The concern a text shows, or None for everyday speech. Pure; never raises."""
    concerns = [
        concern
        for language in languages(text)
        if (concern := _assess(rulebook(language), text)) is not None
    ]
    if len(concerns) < 2:
        return concerns[0] if concerns else None
    first, second = concerns
    return Concern(
        first.families + tuple(f for f in second.families if f not in first.families),
        first.imminent or second.imminent,
        first.matched + second.matched,
    )


def _assess(book: Rulebook, text: str) -> Concern | None:
    words = book.reader.words(text)
    if not words:
        return None
    laughing = book.laughing.search(text.casefold()) is not None
    families: list[Family] = []
    matched: list[str] = []
    for rule in book.rules:
        if (rule.hyperbole and laughing) or (rule.unless and rule.unless.search(words)):
            continue
        for found in rule.pattern.finditer(words):
            if rule.negatable and _negated(book, words, found.start()):
                continue
            if rule.human and not _by_someone_else(book, words, found):
                continue
            if rule.family not in families:
                families.append(rule.family)
            matched.append(f"{rule.family}: {found.group().strip()}")
            break
    if not families:
        return None
    return Concern(tuple(families), book.imminent.search(words) is not None, tuple(matched))


def _by_someone_else(book: Rulebook, words: str, found: re.Match[str]) -> bool:
    """Whether the act is someone's against the sender: not a thing's, an animal's or a
    child's ("the baby bit me"), nor the sender's own ("broke my toe on the couch")."""
    subject = _subject(book, words, found)
    if subject:
        return subject not in book.not_an_assailant
    # Nothing before it: "my husband hits me" names who acts; "broke my toe" is the sender's.
    first, *rest = found.group().split()
    return first in book.grammar.namers or book.grammar.my not in rest


def _subject(book: Rulebook, words: str, found: re.Match[str]) -> str:
    """The word that acts, read back past helpers and adverbs ("the dog will not let me")."""
    for word in reversed(words[: found.start()].split()[-_SUBJECT_REACH:]):
        if word not in book.grammar.helpers:
            return word
    return ""


def _negated(book: Rulebook, words: str, start: int) -> bool:
    before = words[:start].split()
    reach = book.grammar.negation_reach
    negation = book.grammar.negation.search(" ".join(before[-reach:])) is not None
    # "one week where he does not put his hands on me" wishes for what is not so.
    wishing = book.wishing.intersection(before[-(reach + 3) :])
    return negation and not wishing
