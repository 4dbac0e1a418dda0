"""What the poller remembers about a feed, as the store returns it and health reports show it.

In: nothing (pure data). Out: `FeedState` (a feed with its fetch state: validators, baseline,
errors, broken mark, schedule, publishing rhythm), `FeedHealth` (a state with what a report
adds) and `HubView` (a feed's WebSub subscription as an operator may see it: the hub's host,
never its URL, the topic or the secret). Kept out of storage so that the poll stage and the
health report need not import the database layer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from bot.feeds.rhythm import Rhythm
from bot.models import Feed, FeedKind
from bot.texts import DEFAULT_LANG, Phrase
from bot.websub.lease import HubState, HubSubscription


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


@dataclass(frozen=True, slots=True)
class HubView:
    """How a hub updates one feed, safe to show: the hub's host only (a hub URL may carry a
    user, a password or a token in its path or query), and the last failure's reason with any
    URL in it cut to its host and the subscription's secret taken out."""

    feed_id: int
    host: str
    state: HubState
    requested_at: datetime | None = None
    lease_until: datetime | None = None
    retry_at: datetime | None = None
    last_push_at: datetime | None = None
    reason: str | None = None

    @classmethod
    def of(cls, sub: HubSubscription) -> HubView:
        """The view of `sub`, as the store reads it."""
        reason = sub.error
        if reason and sub.secret:
            reason = reason.replace(sub.secret, "[secret]")
        return cls(
            feed_id=sub.feed_id,
            host=host_of(sub.link.hub),
            state=sub.state,
            requested_at=sub.requested_at,
            lease_until=sub.lease_until,
            retry_at=sub.retry_at,
            last_push_at=sub.last_push_at,
            reason=_hosts_only(reason) if reason else None,
        )


# Any absolute URL in free text (an HTTP error, a hub's hub.reason): shown as its host. The
# punctuation that ends a sentence after it is not part of it.
_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]*[^\s'\"<>.,:;!?)\]]")


def host_of(url: str) -> str:
    """The host of `url`, without user, password, port, path or query ("?" when none)."""
    try:
        return urlsplit(url.strip()).hostname or "?"
    except ValueError:  # a malformed URL (a bad IPv6 literal, say) names no host we can show
        return "?"


def _hosts_only(reason: str) -> str:
    return _URL.sub(lambda m: host_of(m.group(0)), reason)
