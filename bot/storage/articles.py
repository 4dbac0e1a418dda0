"""Stored stories: the dedup stage's inserts and what the chat commands read back.

In: a feed's parsed `Article`s. Out: the stories that are new (stored once per key, or per
title key within a day: the same story from another outlet), recent articles for /test and
/trend. Fails with SQLAlchemy's errors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    Connection,
    Select,
    and_,
    bindparam,
    func,
    select,
    update,
)

from bot.feeds import dedup
from bot.models import Article, DeliveryStatus
from bot.storage.base import StoreBase
from bot.storage.outbox_rows import OutboxRow, outbox_values
from bot.storage.rows import article_of
from bot.storage.schema import (
    article_sources,
    articles,
    deliveries,
    feeds,
)

CHUNK = 500  # values per IN list: far below SQLite's and PostgreSQL's parameter limits


# The batch lookups of `_store_entries`, built once: each runs several times per document, and
# building and keying a statement costs more than running it. `values` expands to the IN list.
_VALUES: BindParameter[list[str]] = bindparam("values", expanding=True)


_SEEN_ENTRIES = select(article_sources.c.entry_id).where(
    article_sources.c.feed_id == bindparam("feed_id"), article_sources.c.entry_id.in_(_VALUES)
)


# By title key alone, so that its index is the one used (with a condition on first_seen too,
# SQLite may scan the first_seen index: every recent article).
_BY_TITLE_KEY = select(
    articles.c.title_key, articles.c.key, articles.c.id, articles.c.first_seen
).where(articles.c.title_key.in_(_VALUES))


_BY_KEY = select(articles.c.key, articles.c.id).where(articles.c.key.in_(_VALUES))


def _chunked_rows(
    conn: Connection, query: Select[Any], values: Sequence[str], **params: Any
) -> list[Any]:
    """`query`'s rows for `values` (its expanding "values" parameter), CHUNK values at a time."""
    rows: list[Any] = []
    for start in range(0, len(values), CHUNK):
        chunk = list(values[start : start + CHUNK])
        rows.extend(conn.execute(query, {"values": chunk, **params}).all())
    return rows


def _article_row(article: Article, title_key: str | None, now: datetime) -> dict[str, Any]:
    return {
        "key": article.key,
        "title": article.title,
        "url": article.url,
        "text": article.text,
        "source": article.source,
        "published": article.published,
        "first_seen": now,
        "form": article.form,
        "feed_tickers": " ".join(article.feed_tickers),
        "items": " ".join(article.items),
        "ciks": " ".join(str(c) for c in article.ciks),
        "title_key": title_key,
    }


def _unique_entries(entries: Iterable[Article]) -> list[Article]:
    """Drop repeated entry ids within one document (some feeds repeat items)."""
    seen: set[str] = set()
    unique = []
    for article in entries:
        if article.entry_id not in seen:
            seen.add(article.entry_id)
            unique.append(article)
    return unique


