"""What the Couples page and the overview's couples summary show: pure, no I/O."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from service.admin.pair_figures import PERIOD_WEEKS, CouplesFigures, PairState
from service.dashboard.charts import Point, percent, rate_chart
from service.dashboard.views import Figure, week_label


@dataclass(frozen=True)
class CouplesView:
    figures: list[Figure]
    chart: Markup | None  # None while nothing was sent in the period: no empty chart
    suspended: int
    period: str


def couples_view(figures: CouplesFigures) -> CouplesView:
    pairs, questions = figures.pairs, figures.questions
    shared, individual = figures.shared_answers, figures.individual_replies
    period = f"the {PERIOD_WEEKS} weeks since {week_label(figures.since.date())}"
    cards = [
        Figure("Active pairs", str(pairs[PairState.ACTIVE])),
        Figure(
            "Suspended for safety",
            str(pairs[PairState.SUSPENDED]),
            "a member's text awaits review",
        ),
        Figure("Ended pairs", str(pairs[PairState.ENDED])),
        Figure(
            "Shared questions answered",
            percent(shared.rate),
            f"{shared.answered} of {shared.sent} sent to a partner",
        ),
        Figure(
            "Individual prompts answered",
            percent(individual.rate),
            f"{individual.answered} of {individual.sent}, same weeks",
        ),
        Figure("Open questions", str(questions.open), "waiting for an answer"),
        Figure("Revealed", str(questions.revealed), "both answered"),
        Figure("Expired", str(questions.expired), "closed unanswered"),
    ]
    rates = [
        (Point("Shared questions, per partner", shared.rate), shared),
        (Point("Individual prompts", individual.rate), individual),
    ]
    chart = None
    if shared.sent or individual.sent:
        chart = rate_chart(
            [point for point, _ in rates],
            title=f"Answered, of those sent, in {period}",
            value_header="Answered",
            label_header="What was sent",
            notes=[f"{rate.answered} of {rate.sent}" for _, rate in rates],
            chart_id="chart-couples",
        )
    return CouplesView(cards, chart, pairs[PairState.SUSPENDED], period)
