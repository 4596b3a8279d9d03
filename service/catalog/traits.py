"""What a prompt is like beyond its words: its idea, form, depth, effort, cost, time of day,
series and occasion, as an editor writes them in a category file. Pure.

Prompt choice (service/catalog/choice.py) reads these to pace a member's year; `nudge catalog
check` reports them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Protocol, TypeVar


class Form(StrEnum):
    ACT = "act"  # do one small thing; a short report is invited
    REFLECT = "reflect"  # a question to think about
    POLL = "poll"  # lettered choices
    TINY = "tiny"  # a tiny act, no report asked
    REST = "rest"  # a rest week: nothing to do but notice
    SERIES = "series"  # one part of 2-4 that build over a week


class Depth(StrEnum):
    LIGHT = "light"
    MEDIUM = "medium"
    DEEP = "deep"


DEPTH_ORDER: Final = (Depth.LIGHT, Depth.MEDIUM, Depth.DEEP)


class Effort(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Cost(StrEnum):
    FREE = "free"
    LOW = "low"
    SOME = "some"


class TimeOfDay(StrEnum):
    MORNING = "morning"  # only makes sense before noon
    EVENING = "evening"  # about the evening; may be read in the morning as a plan


class Occasion(StrEnum):
    ANNIVERSARY = "anniversary"  # only in the days before the member's anniversary


TRAIT_KEYS: Final = frozenset(
    {"idea", "form", "depth", "effort", "cost", "time", "series", "part", "occasion"}
)
MAX_SERIES_PARTS: Final = 4

_Choice = TypeVar("_Choice", bound=StrEnum)


@dataclass(frozen=True)
class Traits:
    idea: str | None = None  # None: the prompt is an idea of its own
    form: Form = Form.ACT
    depth: Depth = Depth.LIGHT
    effort: Effort = Effort.LOW
    cost: Cost = Cost.FREE
    time: TimeOfDay | None = None
    series: str | None = None
    part: int | None = None
    occasion: Occasion | None = None


def read_traits(entry: Mapping[object, object], where: str, problems: list[str]) -> Traits:
    """The traits of one prompt entry; a bad value is reported and left at its default."""

    def choice(key: str, kind: type[_Choice], default: _Choice | None) -> _Choice | None:
        value = entry.get(key)
        if value is None:
            return default
        if isinstance(value, str) and value in {item.value for item in kind}:
            return kind(value)
        problems.append(f"{where}: {key} {value!r} is not one of {', '.join(kind)}")
        return default

    idea = entry.get("idea")
    if idea is not None and not (isinstance(idea, str) and idea.strip() and " " not in idea):
        problems.append(f"{where}: 'idea' must be a slug without spaces")
        idea = None
    series = entry.get("series")
    part = entry.get("part")
    form = choice("form", Form, Form.ACT) or Form.ACT
    if (form is Form.SERIES) != (series is not None) or (series is None) != (part is None):
        problems.append(f"{where}: a series part needs form: series, 'series' and 'part'")
        series = part = None
    elif series is not None and not (
        isinstance(series, str)
        and series.strip()
        and isinstance(part, int)
        and 1 <= part <= MAX_SERIES_PARTS
    ):
        problems.append(f"{where}: 'series' must be a slug and 'part' 1-{MAX_SERIES_PARTS}")
        series = part = None
    return Traits(
        idea=idea.strip() if isinstance(idea, str) else None,
        form=form,
        depth=choice("depth", Depth, Depth.LIGHT) or Depth.LIGHT,
        effort=choice("effort", Effort, Effort.LOW) or Effort.LOW,
        cost=choice("cost", Cost, Cost.FREE) or Cost.FREE,
        time=choice("time", TimeOfDay, None),
        series=series if isinstance(series, str) else None,
        part=part if isinstance(part, int) else None,
        occasion=choice("occasion", Occasion, None),
    )


class _InSeries(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def traits(self) -> Traits: ...


def series_problems(prompts: Iterable[_InSeries], file_name: str) -> list[str]:
    """Each series must have parts 1, 2, ... with no gap or repeat, and at least two."""
    parts: dict[str, list[int]] = {}
    for prompt in prompts:
        if prompt.traits.series is not None and prompt.traits.part is not None:
            parts.setdefault(prompt.traits.series, []).append(prompt.traits.part)
    return [
        f"{file_name}: series {name!r} has parts {sorted(numbers)}; "
        f"expected 1 to {len(numbers)}, at least 2"
        for name, numbers in sorted(parts.items())
        if sorted(numbers) != list(range(1, len(numbers) + 1)) or len(numbers) < 2
    ]
