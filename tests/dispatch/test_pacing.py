"""Pacing: the token bucket (pure) and the Pacer that spaces a pass's sends."""

from __future__ import annotations

import asyncio
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.dispatch.pacing import Pacer, TokenBucket


class RecordedSleeps:
    """Stands in for asyncio.sleep: remembers the requested waits and does not wait."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


def test_a_pacer_spaces_waiters_one_interval_apart_in_order() -> None:
    sleeps = RecordedSleeps()
    pacer = Pacer(10.0, clock=lambda: 100.0, sleep=sleeps)  # the clock stands still

    async def run() -> None:
        await asyncio.gather(*(pacer.wait() for _ in range(4)))

    asyncio.run(run())
    assert sleeps.seconds == pytest.approx([0.1, 0.2, 0.3])


@pytest.mark.parametrize(
    ("capacity", "arrivals", "expected_waits"),
    [
        (1.0, [0.0, 0.0, 0.0], [0.0, 0.1, 0.2]),  # simultaneous senders queue 1/rate apart
        (1.0, [0.0, 0.1, 0.2], [0.0, 0.0, 0.0]),  # exactly at the rate: nobody waits
        (1.0, [0.0, 0.05, 0.3], [0.0, 0.05, 0.0]),
        (3.0, [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.1]),  # a burst of `capacity`
        (1.0, [0.0, 5.0, 5.0], [0.0, 0.0, 0.1]),  # a long pause refills only to capacity
    ],
)
def test_token_bucket_waits(
    capacity: float, arrivals: list[float], expected_waits: list[float]
) -> None:
    bucket = TokenBucket.full(10.0, capacity, now=0.0)
    waits = []
    for now in arrivals:
        bucket, wait = bucket.take(now)
        waits.append(wait)

    assert waits == pytest.approx(expected_waits)


@given(
    rate=st.floats(0.5, 1000),
    capacity=st.integers(1, 5),
    gaps=st.lists(st.floats(0, 2), min_size=1, max_size=60),
)
def test_token_bucket_never_exceeds_rate_plus_burst(
    rate: float, capacity: int, gaps: list[float]
) -> None:
    start = 0.0
    bucket = TokenBucket.full(rate, capacity, now=start)
    now = start
    send_times = []
    for gap in gaps:
        now += gap
        bucket, wait = bucket.take(now)
        assert wait >= 0
        send_times.append(now + wait)

    # Sends happen in arrival order, and by time t at most capacity + rate * (t - start).
    assert send_times == sorted(send_times)
    for count, sent_at in enumerate(send_times, start=1):
        assert count <= capacity + rate * (sent_at - start) + 1e-6


@given(rate=st.floats(0.5, 1000), gaps=st.lists(st.floats(0, 2), min_size=1, max_size=60))
def test_token_bucket_with_burst_one_waits_no_longer_than_needed(
    rate: float, gaps: list[float]
) -> None:
    bucket = TokenBucket.full(rate, 1, now=0.0)
    now = 0.0
    previous_send: float | None = None
    for gap in gaps:
        now += gap
        bucket, wait = bucket.take(now)
        earliest = now if previous_send is None else max(now, previous_send + 1 / rate)
        assert math.isclose(now + wait, earliest, rel_tol=1e-9, abs_tol=1e-9)
        previous_send = now + wait
