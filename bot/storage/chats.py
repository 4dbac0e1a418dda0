"""Chats: who the bot talks to, their settings, pause and resume, and deactivation.

In: chat ids, Telegram's chat types and titles, settings changes. Out: `ChatSettings`, whether
a chat came back, the subscriptions a deleted chat had. `deactivate` is the one way a chat is
deactivated (a user's /delete_me or Telegram saying the chat is gone): its pending alerts are
dropped and the subscriptions' revision moves, so every process stops matching it. Fails with
SQLAlchemy's errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, delete, or_, select, update

from bot.models import (
    ChatSettings,
    DeliveryKind,
    DeliveryMode,
    DeliveryStatus,
    Subscription,
)
from bot.storage.base import StoreBase
from bot.storage.revisions import SUBSCRIPTIONS, bump_revision
from bot.storage.rows import SETTINGS_COLUMNS, chat_settings_of, subscription_of
from bot.storage.schema import (
    chats,
    deliveries,
    subscriptions,
)


class ChatRepository(StoreBase):
    """Chats, their state, and what they watch."""

    def upsert_chat(
        self, chat_id: int, chat_type: str, title: str | None, now: datetime, lang: str = "en"
    ) -> bool:
        """Record a chat that wrote to the bot; a deactivated chat becomes active again.
        `lang` is its language when it is new (a known chat keeps the one it has).
        True when it came back that way (its subscriptions count again)."""
        with self.engine.begin() as conn:
            was_active = conn.execute(select(chats.c.active).where(chats.c.id == chat_id)).scalar()
            if not was_active:  # new, or coming back: its subscriptions count again
                bump_revision(conn, SUBSCRIPTIONS)
            stmt = self._insert(chats).values(
                id=chat_id, type=chat_type, title=title, active=True, created_at=now, lang=lang
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

    def chat_settings(self, chat_id: int) -> ChatSettings | None:
        """The chat's delivery preferences; None for a chat the bot has never seen."""
        with self.engine.connect() as conn:
            row = conn.execute(select(chats).where(chats.c.id == chat_id)).one_or_none()
        return None if row is None else chat_settings_of(row)

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
        return chat_settings_of(row)

    def deactivate_chat(self, chat_id: int, *, error: str) -> int:
        """The chat cannot be reached: stop alerting it and drop its pending alerts with the
        reason. Returns how many were dropped. Writing to the bot again reactivates it."""
        with self.engine.begin() as conn:
            return deactivate(conn, chat_id, error)

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
        return [subscription_of(r) for r in rows]

    def active_chat_ids(self) -> list[int]:
        """Chats that can be reached (for operator broadcasts)."""
        with self.engine.connect() as conn:
            ids = conn.execute(
                select(chats.c.id).where(chats.c.active.is_(True)).order_by(chats.c.id)
            ).scalars()
            return list(ids)

    def settings_of(self, chat_ids: Sequence[int]) -> dict[int, ChatSettings]:
        """The delivery settings of several chats at once."""
        if not chat_ids:
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(select(chats).where(chats.c.id.in_(list(chat_ids)))).all()
        return {r.id: chat_settings_of(r) for r in rows}

    def pause_chat(self, chat_id: int, now: datetime) -> bool:
        """/pause: hold the chat's alerts from now on. False when it was already paused."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(chats)
                .where(chats.c.id == chat_id, chats.c.paused_at.is_(None))
                .values(paused_at=now)
            )
        return result.rowcount == 1

    def resume_chat(self, chat_id: int, now: datetime) -> int:
        """/resume: alerts start again from now. Alerts queued while the chat was paused are
        dropped with a record (status "dropped"); alerts from before the pause still go.
        Returns how many were dropped (0 when the chat was not paused)."""
        with self.engine.begin() as conn:
            paused_at = conn.execute(
                select(chats.c.paused_at).where(chats.c.id == chat_id)
            ).scalar()
            if paused_at is None:
                return 0
            dropped = conn.execute(
                update(deliveries)
                .where(
                    deliveries.c.chat_id == chat_id,
                    deliveries.c.status == DeliveryStatus.PENDING,
                    deliveries.c.kind == DeliveryKind.ALERT,
                    deliveries.c.created_at >= paused_at,
                )
                .values(
                    status=DeliveryStatus.DROPPED, last_error="arrived while the chat was paused"
                )
            ).rowcount
            conn.execute(
                update(deliveries)
                .where(
                    deliveries.c.chat_id == chat_id, deliveries.c.status == DeliveryStatus.PENDING
                )
                .values(held_until=None)
            )
            conn.execute(update(chats).where(chats.c.id == chat_id).values(paused_at=None))
        return int(dropped)


def deactivate(conn: Connection, chat_id: int, reason: str) -> int:
    """The one way a chat is deactivated (`deactivate_chat`, and the sender's
    `SendRepository.unreachable`), inside the caller's transaction: inactive, its failure
    count started again, its pending rows dropped with `reason`, and the subscriptions'
    revision moved so that every process's match index leaves it. Returns the rows dropped."""
    conn.execute(update(chats).where(chats.c.id == chat_id).values(active=False, send_failures=0))
    bump_revision(conn, SUBSCRIPTIONS)
    dropped = conn.execute(
        update(deliveries)
        .where(deliveries.c.chat_id == chat_id, deliveries.c.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.DROPPED, last_error=reason)
    ).rowcount
    return int(dropped)
