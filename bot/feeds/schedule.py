"""When to poll a feed next: pure arithmetic on the feed's rhythm, interval and server hints.

In: now, the feed's interval (seconds), its expected rate of stories now (`bot.feeds.rhythm`),
the fleet's `Share` of the poll budget (`budget_scale`), and the hints of the last fetch
(Cache-Control max-age, RSS <ttl>, Retry-After) or its consecutive error count. Out: the next
poll time.

Adaptive rule (`adaptive`): a feed expecting `rate` stories a second now is polled every
`c / sqrt(rate)` seconds, within `Bounds`. Polling every T seconds makes a story wait T/2 on
average, so the wait summed over all stories, for a fixed number of requests, is least when
each feed's interval goes as one over the square root of its rate (the square-root rule); `c`
is set so that the requests over a week add up to AIM of what the fixed intervals would make
(each feed's interval is its share of the budget), so busy hours of busy feeds are paid for by
quiet feeds and quiet hours. In hours where a feed expects a story every BUSY_GAP it is polled
at least every BUSY_LONGEST while the budget allows. Cache-Control max-age is obeyed in full; RSS
<ttl> is a hint, honoured only up to the feed's own expected gap between stories (a feed
publishing every minute under a blanket <ttl>60</ttl> has shown the ttl is not about its news).

Fixed rule (`after_success`, before a rhythm is known or with POLL_ADAPTIVE off): never sooner
than the feed's interval, never later than a day (`MAX_DELAY`). Errors back off exponentially
up to `MAX_BACKOFF`; a broken feed is retried every `BROKEN_RETRY` so
that it recovers by itself. A new feed has no next poll time and is due at once, so that the
first alerts come in the bot's first minutes (FETCH_CONCURRENCY and the per-host limits keep
a thousand new feeds from being fetched in the same second). Never raises.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_DELAY = timedelta(days=1)
MAX_BACKOFF = timedelta(hours=4)
BROKEN_RETRY = timedelta(hours=6)
HOUR = 3600.0
HOURS_A_WEEK = 168  # the length of a feed's table of rates (`bot.feeds.rhythm.roots`)


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


# A feed in an hour where it expects a story at least every BUSY_GAP seconds is polled at
# least every BUSY_LONGEST seconds, while the budget allows it: the square-root rule alone
# would let the slowest of the busy feeds wait minutes, to save seconds on the busiest. (20
# minutes, so that a feed publishing every 10 minutes on average is covered in its slower hours.)
BUSY_GAP = 1200.0
BUSY_LONGEST = 50.0  # a uniform wait within 50 s: median 25 s, p95 under 50 s
# A feed publishing at least every BUSY_FEED_GAP on average is busy at every hour: its stories
# in its slower hours are news too. 15 minutes, with a margin over the 10 minutes the targets
# speak of: a pace learned from a page of items is an estimate (bench/latency.py's "10 min"
# feed published every 10.8 minutes on the day it replays).
BUSY_FEED_GAP = 900.0
# The share of the fixed schedule's requests the adaptive one aims at: rates are estimates,
# learned while they are spent (a feed's first week leans on its overall pace), and one
# simulated day of bench/latency.py overshot a full aim by 2%.
AIM = 0.95


@dataclass(frozen=True, slots=True)
class Bounds:
    """The adaptive interval's limits in seconds (POLL_MIN_INTERVAL, POLL_MAX_INTERVAL), and
    the longest for busy hours."""

    shortest: float
    longest: float
    busy_gap: float = BUSY_GAP
    busy_longest: float = BUSY_LONGEST
    busy_feed_gap: float = BUSY_FEED_GAP


@dataclass(frozen=True, slots=True)
class Share:
    """How the budget is shared: the square-root rule's constant, and whether busy hours get
    their BUSY_LONGEST (False when the busy hours alone would spend more than the budget)."""

    constant: float
    busy: bool = True


def busy_feed(table: Sequence[float], bounds: Bounds) -> bool:
    """Whether a feed (the square roots of its hourly rates) publishes at least every
    BUSY_FEED_GAP on average over the week: then all its hours count as busy."""
    return bool(table) and sum(x * x for x in table) / len(table) >= 1.0 / bounds.busy_feed_gap


def budget_scale(
    feeds: Iterable[tuple[Sequence[float] | None, int]], bounds: Bounds
) -> Share | None:
    """How feeds given as (the square root of their rate in each hour of the week, interval)
    share the budget: the constant at which the week's polls, within `bounds`, make AIM of the
    requests a second the fixed intervals would. Feeds without a rhythm keep their fixed
    interval and their share. None when no feed has a rhythm."""
    budget, hourly, whole = 0.0, list[float](), list[float]()
    for table, interval in feeds:
        if table and interval > 0:
            budget += 1.0 / interval
            (whole if busy_feed(table, bounds) else hourly).extend(table)
    if not hourly and not whole:
        return None
    budget *= AIM
    spend = _Spend(hourly, whole, bounds, busy=True)
    if spend(1e12) > budget:  # the busy hours alone are over budget: the plain rule
        spend = _Spend(hourly, whole, bounds, busy=False)
    low, high = 1e-9, 1e12
    while high / low > 1.000001:  # bisection in log space: spending falls as c grows
        middle = math.sqrt(low * high)
        low, high = (middle, high) if spend(middle) > budget else (low, middle)
    return Share(high, busy=spend.busy)


class _Spend:
    """Requests a second the feeds make at the constant `c`: each hour of each feed polled
    every c/sqrt(rate) seconds within its bounds, weighing its share of the week. `whole`: the
    hours of busy feeds (all capped at BUSY_LONGEST); `hourly`: the others' (capped in busy
    hours). Each part sorted with prefix sums: a call is O(log n) for a fleet of any size."""

    def __init__(
        self, hourly: list[float], whole: list[float], bounds: Bounds, *, busy: bool
    ) -> None:
        self.bounds = bounds
        self.busy = busy
        capped = min(bounds.longest, bounds.busy_longest) if busy else bounds.longest
        hourly = sorted(hourly)
        split = bisect.bisect_left(hourly, math.sqrt(1.0 / bounds.busy_gap))
        self.parts = [
            _Part(hourly[:split], bounds.longest),
            _Part(hourly[split:], capped),
            _Part(sorted(whole), capped),
        ]

    def __call__(self, c: float) -> float:
        return sum(part(c, self.bounds.shortest) for part in self.parts) / HOURS_A_WEEK


class _Part:
    """Sorted square roots of rates sharing one longest interval."""

    def __init__(self, values: list[float], longest: float) -> None:
        self.values = values
        self.longest = longest
        self.prefix = [0.0]
        for value in values:
            self.prefix.append(self.prefix[-1] + value)

    def __call__(self, c: float, shortest: float) -> float:
        # An hour's interval c/s is below `shortest` when s > c/shortest, above `longest`
        # when s < c/longest; in between it spends s/c.
        if not self.values:
            return 0.0
        shortest = min(shortest, self.longest)
        slow = bisect.bisect_left(self.values, c / self.longest)
        fast = max(bisect.bisect_right(self.values, c / shortest), slow)
        middle = (self.prefix[fast] - self.prefix[slow]) / c
        return middle + slow / self.longest + (len(self.values) - fast) / shortest


def adaptive(
    now: datetime,
    interval: int,
    *,
    rate: float | None,
    scale: Share | None,
    bounds: Bounds,
    max_age: int | None = None,
    ttl: int | None = None,
    next_rate: float | None = None,
    busy: bool = False,
) -> datetime:
    """After a fetch that worked: the square-root rule's interval within `bounds` for `rate`
    (this hour's; `next_rate`, the next hour's), never sooner than max-age, nor than <ttl>
    where the feed publishes less often than its ttl says. Without a rate or a scale, the
    fixed rule. `busy`: a busy feed (`busy_feed`), capped at BUSY_LONGEST at every hour."""
    if rate is None or scale is None:
        return after_success(now, interval, max_age=max_age, ttl=ttl)
    delay = _delay(rate, scale, bounds, busy=busy)
    # A wait that crosses into the next hour lasts no longer there than that hour wants: a feed
    # quiet at 05:50 that is busy from 06:00 is polled early in its busy hour.
    boundary = HOUR - now.timestamp() % HOUR
    if next_rate is not None and delay > boundary:
        delay = min(delay, boundary + _delay(next_rate, scale, bounds, busy=busy))
    hint = min(float(ttl or 0), 1.0 / rate) if rate > 0 else float(ttl or 0)
    delay = max(delay, float(max_age or 0), hint)
    return now + min(timedelta(seconds=delay), MAX_DELAY)


def _delay(rate: float, scale: Share, bounds: Bounds, *, busy: bool) -> float:
    """The square-root rule's interval for `rate` within the bounds (busy hours' included)."""
    longest = bounds.longest
    if scale.busy and (busy or rate >= 1.0 / bounds.busy_gap):
        longest = min(longest, bounds.busy_longest)
    delay = longest if rate <= 0 else scale.constant / math.sqrt(rate)
    return min(max(delay, min(bounds.shortest, longest)), longest)
