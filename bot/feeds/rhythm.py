"""A feed's publishing rhythm over the hours of the week, learned from its items' dates.

In: publication times (the dates of a feed's items from its very first fetch, then those of the
new items each poll finds; an undated item counts at the time it was found) and `now`.
Out: a `Rhythm` (when observation began, and how many stories each of the week's 168 hours
saw), the expected rate of stories at a moment (`rate_at`, stories a second, the hour's own
count shrunk towards the feed's overall rate when the hour was seen little), and the square
root of that rate for each hour (`roots`, what the poll budget is shared by). Text
round-trip for the database (`dumps`/`loads`; unreadable text is no rhythm). Pure, never raises.

Why hours of the week: wires publish in market hours and go quiet at night and on weekends, so
the polls one feed is worth move to the hours it publishes in. Memory is bounded: past
`MEMORY` the counts are halved and the start moved forward, so a feed that changes pace is
followed within weeks.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

HOURS = 168
HOUR = 3600.0
MEMORY = timedelta(days=28)
# An hour's own count is weighed against the feed's overall rate over PRIOR_STORIES of its
# stories (at least PRIOR_HOURS): an hour that saw one story of a daily feed is not yet a rate
# of one an hour, while a wire's hour tells its pace within the hour.
PRIOR_STORIES = 2.0
PRIOR_HOURS = 0.5
_EPOCH_MONDAY = datetime(2024, 1, 1, tzinfo=UTC)  # a Monday, 00:00 UTC


@dataclass(frozen=True, slots=True)
class Rhythm:
    """Stories counted per hour of the week (UTC), observed since `since`."""

    since: datetime
    counts: tuple[float, ...] = (0.0,) * HOURS


def hour_of_week(at: datetime) -> int:
    """0 (Monday 00:00-01:00 UTC) .. 167."""
    return int((at - _EPOCH_MONDAY).total_seconds() // HOUR) % HOURS


def observe(rhythm: Rhythm | None, times: Iterable[datetime], now: datetime) -> Rhythm:
    """`rhythm` with `times` counted; on the first observation it starts at the oldest time
    (a feed's first fetch shows its past). Times in the future count at `now`."""
    stamps = [min(t, now) for t in times]
    if rhythm is None:
        rhythm = Rhythm(since=min([now, *stamps]))
    counts = list(rhythm.counts)
    since = rhythm.since
    for stamp in stamps:
        if stamp >= since:
            counts[hour_of_week(stamp)] += 1.0
    if now - since > MEMORY:
        counts = [c / 2 for c in counts]
        since = now - MEMORY / 2
    return Rhythm(since=since, counts=tuple(counts))


def _exposure(since: datetime, now: datetime) -> list[float]:
    """Hours each hour of the week was observed between `since` and `now`."""
    hours = max((now - since).total_seconds(), 0.0) / HOUR
    weeks, rest = divmod(hours, HOURS)
    seen = [float(weeks)] * HOURS
    start = since + timedelta(weeks=weeks)
    first = hour_of_week(start)
    into = (start - _EPOCH_MONDAY).total_seconds() / HOUR % 1.0
    left = rest
    index = first
    part = min(1.0 - into, left)
    while left > 1e-9:
        seen[index % HOURS] += part
        left -= part
        index += 1
        part = min(1.0, left)
    return seen


def overall_rate(rhythm: Rhythm, now: datetime) -> float | None:
    """Stories a second over the whole observation; None before an hour was observed."""
    span = (now - rhythm.since).total_seconds()
    if span < HOUR and sum(rhythm.counts) < 2:
        return None
    return sum(rhythm.counts) / max(span, 1.0)


def rates(rhythm: Rhythm, now: datetime) -> list[float] | None:
    """The expected stories a second in each hour of the week; None while nothing is known."""
    overall = overall_rate(rhythm, now)
    if overall is None:
        return None
    weight = max(PRIOR_HOURS, PRIOR_STORIES / (overall * HOUR)) if overall > 0 else PRIOR_HOURS
    prior = overall * HOUR * weight
    return [
        (count + prior) / ((seen + weight) * HOUR)
        for count, seen in zip(rhythm.counts, _exposure(rhythm.since, now), strict=True)
    ]


def rate_at(rhythm: Rhythm | None, at: datetime, now: datetime) -> float | None:
    """The expected stories a second in the hour of `at` (None while nothing is known)."""
    if rhythm is None:
        return None
    table = rates(rhythm, now)
    if table is None:
        return None
    return table[hour_of_week(at)]


def roots(rhythm: Rhythm | None, now: datetime) -> list[float] | None:
    """For each hour of the week, the square root of its expected rate (what the schedule's
    budget is shared by: `bot.feeds.schedule.budget_scale`)."""
    if rhythm is None:
        return None
    table = rates(rhythm, now)
    if table is None:
        return None
    return [math.sqrt(rate) for rate in table]


def dumps(rhythm: Rhythm | None) -> str | None:
    """`since` in epoch seconds, then the 168 counts; compact for the feeds table."""
    if rhythm is None:
        return None
    counts = " ".join(f"{c:g}" for c in rhythm.counts)
    return f"{rhythm.since.timestamp():.0f} {counts}"


def loads(text: str | None) -> Rhythm | None:
    """The `Rhythm` written by `dumps`; None for no or unreadable text."""
    if not text:
        return None
    try:
        parts = [float(p) for p in text.split()]
    except ValueError:
        return None
    if len(parts) != HOURS + 1 or not all(math.isfinite(p) and p >= 0 for p in parts):
        return None
    return Rhythm(since=datetime.fromtimestamp(parts[0], UTC), counts=tuple(parts[1:]))
