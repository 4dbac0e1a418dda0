"""When feeds are polled next: the bounds, the server's hints, backoff, the adaptive rule and
the rhythm it learns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.feeds.rhythm import (
    HOURS,
    MEMORY,
    dumps,
    hour_of_week,
    loads,
    observe,
    rate_at,
    roots,
)
from bot.feeds.schedule import (
    AIM,
    BROKEN_RETRY,
    BUSY_LONGEST,
    MAX_BACKOFF,
    MAX_DELAY,
    Bounds,
    Share,
    adaptive,
    after_failure,
    after_success,
    budget_scale,
    busy_feed,
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


# ------------------------------------------------------------------------- the adaptive rule

BOUNDS = Bounds(shortest=5.0, longest=3600.0)
PLAIN = Bounds(
    shortest=5.0, longest=3600.0, busy_gap=1e-12, busy_feed_gap=1e-12
)  # no hour counts as busy
PER_MINUTE = 1 / 60
PER_DAY = 1 / 86400


@pytest.mark.parametrize(
    ("rate", "scale", "bounds", "max_age", "ttl", "delay"),
    [
        (None, 2.0, PLAIN, None, None, timedelta(seconds=300)),
        (PER_MINUTE, None, PLAIN, None, None, timedelta(seconds=300)),
        (PER_MINUTE, 2.0, PLAIN, None, None, timedelta(seconds=2.0 * 60**0.5)),
        (1 / 600, 2.0, PLAIN, None, None, timedelta(seconds=2.0 * 600**0.5)),
        (PER_DAY, 2.0, PLAIN, None, None, timedelta(seconds=2.0 * 86400**0.5)),
        (1.0, 2.0, PLAIN, None, None, timedelta(seconds=5)),
        (PER_DAY, 20.0, PLAIN, None, None, timedelta(hours=1)),
        (0.0, 2.0, PLAIN, None, None, timedelta(hours=1)),
        (1 / 600, 5.0, BOUNDS, None, None, timedelta(seconds=BUSY_LONGEST)),
        (1 / 1201, 5.0, BOUNDS, None, None, timedelta(seconds=5.0 * 1201**0.5)),
        (PER_MINUTE, 2.0, PLAIN, 120, None, timedelta(minutes=2)),
        (PER_MINUTE, 2.0, PLAIN, None, 3600, timedelta(minutes=1)),
        (PER_DAY, 2.0, PLAIN, None, 3600, timedelta(hours=1)),
        (PER_MINUTE, 2.0, PLAIN, 30 * 86400, None, MAX_DELAY),
    ],
    ids=[
        "no-rhythm-yet-fixed-interval",
        "no-budget-yet-fixed-interval",
        "busy-wire-square-root-rule",
        "every-ten-minutes",
        "daily-feed-slower-than-today",
        "floor",
        "ceiling",
        "silent-hour-ceiling",
        "busy-hour-at-least-every-50-s",
        "just-under-busy-square-root-rule",
        "max-age-obeyed",
        "ttl-hint-no-longer-than-the-feeds-own-gap",
        "ttl-honoured-where-the-feed-is-quiet",
        "max-age-at-most-a-day",
    ],
)
def test_adaptive(
    rate: float | None,
    scale: float | None,
    bounds: Bounds,
    max_age: int | None,
    ttl: int | None,
    delay: timedelta,
) -> None:
    share = Share(scale) if scale is not None else None
    got = adaptive(NOW, 300, rate=rate, scale=share, bounds=bounds, max_age=max_age, ttl=ttl)
    assert got - NOW == delay


WIDE = Bounds(shortest=1e-6, longest=1e9, busy_gap=1e-12, busy_feed_gap=1e-12)


def flat(root: float) -> list[float]:
    return [root] * HOURS


@pytest.mark.parametrize(
    ("feeds", "bounds", "scale"),
    [
        ([], WIDE, None),
        ([(None, 300)], WIDE, None),
        ([(flat(0.1), 300)], WIDE, 30.0 / AIM),
        ([(flat(0.1), 300), (flat(0.02), 300)], WIDE, 18.0 / AIM),
        ([(flat(0.1), 300), (None, 300)], WIDE, 30.0 / AIM),
        ([(flat(0.1), 600), (flat(0.1), 600)], WIDE, 60.0 / AIM),
        ([(flat(0.1), 300), (flat(0.0), 300)], Bounds(1e-6, 600), 0.1 / (2 / 300 * AIM - 1 / 600)),
        (
            [(flat(1.0), 30), (flat(0.1), 30)],
            Bounds(20, 1e9, busy_gap=1e-12, busy_feed_gap=1e-12),
            0.1 / (2 / 30 * AIM - 1 / 20),
        ),
        (
            [(flat(0.05), 300)] + [(flat(0.02), 300)] * 10,
            Bounds(1e-6, 1e9),
            0.2 / (11 / 300 * AIM - 1 / BUSY_LONGEST),
        ),
        ([(flat(0.1), 300), (flat(0.1), 300)], Bounds(1e-6, 1e9, busy_longest=200), 30.0 / AIM),
    ],
    ids=[
        "no-feeds",
        "no-rhythm",
        "one-feed",
        "two-share",
        "unknown-keeps-its-share",
        "intervals",
        "a-silent-feed-at-the-ceiling-costs-its-polls",
        "a-feed-at-the-floor-leaves-budget-to-the-others",
        "busy-hours-polled-every-50-s-the-rest-share-what-is-left",
        "busy-hours-over-budget-plain-rule",
    ],
)
def test_budget_scale(
    feeds: list[tuple[list[float] | None, int]], bounds: Bounds, scale: float | None
) -> None:
    got = budget_scale(feeds, bounds)
    assert (got and got.constant) == (pytest.approx(scale, rel=1e-4) if scale else None)


def test_the_square_root_rule_spends_no_more_than_the_fixed_schedule() -> None:
    """Over a week, the polls of feeds of every pace add up to at most the fixed schedule's."""
    now = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)  # a Monday
    week = [now - timedelta(days=7) + timedelta(hours=h) for h in range(HOURS)]
    paces = [20, 60, 600, 3600, 6 * 3600, 86400, 7 * 86400]
    rhythms = [
        observe(None, [week[0] + timedelta(seconds=s) for s in range(0, 7 * 86400, p)], now)
        for p in paces
    ]
    scale = budget_scale([(roots(r, now), 300) for r in rhythms], BOUNDS)
    assert scale is not None
    polls = 0.0
    for r in rhythms:
        for at in week:
            rate = rate_at(r, at, now)
            assert rate is not None
            gap = (adaptive(at, 300, rate=rate, scale=scale, bounds=BOUNDS) - at).total_seconds()
            polls += 3600 / gap
    assert polls <= len(paces) * 7 * 24 * 12


