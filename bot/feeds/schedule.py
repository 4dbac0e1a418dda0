"""When to poll a feed next: pure arithmetic on the feed's interval and what the server said.

In: now, the feed's interval (seconds), and the hints of the last fetch (Cache-Control
max-age, RSS <ttl>, Retry-After) or its consecutive error count. Out: the next poll time.
Rules: never sooner than the feed's interval, never later than a day (`MAX_DELAY`); errors
back off exponentially up to `MAX_BACKOFF`; a broken feed is retried every `BROKEN_RETRY` so
that it recovers by itself. A new feed has no next poll time and is due at once, so that the
first alerts come in the bot's first minutes (FETCH_CONCURRENCY and the per-host limits keep
a thousand new feeds from being fetched in the same second). Never raises.
"""

from __future__ import annotations

from datetime import datetime, timedelta

MAX_DELAY = timedelta(days=1)
MAX_BACKOFF = timedelta(hours=4)
BROKEN_RETRY = timedelta(hours=6)


def _bounded(interval: int, seconds: float) -> timedelta:
    """`seconds`, but at least the interval and at most a day."""
    return min(max(timedelta(seconds=interval), timedelta(seconds=seconds)), MAX_DELAY)


def after_success(
    now: datetime, interval: int, *, max_age: int | None = None, ttl: int | None = None
) -> datetime:
    """After a fetch that worked (new content or unchanged): the feed's interval, or longer
    when the server's Cache-Control max-age or the feed's <ttl> asks for it."""
    return now + _bounded(interval, max(max_age or 0, ttl or 0))


def after_failure(
    now: datetime,
    interval: int,
    errors: int,
    *,
    retry_after: float | None = None,
    broken: bool = False,
) -> datetime:
    """After the `errors`-th consecutive failure: the interval doubled per error (at most
    MAX_BACKOFF, but never below the interval), later still if the server sent Retry-After; a
    broken feed waits BROKEN_RETRY between attempts."""
    doublings = min(max(errors - 1, 0), 20)
    backoff = min(timedelta(seconds=interval) * (1 << doublings), MAX_BACKOFF)
    if broken:
        backoff = max(backoff, BROKEN_RETRY)
    return now + _bounded(interval, max(backoff.total_seconds(), retry_after or 0))
