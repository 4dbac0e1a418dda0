"""Queries about feeds and the articles they carry: the dedup stage lives here.

In: the catalogue's `Feed`s (and `{ticker}` templates), user feeds, fetched `Article`s. Out:
`FeedState`s, new stories, feed health. An entry is stored once per feed, a story once per key
(or per title key within a day: the same story from another outlet), and alerts are queued in
the same transaction as the story (see `ingest`). A feed's failures are counted from the start
of the current run of failures (`failing_since`); `mark_broken`/`clear_broken` change state
with a conditional UPDATE so that "tell them once" holds across processes.
Fails with SQLAlchemy's errors.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy import (
    bindparam,
    delete,
    func,
    or_,
    select,
    update,
)

from bot.models import Feed, Kind
from bot.storage.base import StoreBase
from bot.storage.schema import (
    article_sources,
    chats,
    deliveries,
    feed_owners,
    feeds,
    subscriptions,
)

TEMPLATE_MARK = "{ticker}"
# Feed kinds (feeds.kind).
CATALOGUE, TEMPLATE, TICKER, USER = "catalogue", "template", "ticker", "user"


@dataclass(frozen=True, slots=True)
class FeedState:
    """A feed with what the poller remembers about it."""

    feed: Feed
    etag: str | None
    last_modified: str | None
    baseline_at: datetime | None
    error_count: int
    last_success_at: datetime | None
    last_error: str | None
    next_poll_at: datetime | None
    kind: str = CATALOGUE
    failing_since: datetime | None = None
    broken_at: datetime | None = None
    last_fetch_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class FeedHealth:
    """What `python -m bot feeds` and the operator's /feedhealth show for one feed."""

    state: FeedState
    enabled: bool
    last_error_at: datetime | None
    articles_per_day: float


def feed_state(r: Any) -> FeedState:
    """A feeds row as a `FeedState` (also used by the lease queries)."""
    return FeedState(
        feed=Feed(id=r.id, name=r.name, url=r.url, interval=r.interval),
        etag=r.etag,
        last_modified=r.last_modified,
        baseline_at=r.baseline_at,
        error_count=r.error_count,
        last_success_at=r.last_success_at,
        last_error=r.last_error,
        next_poll_at=r.next_poll_at,
        kind=r.kind,
        failing_since=r.failing_since,
        broken_at=r.broken_at,
        last_fetch_at=r.last_fetch_at,
    )


