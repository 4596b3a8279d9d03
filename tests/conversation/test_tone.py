"""The reply classifier, measured on labelled replies written for this project.

`replies_en.yaml` and `replies_es.yaml` are the sets its families of patterns were tuned on.
`replies_*_held_out.yaml` were written first, before any rule, and never tuned on: their
figures estimate how it reads wording nobody has read yet, and are printed apart. The issue's
targets apply to the tuned sets; the held-out sets have lower floors that catch a regression.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from service.conversation.tone import ReplyTone, ServiceTopic, classify_reply, question_topic

HERE = Path(__file__).parent
TUNED = ("replies_en", "replies_es")
HELD_OUT = ("replies_en_held_out", "replies_es_held_out")
# Misreading a happy reply as one of these gets it a sombre answer.
SOMBRE = (ReplyTone.WENT_BADLY, ReplyTone.MIXED, ReplyTone.HARD_MOMENT)


@dataclass(frozen=True)
class Labelled:
    text: str
    tone: ReplyTone


def load(names: Iterable[str]) -> list[Labelled]:
    found: list[Labelled] = []
    for name in names:
        content = yaml.safe_load((HERE / f"{name}.yaml").read_text(encoding="utf-8"))
        found += [
            Labelled(text, ReplyTone(tone)) for tone, texts in content.items() for text in texts
        ]
    return found


@dataclass(frozen=True)
class Figures:
    recall: dict[ReplyTone, float]
    precision: dict[ReplyTone, float]
    happy_misread: float  # share of WENT_WELL replies read as SOMBRE
    accuracy: float

    def report(self, title: str) -> str:
        lines = [f"{title}: accuracy {self.accuracy:.3f}, happy misread {self.happy_misread:.3f}"]
        for tone in ReplyTone:
            recall, precision = self.recall[tone], self.precision[tone]
            lines.append(f"  {tone.value:<17} recall {recall:.3f}   precision {precision:.3f}")
        return "\n".join(lines)


def measure(replies: list[Labelled]) -> Figures:
    read = [(item.tone, classify_reply(item.text)) for item in replies]
    recall = {
        tone: _share([got is tone for want, got in read if want is tone]) for tone in ReplyTone
    }
    precision = {
        tone: _share([want is tone for want, got in read if got is tone]) for tone in ReplyTone
    }
    happy = [got for want, got in read if want is ReplyTone.WENT_WELL]
    return Figures(
        recall=recall,
        precision=precision,
        happy_misread=_share([got in SOMBRE for got in happy]),
        accuracy=_share([want is got for want, got in read]),
    )


def _share(values: list[bool]) -> float:
    return sum(values) / len(values) if values else 1.0


def test_the_sets_cover_every_kind_and_never_overlap() -> None:
    tuned = {name: load([name]) for name in TUNED}
    held_out = {name: load([name]) for name in HELD_OUT}
    assert len(tuned["replies_en"]) >= 220 and len(tuned["replies_es"]) >= 100
    assert len(held_out["replies_en_held_out"]) >= 60
    assert len(held_out["replies_es_held_out"]) >= 30
    for replies in (*tuned.values(), *held_out.values()):
        assert {item.tone for item in replies} == set(ReplyTone)
    texts = [item.text for replies in (*tuned.values(), *held_out.values()) for item in replies]
    assert len(set(texts)) == len(texts), "a reply is labelled twice"


@pytest.mark.parametrize("name", TUNED)
def test_the_tuned_sets_meet_the_targets(name: str) -> None:
    figures = measure(load([name]))
    print("\n" + figures.report(f"{name} (tuned)"))
    assert figures.recall[ReplyTone.WENT_BADLY] >= 0.9
    assert figures.precision[ReplyTone.WENT_BADLY] >= 0.85
    assert figures.happy_misread <= 0.05


def test_replies_nobody_tuned_on_are_read_well_enough() -> None:
    for name in HELD_OUT:
        print("\n" + measure(load([name])).report(f"{name} (never tuned on)"))
    figures = measure(load(HELD_OUT))
    print(figures.report("held out, both languages"))
    assert figures.recall[ReplyTone.WENT_BADLY] >= 0.8
    assert figures.precision[ReplyTone.WENT_BADLY] >= 0.75
    assert figures.happy_misread <= 0.10


@pytest.mark.parametrize(
    ("text", "tone"),
    [
        # Negation turns a cue over; the brief's near-misses.
        ("not bad at all", ReplyTone.WENT_WELL),
        ("no fighting tonight, just laughs", ReplyTone.WENT_WELL),
        ("he didn't ignore me this time", ReplyTone.WENT_WELL),
        ("I can't stop smiling", ReplyTone.WENT_WELL),
        ("never felt closer", ReplyTone.WENT_WELL),
        ("no estuvo mal", ReplyTone.WENT_WELL),
        ("no me ignoró esta vez", ReplyTone.WENT_WELL),
        ("didn't go well", ReplyTone.WENT_BADLY),
        ("they didn't respond", ReplyTone.WENT_BADLY),
        ("no me hizo caso", ReplyTone.WENT_BADLY),
        # An expectation is not a negation.
        ("didn't think it would work but it did", ReplyTone.WENT_WELL),
        ("no pensé que funcionara pero sí", ReplyTone.WENT_WELL),
        # Outcomes and friction.
        ("he walked away", ReplyTone.WENT_BADLY),
        ("we ended up arguing", ReplyTone.WENT_BADLY),
        ("nothing, we don't talk anymore", ReplyTone.WENT_BADLY),
        ("she turned away when I hugged her", ReplyTone.WENT_BADLY),
        ("me dejó en visto", ReplyTone.WENT_BADLY),
        # Contrast, in order: what came before the "but" matters.
        ("awkward at first, but nice", ReplyTone.MIXED),
        ("she smiled but then got on her phone", ReplyTone.MIXED),
        ("I was nervous but it went great", ReplyTone.WENT_WELL),
        ("we were exhausted but the walk was lovely", ReplyTone.WENT_WELL),
        ("it was lovely but he seemed exhausted", ReplyTone.MIXED),
        ("al principio fue raro pero lindo", ReplyTone.MIXED),
        ("meh", ReplyTone.MIXED),
        # Over weeks it is a hard stretch; this try's fight is a flop.
        ("we're fighting a lot", ReplyTone.HARD_MOMENT),
        ("we fought last night", ReplyTone.WENT_BADLY),
        ("I'm exhausted and lonely", ReplyTone.HARD_MOMENT),
        ("things are rough lately", ReplyTone.HARD_MOMENT),
        ("discutimos todo el tiempo", ReplyTone.HARD_MOMENT),
        ("estoy agotada y me siento sola", ReplyTone.HARD_MOMENT),
        # Not yet.
        ("didn't get to it", ReplyTone.NOT_YET),
        ("forgot, sorry", ReplyTone.NOT_YET),
        ("no time today", ReplyTone.NOT_YET),
        ("se me olvidó", ReplyTone.NOT_YET),
        # Questions to the service, and replies that only look like one.
        ("who is this?", ReplyTone.SERVICE_QUESTION),
        ("how often will you text?", ReplyTone.SERVICE_QUESTION),
        ("hi", ReplyTone.SERVICE_QUESTION),
        ("¿es un bot?", ReplyTone.SERVICE_QUESTION),
        ("hi! we hugged", ReplyTone.WENT_WELL),
        ("who knew a walk could feel so good", ReplyTone.WENT_WELL),
        ("is this normal? we fight every night", ReplyTone.HARD_MOMENT),
        # Plain answers, and the words no tone at all.
        ("the beach trip", ReplyTone.NEUTRAL),
        ("B", ReplyTone.NEUTRAL),
        ("patience", ReplyTone.NEUTRAL),
        ("❤️❤️", ReplyTone.WENT_WELL),
        ("", ReplyTone.NEUTRAL),
    ],
)
def test_families_of_replies(text: str, tone: ReplyTone) -> None:
    assert classify_reply(text) is tone


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("hello?", ServiceTopic.GREETING),
        ("buenas tardes", ServiceTopic.GREETING),
        ("who is this", ServiceTopic.WHO),
        ("¿quién me dio este número?", ServiceTopic.WHO),
        ("how many texts will I get?", ServiceTopic.OFTEN),
        ("¿cada cuánto me van a escribir?", ServiceTopic.OFTEN),
        ("can you text me later in the day?", ServiceTopic.TIME),
        ("como cambio la hora?", ServiceTopic.TIME),
        ("can I take a break for a week?", ServiceTopic.PAUSE),
        ("¿puedo pausar una semana?", ServiceTopic.PAUSE),
        ("how do i cancel this?", ServiceTopic.STOP),
        ("is this a real person", ServiceTopic.BOT),
        ("¿eres un robot?", ServiceTopic.BOT),
        ("is this free?", ServiceTopic.COST),
        ("¿cuánto cuesta?", ServiceTopic.COST),
        ("how does this work?", ServiceTopic.OTHER),
        ("we took a break from our phones", None),
        ("I asked him how often he thinks of me", None),
        ("the cost of dinner was worth it", None),
        ("we hugged", None),
    ],
)
def test_what_a_question_to_the_service_is_about(text: str, topic: ServiceTopic | None) -> None:
    assert question_topic(text) is topic


LABELLED = [item.text for item in load(TUNED + HELD_OUT)]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_gets_a_kind(text: str) -> None:
    assert classify_reply(text) in ReplyTone
    assert question_topic(text) in (None, *ServiceTopic)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(LABELLED),
    st.sampled_from([str.upper, str.lower, str.title, str.swapcase]),
    st.sampled_from(["", "!!", "!!!", " ", "  !!"]),
)
def test_case_and_exclamation_marks_never_change_the_kind(
    text: str, recase: object, tail: str
) -> None:
    assert callable(recase)
    assert classify_reply(recase(text) + tail) is classify_reply(text)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(LABELLED), st.sampled_from(["  ", "\t", " \n "]))
def test_spacing_never_changes_the_kind(text: str, space: str) -> None:
    assert classify_reply(space.join(text.split(" "))) is classify_reply(text)
