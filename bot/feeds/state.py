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
from bot.texts import DEFAULT_LANG, Phrase


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
    # `last_error` as a catalogue phrase, for a reader of another language; None when the
    # failure was recorded without one (before migration 0012), then `last_error` is shown.
    last_error_phrase: Phrase | None = None

    def error_for(self, lang: str) -> str | None:
        """The last failure's reason as a reader of `lang` sees it. English readers get the
        English text itself, which can say more than the phrase's English (the log's wording)."""
        if self.last_error_phrase is not None and lang != DEFAULT_LANG:
            return self.last_error_phrase.say(lang).strip()
        return self.last_error


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
