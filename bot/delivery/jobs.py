"""The delivery job: PTB's JobQueue runs it every DELIVERY_INTERVAL seconds, and the poll job
runs it at once when new alerts were queued.

In: the PTB context (its `bot`), the `Store`, the rate limiter shared by every send, and the
send options (disclaimer for digests, this worker's id). Out: the outbox drained as far as
Telegram's limits and the chats' days allow. Only one run at a time: a run that finds another
still going returns at once. The first run settles the rows this worker left "sending" when it
last stopped, before it sends anything (`bot.delivery.recovery`); later runs, once per lease,
settle rows that other workers left behind longer than the lease ago.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from datetime import datetime

from telegram.ext import ContextTypes

from bot.clock import Clock, utc_now
from bot.delivery.limits import RateLimiter
from bot.delivery.recovery import LEASE, recover_interrupted
from bot.delivery.sender import SendOptions, send_pending
from bot.storage.store import Store

log = logging.getLogger(__name__)


def worker_id() -> str:
    """This worker's id for claims: the host name, stable across restarts of the process.
    (Several workers on one host need distinct ids: pass `SendOptions(owner=...)`.)"""
    return socket.gethostname() or "worker"


class DeliveryJob:
    """Send what is due, round after round, until a round makes no progress."""

    def __init__(
        self,
        store: Store,
        clock: Clock = utc_now,
        *,
        limiter: RateLimiter | None = None,
        options: SendOptions | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.limiter = limiter or RateLimiter()
        self.options = options or SendOptions(owner=worker_id())
        self._running = asyncio.Lock()
        self._recovered_at: datetime | None = None

    async def __call__(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        if self._running.locked():
            return
        async with self._running:
            await self._recover(context)
            while True:
                report = await send_pending(
                    context.bot,
                    self.store,
                    clock=self.clock,
                    limiter=self.limiter,
                    options=self.options,
                )
                if not (report.sent or report.digests):
                    break

    async def _recover(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        now = self.clock()
        at_start = self._recovered_at is None
        if not at_start and self._recovered_at is not None and now - self._recovered_at < LEASE:
            return
        self._recovered_at = now
        report = await recover_interrupted(
            context.bot, self.store, owner=self.options.owner, at_start=at_start, clock=self.clock
        )
        if report.confirmed or report.resent or report.unsettled:
            log.warning(
                "alerts in flight at a stop: %d found delivered, %d sent again, %d unsettled",
                report.confirmed,
                report.resent,
                report.unsettled,
            )
