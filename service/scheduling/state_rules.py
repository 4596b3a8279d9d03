"""State quiet-hour rules: a narrower window and a daily cap for some US area codes.

The table is data (state_rules.yaml beside this module); `rule_for` is pure.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Final

import yaml

from service.scheduling.schedule import SendWindow

RULES_FILE: Final = Path(__file__).with_name("state_rules.yaml")


@dataclass(frozen=True)
class StateRule:
    state: str
    window: SendWindow
    per_24_hours: int


def read_rules(path: Path = RULES_FILE) -> Mapping[str, StateRule]:
    """Area code (3 digits) -> its rule; raises ValueError for a malformed file."""
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    rules: dict[str, StateRule] = {}
    for entry in content["rules"]:
        start, end = (datetime.time.fromisoformat(value) for value in entry["window"])
        rule = StateRule(str(entry["state"]), SendWindow(start, end), int(entry["per_24_hours"]))
        if rule.per_24_hours < 1:
            raise ValueError(f"{rule.state}: per_24_hours must be at least 1")
        for code in entry["area_codes"]:
            rules[f"{int(code):03d}"] = rule
    return MappingProxyType(rules)


@functools.cache
def default_rules() -> Mapping[str, StateRule]:
    return read_rules()


def rule_for(phone: str, rules: Mapping[str, StateRule]) -> StateRule | None:
    """The rule for a US or Canadian number's area code (+1 NXX...), if any."""
    if not phone.startswith("+1") or len(phone) != 12:
        return None
    return rules.get(phone[2:5])


def narrowed(window: SendWindow, rule: StateRule | None) -> SendWindow:
    """The service's window, within the rule's hours where a rule applies."""
    if rule is None:
        return window
    return SendWindow(max(window.start, rule.window.start), min(window.end, rule.window.end))
