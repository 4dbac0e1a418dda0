"""What polling changes on a feed: leases, schedules, results, the broken mark, the move.

In: feed ids, the poll's time and outcome. Out: the leased `FeedState`s; whether a broken mark
changed (`mark_broken`/`clear_broken` change state with a conditional UPDATE, so that "tell
them once" holds across processes); who depends on a feed. A feed's failures are counted from
the start of the current run of failures (`failing_since`). The success of a poll that brought
a document is written with its stories (`bot.storage.articles.ingest`). Fails with
SQLAlchemy's errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, or_, select, update

from bot.feeds.state import FeedState, Unchanged
from bot.models import DeliveryKind, FeedKind, Kind
from bot.storage import phrases
from bot.storage.base import StoreBase
from bot.storage.feeds import feed_state
from bot.storage.schema import (
    article_sources,
    chats,
    deliveries,
    feed_owners,
    feeds,
    subscriptions,
)
from bot.texts import Phrase


class PollRepository(StoreBase):
    """The feeds table's poll columns: one worker per due feed, and what each poll found."""

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

    def record_failure(
        self,
        feed_id: int,
        *,
        now: datetime,
        error: str,
        next_poll_at: datetime,
        count: bool = True,
        phrase: Phrase | None = None,
    ) -> None:
        """A failed poll: `error` in English (logs, operators' reports), `phrase` the same
        reason for a reader of any language (None: `error` is all there is). With `count=False`
        (a network outage on our side) the failure is shown but does not advance the feed's
        error count or its run of failures."""
        values: dict[str, Any] = {
            "last_fetch_at": now,
            "last_error": error,
            "last_error_phrase": phrases.dumps(phrase),
            "last_error_at": now,
            "next_poll_at": next_poll_at,
        }
        if count:
            values["error_count"] = feeds.c.error_count + 1
            values["failing_since"] = func.coalesce(feeds.c.failing_since, now)
        with self.engine.begin() as conn:
            conn.execute(update(feeds).where(feeds.c.id == feed_id).values(**values))

    def record_unchanged(self, polls: Sequence[Unchanged]) -> None:
        """Polls that found their feeds unchanged (304s): successes, written in one transaction:
        most polls are 304s, and a commit each (an fsync on PostgreSQL) would cost more than
        the polls themselves."""
        if not polls:
            return
        with self.engine.begin() as conn:
            conn.execute(
                update(feeds)
                .where(feeds.c.id == bindparam("feed_id"))
                .values(
                    last_fetch_at=bindparam("polled_at"),
                    last_success_at=bindparam("polled_at"),
                    last_error=None,
                    last_error_phrase=None,
                    error_count=0,
                    failing_since=None,
                    next_poll_at=bindparam("next_at"),
                ),
                [
                    {"feed_id": p.feed_id, "polled_at": p.polled_at, "next_at": p.next_poll_at}
                    for p in polls
                ],
            )

    def record_rhythm(self, feed_id: int, *, rhythm: str | None, next_poll_at: datetime) -> None:
        """What a poll with new stories taught about the feed's rhythm, and the next poll it
        sets (written after the stories: the rhythm counts the ones that were new)."""
        with self.engine.begin() as conn:
            conn.execute(
                update(feeds)
                .where(feeds.c.id == feed_id)
                .values(rhythm=rhythm, next_poll_at=next_poll_at)
            )

    def rhythms(self) -> list[tuple[str | None, int]]:
        """Every polled feed's (rhythm text, interval): what the poll budget is shared by."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(feeds.c.rhythm, feeds.c.interval).where(
                    feeds.c.enabled.is_(True), feeds.c.kind != FeedKind.TEMPLATE
                )
            ).all()
        return [(r.rhythm, r.interval) for r in rows]

    def next_due(self) -> datetime | None:
        """The earliest next poll set for an enabled feed (never-polled feeds have none)."""
        with self.engine.connect() as conn:
            return conn.execute(
                select(func.min(feeds.c.next_poll_at)).where(
                    feeds.c.enabled.is_(True), feeds.c.kind != FeedKind.TEMPLATE
                )
            ).scalar()

    def mark_broken(self, feed_id: int, *, now: datetime) -> bool:
        """Mark a feed broken; True only for the call that changed it (tell people once)."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(feeds)
                .where(feeds.c.id == feed_id, feeds.c.broken_at.is_(None))
                .values(broken_at=now)
            )
        return result.rowcount == 1

    def clear_broken(self, feed_id: int) -> bool:
        """A broken feed works again; True only for the call that changed it."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(feeds)
                .where(feeds.c.id == feed_id, feeds.c.broken_at.is_not(None))
                .values(broken_at=None)
            )
        return result.rowcount == 1

    def move_feed(self, feed_id: int, url: str) -> bool:
        """A permanent redirect: poll `url` from now on, unless another feed already has it."""
        with self.engine.begin() as conn:
            taken = conn.execute(select(feeds.c.id).where(feeds.c.url == url)).scalar()
            if taken is not None:
                return False
            conn.execute(update(feeds).where(feeds.c.id == feed_id).values(url=url))
        return True

    def last_success_anywhere(self) -> datetime | None:
        """The latest successful poll of any enabled feed: how an outage is told apart."""
        with self.engine.connect() as conn:
            return conn.execute(
                select(func.max(feeds.c.last_success_at)).where(feeds.c.enabled.is_(True))
            ).scalar()

    def feed_dependents(self, feed_id: int, *, since: datetime) -> list[int]:
        """The active chats that depend on a feed: the chats that added it (user feeds), that
        watch its ticker (template instances), or that were sent an alert carried by it since
        `since` (catalogue feeds)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(feeds.c.ticker).where(feeds.c.id == feed_id)).one()
            found = set(
                conn.execute(
                    select(feed_owners.c.chat_id).where(feed_owners.c.feed_id == feed_id)
                ).scalars()
            )
            if row.ticker:
                found.update(
                    conn.execute(
                        select(subscriptions.c.chat_id).where(
                            subscriptions.c.kind == Kind.TICKER.value,
                            subscriptions.c.value == row.ticker,
                        )
                    ).scalars()
                )
            found.update(
                conn.execute(
                    select(deliveries.c.chat_id)
                    .join(
                        article_sources,
                        article_sources.c.article_id == deliveries.c.article_id,
                    )
                    .where(
                        article_sources.c.feed_id == feed_id,
                        deliveries.c.kind == DeliveryKind.ALERT,
                        deliveries.c.created_at >= since,
                    )
                    .distinct()
                ).scalars()
            )
            active = set(
                conn.execute(
                    select(chats.c.id).where(chats.c.id.in_(found), chats.c.active.is_(True))
                ).scalars()
            )
        return sorted(active)
