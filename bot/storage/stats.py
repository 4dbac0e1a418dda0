"""Queries for health checks and metrics: is the database there, how full is the outbox.

In: the current time. Out: small numbers. Fails with SQLAlchemy's errors (a health check
turns them into "unhealthy").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy import text as sql_text

from bot.storage.base import StoreBase
from bot.storage.schema import deliveries


@dataclass(frozen=True, slots=True)
class OutboxStats:
    pending: int
    oldest_age: float  # seconds; 0 when nothing waits


class StatsQueries(StoreBase):
    """Cheap questions for /healthz and /metrics."""

    def ping(self) -> None:
        """Raise unless the database answers."""
        with self.engine.connect() as conn:
            conn.execute(sql_text("SELECT 1"))

    def outbox_stats(self, now: datetime) -> OutboxStats:
        with self.engine.connect() as conn:
            count, oldest = conn.execute(
                select(func.count(), func.min(deliveries.c.created_at)).where(
                    deliveries.c.status == "pending"
                )
            ).one()
        if oldest is None:
            return OutboxStats(count, 0.0)
        if oldest.tzinfo is None:  # SQLite's MIN() bypasses the column type
            oldest = datetime.fromisoformat(str(oldest)).replace(tzinfo=now.tzinfo)
        return OutboxStats(count, max(0.0, (now - oldest).total_seconds()))
