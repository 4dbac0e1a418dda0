"""Queries for health checks and metrics: is the database there, how full is the outbox.

In: the current time. Out: small numbers. Fails with SQLAlchemy's errors (a health check
turns them into "unhealthy").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy import text as sql_text

from bot.models import DeliveryKind, DeliveryStatus
from bot.storage.base import StoreBase
from bot.storage.schema import (
    chats,
    deliveries,
    feeds,
    subscriptions,
)


@dataclass(frozen=True, slots=True)
class OutboxStats:
    pending: int
    oldest_age: float  # seconds; 0 when nothing waits


@dataclass(frozen=True, slots=True)
class BotStats:
    """What an operator sees with /stats."""

    chats: int
    active_chats: int
    subscriptions: int
    muted: int
    alerts_sent_today: int
    outbox_pending: int
    outbox_oldest: datetime | None
    feeds: int
    failing_feeds: int


class StatsRepository(StoreBase):
    """Cheap questions for /healthz and /metrics."""

    def ping(self) -> None:
        """Raise unless the database answers."""
        with self.engine.connect() as conn:
            conn.execute(sql_text("SELECT 1"))

    def outbox_stats(self, now: datetime) -> OutboxStats:
        with self.engine.connect() as conn:
            count, oldest = conn.execute(
                select(func.count(), func.min(deliveries.c.created_at)).where(
                    deliveries.c.status == DeliveryStatus.PENDING
                )
            ).one()
        if oldest is None:
            return OutboxStats(count, 0.0)
        if oldest.tzinfo is None:  # SQLite's MIN() bypasses the column type
            oldest = datetime.fromisoformat(str(oldest)).replace(tzinfo=now.tzinfo)
        return OutboxStats(count, max(0.0, (now - oldest).total_seconds()))

    def bot_stats(self, day_start: datetime) -> BotStats:
        """Counts for /stats; "today" starts at `day_start` (UTC midnight, by the caller)."""
        with self.engine.connect() as conn:

            def count(query: Any) -> int:
                return int(conn.execute(query).scalar() or 0)

            n = func.count()
            pending = deliveries.c.status == DeliveryStatus.PENDING
            return BotStats(
                chats=count(select(n).select_from(chats)),
                active_chats=count(select(n).select_from(chats).where(chats.c.active.is_(True))),
                subscriptions=count(
                    select(n)
                    .select_from(subscriptions)
                    .join(chats, chats.c.id == subscriptions.c.chat_id)
                    .where(chats.c.active.is_(True), subscriptions.c.muted.is_(False))
                ),
                muted=count(select(n).select_from(subscriptions).where(subscriptions.c.muted)),
                alerts_sent_today=count(
                    select(n)
                    .select_from(deliveries)
                    .where(
                        deliveries.c.kind == DeliveryKind.ALERT,
                        deliveries.c.status == DeliveryStatus.SENT,
                        deliveries.c.sent_at >= day_start,
                    )
                ),
                outbox_pending=count(select(n).select_from(deliveries).where(pending)),
                outbox_oldest=conn.execute(
                    select(func.min(deliveries.c.created_at)).where(pending)
                ).scalar(),
                feeds=count(select(n).select_from(feeds).where(feeds.c.enabled.is_(True))),
                failing_feeds=count(
                    select(n)
                    .select_from(feeds)
                    .where(feeds.c.enabled.is_(True), feeds.c.error_count > 0)
                ),
            )
