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

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy import (
    BindParameter,
    Connection,
    Select,
    bindparam,
    delete,
    func,
    or_,
    select,
    update,
)

from bot.feeds import dedup
from bot.models import Article, Feed, Kind
from bot.storage.base import StoreBase
from bot.storage.outbox import OutboxRow
from bot.storage.schema import (
    article_sources,
    articles,
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


class FeedQueries(StoreBase):
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

    def watched_tickers(self) -> set[str]:
        """Tickers some active chat watches (muted ones included: they may be unmuted)."""
        with self.engine.connect() as conn:
            return set(
                conn.execute(
                    select(subscriptions.c.value)
                    .join(chats, chats.c.id == subscriptions.c.chat_id)
                    .where(subscriptions.c.kind == Kind.TICKER.value, chats.c.active.is_(True))
                    .distinct()
                ).scalars()
            )

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
                    [
                        {
                            "chat_id": r.chat_id,
                            "article_id": r.article_id,
                            "text": r.text,
                            "plain_text": r.plain_text,
                            "buttons": r.buttons,
                            "matched": r.matched,
                            "created_at": now,
                        }
                        for r in rows
                    ],
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
