"""The outage watch: our network's failures told from the feeds', each change said once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.poll.outage import OUTAGE_WINDOW, Change, OutageWatch

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
Poll = tuple[str, bool, bool]  # host, worked, failed without an answer


def dead(host: str) -> Poll:
    return (host, False, True)


def cycles(*hosts: str) -> list[list[Poll]]:
    """Cycles of unanswered polls, one per host in turn, filling the window."""
    return [[dead(hosts[n % len(hosts)])] for n in range(OUTAGE_WINDOW)]


@pytest.mark.parametrize(
    ("history", "changes"),
    [
        (cycles("a", "b", "c"), [None] * (OUTAGE_WINDOW - 1) + [Change.BEGAN]),
        (cycles("a", "b"), [None] * OUTAGE_WINDOW),
        (
            [*cycles("a", "b", "c")[:-1], [("c", False, False)]],
            [None] * OUTAGE_WINDOW,
        ),
        (
            [*cycles("a", "b", "c"), [dead("a")], [("b", True, False)], [("b", True, False)]],
            [None] * (OUTAGE_WINDOW - 1) + [Change.BEGAN, None, Change.ENDED, None],
        ),
        ([[]], [None]),
    ],
    ids=[
        "no-answer-from-three-hosts",
        "two-hosts-are-theirs",
        "an-http-answer-is-not-our-network",
        "told-once-then-over-once",
        "an-empty-cycle",
    ],
)
def test_observe(history: list[list[Poll]], changes: list[Change | None]) -> None:
    watch = OutageWatch()
    assert [watch.observe(polls, NOW) for polls in history] == changes


def test_a_feed_failing_long_alone_begins_an_outage_once_until_polls_work() -> None:
    watch = OutageWatch()
    since = NOW - timedelta(hours=50)
    assert watch.begin(since) is Change.BEGAN
    assert watch.begin(NOW) is None
    assert watch.since == since
    assert watch.observe([("a", True, False)], NOW) is Change.ENDED
    assert watch.begin(NOW) is Change.BEGAN
