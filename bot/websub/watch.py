"""What a poll tells about a feed's WebSub subscription, and what the subscription changes in
the poll: the poll stage's side of WebSub.

In: the settings, the store, a polled feed's fetch and parse, the stories it found new. Out:
a hub found in the feed recorded (`bot.storage.websub`), a pushed feed's next poll pushed out
to the safety interval, and polls that found stories the hub never pushed counted (the hub
is silent after `MISSES_SILENT` in a row: the feed is polled as before). Does nothing when
WebSub is off (no WEBHOOK_URL, or WEBSUB=false). Fails with the database's errors.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime

from bot.feeds.fetch import Fetched
from bot.feeds.parse import ParsedFeed
from bot.feeds.state import FeedState
from bot.models import FeedKind
from bot.settings import Settings
from bot.storage.store import Store
from bot.websub import lease
from bot.websub.discovery import discover
from bot.websub.lease import HubState, HubSubscription

log = logging.getLogger(__name__)


def new_secret() -> str:
    """A subscription's own secret (WebSub: under 200 bytes): 256 random bits as hex."""
    return secrets.token_hex(32)


class HubWatch:
    """The poll stage's view of WebSub: one subscription read per poll, when WebSub is on."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.on = settings.websub_on
        self.safety = settings.websub_safety_poll
        self.store = store

    def known(self, feed_id: int) -> HubSubscription | None:
        """The feed's subscription (None: none, or WebSub off)."""
        return self.store.websub.get(feed_id=feed_id) if self.on else None

    def next_poll(self, sub: HubSubscription | None, next_at: datetime, now: datetime) -> datetime:
        """A pushed feed is polled at the safety interval at most (its usual schedule when
        that is slower); other feeds keep `next_at`."""
        if lease.is_pushed(sub, now):
            return lease.safety_poll(next_at, now, self.safety)
        return next_at

    def after_poll(
        self,
        state: FeedState,
        sub: HubSubscription | None,
        fetched: Fetched,
        parsed: ParsedFeed,
        *,
        new_stories: int,
        now: datetime,
    ) -> None:
        """Record the hub the feed advertises (new, or changed), and count a poll that found
        what the hub should have pushed."""
        feed_id = state.feed.id
        if not self.on or feed_id is None:
            return
        missed = new_stories and lease.is_pushed(sub, now)
        if missed and self.store.websub.missed(feed_id, limit=lease.MISSES_SILENT, now=now):
            log.warning("feed %s: its hub is silent; polled as before", feed_id)
        link = discover(fetched.link_header, parsed.links, fetched.url)
        # New, moved, or back after its feed was removed and unsubscribed.
        changed = sub is None or sub.link != link or sub.state is HubState.LEAVING
        if link is not None and changed:
            guarded = state.kind is FeedKind.USER
            self.store.websub.discovered(feed_id, link, secret=new_secret(), guarded=guarded)
            log.info("feed %s advertises the hub %s", feed_id, link.hub)
