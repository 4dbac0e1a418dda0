"""What a failed send does to its row and its chat, decided from Telegram's answer.

In: the claimed row (`Pending`) and the exception the send raised (PTB's classes, as
`bot.delivery.botapi` raises them). Out: the row and the chat recorded (`Store.sends`), the
round's `SendReport` counted, and whether the chat can take its next row now. Never raises
for a Telegram error; a row is never silently lost:
- 429 Too Many Requests: only that chat waits for retry_after, the other chats go on;
- a group migrated to a supergroup: the chat is moved and the row goes to the new id;
- 403 / "chat not found": the chat's rows wait with backoff; after `FAILURES_TO_DEACTIVATE`
  failures in a row the chat is deactivated and its pending rows dropped with the reason
  (`Store.sends.unreachable`; writing to the bot again reactivates it);
- no answer, or not Telegram's (a timeout, a reset connection, a 5xx that a proxy may give
  after delivery): Telegram may have accepted the message, so it is not sent again blindly:
  the row stays "sending" and is looked for in its chat after the backoff, as after a crash
  (`Store.sends.unanswered`, then `bot.delivery.recovery.settle`);
- a request that never left (`bot.delivery.botapi.NotSent`: no connection) and the
  unexpected: retried with backoff, up to `MAX_ATTEMPTS`.
Only an answer from Telegram itself (4xx, 429) or no connection at all is certain: a 4xx or
429 message was not accepted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.clock import Clock
from bot.delivery.botapi import NotSent
from bot.delivery.limits import RateLimiter
from bot.observability.metrics import ALERTS_FAILED
from bot.storage.outbox_rows import Pending
from bot.storage.store import Store

log = logging.getLogger(__name__)

# Passing errors (5xx, timeouts) are retried with backoff this many times (about 3 hours with
# the default base) before the alert is recorded as failed.
MAX_ATTEMPTS = 24
FAILURES_TO_DEACTIVATE = 3


@dataclass
class SendReport:
    """What one delivery round did (the delivery job goes on while rounds make progress)."""

    sent: int = 0
    postponed: int = 0
    failed: int = 0
    digests: int = 0
    held: int = 0
    unanswered: int = 0  # answers lost: the rows are looked for in their chats later
    found: int = 0  # rows whose answer was lost, found delivered
    resent: int = 0  # ... not found: pending again
    chats_deactivated: list[int] = field(default_factory=list)


def backoff(attempts: int, base: float = 5.0) -> timedelta:
    """Wait before retry number `attempts`: base, 2 x base, 4 x base ... capped at 10 minutes."""
    return timedelta(seconds=min(600.0, base * (1 << min(max(0, attempts), 10))))


def is_chat_gone(error: BadRequest) -> bool:
    message = error.message.lower()
    return "chat not found" in message or "user is deactivated" in message


def is_unanswered(exc: Exception) -> bool:
    """Whether Telegram may have accepted a send that failed with `exc`: no answer (timeout,
    reset) or not Telegram's own (a 5xx, maybe a proxy's after delivery). PTB's `BadRequest`
    is a `NetworkError` too, but it is Telegram refusing the message."""
    return isinstance(exc, NetworkError) and not isinstance(exc, BadRequest | NotSent)


def _seconds(wait: float | timedelta) -> float:
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


class Failures:
    """The fate of failed sends, for one delivery round."""

    def __init__(
        self,
        store: Store,
        limiter: RateLimiter,
        clock: Clock,
        report: SendReport,
        retry_base: float,
    ) -> None:
        self.store = store
        self.limiter = limiter
        self.clock = clock
        self.report = report
        self.retry_base = retry_base

    def gave_up(self, row: Pending, error: str, label: str) -> bool:
        """The row cannot be sent at all: "failed" with the reason; the chat goes on."""
        self.store.sends.fail(row.id, error=error)
        self.report.failed += 1
        ALERTS_FAILED.labels(label).inc()
        log.error(
            "row %s failed: %s",
            row.id,
            error,
            extra={"chat_id": row.chat_id, "delivery_id": row.id},
        )
        return True

    def failed(self, row: Pending, exc: Exception) -> bool:
        """Every failure but a refused message: decide the row's and the chat's fate."""
        if isinstance(exc, RetryAfter):
            return self._flood_control(row, exc)
        if isinstance(exc, ChatMigrated):
            self.store.sends.release(row.id, error=str(exc))
            self.store.chats.migrate_chat(row.chat_id, exc.new_chat_id)
            log.info(
                "chat %s migrated to %s",
                row.chat_id,
                exc.new_chat_id,
                extra={"chat_id": row.chat_id},
            )
            return False
        if isinstance(exc, Forbidden | BadRequest):
            return self.unreachable(row, exc.message)
        return self._retry_later(row, exc)

    def _flood_control(self, row: Pending, exc: RetryAfter) -> bool:
        """429: only this chat waits, for as long as Telegram said."""
        seconds = _seconds(exc.retry_after)
        self.limiter.pause_chat(row.chat_id, seconds)
        self.store.sends.release(row.id, error=str(exc))
        until = self.clock() + timedelta(seconds=seconds)
        self.store.sends.postpone_chat(row.chat_id, until=until, error=str(exc))
        self.report.postponed += 1
        log.warning(
            "flood control for chat %s: waiting %.0f s",
            row.chat_id,
            seconds,
            extra={"chat_id": row.chat_id},
        )
        return False

    def _retry_later(self, row: Pending, exc: Exception) -> bool:
        """Timeouts, network errors, 5xx (PTB raises NetworkError for them), and the
        unexpected: retried with backoff; an answer that may have been lost is looked for in
        the chat first."""
        if type(exc).__module__.split(".")[0] != "telegram":
            log.exception("unexpected error sending row %s", row.id, exc_info=exc)
        error = f"{type(exc).__name__}: {exc}"
        if row.attempts + 1 >= MAX_ATTEMPTS:
            self.gave_up(row, f"gave up after {MAX_ATTEMPTS} attempts: {error}", "gave_up")
            return False
        until = self.clock() + backoff(row.attempts, self.retry_base)
        extra = {"chat_id": row.chat_id, "delivery_id": row.id}
        if is_unanswered(exc):
            self.store.sends.unanswered(row.id, until=until, error=error)
            self.report.unanswered += 1
            log.warning(
                "row %s to chat %s: no answer (%s); looking for it in the chat before sending "
                "it again",
                row.id,
                row.chat_id,
                error,
                extra=extra,
            )
            return False
        self.store.sends.postpone(row.id, until=until, error=error)
        self.report.postponed += 1
        log.warning(
            "row %s to chat %s will be retried: %s", row.id, row.chat_id, error, extra=extra
        )
        return False

    def unreachable(self, row: Pending, error: str) -> bool:
        self.store.sends.release(row.id, error=error)
        until = self.clock() + backoff(row.send_failures, self.retry_base)
        failures, dropped = self.store.sends.unreachable(
            row.chat_id, until=until, error=error, deactivate_after=FAILURES_TO_DEACTIVATE
        )
        if dropped is not None:
            self.report.chats_deactivated.append(row.chat_id)
            ALERTS_FAILED.labels("chat_unreachable").inc(dropped)
            log.info(
                "chat %s unreachable (%s): %d alerts dropped",
                row.chat_id,
                error,
                dropped,
                extra={"chat_id": row.chat_id},
            )
        else:
            self.report.postponed += 1
            log.warning(
                "chat %s unreachable (%s), failure %d",
                row.chat_id,
                error,
                failures,
                extra={"chat_id": row.chat_id},
            )
        return False
