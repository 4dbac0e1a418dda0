"""Every query the bot makes, behind one small class; the rest of the code never writes SQL.

In: an `Engine` whose schema is migrated. Out: the dataclasses of `bot.models` and a few row
types of its own (`FeedState`, `Pending`). Each public method is one short transaction.
Duplicates are refused by the database's unique constraints (INSERT ... ON CONFLICT DO NOTHING),
so two processes doing the same work cannot double it. Fails with SQLAlchemy's errors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.models import Article, Feed, Kind, Subscription
from bot.storage.schema import (
    article_sources,
    articles,
    chats,
    deliveries,
    feeds,
    subscriptions,
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


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """An alert ready to be queued: the rendered message for one chat and one stored article."""

    chat_id: int
    article_id: int
    text: str
    plain_text: str
    buttons: str  # JSON: rows of {"label", "callback_data" | "url"}


@dataclass(frozen=True, slots=True)
class Pending:
    """An outbox row waiting to be sent."""

    id: int
    chat_id: int
    text: str
    plain_text: str
    buttons: str
    attempts: int
    link_previews: bool


def _subscription(row: Any) -> Subscription:
    return Subscription(id=row.id, chat_id=row.chat_id, kind=Kind(row.kind), value=row.value)


class Store:
    """The bot's database: chats and their subscriptions, feeds, articles and the outbox."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _insert(self, table: Table) -> Any:
        """An INSERT that can say ON CONFLICT DO NOTHING, in the engine's dialect."""
        if self.engine.dialect.name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    # ---- chats and subscriptions -------------------------------------------------------

    def upsert_chat(self, chat_id: int, chat_type: str, title: str | None, now: datetime) -> None:
        """Record a chat that wrote to the bot; a deactivated chat becomes active again."""
        with self.engine.begin() as conn:
            stmt = self._insert(chats).values(
                id=chat_id, type=chat_type, title=title, active=True, created_at=now
            )
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[chats.c.id],
                    set_={"type": chat_type, "title": title, "active": True},
                )
            )

    def add_subscription(
        self, chat_id: int, kind: Kind, value: str, now: datetime
    ) -> Subscription | None:
        """Add one subscription; None when the chat already has it."""
        with self.engine.begin() as conn:
            stmt = (
                self._insert(subscriptions)
                .values(chat_id=chat_id, kind=kind.value, value=value, created_at=now)
                .on_conflict_do_nothing()
                .returning(subscriptions.c.id)
            )
            new_id = conn.execute(stmt).scalar()
        if new_id is None:
            return None
        return Subscription(id=new_id, chat_id=chat_id, kind=kind, value=value)

    def remove_subscriptions(self, chat_id: int, value: str) -> list[Subscription]:
        """Remove the chat's subscriptions whose value is `value` (case-insensitive)."""
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(subscriptions).where(
                    subscriptions.c.chat_id == chat_id,
                    func.lower(subscriptions.c.value) == value.lower(),
                )
            ).all()
            if rows:
                conn.execute(delete(subscriptions).where(subscriptions.c.id.in_([r.id for r in rows])))
        return [_subscription(r) for r in rows]

    def chat_subscriptions(self, chat_id: int) -> list[Subscription]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(subscriptions)
                .where(subscriptions.c.chat_id == chat_id)
                .order_by(subscriptions.c.kind.desc(), subscriptions.c.value)
            ).all()
        return [_subscription(r) for r in rows]

    def active_subscriptions(self) -> list[Subscription]:
        """Every subscription that should produce alerts: active chats, not muted."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(subscriptions)
                .join(chats, chats.c.id == subscriptions.c.chat_id)
                .where(chats.c.active.is_(True), subscriptions.c.muted.is_(False))
            ).all()
        return [_subscription(r) for r in rows]

    # ---- feeds -------------------------------------------------------------------------

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

    # ---- the outbox --------------------------------------------------------------------

    def pending(self, now: datetime, limit: int = 200) -> list[Pending]:
        """Alerts due to be sent, oldest first, for active chats."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    deliveries.c.id,
                    deliveries.c.chat_id,
                    deliveries.c.text,
                    deliveries.c.plain_text,
                    deliveries.c.buttons,
                    deliveries.c.attempts,
                    chats.c.link_previews,
                )
                .join(chats, chats.c.id == deliveries.c.chat_id)
                .where(
                    deliveries.c.status == "pending",
                    chats.c.active.is_(True),
                    or_(deliveries.c.not_before.is_(None), deliveries.c.not_before <= now),
                )
                .order_by(deliveries.c.id)
                .limit(limit)
            ).all()
        return [
            Pending(
                id=r.id,
                chat_id=r.chat_id,
                text=r.text,
                plain_text=r.plain_text,
                buttons=r.buttons,
                attempts=r.attempts,
                link_previews=r.link_previews,
            )
            for r in rows
        ]

    def mark_sent(self, delivery_id: int, *, message_id: int, now: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(deliveries)
                .where(deliveries.c.id == delivery_id)
                .values(
                    status="sent",
                    message_id=message_id,
                    sent_at=now,
                    attempts=deliveries.c.attempts + 1,
                )
            )

    def postpone(self, delivery_id: int, *, until: datetime, error: str) -> None:
        """A send failed for a passing reason: try again at `until`."""
        with self.engine.begin() as conn:
            conn.execute(
                update(deliveries)
                .where(deliveries.c.id == delivery_id)
                .values(not_before=until, last_error=error, attempts=deliveries.c.attempts + 1)
            )

    def postpone_chat(self, chat_id: int, *, until: datetime, error: str) -> None:
        """Hold every pending alert of one chat (Telegram asked us to wait for it)."""
        with self.engine.begin() as conn:
            conn.execute(
                update(deliveries)
                .where(deliveries.c.chat_id == chat_id, deliveries.c.status == "pending")
                .values(not_before=until, last_error=error)
            )

    def fail(self, delivery_id: int, *, error: str, status: str = "failed") -> None:
        """Give up on one alert, keeping the reason (status "failed" or "dropped")."""
        with self.engine.begin() as conn:
            conn.execute(
                update(deliveries)
                .where(deliveries.c.id == delivery_id)
                .values(status=status, last_error=error, attempts=deliveries.c.attempts + 1)
            )

    def deactivate_chat(self, chat_id: int, *, error: str) -> int:
        """The chat cannot be reached: stop alerting it and drop its pending alerts with the
        reason. Returns how many were dropped. Writing to the bot again reactivates it."""
        with self.engine.begin() as conn:
            conn.execute(update(chats).where(chats.c.id == chat_id).values(active=False))
            result = conn.execute(
                update(deliveries)
                .where(deliveries.c.chat_id == chat_id, deliveries.c.status == "pending")
                .values(status="dropped", last_error=error)
            )
        return result.rowcount

    def migrate_chat(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: move the chat, its subscriptions and its alerts."""
        with self.engine.begin() as conn:
            row = conn.execute(select(chats).where(chats.c.id == old_id)).one_or_none()
            if row is None:
                return
            exists = conn.execute(select(chats.c.id).where(chats.c.id == new_id)).scalar()
            if exists is None:
                conn.execute(
                    chats.insert().values(
                        id=new_id,
                        type="supergroup",
                        title=row.title,
                        lang=row.lang,
                        active=True,
                        link_previews=row.link_previews,
                        created_at=row.created_at,
                    )
                )
            for table in (subscriptions, deliveries):
                conn.execute(
                    update(table).where(table.c.chat_id == old_id).values(chat_id=new_id)
                )
            conn.execute(update(chats).where(chats.c.id == old_id).values(active=False))

    def delivery_counts(self, chat_id: int | None = None) -> dict[str, int]:
        """How many alerts are in each outbox state (for tests, /stats and `feeds`)."""
        query = select(deliveries.c.status, func.count()).group_by(deliveries.c.status)
        if chat_id is not None:
            query = query.where(deliveries.c.chat_id == chat_id)
        with self.engine.connect() as conn:
            return {status: n for status, n in conn.execute(query).all()}

    def sent_articles(self, chat_id: int) -> list[int]:
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    select(deliveries.c.article_id).where(
                        and_(deliveries.c.chat_id == chat_id, deliveries.c.status == "sent")
                    )
                ).scalars()
            )


def _unique_entries(entries: Iterable[Article]) -> list[Article]:
    """Drop repeated entry ids within one document (some feeds repeat items)."""
    seen: set[str] = set()
    unique = []
    for article in entries:
        if article.entry_id not in seen:
            seen.add(article.entry_id)
            unique.append(article)
    return unique
