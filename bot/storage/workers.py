"""Worker processes: heartbeats, so that the live ones share Telegram's limit.

In: a worker id and the time. Out: how many workers are alive; the ids of claimers. Fails
with SQLAlchemy's errors.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import (
    delete,
    func,
    select,
)

from bot.models import DeliveryStatus
from bot.storage.base import StoreBase
from bot.storage.schema import (
    deliveries,
    workers,
)


class WorkerRepository(StoreBase):
    """The workers table."""

    def claimers(self) -> list[str]:
        """The worker ids that have rows "sending" now."""
        with self.engine.connect() as conn:
            return [
                str(owner)
                for owner in conn.execute(
                    select(deliveries.c.claimed_by)
                    .where(
                        deliveries.c.status == DeliveryStatus.SENDING,
                        deliveries.c.claimed_by.is_not(None),
                    )
                    .distinct()
                ).scalars()
            ]

    def heartbeat(self, owner: str, *, now: datetime, stale: timedelta) -> int:
        """Record that worker `owner` is alive at `now`, forget workers not seen for `stale`,
        and return how many workers are alive (this one included): each takes that share of
        Telegram's overall limit when no Redis is configured."""
        with self.engine.begin() as conn:
            conn.execute(delete(workers).where(workers.c.seen_at < now - stale))
            conn.execute(
                self._insert(workers)
                .values(id=owner, seen_at=now)
                .on_conflict_do_update(index_elements=[workers.c.id], set_={"seen_at": now})
            )
            return int(conn.execute(select(func.count()).select_from(workers)).scalar_one())

    def leave(self, owner: str) -> None:
        """Worker `owner` stops: the others take its share at their next heartbeat."""
        with self.engine.begin() as conn:
            conn.execute(delete(workers).where(workers.c.id == owner))
