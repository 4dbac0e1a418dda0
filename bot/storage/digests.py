"""Digests: the alerts of a chat gathered into one message.

In: delivery ids of held alerts. Out: their `Alert`s, and one new digest row that replaces
them. Fails with SQLAlchemy's errors.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    select,
    update,
)

from bot.models import (
    Alert,
    Article,
    DeliveryStatus,
    Hit,
    Kind,
    Subscription,
)
from bot.storage.base import StoreBase
from bot.storage.schema import (
    articles,
    deliveries,
)


def _insert_digest(conn: Connection, chat_id: int, text: str, plain: str, now: datetime) -> int:
    return int(
        conn.execute(
            deliveries.insert()
            .values(chat_id=chat_id, kind="digest", text=text, plain_text=plain, created_at=now)
            .returning(deliveries.c.id)
        ).scalar_one()
    )


def _words(value: str) -> tuple[str, ...]:
    return tuple(value.split())


def _alert(row: Any) -> Alert:
    r = row._mapping  # by name: "items" and "text" would be ambiguous as attributes
    article = Article(
        key=r["key"],
        entry_id=r["key"],
        title=r["title"],
        url=r["url"],
        text=r["text"],
        published=r["published"],
        source=r["source"],
        feed_tickers=_words(r["feed_tickers"]),
        form=r["form"],
        items=_words(r["items"]),
    )
    chat_id: int = r["chat_id"]
    hits = tuple(
        Hit(Subscription(id=0, chat_id=chat_id, kind=Kind(kind), value=value), (), "")
        for kind, value in json.loads(r["matched"])
    )
    return Alert(chat_id=chat_id, article=article, hits=hits)


class DigestRepository(StoreBase):
    """Digest rows in the outbox."""

    def digest_alerts(self, delivery_ids: Sequence[int]) -> list[Alert]:
        """The `Alert`s of some alert rows, rebuilt from their stored articles and what they
        matched, in row order (for `bot.render.digest.render_digest`)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(deliveries.c.chat_id, deliveries.c.matched, articles)
                .join(articles, articles.c.id == deliveries.c.article_id)
                .where(deliveries.c.id.in_(list(delivery_ids)))
                .order_by(deliveries.c.id)
            ).all()
        return [_alert(r) for r in rows]

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
