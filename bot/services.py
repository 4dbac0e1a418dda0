"""What the handlers and jobs share at run time, built once at start-up.

In: nothing at import time; `Services` is filled by `bot.app`. Out: the one place where the
settings, the store, the ticker universe and the subscriptions service (which holds this
process's match index, if it has one) live while the bot runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.clock import Clock, utc_now
from bot.matching.tickers import TickerUniverse
from bot.observability.metrics import OUTBOX_OLDEST, OUTBOX_PENDING, count_hubs
from bot.settings import Settings
from bot.storage.store import Store
from bot.subscriptions.service import SubscriptionService


@dataclass
class Services:
    settings: Settings
    store: Store
    universe: TickerUniverse
    subscriptions: SubscriptionService
    clock: Clock = field(default=utc_now)

    @classmethod
    def create(
        cls, settings: Settings, store: Store, universe: TickerUniverse, clock: Clock = utc_now
    ) -> Services:
        """The services over one store; the match index is loaded by who needs one
        (`subscriptions.load_index()`)."""
        subscriptions = SubscriptionService(
            store, universe, limit=settings.max_subscriptions, clock=clock
        )
        return cls(settings, store, universe, subscriptions, clock)

    def refresh_gauges(self) -> None:
        """Read the outbox's length and age, and the WebSub subscriptions by state, into the
        metrics (called before a scrape)."""
        stats = self.store.stats.outbox_stats(self.clock())
        OUTBOX_PENDING.set(stats.pending)
        OUTBOX_OLDEST.set(stats.oldest_age)
        count_hubs(self.store.websub.count_by_state())
