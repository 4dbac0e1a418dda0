"""Telegram's overall limit shared by several delivery workers.

In: the limit (messages per second) and either a Redis URL or nothing. Out: `RedisPacer.take()`
returns when this worker may send one more message, counting every worker's sends. Without
Redis, workers share the limit through the database instead: each records a heartbeat
(`Store.workers.heartbeat`) and sends at `limit / live workers` (`RateLimiter.set_share`).

With Redis the pacing is exact and even: one key holds the time the next slot is free; a Lua
script (atomic in Redis) hands out the next slot and moves the key on by 1 / rate, so the
slots of all workers together are evenly spaced at the rate (a reservation: a slot taken and
not used is lost, which only makes us slower). Time is Redis' own clock, so workers' clocks
need not agree. If Redis cannot be reached, `take` logs it and waits one full slot per worker
it knows of (`fallback_share`), so sending goes on, slower, rather than stopping or racing.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

log = logging.getLogger(__name__)

KEY = "alertbot:telegram:next-slot"

# KEYS[1]: the next free slot (microseconds, Redis' clock). ARGV[1]: microseconds per message.
# Returns how many microseconds the caller waits for the slot it was given.
_NEXT_SLOT = """
local now = redis.call('TIME')
local now_us = tonumber(now[1]) * 1000000 + tonumber(now[2])
local next_us = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(next_us, now_us)
local step = tonumber(ARGV[1])
redis.call('SET', KEYS[1], string.format('%d', slot + step), 'PX', math.ceil(step / 1000) + 1000)
return slot - now_us
"""


class SharedLimit(Protocol):
    """A limit every worker counts against; `take` waits for one message's slot."""

    fallback_share: int  # live workers (the share to keep if the shared store fails)

    def set_rate(self, per_second: float) -> None: ...

    async def take(self) -> None: ...


class RedisPacer:
    """`per_second` messages a second across every worker using the same Redis and key."""

    def __init__(
        self, url: str, per_second: float, *, key: str = KEY, margin: float = 0.05
    ) -> None:
        from redis.asyncio import Redis  # only imported when REDIS_URL is set

        self._redis: Any = Redis.from_url(url)
        self._script: Any = self._redis.register_script(_NEXT_SLOT)
        self._margin = margin
        self.set_rate(per_second)
        self._key = key
        self.fallback_share = 1  # live workers, kept up to date by the delivery job

    def set_rate(self, per_second: float) -> None:
        """Pace at `per_second` from now on (paid broadcasts on or off: bot.delivery.limits)."""
        # The same margin as the local limiter: network jitter must not make Telegram count
        # one message more in a second than we did.
        self._step_us = max(1, round(1_000_000 * (1 + self._margin) / per_second))

    async def take(self) -> None:
        try:
            wait_us = int(await self._script(keys=[self._key], args=[self._step_us]))
        except Exception as exc:  # Redis down: slower, not stopped
            log.warning("Redis unavailable for the shared send limit: %s", exc)
            await asyncio.sleep(self._step_us * max(1, self.fallback_share) / 1_000_000)
            return
        if wait_us > 0:
            await asyncio.sleep(wait_us / 1_000_000)

    async def close(self) -> None:
        await self._redis.aclose()
