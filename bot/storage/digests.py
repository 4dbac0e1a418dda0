"""Digests: the alerts of a chat gathered into one message.

In: delivery ids of held alert rows. Out: their `Alert`s (story and hits, read back as every
alert row is: `bot.storage.outbox_rows.hits_of`), and the digest rows that replace them.
Fails with SQLAlchemy's errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, select, update

from bot.models import Alert, DeliveryKind, DeliveryStatus
from bot.storage.base import StoreBase
from bot.storage.outbox_rows import hits_of
from bot.storage.rows import article_of
from bot.storage.schema import articles, deliveries


def _insert_digest(conn: Connection, chat_id: int, text: str, plain: str, now: datetime) -> int:
    return int(
        conn.execute(
            deliveries.insert()
            .values(
                chat_id=chat_id,
                kind=DeliveryKind.DIGEST.value,
                text=text,
                plain_text=plain,
                created_at=now,
            )
            .returning(deliveries.c.id)
        ).scalar_one()
    )


class DigestRepository(StoreBase):
    """Digest rows in the outbox."""

    def digest_alerts(self, delivery_ids: Sequence[int]) -> list[Alert]:
        """The `Alert`s of some alert rows, from their stored stories and hits, in row order
        (for `bot.render.digest.render_digest`)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(deliveries.c.chat_id, deliveries.c.matched, articles)
                .join(articles, articles.c.id == deliveries.c.article_id)
                .where(deliveries.c.id.in_(list(delivery_ids)))
                .order_by(deliveries.c.id)
            ).all()
        return [Alert(r.chat_id, article_of(r), hits_of(r.matched, r.chat_id)) for r in rows]

    def store_digest(
        self,
        chat_id: int,
        delivery_ids: Sequence[int],
        messages: Sequence[tuple[str, str]],
        *,
        now: datetime,
    ) -> list[int]:
        """Replace pending alert rows by digest rows ((html, plain text) per message), in one
        transaction: the alerts become "digested", pointing at the first digest row. Returns
        the new rows' ids; [] (and nothing changed) when some alert was no longer pending."""
        with self.engine.begin() as conn:
            ids = [_insert_digest(conn, chat_id, text, plain, now) for text, plain in messages]
            if not ids:
                return []
            taken = conn.execute(
                update(deliveries)
                .where(
                    deliveries.c.id.in_(list(delivery_ids)),
                    deliveries.c.status == DeliveryStatus.PENDING,
                )
                .values(status=DeliveryStatus.DIGESTED, digest_id=ids[0], held_until=None)
            ).rowcount
            if taken != len(delivery_ids):
                conn.rollback()
                return []
        return ids
