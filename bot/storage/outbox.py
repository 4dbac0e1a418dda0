"""The outbox's queue: what waits to be said to each chat, and the user's day applied to it.

In: alerts to queue (`OutboxRow`: a story, a chat and its hits) and messages written by the bot
(notices, broadcasts). Out: `Pending` rows in delivery order, with their stories (`stories`);
rows held back or released (quiet hours, digests, pause, hourly cap); counts. One row per chat
and article (unique). Fails with SQLAlchemy's errors.

The delivery order (which due rows a round takes first) is `bot.storage.order`.

The life of a row, each step one short transaction:
    pending --claim--> sending --mark_sent--> sent (with Telegram's message id)
       |                  |--release--> pending (a passing error: flood control, 5xx, timeout)
       |                  |--postpone--> pending with not_before (retried with backoff)
       |                  |--fail--> failed (with the reason)
       |                  |--unanswered--> sending, claimed by "unanswered" (the answer was
       |                  |     lost: looked for in the chat later, then sent or pending again)
       |--hold--> pending with held_until (quiet hours, digests, pause, hourly cap)
       |--store_digest--> digested (gathered into a new "digest" row, which is sent instead)
       |--unreachable / deactivate_chat / resume_chat--> dropped (with the reason)
Queueing and the day are here; one send's life (claim, sent, release, postpone, fail, a chat
unreachable, crash recovery) is `bot.storage.sends`; digests are `bot.storage.digests`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update

from bot.models import Article, DeliveryKind, DeliveryStatus
from bot.storage.base import StoreBase
from bot.storage.order import due_query, size_new
from bot.storage.outbox_rows import OutboxRow, Pending, content_of, outbox_values
from bot.storage.rows import article_of
from bot.storage.schema import articles, chats, deliveries


class OutboxRepository(StoreBase):
    """The durable outbox between match and deliver: queueing, the due rows, holding."""

    def enqueue_alerts(self, rows: Sequence[OutboxRow], *, now: datetime) -> int:
        """Queue alerts (tools, tests, benchmarks); a (chat, article) already queued is
        skipped. Returns how many were queued. The poll stage queues its alerts with its
        stories, in their transaction, with `outbox_values`."""
        if not rows:
            return 0
        # RETURNING, because drivers do not agree on an executemany's rowcount.
        insert = self._insert(deliveries).on_conflict_do_nothing().returning(deliveries.c.id)
        with self.engine.begin() as conn:
            queued = conn.execute(insert, [outbox_values(r, now) for r in rows]).all()
        return len(queued)

    def enqueue_notice(
        self,
        chat_ids: Sequence[int],
        text: str,
        *,
        now: datetime,
        kind: DeliveryKind = DeliveryKind.NOTICE,
    ) -> int:
        """Queue a message that is not an alert (feed health, a broadcast) for each chat, as
        plain text, through the same outbox and sender as alerts. A chat the bot has never
        heard from (an operator who never wrote to it) is recorded first, in the same
        transaction, as not reachable yet: its notices wait (rather than failing on the
        foreign key) and go out once it writes to the bot (`ChatRepository.upsert_chat`
        makes it active). Returns how many."""
        if not chat_ids:
            return 0
        with self.engine.begin() as conn:
            conn.execute(
                self._insert(chats).on_conflict_do_nothing(),
                [
                    {
                        "id": c,
                        "type": "private" if c > 0 else "group",
                        "active": False,
                        "created_at": now,
                    }
                    for c in dict.fromkeys(chat_ids)
                ],
            )
            conn.execute(
                deliveries.insert(),
                [
                    {
                        "chat_id": chat_id,
                        "kind": kind.value,
                        "text": html.escape(text, quote=False),
                        "plain_text": text,
                        "created_at": now,
                    }
                    for chat_id in chat_ids
                ],
            )
        return len(chat_ids)

    def pending(
        self,
        now: datetime,
        limit: int = 200,
        per_chat: int | None = None,
        chat_id: int | None = None,
    ) -> list[Pending]:
        """Rows due to be sent, in delivery order (module docstring), for active chats (or one
        chat); at most `per_chat` of each chat, so that one busy chat cannot fill a round. Held
        rows are not due until their `held_until`; rows postponed after an error not until
        `not_before`. When every chat's rows are asked for, rows queued since the last call
        are sized first (`size_new`)."""
        if chat_id is None:  # one chat's rows go in queueing order: no need of turns
            self.size_new()
        query = due_query(now, limit, per_chat, chat_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            Pending(
                id=r.id,
                chat_id=r.chat_id,
                content=content_of(r, r.chat_id),
                attempts=r.attempts,
                link_previews=r.link_previews,
                lang=r.lang,
                created_at=r.created_at,
                thread_id=r.thread_id,
                send_failures=r.send_failures,
            )
            for r in rows
        ]

    def size_new(self) -> int:
        """Give the rows queued since the last call their turn (`bot.storage.order`); how
        many rows were sized."""
        with self.engine.begin() as conn:
            return size_new(conn)

    def stories(self, article_ids: Sequence[int]) -> dict[int, Article]:
        """The stored stories of some rows, by id (one query for a round's distinct ids)."""
        if not article_ids:
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(articles).where(articles.c.id.in_(sorted(set(article_ids))))
            ).all()
        return {r.id: article_of(r) for r in rows}

    def sent_since(self, chat_id: int, since: datetime) -> int:
        """Alerts sent (or in flight) to the chat one by one since `since` (the hourly cap)."""
        done = [DeliveryStatus.SENDING, DeliveryStatus.SENT, DeliveryStatus.UNCONFIRMED]
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count()).where(
                        deliveries.c.chat_id == chat_id,
                        deliveries.c.kind == DeliveryKind.ALERT,
                        deliveries.c.status.in_(done),
                        deliveries.c.sent_at >= since,
                    )
                ).scalar_one()
            )

    def hold(self, delivery_ids: Sequence[int], *, until: datetime) -> None:
        """Keep pending rows back until `until` (quiet hours, digests, pause, hourly cap)."""
        if not delivery_ids:
            return
        with self.engine.begin() as conn:
            conn.execute(
                update(deliveries)
                .where(
                    deliveries.c.id.in_(list(delivery_ids)),
                    deliveries.c.status == DeliveryStatus.PENDING,
                )
                .values(held_until=until)
            )

    def release_held(self, chat_id: int) -> int:
        """Plan the chat's held rows again at the next delivery round (call after changing a
        chat's delivery settings, so that they are not left until `bot.delivery.day.RECHECK`).
        Returns how many were held."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(deliveries)
                .where(
                    deliveries.c.chat_id == chat_id,
                    deliveries.c.status == DeliveryStatus.PENDING,
                    deliveries.c.held_until.is_not(None),
                )
                .values(held_until=None)
            )
        return result.rowcount

    def delivery_counts(self, chat_id: int | None = None) -> dict[str, int]:
        """How many rows are in each outbox state (for tests, /stats and `feeds`)."""
        query = select(deliveries.c.status, func.count()).group_by(deliveries.c.status)
        if chat_id is not None:
            query = query.where(deliveries.c.chat_id == chat_id)
        with self.engine.connect() as conn:
            return {status: n for status, n in conn.execute(query).all()}