class FeedRepository(StoreBase):
    """Feeds with their fetch state, and the articles they bring."""

    def sync_catalogue(self, catalogue: Sequence[Feed]) -> None:
        """Make the feeds table hold the catalogue: add new feeds, update names and intervals,
        and disable catalogue feeds that left it (their history stays). A URL holding
        `{ticker}` is a template: kept (never polled itself) for `sync_templates`. User feeds
        and template instances are not the catalogue's and are left alone."""
        with self.engine.begin() as conn:
            known = {
                r.url: r.id
                for r in conn.execute(
                    select(feeds.c.url, feeds.c.id).where(feeds.c.kind.in_((CATALOGUE, TEMPLATE)))
                )
            }
            for feed in catalogue:
                kind = TEMPLATE if TEMPLATE_MARK in feed.url else CATALOGUE
                values = {"name": feed.name, "interval": feed.interval, "kind": kind}
                if feed.url in known:
                    conn.execute(
                        update(feeds)
                        .where(feeds.c.id == known[feed.url])
                        .values(**values, enabled=kind == CATALOGUE)
                    )
                else:
                    conn.execute(
                        self._insert(feeds)
                        .values(url=feed.url, enabled=kind == CATALOGUE, **values)
                        .on_conflict_do_nothing()  # a user added it first: it stays theirs
                    )
            wanted = {f.url for f in catalogue}
            gone = [fid for url, fid in known.items() if url not in wanted]
            if gone:
                conn.execute(update(feeds).where(feeds.c.id.in_(gone)).values(enabled=False))

    def feed_states(
        self, *, due_at: datetime | None = None, ids: Sequence[int] | None = None
    ) -> list[FeedState]:
        """Enabled feeds; with `due_at`, only those whose next poll has come; with `ids`, those."""
        query = select(feeds).where(feeds.c.enabled.is_(True)).order_by(feeds.c.id)
        if due_at is not None:
            query = query.where(or_(feeds.c.next_poll_at.is_(None), feeds.c.next_poll_at <= due_at))
        if ids is not None:
            query = query.where(feeds.c.id.in_(list(ids)))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [feed_state(r) for r in rows]

    def schedule(self, feed_id: int, next_poll_at: datetime) -> None:
        """Set when a feed is next polled (used to spread new feeds over their interval)."""
        with self.engine.begin() as conn:
            conn.execute(
                update(feeds).where(feeds.c.id == feed_id).values(next_poll_at=next_poll_at)
            )

    def record_failure(
        self, feed_id: int, *, now: datetime, error: str, next_poll_at: datetime, count: bool = True
    ) -> None:
        """A failed poll. With `count=False` (a network outage on our side) the failure is shown
        but does not advance the feed's error count or its run of failures."""
        values: dict[str, Any] = {
            "last_fetch_at": now,
            "last_error": error,
            "last_error_at": now,
            "next_poll_at": next_poll_at,
        }
        if count:
            values["error_count"] = feeds.c.error_count + 1
            values["failing_since"] = func.coalesce(feeds.c.failing_since, now)
        with self.engine.begin() as conn:
            conn.execute(update(feeds).where(feeds.c.id == feed_id).values(**values))

    def record_unchanged(self, feed_id: int, *, now: datetime, next_poll_at: datetime) -> None:
        """A poll that found the feed unchanged (304): a success."""
        self.record_unchanged_many([(feed_id, now, next_poll_at)])

    def record_unchanged_many(self, polls: Sequence[tuple[int, datetime, datetime]]) -> None:
        """`record_unchanged` for many feeds, (feed id, polled at, next poll) each, in one
        transaction: most polls are 304s, and a commit each (an fsync on PostgreSQL) would
        cost more than the polls themselves."""
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
                    error_count=0,
                    failing_since=None,
                    next_poll_at=bindparam("next_at"),
                ),
                [{"feed_id": f, "polled_at": at, "next_at": nxt} for f, at, nxt in polls],
            )

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
                        deliveries.c.kind == "alert",
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

    # ------------------------------------------------------------------ templates

    def sync_templates(self, tickers: Iterable[str]) -> tuple[int, int]:
        """Instantiate every `{ticker}` template for each of `tickers` and retire (disable)
        instances nobody watches any more. Returns (enabled, retired) counts."""
        wanted_tickers = set(tickers)
        enabled = retired = 0
        with self.engine.begin() as conn:
            templates = conn.execute(
                select(feeds.c.url, feeds.c.name, feeds.c.interval).where(
                    feeds.c.kind == TEMPLATE, feeds.c.enabled.is_(False)
                )
            ).all()
            live = {r.url for r in templates}
            instances = conn.execute(
                select(feeds.c.id, feeds.c.template, feeds.c.ticker, feeds.c.enabled).where(
                    feeds.c.kind == TICKER
                )
            ).all()
            have = {(r.template, r.ticker): r for r in instances}
            for template in templates:
                for ticker in wanted_tickers:
                    held = have.get((template.url, ticker))
                    if held is not None and held.enabled:
                        continue
                    enabled += 1
                    if held is not None:
                        conn.execute(
                            update(feeds).where(feeds.c.id == held.id).values(enabled=True)
                        )
                        continue
                    conn.execute(
                        self._insert(feeds)
                        .values(
                            url=template.url.replace(TEMPLATE_MARK, quote(ticker, safe="")),
                            name=template.name.replace(TEMPLATE_MARK, ticker),
                            interval=template.interval,
                            kind=TICKER,
                            template=template.url,
                            ticker=ticker,
                        )
                        .on_conflict_do_nothing()
                    )
            stale = [
                r.id
                for r in instances
                if r.enabled and (r.ticker not in wanted_tickers or r.template not in live)
            ]
            if stale:
                retired = len(stale)
                conn.execute(update(feeds).where(feeds.c.id.in_(stale)).values(enabled=False))
        return enabled, retired

    # ------------------------------------------------------------------ user feeds

    def add_user_feed(self, chat_id: int, feed: Feed, *, now: datetime) -> tuple[int, bool]:
        """Add a feed for a chat (sharing the row when the URL is already known); returns
        (feed id, whether the chat did not have it yet)."""
        with self.engine.begin() as conn:
            conn.execute(
                self._insert(feeds)
                .values(url=feed.url, name=feed.name, interval=feed.interval, kind=USER)
                .on_conflict_do_nothing()
            )
            row = conn.execute(
                select(feeds.c.id, feeds.c.kind).where(feeds.c.url == feed.url)
            ).one()
            if row.kind == USER:
                conn.execute(update(feeds).where(feeds.c.id == row.id).values(enabled=True))
            # RETURNING, not rowcount: drivers differ in what rowcount says after ON CONFLICT.
            added = conn.execute(
                self._insert(feed_owners)
                .values(feed_id=row.id, chat_id=chat_id, added_at=now)
                .on_conflict_do_nothing()
                .returning(feed_owners.c.feed_id)
            ).scalar()
        return row.id, added is not None

    def user_feeds(self, chat_id: int) -> list[FeedState]:
        """The feeds a chat added, in the order it added them."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(feeds)
                .join(feed_owners, feed_owners.c.feed_id == feeds.c.id)
                .where(feed_owners.c.chat_id == chat_id)
                .order_by(feed_owners.c.added_at, feeds.c.id)
            ).all()
        return [feed_state(r) for r in rows]

    def remove_user_feed(self, chat_id: int, feed_id: int) -> bool:
        """Take a feed from a chat; a user feed nobody has any more stops being polled."""
        with self.engine.begin() as conn:
            removed = conn.execute(
                delete(feed_owners).where(
                    feed_owners.c.chat_id == chat_id, feed_owners.c.feed_id == feed_id
                )
            ).rowcount
            left = conn.execute(
                select(func.count()).where(feed_owners.c.feed_id == feed_id)
            ).scalar_one()
            if removed and not left:
                conn.execute(
                    update(feeds)
                    .where(feeds.c.id == feed_id, feeds.c.kind == USER)
                    .values(enabled=False)
                )
        return removed == 1

    def feed_owner_ids(self, feed_id: int) -> list[int]:
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    select(feed_owners.c.chat_id).where(feed_owners.c.feed_id == feed_id)
                ).scalars()
            )

    # ------------------------------------------------------------------ health

    def feed_health(self, *, now: datetime, days: int = 7) -> list[FeedHealth]:
        """Every feed but templates, with its articles per day over the last `days` days."""
        since = now - timedelta(days=days)
        counts = (
            select(article_sources.c.feed_id, func.count().label("n"))
            .where(article_sources.c.seen_at >= since)
            .group_by(article_sources.c.feed_id)
            .subquery()
        )
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(feeds, func.coalesce(counts.c.n, 0).label("recent"))
                .outerjoin(counts, counts.c.feed_id == feeds.c.id)
                .where(feeds.c.kind != TEMPLATE)
                .order_by(feeds.c.enabled.desc(), feeds.c.id)
            ).all()
        return [
            FeedHealth(
                state=feed_state(r),
                enabled=r.enabled,
                last_error_at=r.last_error_at,
                articles_per_day=r.recent / days,
            )
            for r in rows
        ]

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
