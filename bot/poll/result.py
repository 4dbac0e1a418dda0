"""What polling one feed gave: `PollResult`, and the metric label of a failure.

In: the outcome of `bot.poll.feed`. Out: the result the cycle gathers: new stories, the error
(None: the poll worked), whether it failed without an HTTP answer, the unchanged poll still to
record, the start of an outage the feed saw. Pure, never raises.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.feeds.fetch import FetchError
from bot.feeds.parse import FeedError, NotAFeed
from bot.feeds.state import Unchanged


@dataclass(frozen=True, slots=True)
class PollResult:
    feed_id: int
    new_stories: int = 0
    error: str | None = None
    network: bool = False  # failed without an HTTP answer
    # A 304 (most polls): recorded with the cycle's others, in one transaction.
    unchanged: Unchanged | None = None
    # The feed failed for FEED_BROKEN_AFTER while nothing else worked, since then.
    outage_since: datetime | None = None


def error_kind(exc: FetchError | FeedError) -> str:
    """A small fixed set of labels for the fetch-errors metric."""
    if isinstance(exc, FeedError):
        return "not_a_feed" if isinstance(exc, NotAFeed) else "parse"
    reason = str(exc)
    if exc.network:
        return "network"
    if reason.startswith("HTTP "):
        return "http"
    if "timed out" in reason or "longer than" in reason:
        return "timeout"
    if "larger than" in reason:
        return "too_large"
    return "other"
