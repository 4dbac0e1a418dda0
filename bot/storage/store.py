"""The bot's database behind one object: every query the bot makes; the rest never writes SQL.

In: an `Engine` whose schema is migrated (`bot.storage.db`). Out: `Store`, combining the
queries of `chats`, `feeds` (with the dedup stage), `leases` (several workers), `outbox` and
`stats`. Duplicates are refused by the
database's unique constraints (INSERT ... ON CONFLICT DO NOTHING), so two processes doing the
same work cannot double it. Fails with SQLAlchemy's errors.
"""

from __future__ import annotations

from bot.storage.chats import ChatQueries
from bot.storage.feeds import FeedQueries, FeedState
from bot.storage.leases import LeaseQueries
from bot.storage.outbox import OutboxQueries, OutboxRow, Pending
from bot.storage.stats import StatsQueries

__all__ = ["FeedState", "OutboxRow", "Pending", "Store"]


class Store(ChatQueries, FeedQueries, LeaseQueries, OutboxQueries, StatsQueries):
    """Chats and subscriptions, feeds and articles, and the outbox."""
