"""The delivery job: PTB's JobQueue runs it every DELIVERY_INTERVAL seconds, and the poll job
runs it at once when new alerts were queued.

In: the PTB context (its `bot`) and the `Store`. Out: the outbox drained as far as Telegram
allows. Only one run at a time: a run that finds another still going returns at once.
"""

from __future__ import annotations

import asyncio

from telegram.ext import ContextTypes

from bot.clock import Clock, utc_now
from bot.delivery.sender import send_pending
from bot.storage.store import Store


class DeliveryJob:
    """Send what is due, round after round, until a round sends nothing."""

    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self.store = store
        self.clock = clock
        self._running = asyncio.Lock()

    async def __call__(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        if self._running.locked():
            return
        async with self._running:
            while (await send_pending(context.bot, self.store, clock=self.clock)).sent:
                pass
