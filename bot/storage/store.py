"""The bot's database behind one object: a container of one repository per aggregate.

In: an `Engine` whose schema is migrated (`bot.storage.db`). Out: `Store`, whose attributes
are the repositories: `feeds` (the catalogue, templates, user feeds, health reports),
`polls` (leases, schedules, poll results, the broken mark),
`articles` (the dedup stage's inserts, recent stories), `subscriptions`, `chats` (settings,
pause), `outbox` (what waits to be sent), `sends` (one send's life, crash recovery),
`digests`, `workers` (heartbeats) and `stats`.
No other module writes SQL. Duplicates are refused by the database's unique constraints
(INSERT ... ON CONFLICT DO NOTHING), so two processes doing the same work cannot double it.
Every method is one short transaction; storage returns results and never calls back into the
pipeline. Fails with SQLAlchemy's errors.
"""

from __future__ import annotations

from sqlalchemy import Engine

from bot.storage.articles import ArticleRepository
from bot.storage.chats import ChatRepository
from bot.storage.digests import DigestRepository
from bot.storage.feeds import FeedRepository, FeedState
from bot.storage.outbox import OutboxRepository
from bot.storage.outbox_rows import OutboxRow, Pending
from bot.storage.polls import PollRepository
from bot.storage.sends import SendRepository
from bot.storage.stats import StatsRepository
from bot.storage.subscriptions import SubscriptionRepository
from bot.storage.websub import WebSubRepository
from bot.storage.workers import WorkerRepository

__all__ = ["FeedState", "OutboxRow", "Pending", "Store"]


class Store:
    """One repository per aggregate, sharing one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.feeds = FeedRepository(engine)
        self.polls = PollRepository(engine)
        self.articles = ArticleRepository(engine)
        self.subscriptions = SubscriptionRepository(engine)
        self.chats = ChatRepository(engine)
        self.outbox = OutboxRepository(engine)
        self.sends = SendRepository(engine)
        self.digests = DigestRepository(engine)
        self.workers = WorkerRepository(engine)
        self.stats = StatsRepository(engine)
        self.websub = WebSubRepository(engine)
