"""Queries about chats and their subscriptions.

In: chat ids, subscription kinds and values. Out: `Subscription`s. A subscription is unique per
chat, kind and value (the database refuses a second one). Fails with SQLAlchemy's errors.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update

from bot.models import ChatSettings, DeliveryMode, Kind, Subscription
from bot.storage.base import StoreBase
from bot.storage.schema import (
    chats,
    deliveries,
    subscriptions,
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
                conn.execute(
                    delete(subscriptions).where(subscriptions.c.id.in_([r.id for r in rows]))
                )
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
        return None if row is None else _subscription(row)

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
                conn.execute(update(table).where(table.c.chat_id == old_id).values(chat_id=new_id))
            conn.execute(update(chats).where(chats.c.id == old_id).values(active=False))
