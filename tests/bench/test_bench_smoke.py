"""Each benchmark script runs end to end at tiny sizes: the scripts keep working.

No thresholds here: the figures of a smoke run mean nothing. Only the shape of the report
and that every figure is a positive number are checked.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench import dispatch, safety, tick_planning, webhook


def quiet(line: str) -> None:
    pass


def positive(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def written(results: Path, name: str) -> dict[str, Any]:
    report: dict[str, Any] = json.loads((results / f"{name}-latest.json").read_text())
    return report


def test_dispatch_smoke(tmp_path: Path) -> None:
    report = dispatch.main(["--smoke", "--results-dir", str(tmp_path)], log=quiet)
    assert written(tmp_path, "dispatch-smoke")["runs"] == json.loads(json.dumps(report["runs"]))
    assert [run["backend"] for run in report["runs"]] == ["sqlite", "postgresql"]
    for run in report["runs"]:
        assert set(run["variants"]) == {"raw_aiohttp", "raw_httpx", "dispatcher", "sdk_sequential"}
        for figures in run["variants"].values():
            for key in ("messages", "seconds", "messages_per_second", "peak_rss_mb"):
                assert positive(figures[key]), (key, figures)
        service = run["variants"]["dispatcher"]
        assert service["messages"] == service["accepted_rows"] == run["due"]
        assert run["ceiling"] in {"raw_aiohttp", "raw_httpx"}
        assert positive(run["ratio_to_ceiling"]) and positive(run["ratio_to_sdk_sequential"])
        assert len(run["ratios_to_ceiling"]) == run["rounds"] == 1
        # The ceiling ran once before and once after the service.
        assert len(run["variants"][run["ceiling"]]["runs_messages_per_second"]) == 2


def test_dispatch_ratios_pair_each_service_run_with_the_ceiling_runs_around_it() -> None:
    # Rounds: ceiling 100 | service 60 | ceiling 140 | service 90 | ceiling 160
    to_ceiling, to_sdk = dispatch.paired_ratios([60.0, 90.0], [100.0, 140.0, 160.0], [20.0, 30.0])
    assert to_ceiling == [0.5, 0.6]
    assert to_sdk == [3.0, 3.0]


def test_webhook_smoke(tmp_path: Path) -> None:
    report = webhook.main(["--smoke", "--results-dir", str(tmp_path)], log=quiet)
    assert written(tmp_path, "webhook-smoke")["summary"] == report["summary"]
    endpoints = {(r["backend"], r["endpoint"]) for r in report["runs"]}
    assert endpoints == {(b, e) for b in ("sqlite", "postgresql") for e in ("bare", "full")}
    for row in report["runs"]:
        for key in ("requests", "requests_per_second", "p50_ms", "p99_ms"):
            assert positive(row[key]), (key, row)
        assert row["statuses"] == {"200": row["requests"]}
    assert {line["workers"] for line in report["summary"]} == {1}
    for line in report["summary"]:
        assert line["full_not_200"] == 0
        for key in ("full_vs_bare", "full_p50_ms", "full_p99_ms", "p50_vs_smallest"):
            assert positive(line[key]), (key, line)


def test_tick_planning_smoke(tmp_path: Path) -> None:
    report = tick_planning.main(
        ["--smoke", "--backend", "both", "--results-dir", str(tmp_path)], log=quiet
    )
    assert written(tmp_path, "tick_planning-smoke")["runs"] == report["runs"]
    timings = ("find_and_lock_ms", "claim_ms", "nothing_due_ms", "previous_find_and_lock_ms")
    for run in report["runs"]:
        for database in (run["large"], run["baseline"]):
            for key in timings:
                assert positive(database[key]), (key, database)
            assert set(database["plans"]) >= {"prompt_due", "recap_due", "previous"}
            assert all(database["plans"][name] for name in database["plans"])
        for key in ("find_and_lock_large_vs_baseline", "claim_large_vs_baseline"):
            assert positive(run[key]), (key, run)


def test_safety_smoke(tmp_path: Path) -> None:
    report = safety.main(["--smoke", "--results-dir", str(tmp_path)], log=quiet)
    assert written(tmp_path, "safety-smoke")["runs"] == report["runs"]
    assert {run["kind"] for run in report["runs"]} == set(safety.KINDS)
    for run in report["runs"]:
        for key in ("median_ms", "worst_ms", "median_us_per_character", "ratio_to_normalize"):
            assert positive(run[key]), (key, run)
