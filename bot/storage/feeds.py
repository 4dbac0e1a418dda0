"""Queries about feeds and the articles they carry: the dedup stage lives here.

In: the catalogue's `Feed`s, fetched `Article`s. Out: `FeedState`s, new stories. An entry is
stored once per feed, a story once per key, and alerts are queued in the same transaction as
the story (see `ingest`). Fails with SQLAlchemy's errors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, or_, select, update

from bot.models import Article, Feed
from bot.storage.base import StoreBase
from bot.storage.outbox import OutboxRow
from bot.storage.schema import (
    article_sources,
    articles,
    deliveries,
    feeds,
)


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


class FeedQueries(StoreBase):
    """Feeds with their fetch state, and the articles they bring."""

    def sync_catalogue(self, catalogue: Sequence[Feed]) -> None:
        """Make the feeds table hold the catalogue: add new feeds, update names and intervals,
        and disable feeds that left the catalogue (their history stays)."""
        with self.engine.begin() as conn:
            known = {r.url: r.id for r in conn.execute(select(feeds.c.url, feeds.c.id))}
            for feed in catalogue:
                if feed.url in known:
                    conn.execute(
                        update(feeds)
                        .where(feeds.c.id == known[feed.url])
                        .values(name=feed.name, interval=feed.interval, enabled=True)
                    )
                else:
                    conn.execute(
                        feeds.insert().values(url=feed.url, name=feed.name, interval=feed.interval)
                    )
            wanted = {f.url for f in catalogue}
            gone = [fid for url, fid in known.items() if url not in wanted]
            if gone:
                conn.execute(update(feeds).where(feeds.c.id.in_(gone)).values(enabled=False))

    def feed_states(self, *, due_at: datetime | None = None) -> list[FeedState]:
        """Enabled feeds; with `due_at`, only those whose next poll has come."""
        query = select(feeds).where(feeds.c.enabled.is_(True)).order_by(feeds.c.id)
        if due_at is not None:
            query = query.where(or_(feeds.c.next_poll_at.is_(None), feeds.c.next_poll_at <= due_at))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            FeedState(
                feed=Feed(id=r.id, name=r.name, url=r.url, interval=r.interval),
                etag=r.etag,
                last_modified=r.last_modified,
                baseline_at=r.baseline_at,
                error_count=r.error_count,
                last_success_at=r.last_success_at,
                last_error=r.last_error,
                next_poll_at=r.next_poll_at,
            )
            for r in rows
        ]

    def record_failure(
        self, feed_id: int, *, now: datetime, error: str, next_poll_at: datetime
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(feeds)
                .where(feeds.c.id == feed_id)
                .values(
                    last_fetch_at=now,
                    last_error=error,
                    error_count=feeds.c.error_count + 1,
                    next_poll_at=next_poll_at,
                )
            )

    def record_unchanged(self, feed_id: int, *, now: datetime, next_poll_at: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(feeds)
                .where(feeds.c.id == feed_id)
                .values(
                    last_fetch_at=now,
                    last_success_at=now,
                    last_error=None,
                    error_count=0,
                    next_poll_at=next_poll_at,
                )
            )

    def ingest(
        self,
        feed_id: int,
        entries: Iterable[Article],
        *,
        now: datetime,
        etag: str | None,
        last_modified: str | None,
        next_poll_at: datetime,
        alerts_for: Callable[[list[tuple[int, Article]]], list[OutboxRow]],
    ) -> list[tuple[int, Article]]:
        """Store a fetched feed's entries and queue the alerts for its new stories, atomically.

        Returns the new stories as (article id, Article). A story is new when no feed carried
        its key before; entries already stored for this feed are skipped. The first successful
        fetch of a feed is a baseline: its entries are stored but nothing is alerted.
        `alerts_for` turns new stories into outbox rows inside the same transaction, so that a
        crash can never keep an article while losing its alerts.
        """
        new_stories: list[tuple[int, Article]] = []
        with self.engine.begin() as conn:
            baseline = (
                conn.execute(select(feeds.c.baseline_at).where(feeds.c.id == feed_id)).scalar()
                is None
            )
            for article in _unique_entries(entries):
                stored = self._store_entry(conn, feed_id, article, now)
                if stored is not None:
                    new_stories.append((stored, article))
            conn.execute(
                update(feeds)
                .where(feeds.c.id == feed_id)
                .values(
                    etag=etag,
                    last_modified=last_modified,
                    last_fetch_at=now,
                    last_success_at=now,
                    last_error=None,
                    error_count=0,
                    next_poll_at=next_poll_at,
                    baseline_at=func.coalesce(feeds.c.baseline_at, now),
                )
            )
            rows = [] if baseline or not new_stories else alerts_for(new_stories)
            if rows:
                conn.execute(
                    self._insert(deliveries)
                    .values(
                        [
                            {
                                "chat_id": r.chat_id,
                                "article_id": r.article_id,
                                "text": r.text,
                                "plain_text": r.plain_text,
                                "buttons": r.buttons,
                                "created_at": now,
                            }
                            for r in rows
                        ]
                    )
                    .on_conflict_do_nothing()
                )
        return new_stories

    def _store_entry(
        self, conn: Connection, feed_id: int, article: Article, now: datetime
    ) -> int | None:
        """Store one entry; the article id when it is a new story, else None."""
        seen = conn.execute(
            select(article_sources.c.article_id).where(
                article_sources.c.feed_id == feed_id,
                article_sources.c.entry_id == article.entry_id,
            )
        ).scalar()
        if seen is not None:
            return None
        article_id = conn.execute(
            self._insert(articles)
            .values(
                key=article.key,
                title=article.title,
                url=article.url,
                text=article.text,
                source=article.source,
                published=article.published,
                first_seen=now,
                form=article.form,
                feed_tickers=" ".join(article.feed_tickers),
                items=" ".join(article.items),
                ciks=" ".join(str(c) for c in article.ciks),
            )
            .on_conflict_do_nothing()
            .returning(articles.c.id)
        ).scalar()
        is_new = article_id is not None
        if article_id is None:  # another feed carried the story first
            article_id = conn.execute(
                select(articles.c.id).where(articles.c.key == article.key)
            ).scalar_one()
        conn.execute(
            self._insert(article_sources)
            .values(feed_id=feed_id, entry_id=article.entry_id, article_id=article_id, seen_at=now)
            .on_conflict_do_nothing()
        )
        return article_id if is_new else None


def _unique_entries(entries: Iterable[Article]) -> list[Article]:
    """Drop repeated entry ids within one document (some feeds repeat items)."""
    seen: set[str] = set()
    unique = []
    for article in entries:
        if article.entry_id not in seen:
            seen.add(article.entry_id)
            unique.append(article)
    return unique
