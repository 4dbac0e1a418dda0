"""The delivery job: PTB's JobQueue runs it every DELIVERY_INTERVAL seconds, and the poll job
runs it at once when new alerts were queued.

In: the PTB context (its `bot`), the `Store`, the rate limiter shared by every send, and the
send options (disclaimer for digests). Out: the outbox drained as far as Telegram's limits and
the chats' days allow. Only one run at a time: a run that finds another still going returns at
once. The first run recovers rows left "sending" by a crash (`Store.recover_interrupted`).
"""

from __future__ import annotations

import asyncio
import logging

from telegram.ext import ContextTypes

from bot.clock import Clock, utc_now
from bot.delivery.limits import RateLimiter
from bot.delivery.sender import SendOptions, send_pending
from bot.storage.store import Store

log = logging.getLogger(__name__)


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
        self.options = options or SendOptions()
        self._running = asyncio.Lock()
        self._recovered = False

    async def __call__(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        if self._running.locked():
            return
        async with self._running:
            if not self._recovered:
                self._recovered = True
                count = self.store.recover_interrupted()
                if count:
                    log.warning("%d alerts were in flight at the last stop: not sent again", count)
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
