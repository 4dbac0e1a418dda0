"""A per-chat command rate limit, so that one user cannot flood the bot.

In: a limit (commands per window), a window in seconds and a monotonic clock. Out:
`RateLimiter.check(chat_id)` -> "ok", "warn" (the first refused command of a window: tell the
user once) or "drop" (refused silently, so a flood costs the bot no sends). Pure; the handler
that applies it is `bot.chat.gate.rate_limit`. Never raises.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Literal

Verdict = Literal["ok", "warn", "drop"]


class RateLimiter:
    """A sliding window of the last `limit` command times per chat.

    Chats idle for a whole window are forgotten once many are remembered (their history can no
    longer refuse anything), so memory follows the chats active within a window, not every
    chat that ever wrote.
    """

    def __init__(
        self,
        limit: int,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        forget_at: int = 10_000,  # remembered chats before idle ones are forgotten
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._times: dict[int, deque[float]] = {}
        self._warned: dict[int, float] = {}
        self._least = self._forget_at = forget_at

    def __len__(self) -> int:
        """Chats remembered."""
        return len(self._times)

    def check(self, chat_id: int) -> Verdict:
        now = self.clock()
        times = self._times.get(chat_id)
        if times is None:
            if len(self._times) >= self._forget_at:
                self._forget_idle(now)
            times = self._times[chat_id] = deque()
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            return "ok"
        warned = self._warned.get(chat_id)
        if warned is not None and now - warned < self.window:
            return "drop"
        self._warned[chat_id] = now
        return "warn"

    def _forget_idle(self, now: float) -> None:
        window = self.window
        self._times = {c: t for c, t in self._times.items() if t and now - t[-1] < window}
        self._warned = {c: w for c, w in self._warned.items() if now - w < window}
        # Many chats active at once: wait until there are twice as many before looking again,
        # so that forgetting costs O(1) per command on average.
        self._forget_at = max(self._least, 2 * len(self._times))

    def retry_in(self, chat_id: int) -> int:
        """Seconds until the chat may send a command again (at least 1)."""
        times = self._times.get(chat_id)
        if not times:
            return 1
        return max(1, int(self.window - (self.clock() - times[0])) + 1)
