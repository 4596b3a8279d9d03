"""One rhythm for two: a pair's prompts follow the slower partner, on the same weekdays. Pure."""

from __future__ import annotations

from typing import NamedTuple


class Rhythm(NamedTuple):
    prompts_per_week: int
    weekday_key: str  # picks the prompt days (scheduling.schedule.prompt_weekdays)


def rhythm_for_two(pair_id: int, mine: int, theirs: int) -> Rhythm:
    """The lower of the two cadences, so neither partner is asked more often than they chose;
    one key for both, so their prompt days fall on the same local dates. PAUSE, TIME and ZONE
    stay personal: they are not part of the rhythm."""
    return Rhythm(min(mine, theirs), f"pair:{pair_id}")
