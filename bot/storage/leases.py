"""Feed leases: with several worker processes, each due feed is fetched by one worker at a time.

In: the time, this worker's id and how long a lease lasts. Out: the due feeds now leased to
this worker (`FeedState`s). A feed leased to another worker is left alone until its lease runs
out, so a worker that dies mid-poll only delays its feeds by one lease. On PostgreSQL the claim
skips rows another worker is claiming at the same moment (FOR UPDATE SKIP LOCKED); SQLite has
one writer at a time, so its claims cannot overlap. Fails with SQLAlchemy's errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from bot.storage.base import StoreBase
from bot.storage.feeds import FeedState, feed_state
from bot.storage.schema import feeds


class LeaseQueries(StoreBase):
    """Claiming due feeds for one worker."""

    def claim_due_feeds(
        self, now: datetime, *, owner: str, lease: timedelta, limit: int | None = None
    ) -> list[FeedState]:
        """Lease to `owner` every enabled feed whose next poll has come and that no other
        worker holds; returns them. A worker's own unexpired leases count as free for it."""
        due = (
            select(feeds.c.id)
            .where(
                feeds.c.enabled.is_(True),
                or_(feeds.c.next_poll_at.is_(None), feeds.c.next_poll_at <= now),
                or_(
                    feeds.c.leased_until.is_(None),
                    feeds.c.leased_until <= now,
                    feeds.c.lease_owner == owner,
                ),
            )
            .order_by(feeds.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        with self.engine.begin() as conn:
            rows = conn.execute(
                update(feeds)
                .where(feeds.c.id.in_(due.scalar_subquery()))
                .values(lease_owner=owner, leased_until=now + lease)
                .returning(*feeds.c)
            ).all()
        return sorted((feed_state(r) for r in rows), key=lambda s: s.feed.id or 0)

    def release_feeds(self, feed_ids: Sequence[int], *, owner: str) -> None:
        """Give back `owner`'s leases on these feeds (their polls are done)."""
        if not feed_ids:
            return
        with self.engine.begin() as conn:
            conn.execute(
                update(feeds)
                .where(feeds.c.id.in_(list(feed_ids)), feeds.c.lease_owner == owner)
                .values(lease_owner=None, leased_until=None)
            )
