"""What the handlers and jobs share at run time, built once at start-up.

In: nothing at import time; `Services` is filled by `bot.app`. Out: the one place where the
settings, the store, the ticker universe and the subscription index live while the bot runs.
"""

from __future__ import annotations

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

    def load_index(self) -> int:
        """Fill the index with every active subscription; returns how many."""
        subscriptions = self.store.active_subscriptions()
        for subscription in subscriptions:
            self.index.add(subscription)
        return len(subscriptions)

    def refresh_gauges(self) -> None:
        """Read the outbox's length and age into the metrics (called before a scrape)."""
        stats = self.store.outbox_stats(self.clock())
        OUTBOX_PENDING.set(stats.pending)
        OUTBOX_OLDEST.set(stats.oldest_age)
