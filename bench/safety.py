"""The safety detector's cost per text, by kind and length of text.

    python -m bench.safety            # every kind at 40 to 1,600 characters, 200 texts each

Texts of each kind (ordinary replies, disclosures, emoji only, mixed scripts, bytes that look
like mis-decoded UTF-8, random letters that defeat the spelling cache) are assessed at growing
lengths. Reported per kind and length: the median and worst time per text, and, as the
machine's speed moves, the ratio of the detector's time to normalising the same text (the
work every inbound text already pays) measured in the same loop. Time per character staying
flat as texts grow is what "linear in the text's length" means here.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.common import format_table, machine, ratio, write_results
from service.conversation.intents import normalize
from service.safety.detection import assess, warm_up

LENGTHS = (40, 160, 480, 1600)
SMOKE_LENGTHS = (40, 160)


def _ordinary(rng: random.Random, length: int) -> str:
    words = [
        "we",
        "went",
        "for",
        "a",
        "walk",
        "and",
        "talked",
        "about",
        "our",
        "week",
        "it",
        "was",
        "nice",
        "he",
        "laughed",
    ]
    return _fill(lambda: rng.choice(words), length)


def _disclosure(rng: random.Random, length: int) -> str:
    parts = [
        "tried the prompt",
        "but he hit me again",
        "and said he'd kill me if i leave",
        "im scared to go home",
        "he takes my phone",
    ]
    return _fill(lambda: rng.choice(parts), length)


def _emoji(rng: random.Random, length: int) -> str:
    return "".join(rng.choice("😀😂❤️🙏🔪💊🌸👍") for _ in range(length))


def _mixed_script(rng: random.Random, length: int) -> str:
    words = ["he", "hit", "me", "он", "ударил", "меня", "他", "打", "我", "ضربني", "😢"]
    return _fill(lambda: rng.choice(words), length)


def _mojibake(rng: random.Random, length: int) -> str:
    text = "he hit me, I’m scared – he’s outside".encode().decode("latin-1")
    return _fill(lambda: text, length)


def _random_letters(rng: random.Random, length: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return _fill(lambda: "".join(rng.choice(letters) for _ in range(rng.randint(3, 9))), length)


def _fill(next_part: Callable[[], str], length: int) -> str:
    parts: list[str] = []
    while sum(len(part) + 1 for part in parts) < length:
        parts.append(next_part())
    return " ".join(parts)[:length]


KINDS: dict[str, Callable[[random.Random, int], str]] = {
    "ordinary": _ordinary,
    "disclosure": _disclosure,
    "emoji_only": _emoji,
    "mixed_script": _mixed_script,
    "mojibake": _mojibake,
    "random_letters": _random_letters,
}


def measure(kind: str, length: int, texts: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    samples = [KINDS[kind](rng, length) for _ in range(texts)]
    detector: list[float] = []
    baseline: list[float] = []
    for text in samples:
        normalize.cache_clear()  # the detector normalises the text itself, as on a new text
        started = time.perf_counter()
        normalize(text)
        baseline.append(time.perf_counter() - started)
        normalize.cache_clear()
        started = time.perf_counter()
        assess(text)
        detector.append(time.perf_counter() - started)
    median = statistics.median(detector)
    return {
        "kind": kind,
        "characters": length,
        "texts": texts,
        "median_ms": round(median * 1000, 3),
        "worst_ms": round(max(detector) * 1000, 3),
        "median_us_per_character": round(median * 1e6 / length, 3),
        "ratio_to_normalize": ratio(median, statistics.median(baseline)),
    }


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--texts", type=int, default=200)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for the test suite")
    parser.add_argument("--results-dir", type=Path, default=None)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None, log: Callable[[str], None] = print) -> dict[str, Any]:
    arguments = parse_arguments(argv)
    started = time.perf_counter()
    warm_up()
    load_seconds = time.perf_counter() - started
    texts = 5 if arguments.smoke else arguments.texts
    lengths = SMOKE_LENGTHS if arguments.smoke else LENGTHS
    runs = [
        measure(kind, length, texts, seed)
        for seed, (kind, length) in enumerate((k, n) for k in KINDS for n in lengths)
    ]
    columns = ("kind", "characters", "median_ms", "worst_ms", "median_us_per_character")
    rows = [[*(run[column] for column in columns), run["ratio_to_normalize"]] for run in runs]
    log(format_table((*columns, "x normalize"), rows))
    worst = max(runs, key=lambda run: run["worst_ms"])
    log(
        f"rules loaded in {load_seconds:.2f} s; worst text: {worst['worst_ms']} ms "
        f"({worst['kind']}, {worst['characters']} characters)"
    )
    report = {
        "benchmark": "safety",
        "machine": machine(),
        "arguments": vars(arguments) | {"results_dir": str(arguments.results_dir or "")},
        "load_seconds": round(load_seconds, 3),
        "runs": runs,
    }
    name = "safety-smoke" if arguments.smoke else "safety"
    log(f"written: {write_results(name, report, arguments.results_dir)}")
    return report


if __name__ == "__main__":
    main()
