"""What the poller remembers about a feed, as the store returns it and health reports show it.

In: nothing (pure data). Out: `FeedState` (a feed with its fetch state: validators, baseline,
errors, broken mark, schedule, publishing rhythm) and `FeedHealth` (a state with what a report
adds). Kept out of storage so that the poll stage and the health report need not import the
database layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.feeds.rhythm import Rhythm
from bot.models import Feed, FeedKind


@dataclass(frozen=True, slots=True)
class FeedState:
    """A feed with what the poller remembers about it."""

    feed: Feed
    etag: str | None
    last_modified: str | None
    baseline_at: datetime | None
    error_count: int
    last_success_at: datetime | None
    last_error: str | None
    next_poll_at: datetime | None
    kind: FeedKind = FeedKind.CATALOGUE
    failing_since: datetime | None = None
    broken_at: datetime | None = None
    last_fetch_at: datetime | None = None
    rhythm: Rhythm | None = None  # learned from its items' dates; None before the first


@dataclass(frozen=True, slots=True)
class FeedHealth:
    """What `python -m bot feeds` and the operator's /feedhealth show for one feed."""

    state: FeedState
    enabled: bool
    last_error_at: datetime | None
    articles_per_day: float


@dataclass(frozen=True, slots=True)
class Unchanged:
    """A poll that found its feed unchanged (a 304, or an empty 200): a success to record."""

    feed_id: int
    polled_at: datetime
    next_poll_at: datetime
