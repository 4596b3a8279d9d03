"""A member's year, played through the real schedule and prompt choice, and the catalog's
profile that `nudge catalog check` prints. Pure: the start, the zone and the seed are given.

The check's estimate of the weeks until an idea comes back, and the test that a year at 3
prompts a week repeats no idea, both come from `simulate`.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from service.catalog.choice import Pacing, choose_prompt
from service.catalog.loader import Catalog, Prompt, render
from service.catalog.traits import Depth, Form, TimeOfDay
from service.scheduling.schedule import (
    DEFAULT_PREFERRED_TIME,
    DEFAULT_SEND_WINDOW,
    first_prompt_at,
    next_prompt_at,
)
from service.sms_encoding import segment_info

# 2 March 2026, 09:00 in New York: a Monday, so weeks are easy to read.
DEFAULT_START = datetime.datetime(2026, 3, 2, 14, 0, tzinfo=datetime.UTC)
DEFAULT_ZONE = "America/New_York"


@dataclass(frozen=True)
class Sent:
    at: datetime.datetime  # in the member's zone
    prompt: Prompt


def simulate(
    catalog: Catalog,
    *,
    prompts_per_week: int,
    weeks: int,
    preferred: datetime.time = DEFAULT_PREFERRED_TIME,
    zone: str = DEFAULT_ZONE,
    start: datetime.datetime = DEFAULT_START,
    answers: Callable[[int], bool] = lambda _: True,
    seed: int = 0,
) -> list[Sent]:
    """Every prompt a member who joined at `start` gets in `weeks` weeks; `answers(n)` says
    whether they replied to their n-th prompt (from 0)."""
    tz = ZoneInfo(zone)
    key = f"simulated-{seed}"
    end = start + datetime.timedelta(weeks=weeks)
    at = first_prompt_at(
        confirmed_at=start, tz=tz, preferred=preferred, window=DEFAULT_SEND_WINDOW, jitter_key=key
    )
    history: list[str] = []
    unanswered = 0
    sent: list[Sent] = []
    while at < end:
        local = at.astimezone(tz)
        pacing = Pacing(local_time=local.time(), days_in=(at - start).days, unanswered=unanswered)
        prompt = choose_prompt(catalog.prompt_index, history, None, seed + len(history), pacing)
        sent.append(Sent(local, prompt))
        history.append(prompt.id)
        unanswered = 0 if answers(len(sent) - 1) else unanswered + 1
        at = next_prompt_at(
            sent_at=at,
            tz=tz,
            preferred=preferred,
            prompts_per_week=prompts_per_week,
            window=DEFAULT_SEND_WINDOW,
            jitter_key=key,
        )
    return sent


def weeks_until_an_idea_repeats(
    catalog: Catalog, prompts_per_week: int, horizon_weeks: int = 260
) -> float | None:
    """When the first idea comes back for a member who always replies; None if none does
    within the horizon."""
    sends = simulate(catalog, prompts_per_week=prompts_per_week, weeks=horizon_weeks)
    seen: set[str] = set()
    for send in sends:
        if send.prompt.idea in seen:
            return (send.at - sends[0].at).days / 7
        seen.add(send.prompt.idea)
    return None


def profile_lines(catalog: Catalog) -> Iterator[str]:
    """Per language and category: prompts, distinct ideas, forms, depth, time of day and
    segments; then the weeks until the first repeated idea at 3 and at 7 prompts a week."""
    for language_catalog in (catalog, *catalog.translations.values()):
        yield f"{language_catalog.language}: profile by category"
        by_category: dict[str, list[Prompt]] = {}
        for prompt in language_catalog.prompts:
            by_category.setdefault(prompt.category, []).append(prompt)
        for category, prompts in [*by_category.items(), ("all", list(language_catalog.prompts))]:
            yield f"  {category:<13} {_profile(prompts, language_catalog)}"
        for cadence in (3, 7):
            weeks = weeks_until_an_idea_repeats(language_catalog, cadence)
            when = f"about {weeks:.0f} weeks" if weeks is not None else "not within 5 years"
            yield f"  first repeated idea at {cadence} prompts a week: {when}"


def _profile(prompts: list[Prompt], catalog: Catalog) -> str:
    forms = Counter(prompt.traits.form for prompt in prompts)
    depths = Counter(prompt.traits.depth for prompt in prompts)
    times = Counter(prompt.traits.time for prompt in prompts)
    segments = sum(
        segment_info(render(prompt.text, {}, catalog.fallbacks)).segments for prompt in prompts
    )
    return (
        f"{len(prompts):>3} prompts, {len({p.idea for p in prompts}):>3} ideas | "
        + " ".join(f"{form.value} {forms[form]}" for form in Form)
        + " | "
        + " ".join(f"{depth.value} {depths[depth]}" for depth in Depth)
        + " | "
        + " ".join(f"{time.value} {times[time]}" for time in TimeOfDay)
        + f" | {segments} segments"
    )
