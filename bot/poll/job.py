"""The poll job for PTB's JobQueue: one poll cycle, then the delivery job when alerts wait.

In: the `PollCycle`, the delivery job's callback and (in a worker process) a way to get a new
`Matcher` when the subscriptions changed elsewhere. Out: nothing; new alerts wake the delivery
job at once. Only one run at a time: a tick that finds one running returns. A feed is polled
when it is due: the job ticks every `TICK` (a second) and does nothing until the earliest next
poll (read after each cycle), or `WAKE_AT_MOST` later at most so that feeds added by other
processes are found. A short tick rather than a self-rescheduling one-shot job: a cycle that
raises cannot break a chain, and a skipped tick costs one comparison. Fails as the cycle does
(PTB logs the error; the next tick runs again). Every tick also takes the documents WebSub
hubs pushed (a pushed story waits a second at most) and asks the hubs that are due.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from telegram.ext import ContextTypes

from bot.poll.alerts import Matcher
from bot.poll.cycle import PollCycle
from bot.websub.subscriber import Subscriber

TICK = 1.0  # seconds between two looks at the clock
WAKE_AT_MOST = timedelta(seconds=10)

JobCallback = Callable[[ContextTypes.DEFAULT_TYPE], Awaitable[None]]


class PollJob:
    """Poll due feeds, then wake the delivery job when new alerts were queued."""

    def __init__(
        self,
        cycle: PollCycle,
        on_new_alerts: JobCallback,
        fresh_matcher: Callable[[], Matcher | None] | None = None,
        subscriber: Subscriber | None = None,
    ) -> None:
        self.cycle = cycle
        self.on_new_alerts = on_new_alerts
        # For a worker process: a new Matcher when the subscriptions changed elsewhere.
        self.fresh_matcher = fresh_matcher
        self.subscriber = subscriber  # WebSub: asks hubs for subscriptions and renewals
        self._running = asyncio.Lock()
        self._wake_at: datetime | None = None

    async def __call__(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        if self._running.locked():
            return
        async with self._running:
            due = self._wake_at is None or self.cycle.clock() >= self._wake_at
            # Every tick: what hubs pushed (WebSub, when on), matched like a poll's stories.
            pushed = self.cycle.pushes_waiting()
            if due or pushed:
                self._refresh_matcher()
            results = await self.cycle.poll_pushed() if pushed else []
            if self.subscriber is not None:
                await self.subscriber.ask_due()
            if due:
                results += await self.cycle.poll_due()
                self._wake_at = self._next_wake()
        if any(r.new_stories for r in results):
            await self.on_new_alerts(context)

    def _refresh_matcher(self) -> None:
        if self.fresh_matcher is not None:
            matcher = self.fresh_matcher()
            if matcher is not None:
                self.cycle.matcher = matcher

    def _next_wake(self) -> datetime:
        """The earliest next poll, but no later than WAKE_AT_MOST from now."""
        latest = self.cycle.clock() + WAKE_AT_MOST
        due = self.cycle.next_due()
        return latest if due is None else min(due, latest)
