"""Queries about chats and their subscriptions, and what the chat commands read.

In: chat ids, subscription kinds and values. Out: `Subscription`s, `ChatSettings`, recent
`Article`s (for /test and /trend) and `BotStats` (for operators). A subscription is unique per
chat, kind and value (the database refuses a second one). Fails with SQLAlchemy's errors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update

from bot.models import Article, ChatSettings, DeliveryMode, Kind, Subscription
from bot.storage.base import StoreBase
from bot.storage.revisions import SUBSCRIPTIONS, bump_revision, read_revision
from bot.storage.schema import (
    articles,
    chats,
    deliveries,
    feeds,
    subscriptions,
)


@dataclass(frozen=True, slots=True)
class BotStats:
    """What an operator sees with /stats."""

    chats: int
    active_chats: int
    subscriptions: int
    muted: int
    alerts_sent_today: int
    outbox_pending: int
    outbox_oldest: datetime | None
    feeds: int
    failing_feeds: int


@dataclass(frozen=True, slots=True)
class SubscriptionState:
    """One subscription as exported and imported: no ids, which belong to one database."""

    kind: Kind
    value: str
    muted: bool = False


def _article(row: Any) -> Article:
    return Article(
        key=row.key,
        entry_id=row.key,
        title=row.title,
        url=row.url,
        text=row.text,
        published=row.published,
        source=row.source,
        feed_tickers=tuple(row.feed_tickers.split()),
        form=row.form,
        items=tuple(row.items.split()),
        ciks=tuple(int(c) for c in row.ciks.split() if c.isdigit()),
    )


def _subscription(row: Any) -> Subscription:
    return Subscription(id=row.id, chat_id=row.chat_id, kind=Kind(row.kind), value=row.value)


SETTINGS_COLUMNS = {f for f in ChatSettings.__dataclass_fields__ if f != "chat_id"}


def _chat_settings(row: Any) -> ChatSettings:
    return ChatSettings(
        chat_id=row.id,
        timezone=row.timezone,
        delivery_mode=DeliveryMode(row.delivery_mode),
        digest_time=row.digest_time,
        quiet_start=row.quiet_start,
        quiet_end=row.quiet_end,
        quiet_mode=row.quiet_mode,
        max_per_hour=row.max_per_hour,
        paused_at=row.paused_at,
        link_previews=row.link_previews,
        lang=row.lang,
        thread_id=row.thread_id,
    )


class ChatQueries(StoreBase):
    """Chats, their state, and what they watch."""

    def upsert_chat(self, chat_id: int, chat_type: str, title: str | None, now: datetime) -> bool:
        """Record a chat that wrote to the bot; a deactivated chat becomes active again.
        True when it came back that way (its subscriptions count again)."""
        with self.engine.begin() as conn:
            was_active = conn.execute(select(chats.c.active).where(chats.c.id == chat_id)).scalar()
            if not was_active:  # new, or coming back: its subscriptions count again
                bump_revision(conn, SUBSCRIPTIONS)
            stmt = self._insert(chats).values(
                id=chat_id, type=chat_type, title=title, active=True, created_at=now
            )
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[chats.c.id],
                    set_={"type": chat_type, "title": title, "active": True},
                )
            )
        return was_active is False

    def note_message(self, chat_id: int, message_id: int) -> None:
        """A message id the bot received in the chat: the chat's highest known id is raised,
        so that crash recovery looks for an in-flight alert above it. Unknown chats are
        ignored."""
        with self.engine.begin() as conn:
            conn.execute(
                update(chats)
                .where(
                    chats.c.id == chat_id,
                    or_(chats.c.last_message_id.is_(None), chats.c.last_message_id < message_id),
                )
                .values(last_message_id=message_id)
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
            if new_id is not None:
                bump_revision(conn, SUBSCRIPTIONS)
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
                conn.execute(
                    delete(subscriptions).where(subscriptions.c.id.in_([r.id for r in rows]))
                )
                bump_revision(conn, SUBSCRIPTIONS)
        return [_subscription(r) for r in rows]

    def chat_settings(self, chat_id: int) -> ChatSettings | None:
        """The chat's delivery preferences; None for a chat the bot has never seen."""
        with self.engine.connect() as conn:
            row = conn.execute(select(chats).where(chats.c.id == chat_id)).one_or_none()
        return None if row is None else _chat_settings(row)

    def update_chat_settings(self, chat_id: int, **changes: object) -> ChatSettings:
        """Change some of the chat's preferences (names as in `ChatSettings`); returns them all.
        Callers validate values first (bot.delivery.preferences)."""
        unknown = set(changes) - SETTINGS_COLUMNS
        if unknown:
            raise ValueError(f"not chat settings: {sorted(unknown)}")
        values = {k: (v.value if isinstance(v, DeliveryMode) else v) for k, v in changes.items()}
        with self.engine.begin() as conn:
            row = conn.execute(
                update(chats).where(chats.c.id == chat_id).values(**values).returning(chats)
            ).one()
        return _chat_settings(row)

    def set_muted(self, chat_id: int, subscription_id: int, muted: bool) -> Subscription | None:
        """Pause or resume one of the chat's subscriptions; None if the chat has no such one."""
        with self.engine.begin() as conn:
            row = conn.execute(
                update(subscriptions)
                .where(subscriptions.c.id == subscription_id, subscriptions.c.chat_id == chat_id)
                .values(muted=muted)
                .returning(subscriptions)
            ).one_or_none()
            if row is not None:
                bump_revision(conn, SUBSCRIPTIONS)
        return None if row is None else _subscription(row)

    def subscriptions_revision(self) -> int:
        """A number that changes whenever the set of active subscriptions may have changed:
        worker processes compare it to know when to reload their match index."""
        with self.engine.connect() as conn:
            return read_revision(conn, SUBSCRIPTIONS)

    def chat_subscriptions(self, chat_id: int) -> list[Subscription]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(subscriptions)
                .where(subscriptions.c.chat_id == chat_id)
                .order_by(subscriptions.c.kind.desc(), subscriptions.c.value)
            ).all()
        return [_subscription(r) for r in rows]

    def active_subscriptions(self, chat_id: int | None = None) -> list[Subscription]:
        """Every subscription that should produce alerts (of one chat, or of all): active
        chats, not muted."""
        query = (
            select(subscriptions)
            .join(chats, chats.c.id == subscriptions.c.chat_id)
            .where(chats.c.active.is_(True), subscriptions.c.muted.is_(False))
        )
        if chat_id is not None:
            query = query.where(subscriptions.c.chat_id == chat_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [_subscription(r) for r in rows]

    def deactivate_chat(self, chat_id: int, *, error: str) -> int:
        """The chat cannot be reached: stop alerting it and drop its pending alerts with the
        reason. Returns how many were dropped. Writing to the bot again reactivates it."""
        with self.engine.begin() as conn:
            conn.execute(update(chats).where(chats.c.id == chat_id).values(active=False))
            bump_revision(conn, SUBSCRIPTIONS)
            result = conn.execute(
                update(deliveries)
                .where(deliveries.c.chat_id == chat_id, deliveries.c.status == "pending")
                .values(status="dropped", last_error=error)
            )
        return result.rowcount

    def migrate_chat(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: move the chat (with its settings), its subscriptions
        and its alerts."""
        with self.engine.begin() as conn:
            row = conn.execute(select(chats).where(chats.c.id == old_id)).one_or_none()
            if row is None:
                return
            exists = conn.execute(select(chats.c.id).where(chats.c.id == new_id)).scalar()
            if exists is None:
                # The settings go with the chat; the message ids do not (a new chat starts
                # its own), nor the failure count.
                moved = {
                    k: v
                    for k, v in row._mapping.items()
                    if k not in {"id", "type", "active", "last_message_id", "send_failures"}
                }
                conn.execute(
                    chats.insert().values(id=new_id, type="supergroup", active=True, **moved)
                )
            for table in (subscriptions, deliveries):
                conn.execute(update(table).where(table.c.chat_id == old_id).values(chat_id=new_id))
            conn.execute(update(chats).where(chats.c.id == old_id).values(active=False))
            bump_revision(conn, SUBSCRIPTIONS)

    def subscription_states(self, chat_id: int) -> list[SubscriptionState]:
        """The chat's subscriptions with their muted flag, for /export."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(subscriptions)
                .where(subscriptions.c.chat_id == chat_id)
                .order_by(subscriptions.c.kind.desc(), subscriptions.c.value)
            ).all()
        return [SubscriptionState(Kind(r.kind), r.value, bool(r.muted)) for r in rows]

    def replace_chat_state(
        self,
        chat_id: int,
        wanted: Sequence[SubscriptionState],
        settings: Mapping[str, object],
        now: datetime,
    ) -> tuple[list[Subscription], list[Subscription]]:
        """/import: make the chat hold exactly `wanted` and `settings`, in one transaction.
        Returns (removed, added-and-not-muted) so that the caller can update the index."""
        unknown = set(settings) - SETTINGS_COLUMNS
        if unknown:
            raise ValueError(f"not chat settings: {sorted(unknown)}")
        values = {k: (v.value if isinstance(v, DeliveryMode) else v) for k, v in settings.items()}
        with self.engine.begin() as conn:
            old = conn.execute(
                select(subscriptions).where(subscriptions.c.chat_id == chat_id)
            ).all()
            conn.execute(delete(subscriptions).where(subscriptions.c.chat_id == chat_id))
            added: list[Subscription] = []
            seen: set[tuple[str, str]] = set()
            for state in wanted:
                if (state.kind.value, state.value) in seen:
                    continue
                seen.add((state.kind.value, state.value))
                new_id = conn.execute(
                    subscriptions.insert()
                    .values(
                        chat_id=chat_id,
                        kind=state.kind.value,
                        value=state.value,
                        muted=state.muted,
                        created_at=now,
                    )
                    .returning(subscriptions.c.id)
                ).scalar_one()
                if not state.muted:
                    added.append(Subscription(new_id, chat_id, state.kind, state.value))
            if values:
                conn.execute(update(chats).where(chats.c.id == chat_id).values(**values))
            bump_revision(conn, SUBSCRIPTIONS)
        return [_subscription(r) for r in old], added

    def delete_chat(self, chat_id: int) -> list[Subscription]:
        """/delete_me: forget the chat, its subscriptions and its outbox rows. Returns the
        subscriptions it had, so that the caller can take them out of the index."""
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(subscriptions).where(subscriptions.c.chat_id == chat_id)
            ).all()
            conn.execute(delete(deliveries).where(deliveries.c.chat_id == chat_id))
            conn.execute(delete(subscriptions).where(subscriptions.c.chat_id == chat_id))
            conn.execute(delete(chats).where(chats.c.id == chat_id))
            bump_revision(conn, SUBSCRIPTIONS)
        return [_subscription(r) for r in rows]

    def active_chat_ids(self) -> list[int]:
        """Chats that can be reached (for operator broadcasts)."""
        with self.engine.connect() as conn:
            ids = conn.execute(
                select(chats.c.id).where(chats.c.active.is_(True)).order_by(chats.c.id)
            ).scalars()
            return list(ids)

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
        return [(r.first_seen, _article(r)) for r in rows]

    def bot_stats(self, day_start: datetime) -> BotStats:
        """Counts for /stats; "today" starts at `day_start` (UTC midnight, by the caller)."""
        with self.engine.connect() as conn:

            def count(query: Any) -> int:
                return int(conn.execute(query).scalar() or 0)

            n = func.count()
            pending = deliveries.c.status == "pending"
            return BotStats(
                chats=count(select(n).select_from(chats)),
                active_chats=count(select(n).select_from(chats).where(chats.c.active.is_(True))),
                subscriptions=count(
                    select(n)
                    .select_from(subscriptions)
                    .join(chats, chats.c.id == subscriptions.c.chat_id)
                    .where(chats.c.active.is_(True), subscriptions.c.muted.is_(False))
                ),
                muted=count(select(n).select_from(subscriptions).where(subscriptions.c.muted)),
                alerts_sent_today=count(
                    select(n)
                    .select_from(deliveries)
                    .where(
                        deliveries.c.kind == "alert",
                        deliveries.c.status == "sent",
                        deliveries.c.sent_at >= day_start,
                    )
                ),
                outbox_pending=count(select(n).select_from(deliveries).where(pending)),
                outbox_oldest=conn.execute(
                    select(func.min(deliveries.c.created_at)).where(pending)
                ).scalar(),
                feeds=count(select(n).select_from(feeds).where(feeds.c.enabled.is_(True))),
                failing_feeds=count(
                    select(n)
                    .select_from(feeds)
                    .where(feeds.c.enabled.is_(True), feeds.c.error_count > 0)
                ),
            )
