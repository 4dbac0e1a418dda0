"""A poll's verdict on its feed's health: a table of states, times and outcomes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.feeds.state import FeedState
from bot.models import Feed
from bot.poll.health import Verdict, decide, overdue

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
AFTER = timedelta(hours=48)  # FEED_BROKEN_AFTER


def state(*, failing_for: timedelta | None = None, broken: bool = False) -> FeedState:
    return FeedState(
        feed=Feed("Wire", "https://wire.example/rss", 300, id=1),
        etag=None,
        last_modified=None,
        baseline_at=NOW - 100 * HOUR,
        error_count=0 if failing_for is None else 3,
        last_success_at=None,
        last_error=None,
        next_poll_at=None,
        failing_since=None if failing_for is None else NOW - failing_for,
        broken_at=NOW - HOUR if broken else None,
    )


@pytest.mark.parametrize(
    ("before", "ok", "elsewhere", "verdict"),
    [
        (state(), True, None, Verdict.FINE),
        (state(failing_for=HOUR), True, None, Verdict.FINE),
        (state(failing_for=50 * HOUR, broken=True), True, None, Verdict.RECOVERED),
        (state(), False, NOW, Verdict.RETRY),
        (state(failing_for=47 * HOUR), False, NOW, Verdict.RETRY),
        (state(failing_for=48 * HOUR), False, NOW - HOUR, Verdict.BROKEN),
        (state(failing_for=60 * HOUR), False, NOW - 59 * HOUR, Verdict.BROKEN),
        (state(failing_for=60 * HOUR), False, NOW - 61 * HOUR, Verdict.OUTAGE),
        (state(failing_for=60 * HOUR), False, None, Verdict.OUTAGE),
        (state(failing_for=60 * HOUR, broken=True), False, NOW, Verdict.RETRY),
    ],
    ids=[
        "worked",
        "worked-after-failures",
        "worked-while-broken-recovers",
        "first-failure",
        "failing-not-long-enough",
        "failing-long-while-others-worked",
        "others-worked-after-the-run-began",
        "nothing-worked-since-the-run-began",
        "nothing-ever-worked",
        "already-broken-told-once",
    ],
)
def test_decide(before: FeedState, ok: bool, elsewhere: datetime | None, verdict: Verdict) -> None:
    assert decide(before, NOW, ok=ok, broken_after=AFTER, last_success_anywhere=elsewhere) == (
        verdict
    )


@pytest.mark.parametrize(
    ("before", "expected"),
    [
        (state(), False),
        (state(failing_for=47 * HOUR), False),
        (state(failing_for=48 * HOUR), True),
        (state(failing_for=60 * HOUR, broken=True), False),
    ],
    ids=["healthy", "short-run", "long-run", "already-broken"],
)
def test_overdue_says_when_the_latest_success_anywhere_is_needed(
    before: FeedState, expected: bool
) -> None:
    assert overdue(before, NOW, AFTER) is expected
