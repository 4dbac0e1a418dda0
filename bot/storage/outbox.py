"""Queries about the outbox: alerts waiting, sent, postponed, failed or dropped.

In: rendered alerts (`OutboxRow`). Out: `Pending` rows, oldest first, and their fate recorded.
One row per chat and article (unique). Fails with SQLAlchemy's errors.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update

from bot.storage.base import StoreBase
from bot.storage.schema import (
    chats,
    deliveries,
)


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


class OutboxQueries(StoreBase):
    """The durable outbox between render and deliver."""

    def enqueue_notice(
        self, chat_ids: Sequence[int], text: str, *, now: datetime, kind: str = "notice"
    ) -> int:
        """Queue a message that is not an alert (feed health, a broadcast) for each chat, as
        plain text, through the same outbox and sender as alerts. Returns how many."""
        if not chat_ids:
            return 0
        with self.engine.begin() as conn:
            conn.execute(
                deliveries.insert(),
                [
                    {
                        "chat_id": chat_id,
                        "kind": kind,
                        "text": html.escape(text, quote=False),
                        "plain_text": text,
                        "created_at": now,
                    }
                    for chat_id in chat_ids
                ],
            )
        return len(chat_ids)

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
