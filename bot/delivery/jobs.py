"""The delivery job: PTB's JobQueue runs it every DELIVERY_INTERVAL seconds, and the poll job
runs it at once when new alerts were queued.

In: the Bot API client the sends and recovery's probes go through (`bot.delivery.botapi`; the
bot's application makes one from its settings and closes it at shutdown), the PTB context,
the `Store`, the rate limiter shared by every send, and the send options
(disclaimer for digests, this worker's id). Out: the outbox drained as far as
Telegram's limits and the chats' days allow. Only one run at a time: a run that finds another
still going returns at once. The first run settles the rows this worker left "sending" when it
last stopped, before it sends anything (`bot.delivery.recovery`); later runs, once per lease,
settle rows that other workers left behind longer than the lease ago.

Each worker has its own id (`worker_id`: host, process id and a random part, as several
workers may share a host). A claim by a process of this host that no longer runs (or by a
previous process with this one's pid: a restarted container) is settled at once rather than
after the lease. Each run also records this worker's heartbeat; without Redis, the limiter
then keeps `1 / live workers` of Telegram's overall limit (bot.delivery.shared).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import secrets
import socket
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from telegram.ext import ContextTypes

from bot.clock import Clock, utc_now
from bot.delivery.botapi import SendApi
from bot.delivery.limits import RateLimiter
from bot.delivery.recovery import LEASE, recover_interrupted
from bot.delivery.sender import SendOptions, send_pending
from bot.storage.store import Store

log = logging.getLogger(__name__)


HEARTBEAT = timedelta(seconds=2)  # how often a worker says it is alive
STALE = timedelta(seconds=15)  # a worker not heard of for this long no longer takes a share


def worker_id() -> str:
    """This process's id for claims and leases: "host:pid:random", the same for the whole
    life of the process (and new in a forked child)."""
    return _worker_id(os.getpid())


def host_id() -> str:
    """This host's name (the first part of a worker's id)."""
    return socket.gethostname() or "worker"


@functools.cache
def _worker_id(pid: int) -> str:
    return f"{host_id()}:{pid}:{secrets.token_hex(3)}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def dead_here(claimers: Sequence[str], me: str) -> list[str]:
    """The claimers that are dead processes of this host: a host:pid:random id with this
    host whose pid no longer runs or is this process's own pid (an earlier life with the same
    pid), and the bare host name older versions used. Other hosts' workers are left to the
    lease."""
    host, _, rest = me.partition(":")
    my_pid = rest.partition(":")[0]
    dead = []
    for claimer in claimers:
        if claimer == me:
            continue
        parts = claimer.split(":")
        ours = len(parts) == 3 and parts[0] == host and parts[1].isdigit()
        if parts == [host] or (ours and (parts[1] == my_pid or not _alive(int(parts[1])))):
            dead.append(claimer)
    return dead


class DeliveryJob:
    """Send what is due, round after round, until a round makes no progress."""

    def __init__(
        self,
        store: Store,
        clock: Clock = utc_now,
        *,
        api: SendApi,
        limiter: RateLimiter | None = None,
        options: SendOptions | None = None,
        lease: timedelta = LEASE,
        on_unreachable: Callable[[list[int]], None] | None = None,
    ) -> None:
        self.store = store
        self.api = api
        # Told the chats a round deactivated (the one-process bot drops them from its index).
        self.on_unreachable = on_unreachable
        # Other workers' rows are taken over once their claim is older than the lease; dead
        # processes of this host are looked for more often (at most every 30 s).
        self.lease = lease
        self.recovery_interval = min(lease, timedelta(seconds=30))
        self.clock = clock
        self.limiter = limiter or RateLimiter()
        self.options = options or SendOptions(owner=worker_id())
        self._running = asyncio.Lock()
        self._recovered_at: datetime | None = None
        self._heard_at: datetime | None = None

    async def __call__(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        if self._running.locked():
            return
        async with self._running:
            await self._recover(context)
            while True:
                self._heartbeat()
                report = await send_pending(
                    self.api,
                    self.store,
                    clock=self.clock,
                    limiter=self.limiter,
                    options=self.options,
                )
                if report.chats_deactivated and self.on_unreachable is not None:
                    self.on_unreachable(report.chats_deactivated)
                if not (report.sent or report.digests or report.found or report.resent):
                    break

    def _heartbeat(self) -> None:
        now = self.clock()
        if self._heard_at is not None and now - self._heard_at < HEARTBEAT:
            return
        self._heard_at = now
        live = self.store.workers.heartbeat(self.options.owner, now=now, stale=STALE)
        if self.limiter.shared is None:
            self.limiter.set_share(live)
        else:
            self.limiter.shared.fallback_share = live

    async def _recover(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        now = self.clock()
        at_start = self._recovered_at is None
        if (
            not at_start
            and self._recovered_at is not None
            and now - self._recovered_at < self.recovery_interval
        ):
            return
        self._recovered_at = now
        dead = dead_here(self.store.workers.claimers(), self.options.owner)
        report = await recover_interrupted(
            self.api,
            self.store,
            owner=self.options.owner,
            at_start=at_start,
            clock=self.clock,
            dead=dead,
            lease=self.lease,
            style=self.options.style,
        )
        if report.confirmed or report.resent or report.unsettled:
            log.warning(
                "alerts in flight at a stop: %d found delivered, %d sent again, %d unsettled",
                report.confirmed,
                report.resent,
                report.unsettled,
            )
