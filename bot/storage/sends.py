"""One send's life in the outbox: claimed, then sent, released, postponed or failed; a chat
that cannot be reached; and the rows a crash left "sending".

In: delivery ids, Telegram's answers (`Answer`), this worker's id. Out: the rows' fate
recorded, each step one short transaction; `interrupted` rows for crash recovery. Fails with
SQLAlchemy's errors.

`claim` is a conditional UPDATE (only a pending row can be claimed), so two senders cannot
send the same row; it records who claimed it (`claimed_by`, a worker id) and when (`sent_at`).
A chat with a row "sending" gets no other row until that one is settled, so at most one row
per chat is in flight and Telegram gives it the next message id of the chat; `mark_sent`
keeps the highest id seen per chat (`chats.last_message_id`, also raised by the messages the
bot receives: `ChatRepository.note_message`), and a claim records where the chat stood
(`probe_from`), so that recovery knows where to look whatever was written since.

A row still "sending" after a crash is ambiguous: Telegram may or may not have accepted it. It
is never assumed delivered: `interrupted` lists such rows (this worker's own at start-up, any
worker's once their claim is older than a lease), `take_over` makes one ours, and the sender
(bot.delivery.recovery) looks for it in the chat, then calls `mark_sent` or `release`.

A send whose answer was lost (a timeout, a reset, a 5xx: Telegram may have accepted it) is the
same case without the crash: `unanswered` keeps the row "sending" (so its chat still gets no
other row, and the message id it may have taken stays the one looked for), claimed by
`UNANSWERED` until the time to look for it; `unanswered_due` lists those whose time has come,
for any worker to take over and settle as recovery does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    bindparam,
    case,
    exists,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from bot.models import DeliveryStatus
from bot.storage.base import StoreBase
from bot.storage.chats import deactivate
from bot.storage.order import CONTENT_COLUMNS
from bot.storage.outbox_rows import Answer, InFlight, content_of
from bot.storage.schema import chats, deliveries

_IN_FLIGHT = deliveries.alias("in_flight")
# The claimer of a row whose answer was lost; its `sent_at` is when to look for it.
UNANSWERED = "unanswered"
# No other row of the same chat is "sending" (built once: it is part of every claim).
_CHAT_FREE = ~exists().where(
    _IN_FLIGHT.c.chat_id == deliveries.c.chat_id, _IN_FLIGHT.c.status == DeliveryStatus.SENDING
)
# The chat's highest known message id, recorded on a row as it is claimed (`probe_from`).
_CHAT_LAST = (
    select(chats.c.last_message_id).where(chats.c.id == deliveries.c.chat_id).scalar_subquery()
)
# A chat's highest known message id raised to the answer's ("m_id"), never lowered.
_HIGHEST = case(
    (
        or_(chats.c.last_message_id.is_(None), chats.c.last_message_id < bindparam("m_id")),
        bindparam("m_id"),
    ),
    else_=chats.c.last_message_id,
)


class SendRepository(StoreBase):
    """The outbox rows being sent, and the chats they go to."""

    def claim(self, delivery_ids: Sequence[int], *, now: datetime, owner: str) -> list[int]:
        """Mark pending rows "sending" in one transaction (committed before any of their
        requests goes out), claimed by worker `owner`; returns the ids won. A row is won only
        while it is pending and its chat has no other row "sending": the partial unique index
        on (chat_id) WHERE status = 'sending' makes that hold across workers even when two
        claims race on PostgreSQL (the loser's batch fails as a whole and is claimed again
        row by row, each row it cannot have skipped)."""
        if not delivery_ids:
            return []
        try:
            return self._claim(delivery_ids, now, owner)
        except IntegrityError:
            won: list[int] = []
            for one in delivery_ids:
                try:
                    won += self._claim([one], now, owner)
                except IntegrityError:
                    continue  # another worker has a row of this chat in flight
            return won

    def _claim(self, ids: Sequence[int], now: datetime, owner: str) -> list[int]:
        with self.engine.begin() as conn:
            return list(
                conn.execute(
                    update(deliveries)
                    .where(
                        deliveries.c.id.in_(list(ids)),
                        deliveries.c.status == DeliveryStatus.PENDING,
                        _CHAT_FREE,
                    )
                    .values(
                        status=DeliveryStatus.SENDING,
                        sent_at=now,
                        claimed_by=owner,
                        probe_from=_CHAT_LAST,
                    )
                    .returning(deliveries.c.id)
                ).scalars()
            )

    def mark_sent(self, answers: Sequence[Answer], *, now: datetime) -> None:
        """Sends accepted by Telegram, recorded in one transaction: each row "sent" with its
        message id, each chat's highest message id raised to it, and the failure count of
        chats that had failures reset."""
        if not answers:
            return
        with self.engine.begin() as conn:
            conn.execute(
                update(deliveries)
                .where(deliveries.c.id == bindparam("d_id"))
                .values(
                    status=DeliveryStatus.SENT,
                    message_id=bindparam("m_id"),
                    sent_at=now,
                    last_error=None,
                    attempts=deliveries.c.attempts + 1,
                ),
                [{"d_id": a.delivery_id, "m_id": a.message_id} for a in answers],
            )
            conn.execute(
                update(chats)
                .where(chats.c.id == bindparam("c_id"))
                .values(last_message_id=_HIGHEST),
                [{"c_id": a.chat_id, "m_id": a.message_id} for a in answers],
            )
            failed = [a.chat_id for a in answers if a.had_failures]
            if failed:
                conn.execute(update(chats).where(chats.c.id.in_(failed)).values(send_failures=0))

    def release(self, delivery_id: int, *, error: str) -> None:
        """A claimed row was not sent (a passing error): pending again, with the reason."""
        self._settle(delivery_id, status=DeliveryStatus.PENDING, last_error=error)

    def postpone(self, delivery_id: int, *, until: datetime, error: str) -> None:
        """A send failed for a passing reason: pending again, tried again at `until`."""
        self._settle(
            delivery_id,
            status=DeliveryStatus.PENDING,
            not_before=until,
            last_error=error,
            attempts=deliveries.c.attempts + 1,
        )

    def fail(
        self, delivery_id: int, *, error: str, status: DeliveryStatus = DeliveryStatus.FAILED
    ) -> None:
        """Give up on one row, keeping the reason (status "failed" or "dropped")."""
        with self.engine.begin() as conn:
            conn.execute(
                update(deliveries)
                .where(deliveries.c.id == delivery_id)
                .values(status=status, last_error=error, attempts=deliveries.c.attempts + 1)
            )

    def _settle(self, delivery_id: int, **values: object) -> None:
        """Back to pending: the claim is forgotten."""
        with self.engine.begin() as conn:
            conn.execute(
                update(deliveries)
                .where(deliveries.c.id == delivery_id)
                .values(sent_at=None, claimed_by=None, **values)
            )

    def postpone_chat(self, chat_id: int, *, until: datetime, error: str) -> None:
        """Hold every pending row of one chat (Telegram asked us to wait for it)."""
        with self.engine.begin() as conn:
            _postpone_chat(conn, chat_id, until, error)

    def unreachable(
        self, chat_id: int, *, until: datetime, error: str, deactivate_after: int
    ) -> tuple[int, int | None]:
        """The chat could not be reached (403, chat not found): count it and hold its rows
        until `until`; at `deactivate_after` failures in a row, deactivate the chat
        (`bot.storage.chats.deactivate`: its pending rows dropped with the reason, the
        subscriptions' revision moved, the count started again for when the user comes
        back). Returns (consecutive failures, rows dropped or None if still active)."""
        with self.engine.begin() as conn:
            failures = int(
                conn.execute(
                    update(chats)
                    .where(chats.c.id == chat_id)
                    .values(send_failures=chats.c.send_failures + 1)
                    .returning(chats.c.send_failures)
                ).scalar_one()
            )
            if failures < deactivate_after:
                _postpone_chat(conn, chat_id, until, error)
                return failures, None
            return failures, deactivate(conn, chat_id, f"chat unreachable: {error}")

    def unanswered(self, delivery_id: int, *, until: datetime, error: str) -> None:
        """A send's answer was lost: the row stays "sending", to be looked for at `until`."""
        with self.engine.begin() as conn:
            conn.execute(
                update(deliveries)
                .where(deliveries.c.id == delivery_id)
                .values(
                    claimed_by=UNANSWERED,
                    sent_at=until,
                    last_error=error,
                    attempts=deliveries.c.attempts + 1,
                )
            )

    def unanswered_due(self, *, now: datetime, limit: int = 500) -> list[InFlight]:
        """Rows whose answer was lost and whose time to be looked for has come, oldest first."""
        due = and_(deliveries.c.claimed_by == UNANSWERED, deliveries.c.sent_at <= now)
        return self._in_flight(due, limit)

    def interrupted(
        self, *, now: datetime, lease: timedelta, owner: str | Sequence[str] | None = None
    ) -> list[InFlight]:
        """Rows left "sending" by a worker that died: those claimed by `owner` (ids of workers
        known to be dead: this worker's previous life, a dead process of this host) and those
        of any worker claimed before `now - lease` (a live worker settles a row within
        seconds, so an older claim is from a worker that is gone)."""
        stale = or_(deliveries.c.sent_at.is_(None), deliveries.c.sent_at < now - lease)
        if owner is not None:
            owners = [owner] if isinstance(owner, str) else list(owner)
            stale = or_(stale, deliveries.c.claimed_by.in_(owners))
        return self._in_flight(stale, None)

    def _in_flight(self, where: ColumnElement[bool], limit: int | None) -> list[InFlight]:
        query = (
            select(
                deliveries.c.id,
                deliveries.c.chat_id,
                *CONTENT_COLUMNS,
                deliveries.c.claimed_by,
                deliveries.c.sent_at,
                deliveries.c.probe_from,
                chats.c.lang,
                chats.c.last_message_id,
            )
            .join(chats, chats.c.id == deliveries.c.chat_id)
            .where(deliveries.c.status == DeliveryStatus.SENDING, where)
            .order_by(deliveries.c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            InFlight(
                id=r.id,
                chat_id=r.chat_id,
                content=content_of(r, r.chat_id),
                lang=r.lang,
                claimed_by=r.claimed_by,
                claimed_at=r.sent_at,
                last_message_id=r.last_message_id,
                probe_from=r.probe_from,
            )
            for r in rows
        ]

    def take_over(self, row: InFlight, *, owner: str, now: datetime) -> bool:
        """Make an interrupted row ours (a fresh claim), unless another worker took it over
        or settled it since `interrupted` listed it."""
        claimed_at = (
            deliveries.c.sent_at.is_(None)
            if row.claimed_at is None
            else deliveries.c.sent_at == row.claimed_at
        )
        with self.engine.begin() as conn:
            result = conn.execute(
                update(deliveries)
                .where(
                    deliveries.c.id == row.id,
                    deliveries.c.status == DeliveryStatus.SENDING,
                    claimed_at,
                )
                .values(claimed_by=owner, sent_at=now)
            )
        return result.rowcount == 1


def _postpone_chat(conn: Connection, chat_id: int, until: datetime, error: str) -> None:
    mine = and_(deliveries.c.chat_id == chat_id, deliveries.c.status == DeliveryStatus.PENDING)
    conn.execute(update(deliveries).where(mine).values(not_before=until, last_error=error))
