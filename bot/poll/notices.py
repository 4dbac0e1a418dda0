"""Telling people about feed health through the outbox: operators, and the chats that care.

In: the operators' chat ids, the store, a message key of `bot.texts` and its values. Out:
notices queued in the outbox (one call per message; the outbox makes the row of a chat it has
not met yet), and the same text logged. Fails with SQLAlchemy's errors.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime, timedelta

from bot.feeds.state import FeedState
from bot.storage.store import Store
from bot.texts import text

log = logging.getLogger(__name__)

# Chats that received an alert carried by a catalogue feed this recently depend on it.
DEPENDENT_WINDOW = timedelta(days=30)


def when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


class Notices:
    """Queues the feed-health notices."""

    def __init__(self, store: Store, operators: Collection[int]) -> None:
        self.store = store
        self.operators = sorted(operators)

    def feed(self, state: FeedState, key: str, now: datetime, **values: str) -> None:
        """Tell the operators and the chats that depend on the feed."""
        feed = state.feed
        assert feed.id is not None
        chats = set(self.operators)
        chats.update(self.store.polls.feed_dependents(feed.id, since=now - DEPENDENT_WINDOW))
        message = text(key, name=feed.name, url=feed.url, **values)
        log.warning("%s", message)
        self.store.outbox.enqueue_notice(sorted(chats), message, now=now)

    def operators_only(
        self, key: str, now: datetime, *, error: bool = False, **values: str
    ) -> None:
        """Tell the operators (an outage is ours, not a feed's)."""
        message = text(key, **values)
        log.log(logging.ERROR if error else logging.WARNING, "%s", message)
        self.store.outbox.enqueue_notice(self.operators, message, now=now)