# ------------------------------------------------------------------------------ the rhythm

MONDAY = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("at", "hour"),
    [
        (MONDAY, 0),
        (MONDAY + timedelta(hours=13, minutes=59), 13),
        (MONDAY + timedelta(days=6, hours=23), 167),
        (MONDAY + timedelta(days=7), 0),
    ],
    ids=["monday-midnight", "monday-afternoon", "sunday-last-hour", "wraps"],
)
def test_hour_of_week(at: datetime, hour: int) -> None:
    assert hour_of_week(at) == hour


def test_a_first_fetch_teaches_the_feeds_pace_from_its_items_dates() -> None:
    now = MONDAY + timedelta(hours=10)
    times = [now - timedelta(seconds=30 * n) for n in range(20)]  # one story every 30 s
    rhythm = observe(None, times, now)
    assert rhythm.since == times[-1]
    rate = rate_at(rhythm, now, now)
    assert rate is not None
    assert 1 / 40 < rate < 1 / 20


def test_market_hours_are_polled_more_than_the_night() -> None:
    """Two weeks of stories every 5 minutes from 09:00 to 17:00 on weekdays, none otherwise."""
    now = MONDAY + timedelta(days=14)
    times = [
        MONDAY + timedelta(days=d, hours=9, minutes=5 * m)
        for d in range(14)
        if d % 7 < 5
        for m in range(96)
    ]
    rhythm = observe(None, times, now)
    day = rate_at(rhythm, MONDAY + timedelta(days=15, hours=12), now)
    night = rate_at(rhythm, MONDAY + timedelta(days=15, hours=2), now)
    weekend = rate_at(rhythm, MONDAY + timedelta(days=19, hours=12), now)
    assert day is not None
    assert night is not None
    assert weekend is not None
    assert 1 / 400 < day < 1 / 250
    assert night < day / 10
    assert weekend < day / 10


