"""The inbox of pushed documents: what the web role kept for a worker's poll tick.

In: a verified delivery's body and Content-Type, a worker's id, the clock. Out: `Push`es
leased to one worker at a time (a dead worker's pushes pass to another after the lease),
forgotten once they went through their feed's poll. The queries of `WebSubRepository`
(bot.storage.websub), which the store holds as `store.websub`. Fails with SQLAlchemy's errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update

from bot.storage.base import StoreBase
from bot.storage.schema import websub, websub_inbox
from bot.websub.lease import HubSubscription


@dataclass(frozen=True, slots=True)
class Push:
    """A pushed document, waiting to go through its feed's poll."""

    id: int
    feed_id: int
    body: bytes
    content_type: str | None
    received_at: datetime


def _untaken(now: datetime) -> Any:
    return or_(websub_inbox.c.taken_until.is_(None), websub_inbox.c.taken_until <= now)


class InboxQueries(StoreBase):
    """The websub_inbox table."""

    def keep_push(
        self, sub: HubSubscription, body: bytes, *, content_type: str | None, now: datetime
    ) -> None:
        """A verified delivery: kept for a worker; the hub is alive."""
        with self.engine.begin() as conn:
            conn.execute(
                websub_inbox.insert().values(
                    feed_id=sub.feed_id, body=body, content_type=content_type, received_at=now
                )
            )
            conn.execute(
                update(websub).where(websub.c.id == sub.id).values(last_push_at=now, misses=0)
            )

    def pushes_waiting(self, now: datetime) -> bool:
        """Whether a push waits that no worker holds (asked every second: a read only)."""
        with self.engine.connect() as conn:
            found = conn.execute(select(websub_inbox.c.id).where(_untaken(now)).limit(1))
            return found.first() is not None

    def take_pushes(
        self, *, owner: str, now: datetime, lease: timedelta, limit: int = 100
    ) -> list[Push]:
        """Lease to `owner` the oldest pushes no other worker holds; returns them, oldest
        first. A worker that dies holding them leaves them to the others after `lease`."""
        free = (
            select(websub_inbox.c.id)
            .where(_untaken(now))
            .order_by(websub_inbox.c.received_at, websub_inbox.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        with self.engine.begin() as conn:
            rows = conn.execute(
                update(websub_inbox)
                .where(websub_inbox.c.id.in_(free.scalar_subquery()))
                .values(taken_by=owner, taken_until=now + lease)
                .returning(*websub_inbox.c)
            ).all()
        pushes = [Push(r.id, r.feed_id, r.body, r.content_type, r.received_at) for r in rows]
        return sorted(pushes, key=lambda p: (p.received_at, p.id))

    def done_pushes(self, push_ids: Sequence[int]) -> None:
        """These pushes went through their feed's poll: forgotten."""
        if push_ids:
            with self.engine.begin() as conn:
                conn.execute(delete(websub_inbox).where(websub_inbox.c.id.in_(list(push_ids))))

    def pending_pushes(self) -> int:
        """How many pushes wait in the inbox."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(websub_inbox)).scalar_one())
