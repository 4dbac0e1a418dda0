"""When feeds are polled next: the bounds, the server's hints, and backoff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.feeds.schedule import (
    BROKEN_RETRY,
    MAX_BACKOFF,
    MAX_DELAY,
    after_failure,
    after_success,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("interval", "max_age", "ttl", "delay"),
    [
        (300, None, None, timedelta(seconds=300)),
        (300, 60, None, timedelta(seconds=300)),
        (300, 3600, None, timedelta(hours=1)),
        (300, None, 7200, timedelta(hours=2)),
        (300, 600, 1200, timedelta(seconds=1200)),
        (300, 30 * 86400, None, MAX_DELAY),
        (2 * 86400, None, None, MAX_DELAY),
    ],
    ids=[
        "interval",
        "short-max-age-never-sooner",
        "max-age",
        "rss-ttl",
        "longest-hint",
        "at-least-daily",
        "long-interval-capped-daily",
    ],
)
def test_after_success(
    interval: int, max_age: int | None, ttl: int | None, delay: timedelta
) -> None:
    assert after_success(NOW, interval, max_age=max_age, ttl=ttl) - NOW == delay


@pytest.mark.parametrize(
    ("errors", "retry_after", "broken", "delay"),
    [
        (1, None, False, 5 * MIN),
        (2, None, False, 10 * MIN),
        (3, None, False, 20 * MIN),
        (12, None, False, MAX_BACKOFF),
        (1, 7200.0, False, timedelta(hours=2)),
        (1, 10.0, False, 5 * MIN),
        (1, 30 * 86400.0, False, MAX_DELAY),
        (1, None, True, BROKEN_RETRY),
    ],
    ids=[
        "first-error",
        "doubles",
        "doubles-again",
        "backoff-cap",
        "retry-after",
        "retry-after-never-sooner",
        "retry-after-at-most-a-day",
        "broken-slow-rate",
    ],
)
def test_after_failure(
    errors: int, retry_after: float | None, broken: bool, delay: timedelta
) -> None:
    got = after_failure(NOW, 300, errors, retry_after=retry_after, broken=broken)
    assert got - NOW == delay