def test_the_memory_is_bounded_so_a_change_of_pace_is_followed() -> None:
    start = MONDAY - timedelta(days=30)
    rhythm = observe(None, [start], MONDAY)
    assert MONDAY - rhythm.since == MEMORY / 2


@pytest.mark.parametrize(
    "text",
    ["", "nonsense", "1 2 3", "1" + " x" * HOURS, "-5" + " 1" * HOURS],
    ids=["empty", "words", "short", "not-numbers", "negative"],
)
def test_an_unreadable_rhythm_is_no_rhythm(text: str) -> None:
    assert loads(text) is None


def test_a_rhythm_survives_the_database() -> None:
    rhythm = observe(None, [MONDAY, MONDAY + timedelta(hours=30)], MONDAY + timedelta(days=2))
    assert loads(dumps(rhythm)) == rhythm


@pytest.mark.parametrize(
    ("at", "rate", "next_rate", "delay"),
    [
        (timedelta(hours=5, minutes=50), PER_DAY, None, timedelta(hours=1)),
        (timedelta(hours=5, minutes=50), PER_DAY, PER_MINUTE, timedelta(minutes=12)),
        (timedelta(hours=5, minutes=50), PER_DAY, PER_DAY, timedelta(hours=1)),
        (timedelta(hours=5), PER_DAY, PER_MINUTE, timedelta(hours=1)),
        (timedelta(hours=5, minutes=59), PER_MINUTE, PER_DAY, timedelta(minutes=2)),
    ],
    ids=[
        "no-next-hour-known",
        "cut-short-by-a-busy-next-hour",
        "next-hour-as-quiet",
        "a-whole-quiet-hour-ahead-is-slept",
        "a-short-wait-is-not-stretched",
    ],
)
def test_a_wait_into_a_busier_hour_is_cut(
    at: timedelta, rate: float, next_rate: float | None, delay: timedelta
) -> None:
    now = MONDAY + at
    share = Share(2.0 * 60**0.5)  # 2 minutes for a story a minute, the ceiling for one a day
    got = adaptive(now, 300, rate=rate, next_rate=next_rate, scale=share, bounds=PLAIN)
    assert (got - now).total_seconds() == pytest.approx(delay.total_seconds())


@pytest.mark.parametrize(
    ("table", "rate", "delay"),
    [
        (flat(60**-0.5), 1 / 3000, timedelta(seconds=BUSY_LONGEST)),
        ([*[0.12] * 24, *[0.0] * 144], 1 / 3000, timedelta(seconds=BUSY_LONGEST)),
        (flat(0.02), 1 / 3000, timedelta(seconds=5.0 * 3000**0.5)),
    ],
    ids=[
        "a-wire-in-a-slow-hour-still-every-50-s",
        "a-busy-day-makes-a-busy-feed",
        "a-feed-slower-than-every-15-minutes-follows-the-rule",
    ],
)
def test_a_busy_feed_is_polled_every_50_s_at_every_hour(
    table: list[float], rate: float, delay: timedelta
) -> None:
    busy = busy_feed(table, BOUNDS)
    got = adaptive(NOW, 300, rate=rate, scale=Share(5.0), bounds=BOUNDS, busy=busy)
    assert (got - NOW).total_seconds() == pytest.approx(delay.total_seconds())
