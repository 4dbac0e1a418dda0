"""Telegram's sending limits, kept on our side so that Telegram never has to enforce them.

In: the limits (`Limits`: messages per second overall, per private chat, per group and minute)
and, for each send, the chat id. Out: `RateLimiter.acquire(chat_id)` returns when a message to
that chat may go (or False when the chat is not ready soon enough, so the caller can serve
other chats meanwhile); `pause_chat` holds one chat after a 429. Never raises.

Limits are sliding windows over the times of past sends (a monotonic clock, injectable for
tests): a group id is negative, a private chat positive. The overall limit is also paced:
sends are spread evenly over the second rather than sent in bursts. The pace keeps its own
schedule (each slot one spacing after the last slot, not after the last send), so an event
loop that wakes a millisecond late catches up with the next slot instead of losing the time
for good: at 1,000 a second, losing it each time cost a third of the rate. It may run at most
`CATCH_UP` seconds behind its schedule, so a catch-up is a handful of sends, never a burst. A
small margin is added to each window so that network jitter cannot make Telegram count one
message more than we did; the sliding window (`count` sends per window and margin) bounds
every second whatever the pace does.
With several delivery workers, the overall limit is shared (bot.delivery.shared): through Redis
when a `SharedLimit` is given (every send also takes a slot there), else each worker keeps
`1 / set_share(n)` of it, n being the live workers the database knows of.

Paid broadcasts (PAID_BROADCAST, `Limits.paid_per_second`): the overall limit is Telegram's
1,000 a second while `paid_broadcast()` says so (every send then asks for it); when Telegram
says the bot's Stars balance is short, `stop_paid` falls back to the free limit, and paid
sending is tried again after `PAID_RETRY` (the balance may have been topped up). The per-chat
limits are the same either way.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.delivery.shared import SharedLimit

Monotonic = Callable[[], float]

# Telegram's overall limit for messages sent with allow_paid_broadcast.
PAID_PER_SECOND = 1000.0
# Seconds before paid sending is tried again after Telegram said the Stars balance was short.
PAID_RETRY = 600.0
# Seconds the overall pace may run behind its schedule and catch up: a late wake-up, not an
# idle while.
CATCH_UP = 0.02


@dataclass(frozen=True, slots=True)
class Limits:
    """None lifts a limit (a local Bot API server, paid broadcasts, benchmarks)."""

    overall_per_second: float | None = 30
    private_per_second: float | None = 1
    group_per_minute: int | None = 20
    margin: float = 0.05  # seconds added to every window
    paid_per_second: float | None = None  # the overall limit with paid broadcasts, if on

    @classmethod
    def lifted(cls) -> Limits:
        return cls(overall_per_second=None, private_per_second=None, group_per_minute=None)

    @classmethod
    def for_bot(cls, free_per_second: float, *, paid: bool) -> Limits:
        """Telegram's limits: `free_per_second` overall (MAX_MESSAGES_PER_SECOND), or 1,000
        with paid broadcasts (PAID_BROADCAST) while the Stars balance lasts."""
        return cls(
            overall_per_second=free_per_second,
            paid_per_second=PAID_PER_SECOND if paid else None,
        )


def _wait(times: deque[float], count: int, window: float, now: float) -> float:
    """Seconds until one more event fits `count` per `window` (0 when it fits now)."""
    while times and now - times[0] >= window:
        times.popleft()
    if len(times) < count:
        return 0.0
    return times[-count] + window - now


class RateLimiter:
    """Overall, per-chat and flood-control limits; see the module docstring."""

    def __init__(
        self,
        limits: Limits | None = None,
        now: Monotonic = time.monotonic,
        shared: SharedLimit | None = None,
    ) -> None:
        self.whole = limits or Limits()  # the limits of all workers together
        self.limits = self.whole  # this worker's
        self.shared = shared
        self._now = now
        self._overall: deque[float] = deque()
        self._next_slot = 0.0  # when the overall pace lets the next send go
        self._chats: dict[int, deque[float]] = {}
        self._paused: dict[int, float] = {}
        self._lock = asyncio.Lock()
        self._workers = 1
        self._paid = self.whole.paid_per_second is not None
        self._paid_again_at = 0.0
        self._apply()

    def _apply(self) -> None:
        """This worker's limits: its share of the overall rate, paid or free."""
        rate = self._whole_rate()
        self.limits = replace(
            self.whole, overall_per_second=None if rate is None else rate / self._workers
        )
        if self.shared is not None and rate is not None:
            self.shared.set_rate(rate)  # every worker's sends together, so not divided

    def _whole_rate(self) -> float | None:
        """The overall limit of all the workers together, paid or free."""
        return self.whole.paid_per_second if self._paid else self.whole.overall_per_second

    def set_share(self, workers: int) -> None:
        """Keep 1 / `workers` of the overall limit (the other live workers have the rest)."""
        if workers < 1:
            return
        self._workers = workers
        self._apply()

    def paid_broadcast(self) -> bool:
        """Whether sends now go as paid broadcasts (PAID_BROADCAST on, and the Stars balance
        not found short within `PAID_RETRY` seconds)."""
        if self.whole.paid_per_second is None:
            return False
        if not self._paid and self._now() >= self._paid_again_at:
            self._paid = True
            self._apply()
        return self._paid

    def stop_paid(self) -> bool:
        """Telegram refused a paid broadcast (the Stars balance is short): send at the free
        limit for `PAID_RETRY` seconds. True if this changed the limit (the first refusal)."""
        self._paid_again_at = self._now() + PAID_RETRY
        if not self._paid:
            return False
        self._paid = False
        self._apply()
        return True

    def per_round(self, seconds: float, *, everyone: bool = False) -> int | None:
        """Messages this worker (or, with `everyone`, all the workers sharing the limit
        together) may send in `seconds` (None: no overall limit)."""
        rate = self._whole_rate() if everyone else self.limits.overall_per_second
        return None if rate is None else max(1, int(rate * seconds))

    def _chat_rule(self, chat_id: int) -> tuple[int, float] | None:
        limits = self.limits
        if chat_id < 0:
            if limits.group_per_minute is None:
                return None
            return limits.group_per_minute, 60.0 + limits.margin
        if limits.private_per_second is None:
            return None
        # "1 per second" is 1 per (1 / rate) seconds; a fractional rate becomes a longer window.
        return 1, 1.0 / limits.private_per_second + limits.margin

    def chat_wait(self, chat_id: int) -> float:
        """Seconds until this chat may receive a message (flood pause included)."""
        now = self._now()
        paused = max(0.0, self._paused.get(chat_id, 0.0) - now)
        rule = self._chat_rule(chat_id)
        times = self._chats.get(chat_id)
        if rule is None or times is None:
            return paused
        return max(paused, _wait(times, rule[0], rule[1], now))

    def _overall_rule(self) -> tuple[int, float] | None:
        """The overall limit as `count` sends per `window` seconds, margin included."""
        rate = self.limits.overall_per_second
        if rate is None:
            return None
        # A fractional rate (0.5/s) is one per (1 / rate) seconds.
        count, window = (int(rate), 1.0) if rate >= 1 else (1, 1.0 / rate)
        return count, window + self.limits.margin

    def overall_wait(self) -> float:
        """Seconds until the overall limit lets one more send go (0: now)."""
        if (rule := self._overall_rule()) is None:
            return 0.0
        now = self._now()
        full = _wait(self._overall, rule[0], rule[1], now)
        return max(full, self._next_slot - now, 0.0)

    def record(self, chat_id: int) -> None:
        """Count one message sent to `chat_id` now."""
        now = self._now()
        if (rule := self._overall_rule()) is not None:
            self._overall.append(now)
            # Evenly spaced, not in bursts of `count`: a burst answered late (a slow network, a
            # busy server) would land in Telegram's next second together with the next burst.
            # The next slot follows this one's scheduled time, unless the pace fell more than
            # `CATCH_UP` behind (the sender was idle): then it starts again from now.
            count, window = rule
            self._next_slot = max(self._next_slot, now - CATCH_UP) + window / count
        if self._chat_rule(chat_id) is not None:
            self._chats.setdefault(chat_id, deque()).append(now)
        if len(self._chats) > 50_000:
            self._forget_idle(now)

    def _forget_idle(self, now: float) -> None:
        """Drop chats whose last send is older than the longest window (bounded memory)."""
        horizon = 61.0 + self.limits.margin
        self._chats = {c: t for c, t in self._chats.items() if t and now - t[-1] < horizon}

    def pause_chat(self, chat_id: int, seconds: float) -> None:
        """Telegram said "retry after `seconds`" for this chat: hold only this chat."""
        self._paused[chat_id] = max(self._paused.get(chat_id, 0.0), self._now() + seconds)

    async def acquire(self, chat_id: int, *, max_wait: float = 0.0) -> bool:
        """Wait for a slot to send to `chat_id` and take it. False, at once, when the chat
        itself is not ready within `max_wait` seconds (the overall limit is always waited for).
        One sender per chat at a time is assumed (the sender sends a chat's alerts in order)."""
        wait = self.chat_wait(chat_id)
        if wait > max_wait:
            return False
        if wait > 0:
            await asyncio.sleep(wait)
        # The overall slot is handed out in arrival order, one waiter at a time.
        async with self._lock:
            while (wait := max(self.overall_wait(), self.chat_wait(chat_id))) > 0:  # noqa: ASYNC110
                await asyncio.sleep(wait)  # a deadline to wait for, not an event
            self.record(chat_id)
            if self.shared is not None:
                await self.shared.take()  # every worker's sends, counted in one place
        return True
