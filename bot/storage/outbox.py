"""Queries about the outbox: alerts waiting, being sent, sent, held, digested or dropped.

In: rendered alerts (`OutboxRow`), and the sender's account of each send. Out: `Pending` rows,
oldest first, and their fate recorded. One row per chat and article (unique). Fails with
SQLAlchemy's errors.

The life of a row, each step one short transaction:
    pending --claim--> sending --mark_sent--> sent (with Telegram's message id)
       |                  |--release--> pending (a passing error: flood control, 5xx, timeout)
       |--hold--> pending with held_until (quiet hours, digests, pause, hourly cap)
       |--store_digest--> digested (gathered into a new "digest" row, which is sent instead)
       |--deactivate / resume_chat--> dropped (with the reason)
`claim` is a conditional UPDATE (only a pending row can be claimed), so two senders cannot
send the same row; it records who claimed it (`claimed_by`, a worker id) and when (`sent_at`).
A chat with a row "sending" gets no other row until that one is settled, so at most one alert
per chat is in flight and Telegram gives it the next message id of the chat; `mark_sent`
keeps the highest id seen per chat (`chats.last_message_id`, also raised by the messages the
bot receives: `Store.chats.note_message`), and a claim records where the chat stood
(`probe_from`), so that recovery knows where to look whatever was written since.

A row still "sending" after a crash is ambiguous: Telegram may or may not have accepted it. It
is never assumed delivered: `interrupted` lists such rows (this worker's own at start-up, any
worker's once their claim is older than a lease), `take_over` makes one ours, and the sender
(bot.delivery.recovery) looks for it in the chat, then calls `mark_sent` or `release`.

For the chat commands: `pause_chat`, `resume_chat` (drops what arrived while paused, returns
how many) and `release_held` (call after changing a chat's delivery settings, so that held
alerts are planned again at once rather than within `bot.delivery.day.RECHECK`).
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    and_,
    bindparam,
    case,
    exists,
    func,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.exc import IntegrityError

from bot.models import Alert, DeliveryStatus
from bot.storage.base import StoreBase
from bot.storage.schema import (
    chats,
    deliveries,
)

_IN_FLIGHT = deliveries.alias("in_flight")
# No other row of the same chat is "sending" (built once: it is part of every claim).
_CHAT_FREE = ~exists().where(
    _IN_FLIGHT.c.chat_id == deliveries.c.chat_id, _IN_FLIGHT.c.status == DeliveryStatus.SENDING
)
# The chat's highest known message id, recorded on a row as it is claimed (`probe_from`).
_CHAT_LAST = (
    select(chats.c.last_message_id).where(chats.c.id == deliveries.c.chat_id).scalar_subquery()
)


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """An alert ready to be queued: the rendered message for one chat and one stored article.
    `matched` is JSON [[kind, value], ...]: the subscriptions it matched (digests group by it)."""

    chat_id: int
    article_id: int
    text: str
    plain_text: str
    buttons: str  # JSON: rows of {"label", "callback_data" | "url"}
    matched: str = "[]"


def matched_json(alert: Alert) -> str:
    """The `matched` column for an alert: its subscriptions' kinds and values."""
    pairs = [[h.subscription.kind.value, h.subscription.value] for h in alert.hits]
    return json.dumps(pairs, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Pending:
    """An outbox row waiting to be sent, with what the sender needs to know about its chat."""

    id: int
    chat_id: int
    text: str
    plain_text: str
    buttons: str
    attempts: int
    link_previews: bool
    kind: str = "alert"
    created_at: datetime | None = None
    thread_id: int | None = None
    send_failures: int = 0


@dataclass(frozen=True, slots=True)
class InFlight:
    """A row left "sending" (its request may or may not have reached Telegram)."""

    id: int
    chat_id: int
    text: str
    buttons: str
    claimed_by: str | None
    claimed_at: datetime | None
    last_message_id: int | None  # the chat's highest known message id now
    probe_from: int | None = None  # ... and when the row was claimed


@dataclass(frozen=True, slots=True)
class Answer:
    """Telegram accepted a row: its message id (for `mark_sent_many`)."""

    delivery_id: int
    chat_id: int
    message_id: int
    had_failures: bool = False


class OutboxRepository(StoreBase):
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

    def enqueue_alerts(self, rows: Sequence[OutboxRow], *, now: datetime) -> int:
        """Queue rendered alerts (tests, tools); a (chat, article) already queued is skipped.
        The pipeline queues its alerts inside `ingest`'s transaction instead."""
        if not rows:
            return 0
        with self.engine.begin() as conn:
            result = conn.execute(
                self._insert(deliveries)
                .values([outbox_values(r, now) for r in rows])
                .on_conflict_do_nothing()
            )
        return max(0, result.rowcount)

    def pending(
        self,
        now: datetime,
        limit: int = 200,
        per_chat: int | None = None,
        chat_id: int | None = None,
    ) -> list[Pending]:
        """Rows due to be sent, oldest first, for active chats (or one chat); at most
        `per_chat` of each chat, so that one busy chat cannot fill a round. Held rows are not
        due until their `held_until`; rows postponed after an error not until `not_before`."""
        in_flight = deliveries.alias("in_flight")
        due = and_(
            true() if chat_id is None else deliveries.c.chat_id == chat_id,
            deliveries.c.status == DeliveryStatus.PENDING,
            # One alert in flight per chat: its message id must be the chat's next one, so
            # that after a crash it can be looked for there (see `interrupted`).
            ~exists().where(
                in_flight.c.chat_id == deliveries.c.chat_id,
                in_flight.c.status == DeliveryStatus.SENDING,
            ),
            chats.c.active.is_(True),
            or_(deliveries.c.not_before.is_(None), deliveries.c.not_before <= now),
            or_(deliveries.c.held_until.is_(None), deliveries.c.held_until <= now),
        )
        columns = [
            deliveries.c.id,
            deliveries.c.chat_id,
            deliveries.c.kind,
            deliveries.c.text,
            deliveries.c.plain_text,
            deliveries.c.buttons,
            deliveries.c.attempts,
            deliveries.c.created_at,
            chats.c.link_previews,
            chats.c.thread_id,
            chats.c.send_failures,
        ]
        base = select(*columns).join(chats, chats.c.id == deliveries.c.chat_id).where(due)
        if per_chat is None:
            query = base.order_by(deliveries.c.id).limit(limit)
        else:
            rank = (
                func.row_number()
                .over(partition_by=deliveries.c.chat_id, order_by=deliveries.c.id)
                .label("rank")
            )
            ranked = base.add_columns(rank).subquery()
            query = (
                select(*(ranked.c[c.name] for c in columns))
                .where(ranked.c.rank <= per_chat)
                .order_by(ranked.c.id)
                .limit(limit)
            )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            Pending(
                id=r.id,
                chat_id=r.chat_id,
                text=r.text,
                plain_text=r.plain_text,
                buttons=r.buttons,
                attempts=r.attempts,
                link_previews=r.link_previews,
                kind=r.kind,
                created_at=r.created_at,
                thread_id=r.thread_id,
                send_failures=r.send_failures,
            )
            for r in rows
        ]

    def sent_since(self, chat_id: int, since: datetime) -> int:
        """Alerts sent (or in flight) to the chat one by one since `since` (the hourly cap)."""
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count()).where(
                        deliveries.c.chat_id == chat_id,
                        deliveries.c.kind == "alert",
                        deliveries.c.status.in_(
                            [
                                DeliveryStatus.SENDING,
                                DeliveryStatus.SENT,
                                DeliveryStatus.UNCONFIRMED,
                            ]
                        ),
                        deliveries.c.sent_at >= since,
                    )
                ).scalar_one()
            )

    # ------------------------------------------------------------------ one send

    def claim(self, delivery_id: int, *, now: datetime, owner: str = "") -> bool:
        """Mark a pending row "sending" (committed before its request goes out), claimed by
        worker `owner`; False when it is no longer pending (another sender took it, or the
        chat was dropped meanwhile)."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(deliveries)
                .where(
                    deliveries.c.id == delivery_id, deliveries.c.status == DeliveryStatus.PENDING
                )
                .values(
                    status=DeliveryStatus.SENDING,
                    sent_at=now,
                    claimed_by=owner,
                    probe_from=_CHAT_LAST,
                )
            )
        return result.rowcount == 1

    def claim_many(self, delivery_ids: Sequence[int], *, now: datetime, owner: str) -> list[int]:
        """Claim several pending rows in one transaction (all "sending", committed before any
        of their requests goes out); returns the ids won. A row is won only while it is
        pending and its chat has no other row "sending": the partial unique index on
        (chat_id) WHERE status = 'sending' makes that hold across workers even when two
        claims race on PostgreSQL (the loser's batch fails as a whole and is claimed again
        row by row, each row it cannot have skipped)."""
        if not delivery_ids:
            return []

        def claim(ids: Sequence[int]) -> list[int]:
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

        try:
            return claim(delivery_ids)
        except IntegrityError:
            won: list[int] = []
            for one in delivery_ids:
                try:
                    won += claim([one])
                except IntegrityError:
                    continue  # another worker has a row of this chat in flight
            return won

    def mark_sent_many(self, answers: Sequence[Answer], *, now: datetime) -> None:
        """Several sends accepted by Telegram, recorded in one transaction: each row "sent"
        with its message id, each chat's highest message id raised, and the failure count of
        chats that had failures reset (see `mark_sent`)."""
        if not answers:
            return
        highest = case(
            (
                or_(
                    chats.c.last_message_id.is_(None),
                    chats.c.last_message_id < bindparam("m_id"),
                ),
                bindparam("m_id"),
            ),
            else_=chats.c.last_message_id,
        )
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
                .values(last_message_id=highest),
                [{"c_id": a.chat_id, "m_id": a.message_id} for a in answers],
            )
            failed = [a.chat_id for a in answers if a.had_failures]
            if failed:
                conn.execute(update(chats).where(chats.c.id.in_(failed)).values(send_failures=0))

    def mark_sent(
        self, delivery_id: int, *, message_id: int, now: datetime, chat_id: int | None = None
    ) -> None:
        """Telegram accepted the message: "sent" with its id, and the chat's highest message
        id raised to it. With `chat_id`, the chat's failure count is reset in the same
        transaction (pass it when the chat had failures)."""
        owner = select(deliveries.c.chat_id).where(deliveries.c.id == delivery_id)
        highest = case(
            (
                or_(chats.c.last_message_id.is_(None), chats.c.last_message_id < message_id),
                message_id,
            ),
            else_=chats.c.last_message_id,
        )
        with self.engine.begin() as conn:
            conn.execute(
                update(chats)
                .where(chats.c.id == owner.scalar_subquery())
                .values(last_message_id=highest)
            )
            conn.execute(
                update(deliveries)
                .where(deliveries.c.id == delivery_id)
                .values(
                    status=DeliveryStatus.SENT,
                    message_id=message_id,
                    sent_at=now,
                    last_error=None,
                    attempts=deliveries.c.attempts + 1,
                )
            )
            if chat_id is not None:
                conn.execute(update(chats).where(chats.c.id == chat_id).values(send_failures=0))

    def release(self, delivery_id: int, *, error: str) -> None:
        """A claimed row was not sent (a passing error): pending again, with the reason."""
        with self.engine.begin() as conn:
            conn.execute(
                update(deliveries)
                .where(deliveries.c.id == delivery_id)
                .values(
                    status=DeliveryStatus.PENDING, sent_at=None, claimed_by=None, last_error=error
                )
            )

    def postpone(self, delivery_id: int, *, until: datetime, error: str) -> None:
        """A send failed for a passing reason: pending again, tried again at `until`."""
        with self.engine.begin() as conn:
            conn.execute(
                update(deliveries)
                .where(deliveries.c.id == delivery_id)
                .values(
                    status=DeliveryStatus.PENDING,
                    sent_at=None,
                    claimed_by=None,
                    not_before=until,
                    last_error=error,
                    attempts=deliveries.c.attempts + 1,
                )
            )

    def postpone_chat(self, chat_id: int, *, until: datetime, error: str) -> None:
        """Hold every pending alert of one chat (Telegram asked us to wait for it)."""
        with self.engine.begin() as conn:
            conn.execute(
                update(deliveries)
                .where(
                    deliveries.c.chat_id == chat_id, deliveries.c.status == DeliveryStatus.PENDING
                )
                .values(not_before=until, last_error=error)
            )

    def fail(self, delivery_id: int, *, error: str, status: str = DeliveryStatus.FAILED) -> None:
        """Give up on one alert, keeping the reason (status "failed" or "dropped")."""
        with self.engine.begin() as conn:
            conn.execute(
                update(deliveries)
                .where(deliveries.c.id == delivery_id)
                .values(status=status, last_error=error, attempts=deliveries.c.attempts + 1)
            )

    def record_send_failure(
        self, chat_id: int, *, until: datetime, error: str, deactivate_after: int
    ) -> tuple[int, int | None]:
        """The chat could not be reached (403, chat not found): count it and hold its alerts
        until `until`; at `deactivate_after` failures in a row, deactivate the chat and drop
        its pending alerts with the reason (its count starts again from 0 for when the user
        comes back). Returns (consecutive failures, alerts dropped or None if still active)."""
        with self.engine.begin() as conn:
            failures = int(
                conn.execute(
                    update(chats)
                    .where(chats.c.id == chat_id)
                    .values(send_failures=chats.c.send_failures + 1)
                    .returning(chats.c.send_failures)
                ).scalar_one()
            )
            mine = and_(
                deliveries.c.chat_id == chat_id, deliveries.c.status == DeliveryStatus.PENDING
            )
            if failures < deactivate_after:
                conn.execute(
                    update(deliveries).where(mine).values(not_before=until, last_error=error)
                )
                return failures, None
            conn.execute(
                update(chats).where(chats.c.id == chat_id).values(active=False, send_failures=0)
            )
            dropped = conn.execute(
                update(deliveries)
                .where(mine)
                .values(status=DeliveryStatus.DROPPED, last_error=f"chat unreachable: {error}")
            ).rowcount
        return failures, int(dropped)

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
        query = (
            select(
                deliveries.c.id,
                deliveries.c.chat_id,
                deliveries.c.text,
                deliveries.c.buttons,
                deliveries.c.claimed_by,
                deliveries.c.sent_at,
                chats.c.last_message_id,
                deliveries.c.probe_from,
            )
            .join(chats, chats.c.id == deliveries.c.chat_id)
            .where(deliveries.c.status == DeliveryStatus.SENDING, stale)
            .order_by(deliveries.c.id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            InFlight(
                id=r.id,
                chat_id=r.chat_id,
                text=r.text,
                buttons=r.buttons,
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

    # ------------------------------------------------------------------ workers

    # ------------------------------------------------------------------ the user's day

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
        """Plan the chat's held rows again at the next delivery round (after a change of
        settings). Returns how many were held."""
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

    # ------------------------------------------------------------------ reports

    def delivery_counts(self, chat_id: int | None = None) -> dict[str, int]:
        """How many alerts are in each outbox state (for tests, /stats and `feeds`)."""
        query = select(deliveries.c.status, func.count()).group_by(deliveries.c.status)
        if chat_id is not None:
            query = query.where(deliveries.c.chat_id == chat_id)
        with self.engine.connect() as conn:
            return {status: n for status, n in conn.execute(query).all()}


def outbox_values(row: OutboxRow, now: datetime) -> dict[str, object]:
    """The `deliveries` values for one rendered alert (shared with `ArticleRepository.ingest`)."""
    return {
        "chat_id": row.chat_id,
        "article_id": row.article_id,
        "text": row.text,
        "plain_text": row.plain_text,
        "buttons": row.buttons,
        "matched": row.matched,
        "created_at": now,
    }
