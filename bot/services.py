"""What the handlers and jobs share at run time, built once at start-up.

In: nothing at import time; `Services` is filled by `bot.app`. Out: the one place where the
settings, the store, the ticker universe and the subscription index live while the bot runs.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field

from bot.clock import Clock, utc_now
from bot.matching.index import MatchIndex
from bot.matching.tickers import TickerUniverse
from bot.observability.metrics import OUTBOX_OLDEST, OUTBOX_PENDING
from bot.settings import Settings
from bot.storage.store import Store


@dataclass
class Services:
    settings: Settings
    store: Store
    universe: TickerUniverse
    index: MatchIndex
    clock: Clock = field(default=utc_now)
    index_revision: int = -1

    def load_index(self) -> int:
        """Fill the index with every active subscription; returns how many."""
        # Read the revision first: a change made while loading shows up as a new revision.
        self.index_revision = self.store.subscriptions.subscriptions_revision()
        subscriptions = self.store.subscriptions.active_subscriptions()
        self.index.add_all(subscriptions)
        # The index lives as long as the process: keep the garbage collector from walking it.
        gc.freeze()
        return len(subscriptions)

    def chats_unreachable(self, chat_ids: list[int]) -> None:
        """Chats the sender deactivated: their subscriptions leave the index (no alerts are
        matched for them until they write again: `chat_returned`)."""
        for chat_id in chat_ids:
            for sub in self.store.subscriptions.chat_subscriptions(chat_id):
                self.index.remove(sub.id)

    def chat_returned(self, chat_id: int) -> None:
        """A deactivated chat wrote again: its subscriptions are matched again."""
        self.index.add_all(self.store.subscriptions.active_subscriptions(chat_id))

    def reload_index_if_changed(self) -> bool:
        """For a worker process, whose chats change in another process (the web role): build
        a fresh index when the subscriptions' revision moved. True when it was rebuilt."""
        if self.store.subscriptions.subscriptions_revision() == self.index_revision:
            return False
        fresh = Services(self.settings, self.store, self.universe, MatchIndex(self.universe))
        fresh.load_index()
        self.index, self.index_revision = fresh.index, fresh.index_revision
        return True

    def refresh_gauges(self) -> None:
        """Read the outbox's length and age into the metrics (called before a scrape)."""
        stats = self.store.stats.outbox_stats(self.clock())
        OUTBOX_PENDING.set(stats.pending)
        OUTBOX_OLDEST.set(stats.oldest_age)
