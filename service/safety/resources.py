"""The discreet reply to a text that shows danger: pure functions over the resources file.

`messages/safety_resources.yaml` gives, per country of the phone number and per language, the
emergency number, a crisis line and a line for abuse by a partner, and the words around them.
The reply leads with what fits the concern (the emergency number when danger looks imminent,
the crisis line for thoughts of self-harm, the partner line otherwise), says that prompts have
stopped when they have, and keeps to two SMS segments by leaving out the least relevant line
when the whole would not fit. Its first 40 characters never alarm a partner who glances at the
lock screen.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from service.safety.detection import Concern, Family
from service.sms_encoding import Encoding, segment_info

RESOURCES_FILE = "safety_resources.yaml"
DEFAULT_LANGUAGE = "en"
MAX_SEGMENTS = 2
LOCK_SCREEN = 40  # characters a phone shows of a new message
# Words that would tell a partner what the text is about, kept out of the lock-screen preview.
ALARMING = re.compile(
    r"\b(?:dv|abuse|abusive|abuser|violence|violent|hotline|suicide|suicidal|domestic)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Lines:
    """One country's support lines, in one language."""

    emergency: str
    crisis: str
    partner: str
    help: str


@dataclass(frozen=True)
class Wording:
    """The sentences around the lines, in one language."""

    opening: str
    urgent_opening: str
    partner_line: str
    crisis_line: str
    emergency_line: str
    paused: str
    reminder: str


@dataclass(frozen=True)
class SafetyResources:
    wording: Mapping[str, Wording]  # language -> wording
    default: Mapping[str, Lines]  # language -> lines for any other country
    countries: Mapping[str, Mapping[str, Lines]]  # ISO country -> language -> lines

    def lines(self, country: str | None, language: str) -> Lines:
        by_language = self.countries.get(country or "", {})
        return (
            by_language.get(language)
            or by_language.get(DEFAULT_LANGUAGE)
            or self.default.get(language)
            or self.default[DEFAULT_LANGUAGE]
        )

    def words(self, language: str) -> Wording:
        return self.wording.get(language) or self.wording[DEFAULT_LANGUAGE]


def safety_reply(
    resources: SafetyResources,
    *,
    country: str | None,
    language: str,
    concern: Concern,
    paused: bool,
    override: str | None = None,
) -> str:
    """The reply to a concerning text. `override` (SAFETY_RESOURCES) replaces the lines."""
    words = resources.words(language)
    lines = resources.lines(country, language)
    values = {"emergency": lines.emergency, "crisis": lines.crisis, "partner": lines.partner}
    partner = words.partner_line.format(**values)
    crisis = words.crisis_line.format(**values)
    if concern.about_self_harm_only:
        first, second = crisis, partner
    else:
        first, second = partner, crisis
    if override:
        first, second = override, ""
    stopped = words.paused if paused else ""
    if concern.imminent:
        essential = [words.urgent_opening.format(**values), first, stopped]
        optional = [second]
    else:
        essential = [words.opening, first, words.emergency_line.format(**values), stopped]
        optional = [second]
    return _fit(essential, optional)


def reminder_reply(resources: SafetyResources, *, country: str | None, language: str) -> str:
    """To a concerning text when the resources went out less than a day ago."""
    lines = resources.lines(country, language)
    return resources.words(language).reminder.format(emergency=lines.emergency)


def help_line(resources: SafetyResources, *, country: str | None, language: str) -> str:
    return resources.lines(country, language).help


def _fit(essential: list[str], optional: list[str]) -> str:
    """The essential parts, each optional one added after the first line while the whole
    still fits the segment budget."""
    parts = [part for part in essential if part]
    for extra in optional:
        if not extra:
            continue
        candidate = [*parts[:2], extra, *parts[2:]]
        if segment_info(" ".join(candidate)).segments <= MAX_SEGMENTS:
            parts = candidate
    return " ".join(parts)


# --- reading and checking the file ---------------------------------------------------------


def read_resources(directory: Path, problems: list[str]) -> SafetyResources | None:
    """The resources in `directory`, or None with the reasons appended to `problems`."""
    path = directory / RESOURCES_FILE
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(f"{RESOURCES_FILE}: missing; it holds the safety replies")
        return None
    except yaml.YAMLError as error:
        problems.append(f"{RESOURCES_FILE}: not valid YAML: {error}")
        return None
    try:
        resources = SafetyResources(
            wording={lang: _build(Wording, text) for lang, text in content["replies"].items()},
            default={lang: _build(Lines, text) for lang, text in content["default"].items()},
            countries={
                code: {lang: _build(Lines, text) for lang, text in by_language.items()}
                for code, by_language in content["countries"].items()
            },
        )
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        problems.append(f"{RESOURCES_FILE}: {error}")
        return None
    if DEFAULT_LANGUAGE not in resources.wording or DEFAULT_LANGUAGE not in resources.default:
        problems.append(f"{RESOURCES_FILE}: replies and default need '{DEFAULT_LANGUAGE}'")
        return None
    problems.extend(resource_problems(resources))
    return resources


def _build(kind: Any, content: Any) -> Any:
    names = [field.name for field in fields(kind)]
    if not isinstance(content, dict) or set(content) != set(names):
        raise ValueError(f"expected exactly {', '.join(names)} in {content!r}")
    if not all(isinstance(content[name], str) and content[name].strip() for name in names):
        raise ValueError(f"every entry needs text: {content!r}")
    return kind(**{name: content[name].strip() for name in names})


def resource_problems(resources: SafetyResources) -> list[str]:
    """Every reply the file can make, checked: its length, encoding and lock-screen preview."""
    problems: list[str] = []
    places: list[tuple[str, str | None, str]] = [
        ("default", None, language) for language in resources.default
    ]
    places += [
        (code, code, language)
        for code, by_language in resources.countries.items()
        for language in by_language
    ]
    for name, country, language in places:
        for concern in _SAMPLE_CONCERNS:
            for paused in (True, False):
                reply = safety_reply(
                    resources, country=country, language=language, concern=concern, paused=paused
                )
                problems.extend(_reply_problems(f"{name}/{language}", reply))
        reminder = reminder_reply(resources, country=country, language=language)
        problems.extend(_reply_problems(f"{name}/{language} reminder", reminder))
    return problems


def _reply_problems(where: str, reply: str) -> list[str]:
    problems: list[str] = []
    info = segment_info(reply)
    if info.segments > MAX_SEGMENTS:
        problems.append(
            f"{RESOURCES_FILE}: {where}: {info.segments} segments ({info.encoding}), "
            f"at most {MAX_SEGMENTS}: shorten it"
        )
    if info.encoding is Encoding.UCS2:
        problems.append(f"{RESOURCES_FILE}: {where}: needs UCS-2; keep to GSM-7 letters")
    if found := ALARMING.search(reply[:LOCK_SCREEN]):
        problems.append(
            f"{RESOURCES_FILE}: {where}: '{found.group()}' shows on the lock screen; move it "
            f"past the first {LOCK_SCREEN} characters"
        )
    return problems


_SAMPLE_CONCERNS = tuple(
    Concern(families=families, imminent=imminent, matched=())
    for families in ((Family.VIOLENCE,), (Family.SELF_HARM,))
    for imminent in (True, False)
)
