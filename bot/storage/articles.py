"""Stored stories: the dedup stage's inserts and what the chat commands read back.

In: a feed's parsed `Article`s, and the outbox rows prepared for them. Out: the entries placed
(`classify`, a read: which would start new stories); then, in one transaction (`ingest`), the
stories that are new (stored once per key, or per title key within a day: the same story from
another outlet) with the deliveries of those alone; recent articles for /test and /trend.
Storage never calls back into the poll stage. Fails with SQLAlchemy's errors.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    Connection,
    Select,
    and_,
    bindparam,
    case,
    func,
    select,
    update,
)

from bot.feeds import dedup
from bot.feeds.baseline import alertable
from bot.models import Alert, Article, DeliveryStatus
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
        "events": " ".join(article.events),
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


def _plan(conn: Connection, feed_id: int, entries: Sequence[Article], now: datetime) -> dedup.Plan:
    """Read what `dedup.plan` needs for these entries and place them."""
    seen = {
        row.entry_id
        for row in _chunked_rows(
            conn, _SEEN_ENTRIES, [a.entry_id for a in entries], feed_id=feed_id
        )
    }
    fresh = [a for a in entries if a.entry_id not in seen]
    if not fresh:
        return dedup.NOTHING
    keys = dedup.title_keys(fresh)
    recent: dict[str, list[tuple[str, int]]] = {}
    for row in _chunked_rows(conn, _BY_TITLE_KEY, sorted({k for k in keys.values() if k})):
        if row.first_seen >= now - dedup.WINDOW:
            recent.setdefault(row.title_key, []).append((row.key, row.id))
    known = {
        row.key: row.id for row in _chunked_rows(conn, _BY_KEY, sorted({a.key for a in fresh}))
    }
    return dedup.plan(fresh, keys, recent, known)


class ArticleRepository(StoreBase):
    """The articles and article_sources tables."""

    def classify(self, feed_id: int, entries: Iterable[Article], *, now: datetime) -> dedup.Plan:
        """Place a document's entries (a read): the plan's `stories` would start new stories
        if stored now. The poll stage builds their alerts, then hands the plan to `ingest`.
        Entries the feed carried before, and copies of stored stories, are not among them."""
        with self.engine.connect() as conn:
            return _plan(conn, feed_id, _unique_entries(entries), now)

    def ingest(
        self,
        feed_id: int,
        entries: Iterable[Article] | dedup.Plan,
        *,
        now: datetime,
        etag: str | None,
        last_modified: str | None,
        next_poll_at: datetime,
        alerts: Mapping[str, Sequence[Alert]] | None = None,
        warning: str | None = None,
        since: datetime | None = None,
    ) -> list[tuple[int, Article]]:
        """Store a fetched feed's entries and queue the alerts of its new stories, atomically.

        Returns the new stories as (article id, Article). A story is new when no feed carried
        its key before; entries already stored for this feed are skipped. `entries` come placed
        by `classify` (the poll stage's read: the key's unique constraint still decides which
        story is new), or are placed here. The first successful fetch of a feed is a baseline:
        its entries are stored, and only stories dated after `since` (when the bot started or
        the feed was added; `bot.feeds.baseline`) alert. `alerts` holds the alerts prepared for
        each entry id: only those of stories whose insert won are queued, in the same
        transaction, so that a crash never keeps an article while losing its alerts, and a story
        another worker stored meanwhile gets no second delivery. `warning` (a document read
        despite problems) is shown as the feed's last error without counting as a failure.
        """
        with self.engine.begin() as conn:
            baselined = (
                conn.execute(select(feeds.c.baseline_at).where(feeds.c.id == feed_id)).scalar()
                is not None
            )
            if not isinstance(entries, dedup.Plan):
                entries = _plan(conn, feed_id, _unique_entries(entries), now)
            new_stories = self._store_entries(conn, feed_id, entries, now)
            conn.execute(
                update(feeds)
                .where(feeds.c.id == feed_id)
                .values(
                    etag=etag,
                    last_modified=last_modified,
                    last_fetch_at=now,
                    last_success_at=now,
                    last_error=warning,
                    last_error_phrase=None,
                    error_count=0,
                    failing_since=None,
                    next_poll_at=next_poll_at,
                    baseline_at=func.coalesce(feeds.c.baseline_at, now),
                )
            )
            if alerts:
                chosen = alertable([a for _, a in new_stories], baselined=baselined, since=since)
                self._queue(conn, new_stories, {a.entry_id for a in chosen}, alerts, now)
        return new_stories

    def _queue(
        self,
        conn: Connection,
        stories: Sequence[tuple[int, Article]],
        chosen: set[str],
        alerts: Mapping[str, Sequence[Alert]],
        now: datetime,
    ) -> None:
        """Insert the deliveries of the new stories that may alert (entry ids in `chosen`):
        what to say, not yet how."""
        rows = [
            outbox_values(OutboxRow(alert.chat_id, article_id, alert.hits), now)
            for article_id, article in stories
            if article.entry_id in chosen
            for alert in alerts.get(article.entry_id, ())
        ]
        if rows:
            # executemany, not one multi-row VALUES: compiling that is slower than the insert.
            conn.execute(self._insert(deliveries).on_conflict_do_nothing(), rows)

    def _store_entries(
        self, conn: Connection, feed_id: int, plan: dedup.Plan, now: datetime
    ) -> list[tuple[int, Article]]:
        """Store a document's entries with a few statements for the whole batch (one query per
        statement kind, not per entry, placed by `dedup.plan`); the new stories as (article
        id, Article), in order. ON CONFLICT DO NOTHING keeps a concurrent writer's rows: a key
        inserted meanwhile elsewhere joins that story rather than counting as new."""
        if not plan.targets:
            return []
        known: dict[str, int] = {}
        inserted: dict[str, int] = {}
        rows = [_article_row(a, plan.title_keys[a], now) for a in plan.new.values()]
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
        raced = sorted(set(plan.new) - set(inserted))
        if raced:  # another process stored these keys meanwhile: their stories, not new ones
            known.update((row.key, row.id) for row in _chunked_rows(conn, _BY_KEY, raced))
        sources = []
        new_stories: list[tuple[int, Article]] = []
        for article, where in plan.targets:
            if isinstance(where, str):
                article_id = inserted.get(where, known.get(where))
                assert article_id is not None
                if plan.new.get(where) is article and where in inserted:
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

    def recent_articles(self, since: datetime, limit: int = 5000) -> list[tuple[datetime, Article]]:
        """(came out, article) for articles that came out at or after `since`, latest first
        (for /test and /trend). An article comes out when it was published, or when it was
        first seen if it is undated or dated later (a clock ahead is no reason to count it on
        a day still to come)."""
        came_out = case(
            (articles.c.published < articles.c.first_seen, articles.c.published),
            else_=articles.c.first_seen,
        )
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(articles)
                # first_seen too: implied (came out <= first seen), and it is indexed.
                .where(articles.c.first_seen >= since, came_out >= since)
                .order_by(came_out.desc(), articles.c.id.desc())
                .limit(limit)
            ).all()
        return [(min(r.first_seen, r.published or r.first_seen), article_of(r)) for r in rows]

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
