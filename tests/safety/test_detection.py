"""The safety detector, measured on labelled texts written for this project.

The sets in `corpus/` were each written by a different author (direct, long, indirect,
slangy, many-voiced, formal and acceptance-test writing). All but one are the corpus the rules
were written against. `set_r.yaml` was written last, worded from the issue's own description:
its disclosures were never tuned on, so its recall estimates how the detector does on wording
nobody has read yet, which is what the service meets (its near-misses were read, to find rules
that were too broad, so its false-alarm figure is not held out). Both are printed; the
targets of the issue apply to the corpus, and the held-out set has floors that catch a
regression.

The Spanish sets (`es_*.yaml`) are read by the Spanish rules (`rules/es/`): `es_a` was written
with them; `es_b` was written before anything was tuned on it, in other voices (regional
slang, SMS spelling, minimised disclosures); its figures before it was tuned on (overall
recall 0.920, fear 0.805 the lowest; near-misses flagged 0.004) are the honest estimate for
wording nobody has read, and are in the commit that added the Spanish rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from service.safety.detection import Family, assess

CORPUS = Path(__file__).parent / "corpus"
TUNED_SETS = tuple(f"set_{letter}" for letter in "abcdefghijklmnopq")
HELD_OUT_SETS = ("set_r",)
SPANISH_SETS = ("es_a", "es_b")
NEAR_MISS = "near_miss"


@dataclass(frozen=True)
class Labelled:
    text: str
    family: str  # a Family value, or "near_miss"
    source: str


def load(names: Iterable[str]) -> list[Labelled]:
    texts: list[Labelled] = []
    for name in names:
        content = yaml.safe_load((CORPUS / f"{name}.yaml").read_text(encoding="utf-8"))
        for family, lines in content.items():
            texts.extend(Labelled(line, family, name) for line in lines)
    return texts


@dataclass(frozen=True)
class Figures:
    recall: dict[str, float]  # per family, and "overall"
    family_precision: dict[str, float]  # of the flags named for a family, the share right
    near_miss_flagged: float  # share of near-misses flagged: 1 - specificity
    precision: float  # flags that were right, over the whole set

    def report(self, title: str) -> str:
        lines = [f"{title}:"]
        lines += [
            f"  {family:<17} recall {value:.3f}   precision "
            + (f"{self.family_precision[family]:.3f}" if family in self.family_precision else "-")
            for family, value in self.recall.items()
        ]
        lines.append(f"  near-misses flagged     {self.near_miss_flagged:.3f}")
        lines.append(f"  precision               {self.precision:.3f}")
        return "\n".join(lines)


def measure(texts: list[Labelled]) -> Figures:
    concerns = {item.text: assess(item.text) for item in texts}
    flagged = {text: concern is not None for text, concern in concerns.items()}
    named: dict[str, list[bool]] = {}
    for item in texts:
        if (concern := concerns[item.text]) is not None:
            named.setdefault(concern.families[0].value, []).append(item.family != NEAR_MISS)
    concerning = [item for item in texts if item.family != NEAR_MISS]
    near_misses = [item for item in texts if item.family == NEAR_MISS]
    recall = {
        family.value: _share([flagged[i.text] for i in concerning if i.family == family.value])
        for family in Family
    }
    recall["overall"] = _share([flagged[item.text] for item in concerning])
    true_flags = sum(flagged[item.text] for item in concerning)
    false_flags = sum(flagged[item.text] for item in near_misses)
    return Figures(
        recall=recall,
        family_precision={family: _share(right) for family, right in named.items()},
        near_miss_flagged=false_flags / len(near_misses),
        precision=true_flags / (true_flags + false_flags),
    )


def _share(values: list[bool]) -> float:
    return sum(values) / len(values)


def test_the_corpus_covers_every_family_and_its_near_misses() -> None:
    texts = load(TUNED_SETS)
    counts = {family: sum(item.family == family for item in texts) for family in Family}
    assert all(count >= 150 for count in counts.values()), counts
    assert sum(counts.values()) >= 250
    assert sum(item.family == NEAR_MISS for item in texts) >= 150
    assert len({item.text for item in texts}) == len(texts), "a text is labelled twice"


def test_the_corpus_meets_the_targets() -> None:
    figures = measure(load(TUNED_SETS))
    print("\n" + figures.report("corpus (sets A-Q)"))
    assert all(value >= 0.97 for value in figures.recall.values()), figures.recall
    assert figures.precision >= 0.95
    assert figures.near_miss_flagged <= 0.05


def test_wording_nobody_tuned_on_is_caught_well_enough() -> None:
    figures = measure(load(HELD_OUT_SETS))
    print("\n" + figures.report("held out (set R)"))
    assert figures.recall["overall"] >= 0.80
    assert figures.near_miss_flagged <= 0.08


@pytest.mark.parametrize("name", SPANISH_SETS)
def test_a_spanish_set_covers_every_family_and_its_near_misses(name: str) -> None:
    texts = load([name])
    counts = {family: sum(item.family == family for item in texts) for family in Family}
    assert all(count >= 40 for count in counts.values()), counts
    assert sum(item.family == NEAR_MISS for item in texts) >= 250
    every = load(TUNED_SETS + HELD_OUT_SETS + SPANISH_SETS)
    assert len({item.text for item in every}) == len(every), "a text is labelled twice"


@pytest.mark.parametrize("name", SPANISH_SETS)
def test_a_spanish_set_meets_the_targets(name: str) -> None:
    figures = measure(load([name]))
    print("\n" + figures.report(f"Spanish ({name})"))
    assert all(value >= 0.95 for value in figures.recall.values()), figures.recall
    assert figures.near_miss_flagged <= 0.02


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("he said he'd kill me if i ever left", Family.THREATS),
        ("pushed me down the stairs", Family.VIOLENCE),
        ("grabbed me by the throat", Family.VIOLENCE),
        ("takes my phone and wont let me see my friends", Family.COERCIVE_CONTROL),
        ("I don't want to be here anymore", Family.SELF_HARM),
        ("i have pills saved up", Family.SELF_HARM),
        ("kms", Family.SELF_HARM),
        ("my husbnad hits me", Family.VIOLENCE),
        ("im scared he'll hurt me if he sees these texts", Family.FEAR),
        ("he yelled at me and I'm scared he'll hurt me", Family.FEAR),
        ("found an airtag in my car, it's his", Family.STALKING),
        ("he forced himself on me", Family.SEXUAL_COERCION),
    ],
)
def test_the_issues_examples_are_caught_in_their_family(text: str, family: Family) -> None:
    concern = assess(text)
    assert concern is not None
    assert family in concern.families
    assert concern.explanation().startswith(concern.families[0].value)


@pytest.mark.parametrize(
    "text",
    [
        "this commute is killing me",
        "I'd die for a taco",
        "he hit the gym",
        "she killed it at work",
        "we fought over the remote but laughed",
        "my wife will kill me if I forget the milk",
        "he threw a surprise party",
        "the baby bit me while teething",
    ],
)
def test_everyday_speech_is_left_alone(text: str) -> None:
    assert assess(text) is None


@pytest.mark.parametrize(
    ("text", "imminent"),
    [
        ("he has a gun and he is outside my door right now", True),
        ("i have a plan and the pills are ready tonight", True),
        ("he hit me last year", False),
        ("i feel like a burden", False),
    ],
)
def test_imminent_danger_is_told_apart(text: str, imminent: bool) -> None:
    concern = assess(text)
    assert concern is not None
    assert concern.imminent is imminent


def test_a_negated_blow_is_not_a_disclosure_but_a_wish_is() -> None:
    assert assess("he would never hit me") is None
    assert assess("i just want one week where he doesn't put his hands on me") is not None


LABELLED = [item.text for item in load(TUNED_SETS)]
SURROUNDINGS = st.text(alphabet=" .,!?…'\"🙏😢💔🌸👍\n", max_size=4)


# Speed is bench/safety.py's to measure; the first call here may also load the rules.
@settings(deadline=None)
@given(
    text=st.sampled_from(LABELLED),
    before=SURROUNDINGS,
    after=SURROUNDINGS,
    case=st.sampled_from([str.upper, str.lower, str.title, str]),
)
def test_case_punctuation_and_emoji_around_a_text_never_change_the_answer(
    text: str, before: str, after: str, case: object
) -> None:
    assert callable(case)
    original = assess(text)
    changed = assess(f"{before}{case(text)}{after}")
    assert (changed is None) == (original is None)
    if original is not None and changed is not None:
        assert changed.families == original.families


@settings(deadline=None)
@given(st.text(max_size=400))
def test_any_text_gets_an_answer_and_never_raises(text: str) -> None:
    assert assess(text) is None or assess(text) is not None


@settings(deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), min_size=1500, max_size=1600))
def test_long_and_mixed_script_texts_are_answered(text: str) -> None:
    concern = assess(text)
    assert concern is None or concern.families