class ArticleRepository(StoreBase):
    """The articles and article_sources tables."""

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
        warning: str | None = None,
    ) -> list[tuple[int, Article]]:
        """Store a fetched feed's entries and queue the alerts for its new stories, atomically.

        Returns the new stories as (article id, Article). A story is new when no feed carried
        its key before; entries already stored for this feed are skipped. The first successful
        fetch of a feed is a baseline: its entries are stored but nothing is alerted.
        `alerts_for` turns new stories into outbox rows inside the same transaction, so that a
        crash can never keep an article while losing its alerts. `warning` (a document read
        despite problems) is shown as the feed's last error without counting as a failure.
        """
        with self.engine.begin() as conn:
            baseline = (
                conn.execute(select(feeds.c.baseline_at).where(feeds.c.id == feed_id)).scalar()
                is None
            )
            new_stories = self._store_entries(conn, feed_id, _unique_entries(entries), now)
            conn.execute(
                update(feeds)
                .where(feeds.c.id == feed_id)
                .values(
                    etag=etag,
                    last_modified=last_modified,
                    last_fetch_at=now,
                    last_success_at=now,
                    last_error=warning,
                    error_count=0,
                    failing_since=None,
                    next_poll_at=next_poll_at,
                    baseline_at=func.coalesce(feeds.c.baseline_at, now),
                )
            )
            rows = [] if baseline or not new_stories else alerts_for(new_stories)
            if rows:
                # executemany, not one multi-row VALUES: compiling that is slower than the insert.
                conn.execute(
                    self._insert(deliveries).on_conflict_do_nothing(),
                    [outbox_values(r, now) for r in rows],
                )
        return new_stories

    def _store_entries(
        self, conn: Connection, feed_id: int, entries: Sequence[Article], now: datetime
    ) -> list[tuple[int, Article]]:
        """Store a document's entries with a few statements for the whole batch (one query per
        statement kind, not per entry); the new stories as (article id, Article), in order.

        Per entry, in document order, the rules are those of storing one at a time: an entry
        this feed already carried is skipped; a title key seen within a day under another key
        (another outlet's copy, possibly earlier in this same document) joins that story; a key
        already stored (another feed carried it first) joins that story; else it is a new
        story. ON CONFLICT DO NOTHING keeps a concurrent writer's rows: a key inserted meanwhile
        elsewhere joins that story rather than counting as new."""
        seen = {
            row.entry_id
            for row in _chunked_rows(
                conn, _SEEN_ENTRIES, [a.entry_id for a in entries], feed_id=feed_id
            )
        }
        fresh = [a for a in entries if a.entry_id not in seen]
        if not fresh:
            return []
        keys = {a: dedup.title_key(a.title, filing=a.form is not None) for a in fresh}
        recent: dict[str, list[tuple[str, int]]] = {}
        for row in _chunked_rows(
            conn, _BY_TITLE_KEY, sorted({k for k in keys.values() if k is not None})
        ):
            if row.first_seen >= now - dedup.WINDOW:
                recent.setdefault(row.title_key, []).append((row.key, row.id))
        known = {
            row.key: row.id for row in _chunked_rows(conn, _BY_KEY, sorted({a.key for a in fresh}))
        }
        # Each fresh entry points at a stored article id, or (new in this batch) at a key.
        target: list[tuple[Article, int | str]] = []
        batch_keys: dict[str, Article] = {}
        batch_titles: dict[str, list[str]] = {}
        for article in fresh:
            title_key = keys[article]
            if title_key is not None:
                same_id = next((i for k, i in recent.get(title_key, ()) if k != article.key), None)
                if same_id is not None:
                    target.append((article, same_id))
                    continue
                same_key = next(
                    (k for k in batch_titles.get(title_key, ()) if k != article.key), None
                )
                if same_key is not None:
                    target.append((article, same_key))
                    continue
            if article.key in known:
                target.append((article, known[article.key]))
                continue
            if article.key not in batch_keys:
                batch_keys[article.key] = article
                if title_key is not None:
                    batch_titles.setdefault(title_key, []).append(article.key)
            target.append((article, article.key))
        inserted: dict[str, int] = {}
        rows = [_article_row(a, keys[a], now) for a in batch_keys.values()]
        if rows:
            # executemany: one cached statement, sent in batches ("insertmanyvalues").
            inserted.update(
                (row.key, row.id)
                for row in conn.execute(
                    self._insert(articles)
                    .on_conflict_do_nothing()
                    .returning(articles.c.key, articles.c.id),
                    rows,
                )
            )
        raced = sorted(set(batch_keys) - set(inserted))
        if raced:  # another process stored these keys meanwhile: their stories, not new ones
            known.update((row.key, row.id) for row in _chunked_rows(conn, _BY_KEY, raced))
        sources = []
        new_stories: list[tuple[int, Article]] = []
        for article, where in target:
            if isinstance(where, str):
                article_id = inserted.get(where, known.get(where))
                assert article_id is not None
                if batch_keys.get(where) is article and where in inserted:
                    new_stories.append((article_id, article))
            else:
                article_id = where
            sources.append(
                {
                    "feed_id": feed_id,
                    "entry_id": article.entry_id,
                    "article_id": article_id,
                    "seen_at": now,
                }
            )
        conn.execute(self._insert(article_sources).on_conflict_do_nothing(), sources)
        return new_stories

    def unseen_entries(self, feed_id: int, entry_ids: Sequence[str]) -> set[str]:
        """Which of these entry ids the feed has not brought before."""
        if not entry_ids:
            return set()
        with self.engine.connect() as conn:
            seen = set(
                conn.execute(
                    select(article_sources.c.entry_id).where(
                        article_sources.c.feed_id == feed_id,
                        article_sources.c.entry_id.in_(list(entry_ids)),
                    )
                ).scalars()
            )
        return set(entry_ids) - seen

    def recent_articles(self, since: datetime, limit: int = 5000) -> list[tuple[datetime, Article]]:
        """(first seen, article) for articles first seen at or after `since`, newest first
        (for /test and /trend)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(articles)
                .where(articles.c.first_seen >= since)
                .order_by(articles.c.first_seen.desc(), articles.c.id.desc())
                .limit(limit)
            ).all()
        return [(r.first_seen, article_of(r)) for r in rows]

    def sent_articles(self, chat_id: int) -> list[int]:
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    select(deliveries.c.article_id).where(
                        and_(
                            deliveries.c.chat_id == chat_id,
                            deliveries.c.status == DeliveryStatus.SENT,
                        )
                    )
                ).scalars()
            )
