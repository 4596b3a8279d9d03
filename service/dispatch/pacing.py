"""Pacing sends to a sender's rate (MESSAGES_PER_SECOND): a token bucket, and its async shell."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class TokenBucket:
    """A token bucket that lends tokens ahead: tokens below zero are reservations.

    Taking a token always succeeds and says how long to wait before using it, so concurrent
    senders queue in order without polling.
    """

    rate_per_second: float
    capacity: float
    tokens: float
    updated_at: float

    @classmethod
    def full(cls, rate_per_second: float, capacity: float, now: float) -> TokenBucket:
        if rate_per_second <= 0 or capacity < 1:
            raise ValueError("rate must be positive and capacity at least 1")
        return cls(rate_per_second, capacity, capacity, now)

    def take(self, now: float) -> tuple[TokenBucket, float]:
        """The bucket after taking one token at `now`, and the seconds to wait before sending."""
        elapsed = max(0.0, now - self.updated_at)
        refilled = min(self.capacity, self.tokens + elapsed * self.rate_per_second)
        remaining = refilled - 1
        wait = 0.0 if remaining >= 0 else -remaining / self.rate_per_second
        updated = TokenBucket(
            self.rate_per_second, self.capacity, remaining, max(now, self.updated_at)
        )
        return updated, wait


class Pacer:
    """Spaces sends evenly at `rate_per_second` (a burst of one: no bunching at each second's
    start). Waiters are served in the order they asked."""

    def __init__(
        self,
        rate_per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.bucket = TokenBucket.full(rate_per_second, 1.0, clock())
        self.clock = clock
        self.sleep = sleep

    async def wait(self) -> None:
        # take() is synchronous, so concurrent senders reserve their turns one after another.
        self.bucket, wait = self.bucket.take(self.clock())
        if wait > 0:
            await self.sleep(wait)
