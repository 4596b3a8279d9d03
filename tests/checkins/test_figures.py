"""The check-in figures the dashboard shows, from the database's counts: pure."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from service.checkins.figures import Closeness, Distribution, distributions


def test_counts_become_one_distribution_per_group_in_order() -> None:
    rows = [("2026-04", 4, 2), ("2026-03", 1, 1), ("2026-03", 5, 3), ("2026-04", 2, 1)]
    march, april = distributions(rows)
    assert (march.key, march.counts, march.answers, march.average) == (
        "2026-03",
        (1, 0, 0, 0, 3),
        4,
        4.0,
    )
    assert (april.key, april.counts, april.average) == ("2026-04", (0, 1, 0, 2, 0), 3.3)


def test_scores_outside_the_scale_and_empty_groups_are_left_out() -> None:
    assert distributions([(1, 0, 4), (1, 6, 2), (2, 3, 0)]) == []


def test_the_answer_rate_is_of_check_ins_sent() -> None:
    figures = Closeness(
        asked=8,
        by_calendar_month=[Distribution("2026-03", (0, 1, 1, 0, 0))],
        by_programme_month=[Distribution(1, (0, 1, 1, 0, 0))],
    )
    assert (figures.answered, figures.response_rate) == (2, 0.25)
    assert Closeness(0, [], []).response_rate == 0.0


@given(st.lists(st.tuples(st.integers(1, 12), st.integers(1, 5), st.integers(1, 50))))
def test_averages_stay_on_the_scale_and_answers_add_up(rows: list[tuple[int, int, int]]) -> None:
    groups = distributions(rows)
    assert sum(group.answers for group in groups) == sum(count for _, _, count in rows)
    assert all(1 <= group.average <= 5 for group in groups)
    assert [group.key for group in groups] == sorted({key for key, _, _ in rows})
