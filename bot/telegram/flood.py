"""Flood protection: a token bucket per sender, so one sender's flood cannot slow everyone else.

A sender is a user, or a chat that messages are sent in the name of (an anonymous group admin,
a channel), counted per chat where it speaks (`bot.telegram.updates.sender_key`).

Each user may send `burst` messages at once, then `per_minute` a minute. The first message over
the limit earns one polite "slow down"; the rest of that burst is dropped without a word, and
the user is told again only after a message of theirs has been let through. A burst of 0
turns the protection off.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from enum import Enum


class Verdict(Enum):
    ALLOW = "allow"
    WARN = "warn"  # over the limit for the first time in this burst: say so once
    DROP = "drop"


@dataclass
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


class FloodGuard:
    """Token buckets by sender; full buckets are forgotten once there are many senders."""

    FORGET_ABOVE = 10_000

    def __init__(
        self, burst: int, per_minute: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.burst = burst
        self.per_second = per_minute / 60
        self._clock = clock
        self._buckets: dict[Hashable, _Bucket] = {}
        self.dropped = 0

    def check(self, sender: Hashable) -> Verdict:
        """Take a token for one message of this sender, if one is left."""
        if self.burst <= 0:
            return Verdict.ALLOW
        now = self._clock()
        bucket = self._buckets.get(sender)
        if bucket is None:
            self._forget_idle(now)
            bucket = self._buckets[sender] = _Bucket(float(self.burst), now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.per_second)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.warned = False
            return Verdict.ALLOW
        self.dropped += 1
        if bucket.warned:
            return Verdict.DROP
        bucket.warned = True
        return Verdict.WARN

    def _forget_idle(self, now: float) -> None:
        if len(self._buckets) < self.FORGET_ABOVE:
            return
        refill = self.burst / self.per_second if self.per_second else float("inf")
        self._buckets = {
            user: bucket
            for user, bucket in self._buckets.items()
            if now - bucket.updated < refill
        }
