"""The poll job for PTB's JobQueue: one poll cycle, then the delivery job when alerts wait.

In: the `PollCycle`, the delivery job's callback and (in a worker process) a way to get a new
`Matcher` when the subscriptions changed elsewhere. Out: nothing; new alerts wake the delivery
job at once. Only one run at a time: a tick that finds one running returns. Fails as the cycle
does (PTB logs the error; the next tick runs again).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from telegram.ext import ContextTypes

from bot.poll.alerts import Matcher
from bot.poll.cycle import PollCycle

JobCallback = Callable[[ContextTypes.DEFAULT_TYPE], Awaitable[None]]


class PollJob:
    """Poll due feeds, then wake the delivery job when new alerts were queued."""

    def __init__(
        self,
        cycle: PollCycle,
        on_new_alerts: JobCallback,
        fresh_matcher: Callable[[], Matcher | None] | None = None,
    ) -> None:
        self.cycle = cycle
        self.on_new_alerts = on_new_alerts
        # For a worker process: a new Matcher when the subscriptions changed elsewhere.
        self.fresh_matcher = fresh_matcher
        self._running = asyncio.Lock()

    async def __call__(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        if self._running.locked():
            return
        async with self._running:
            if self.fresh_matcher is not None:
                matcher = self.fresh_matcher()
                if matcher is not None:
                    self.cycle.matcher = matcher
            results = await self.cycle.poll_due()
        if any(r.new_stories for r in results):
            await self.on_new_alerts(context)
