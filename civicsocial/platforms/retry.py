"""Retries of platform calls: a call that failed in a way another try may fix (rate
limit, server error, timeout, dropped connection, garbled body) is tried again after
the platform's Retry-After, or an exponential backoff with full jitter when it gave none
(so many workers do not retry in step)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from civicsocial.platforms.adapters.base import PlatformError

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 8
    base: float = 0.5  # seconds; doubles each try
    cap: float = 30.0
    max_wait: float = 300.0  # a longer Retry-After gives up: the next capture run tries again


def backoff(policy: RetryPolicy, attempt: int, retry_after: float, rng: random.Random) -> float:
    """Seconds to wait before try `attempt + 1`: at least what the platform asked."""
    return max(retry_after, rng.uniform(0, min(policy.cap, policy.base * 2 ** attempt)))


def with_retries(call: Callable[[], T], policy: RetryPolicy | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 rng: random.Random | None = None) -> T:
    """The call's result, retrying retryable PlatformErrors within the policy."""
    policy = policy or RetryPolicy()
    rng = rng or random.Random()  # noqa: S311 - jitter, not secrecy
    for attempt in range(policy.attempts):
        try:
            return call()
        except PlatformError as error:
            last = attempt == policy.attempts - 1
            if error.retry_after is None or last or error.retry_after > policy.max_wait:
                raise
            sleep(backoff(policy, attempt, error.retry_after, rng))
    raise AssertionError("unreachable")
