"""Feeds: the operator's catalogue, `{ticker}` templates and their instances, chats' own feeds.

In: the catalogue's `Feed`s, the watched tickers, a chat's /addfeed. Out: `FeedState`s (what
is polled and what the poller remembers) and `FeedHealth` rows for reports. What a poll changes
(leases, results, the broken mark) is `bot.storage.polls`; the stories a feed brings are
`bot.storage.articles`. Fails with SQLAlchemy's errors.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy import delete, func, or_, select, update

from bot.feeds import rhythm
from bot.feeds.state import FeedHealth, FeedState
from bot.models import Feed, FeedKind, SourceKind
from bot.storage import phrases
from bot.storage.base import StoreBase
from bot.storage.schema import article_sources, feed_owners, feeds

__all__ = ["FeedHealth", "FeedRepository", "FeedState", "feed_state"]

TEMPLATE_MARK = "{ticker}"


def source_of(word: str) -> SourceKind:
    """A feeds row's kind of source; news for a word this version does not know."""
    return SourceKind(word) if word in {k.value for k in SourceKind} else SourceKind.NEWS


def feed_state(r: Any) -> FeedState:
    """A feeds row as a `FeedState` (also used by the lease queries)."""
    return FeedState(
        feed=Feed(id=r.id, name=r.name, url=r.url, interval=r.interval, source=source_of(r.source)),
        etag=r.etag,
        last_modified=r.last_modified,
        baseline_at=r.baseline_at,
        error_count=r.error_count,
        last_success_at=r.last_success_at,
        last_error=r.last_error,
        next_poll_at=r.next_poll_at,
        kind=FeedKind(r.kind),
        failing_since=r.failing_since,
        broken_at=r.broken_at,
        last_fetch_at=r.last_fetch_at,
        rhythm=rhythm.loads(r.rhythm),
        last_error_phrase=phrases.loads(r.last_error_phrase),
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
                    select(feeds.c.url, feeds.c.id).where(
                        feeds.c.kind.in_((FeedKind.CATALOGUE, FeedKind.TEMPLATE))
                    )
                )
            }
            for feed in catalogue:
                kind = FeedKind.TEMPLATE if TEMPLATE_MARK in feed.url else FeedKind.CATALOGUE
                values = {
                    "name": feed.name,
                    "interval": feed.interval,
                    "kind": kind,
                    "source": feed.source.value,
                }
                if feed.url in known:
                    conn.execute(
                        update(feeds)
                        .where(feeds.c.id == known[feed.url])
                        .values(**values, enabled=kind == FeedKind.CATALOGUE)
                    )
                else:
                    conn.execute(
                        self._insert(feeds)
                        .values(url=feed.url, enabled=kind == FeedKind.CATALOGUE, **values)
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

    # ------------------------------------------------------------------ templates

    def sync_templates(self, tickers: Iterable[str]) -> tuple[int, int]:
        """Instantiate every `{ticker}` template for each of `tickers` and retire (disable)
        instances nobody watches any more. Returns (enabled, retired) counts."""
        wanted_tickers = set(tickers)
        enabled = retired = 0
        with self.engine.begin() as conn:
            templates = conn.execute(
                select(feeds.c.url, feeds.c.name, feeds.c.interval, feeds.c.source).where(
                    feeds.c.kind == FeedKind.TEMPLATE, feeds.c.enabled.is_(False)
                )
            ).all()
            live = {r.url for r in templates}
            instances = conn.execute(
                select(feeds.c.id, feeds.c.template, feeds.c.ticker, feeds.c.enabled).where(
                    feeds.c.kind == FeedKind.TICKER
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
                            source=template.source,
                            kind=FeedKind.TICKER,
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
                .values(url=feed.url, name=feed.name, interval=feed.interval, kind=FeedKind.USER)
                .on_conflict_do_nothing()
            )
            row = conn.execute(
                select(feeds.c.id, feeds.c.kind).where(feeds.c.url == feed.url)
            ).one()
            if row.kind == FeedKind.USER:
                conn.execute(update(feeds).where(feeds.c.id == row.id).values(enabled=True))
            # RETURNING, not rowcount: drivers differ in what rowcount says after ON CONFLICT.
            added = conn.execute(
                self._insert(feed_owners)
                .values(feed_id=row.id, chat_id=chat_id, added_at=now)
                .on_conflict_do_nothing()
                .returning(feed_owners.c.feed_id)
            ).scalar()
        return row.id, added is not None

    def first_added(self, feed_id: int) -> datetime | None:
        """When a chat first added this user feed (None for the other feeds)."""
        with self.engine.connect() as conn:
            added: datetime | None = conn.execute(
                select(func.min(feed_owners.c.added_at)).where(feed_owners.c.feed_id == feed_id)
            ).scalar()
        return added

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
                    .where(feeds.c.id == feed_id, feeds.c.kind == FeedKind.USER)
                    .values(enabled=False)
                )
        return removed == 1

    def feed_owner_ids(self, feed_id: int) -> list[int]:
        """The chats that added a user feed: the only ones its stories are alerted to."""
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    select(feed_owners.c.chat_id).where(feed_owners.c.feed_id == feed_id)
                ).scalars()
            )

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
                .where(feeds.c.kind != FeedKind.TEMPLATE)
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
