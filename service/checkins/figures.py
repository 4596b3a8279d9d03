"""The check-in's figures for the dashboard, from counts of answers: pure.

Every figure comes with the number of answers behind it, so that a reader can see how much
(or how little) an average rests on. Nothing is hidden below a count: the dashboard is for the
programme's own operators, who see each conversation anyway, and it never hides small numbers
elsewhere either; the count beside each average is what keeps it honest.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from service.checkins.scores import HIGHEST, LOWEST

K = TypeVar("K", str, int)  # a calendar month ("2026-03") or a month of the programme


@dataclass(frozen=True)
class Distribution(Generic[K]):
    """The answers given in one group (a calendar month, a month of the programme)."""

    key: K
    counts: tuple[int, ...]  # how many answered 1, 2, ... 5

    @property
    def answers(self) -> int:
        return sum(self.counts)

    @property
    def average(self) -> float:
        """The mean score, to one decimal (more would claim a precision a 5-point scale lacks)."""
        total = sum(score * count for score, count in zip(self.scores(), self.counts, strict=True))
        return round(total / self.answers, 1) if self.answers else 0.0

    @staticmethod
    def scores() -> range:
        return range(LOWEST, HIGHEST + 1)


def distributions(rows: Iterable[tuple[K, int, int]]) -> list[Distribution[K]]:
    """(group, score, how many) rows, as the database counts them, to one distribution per
    group that has answers, in the groups' order. Scores outside 1-5 cannot be stored, and are
    ignored here rather than trusted."""
    counts: dict[K, list[int]] = defaultdict(lambda: [0] * (HIGHEST - LOWEST + 1))
    for key, score, count in rows:
        if LOWEST <= score <= HIGHEST and count > 0:
            counts[key][score - LOWEST] += count
    return [Distribution(key, tuple(counts[key])) for key in sorted(counts)]


@dataclass(frozen=True)
class Closeness:
    """What the dashboard's check-in section shows."""

    asked: int  # check-ins handed over to members
    by_calendar_month: list[Distribution[str]]  # "2026-03", oldest first (UTC)
    by_programme_month: list[Distribution[int]]  # month 1, 2, ... since joining

    @property
    def answered(self) -> int:
        return sum(group.answers for group in self.by_calendar_month)

    @property
    def response_rate(self) -> float:
        return self.answered / self.asked if self.asked else 0.0
