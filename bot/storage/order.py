"""The delivery order: which due rows of the outbox a round takes first.

In: the `deliveries` rows (pending, some not yet sized) and a round's size. Out: `size_new`
gives rows queued since it last ran their `turn`; `due_query` is the SELECT of the due rows
in order (read by `OutboxRepository.pending`). Fails with SQLAlchemy's errors.

The delivery order (README, "Delivery order"): rows queued together for one story (or one
broadcast) are a batch; each row's `turn` is its batch's queueing time plus the seconds the
batch takes at Telegram's free rate (`SIZE_RATE`), and rows are sent by turn, then by id. So
a story for 3 chats queued a second after a story for 10,000 goes before the tail of the big
one (its turn is 0.1 s after its queueing, theirs 333 s after theirs), yet nothing starves: a
row's turn is fixed, and every row queued later has a later turn once its own queueing time
has passed that one. A chat's rows go in the order they were queued (the chat's first
message is no later for it, and news reads in the order it happened), at most `per_chat` a
round, the chat placed by its earliest turn.
A row's turn is set the first time `OutboxRepository.pending` looks at the outbox after it
was queued
(`size_new`: one GROUP BY over the rows not sized yet, through a partial index; the poll
stage's insert needs to know nothing of it); a row released after an error keeps its turn.
A story queued for some chats at one moment and for others later makes two batches (the
poll stage queues a story's rows in one transaction, at one time).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    exists,
    func,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import NullType

from bot.models import DeliveryStatus
from bot.storage.schema import chats, deliveries

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


def size_new(conn: Connection) -> int:
    """Give the rows queued since the last call their turn (module docstring): one statement
    per batch, batches in a fixed order, each only over rows still without one, so that
    workers doing it at once agree (the later one finds nothing left). Returns how many rows
    were sized."""
    batch = (deliveries.c.article_id, deliveries.c.kind, deliveries.c.created_at)
    unsized = and_(deliveries.c.turn.is_(None), deliveries.c.status == DeliveryStatus.PENDING)
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


def due_query(now: datetime, limit: int, per_chat: int | None, chat_id: int | None) -> Select[Any]:
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
