"""The outbox's queue: what waits to be said to each chat, and the user's day applied to it.

In: alerts to queue (`OutboxRow`: a story, a chat and its hits) and messages written by the bot
(notices, broadcasts). Out: `Pending` rows in delivery order, with their stories (`stories`);
rows held back or released (quiet hours, digests, pause, hourly cap); counts. One row per chat
and article (unique). Fails with SQLAlchemy's errors.

The delivery order (README, "Delivery order"): rows queued together for one story (or one
broadcast) are a batch; each row's `turn` is its batch's queueing time plus the seconds the
batch takes at Telegram's free rate (`SIZE_RATE`), and rows are sent by turn, then by id. So
a story for 3 chats queued a second after a story for 10,000 goes before the tail of the big
one (its turn is 0.1 s after its queueing, theirs 333 s after theirs), yet nothing starves: a
row's turn is fixed, and every row queued later has a later turn once its own queueing time
has passed that one. A chat's rows go in the order they were queued (the chat's first
message is no later for it, and news reads in the order it happened), at most `per_chat` a
round, the chat placed by its earliest turn.
A row's turn is set the first time `pending` looks at the outbox after it was queued
(`size_new`: one GROUP BY over the rows not sized yet, through a partial index; the poll
stage's insert needs to know nothing of it); a row released after an error keeps its turn.

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
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select, true, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import NullType

from bot.models import Article, DeliveryKind, DeliveryStatus
from bot.storage.base import StoreBase
from bot.storage.outbox_rows import OutboxRow, Pending, content_of, outbox_values
from bot.storage.rows import article_of
from bot.storage.schema import articles, chats, deliveries

_IN_FLIGHT = deliveries.alias("in_flight")
# Messages a second a batch's size is measured in (Telegram's free broadcasting rate): it only
# weighs a batch's size against its age, so it need not be the rate actually sent at.
SIZE_RATE = 30.0
# Rows read in delivery order for each row a round takes: the per-chat share is applied to
# these only, so the read stays an index range however many rows are pending.
_LOOKAHEAD = 4
# The columns a row's `Content` is read from (bot.storage.outbox_rows.content_of).
CONTENT_COLUMNS = (
    deliveries.c.kind,
    deliveries.c.article_id,
    deliveries.c.matched,
    deliveries.c.text,
    deliveries.c.plain_text,
    deliveries.c.buttons,
)
_PENDING_COLUMNS = (
    deliveries.c.id,
    deliveries.c.chat_id,
    *CONTENT_COLUMNS,
    deliveries.c.attempts,
    deliveries.c.created_at,
    chats.c.link_previews,
    chats.c.lang,
    chats.c.thread_id,
    chats.c.send_failures,
)


class _Likely(ColumnElement[Any]):
    """A condition SQLite's planner is told is usually true (`likely(...)`); as it is
    elsewhere."""

    inherit_cache = True
    # Not Boolean: SQLite would compare a Boolean expression with 1 (no native booleans).
    type = NullType()

    def __init__(self, condition: ColumnElement[bool]) -> None:
        self.condition = condition


@compiles(_Likely)
def _likely(element: _Likely, compiler: SQLCompiler, **kw: Any) -> str:
    return str(compiler.process(element.condition, **kw))


@compiles(_Likely, "sqlite")
def _likely_sqlite(element: _Likely, compiler: SQLCompiler, **kw: Any) -> str:
    return f"likely({compiler.process(element.condition, **kw)})"


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
        `not_before`. Rows queued since the last call are sized first (`size_new`)."""
        self.size_new()
        query = _due_query(now, limit, per_chat, chat_id)
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
        """Give the rows queued since the last call their turn (module docstring): one
        statement per batch, batches in a fixed order, each only over rows still without one,
        so that workers doing it at once agree (the later one finds nothing left). Returns
        how many rows were sized."""
        batch = (deliveries.c.article_id, deliveries.c.kind, deliveries.c.created_at)
        unsized = and_(deliveries.c.turn.is_(None), deliveries.c.status == DeliveryStatus.PENDING)
        with self.engine.begin() as conn:
            groups = conn.execute(
                select(*batch, func.count()).where(unsized).group_by(*batch).order_by(*batch)
            ).all()
            sized = 0
            for article_id, kind, created_at, count in groups:
                same = (
                    deliveries.c.article_id.is_(None)
                    if article_id is None
                    else deliveries.c.article_id == article_id
                )
                turn = created_at + timedelta(seconds=count / SIZE_RATE)
                sized += conn.execute(
                    update(deliveries)
                    .where(
                        unsized,
                        same,
                        deliveries.c.kind == kind,
                        deliveries.c.created_at == created_at,
                    )
                    .values(turn=turn)
                ).rowcount
        return sized

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


def _due_query(now: datetime, limit: int, per_chat: int | None, chat_id: int | None) -> Select[Any]:
    """The SELECT behind `OutboxRepository.pending`: the first `_LOOKAHEAD * limit` due rows
    by turn (a range of `ix_deliveries_due`; rows not sized yet are where the database puts
    NULLs: only rows queued since `size_new` ran), then, over those only, each chat's rows
    in queueing order (at most `per_chat`), chats by their earliest turn."""
    due = and_(
        true() if chat_id is None else deliveries.c.chat_id == chat_id,
        # "Most rows are pending", so that SQLite (no statistics) reads `ix_deliveries_due` in
        # order rather than every pending row through (status, id) and a sort: 0.4-0.9 s a
        # round at 300,000 pending rows, against 10-30 ms.
        _Likely(deliveries.c.status == DeliveryStatus.PENDING),
        # One row in flight per chat: its message id must be the chat's next one, so that
        # after a crash it can be looked for there (bot.storage.sends.interrupted).
        ~exists().where(
            _IN_FLIGHT.c.chat_id == deliveries.c.chat_id,
            _IN_FLIGHT.c.status == DeliveryStatus.SENDING,
        ),
        chats.c.active.is_(True),
        or_(deliveries.c.not_before.is_(None), deliveries.c.not_before <= now),
        or_(deliveries.c.held_until.is_(None), deliveries.c.held_until <= now),
    )
    read = (
        select(*_PENDING_COLUMNS, deliveries.c.turn)
        .join(chats, chats.c.id == deliveries.c.chat_id)
        .where(due)
        .order_by(deliveries.c.turn, deliveries.c.id)
        .limit(_LOOKAHEAD * limit)
    )
    ahead = read.subquery()
    ranked = select(
        ahead,
        func.min(ahead.c.turn).over(partition_by=ahead.c.chat_id).label("chat_turn"),
        func.row_number().over(partition_by=ahead.c.chat_id, order_by=ahead.c.id).label("rank"),
    ).subquery()
    query = select(*(ranked.c[c.name] for c in _PENDING_COLUMNS))
    if per_chat is not None:
        query = query.where(ranked.c.rank <= per_chat)
    return query.order_by(ranked.c.chat_turn, ranked.c.chat_id, ranked.c.id).limit(limit)
