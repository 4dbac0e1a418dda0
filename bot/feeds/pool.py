"""Parsing feed documents off the event loop: in worker processes, or in a thread.

In: the same arguments as `bot.feeds.parse.parse_feed` (the document's bytes, the feed's name,
URL, Content-Type, the clock's now). Out: the `ParsedFeed`, awaited. Fails as `parse_feed` does
(`FeedError`, `NotAFeed`), with the same reasons.

Parsing is pure and CPU-bound (feedparser; ~30-50 ms for a 50 KB document). In a thread it
holds the GIL, so the event loop (fetches, the chat handlers, the database work) waits behind it
and a process with many feeds uses one core. `ParsePool` runs it in a process pool sized to the
cores instead. When a pool cannot be made (a platform without working process semaphores) or
its workers died, documents are parsed in a thread, as before: slower, never wrong. Processes
are started with "spawn" (never fork: the bot has threads, and forking them is unsafe), and
end by themselves when the bot process is gone, however it ended.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime

from bot.feeds.parse import ParsedFeed, parse_feed
from bot.models import SourceKind

log = logging.getLogger(__name__)

# A pool whose workers died (killed for memory, say) is made again this many times; after that
# parsing stays in threads.
RESTARTS = 3


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the platform tells it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def exit_with_parent(parent: int, every: float = 0.5) -> None:
    """In a worker process: end it when the bot process is gone. A bot killed outright
    (SIGKILL, the OOM killer) cannot stop its workers, and idle workers waiting for a job do
    not notice; each restart would leave two more behind."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


class ParsePool:
    """`parse_feed` in `workers` processes (default: one per core); `close()` when done.

    Made lazily at the first parse, so that a pipeline that never parses starts no process."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or available_cores()
        self._pool: ProcessPoolExecutor | None = None
        self._restarts = 0
        self._closed = False

    @property
    def in_processes(self) -> bool:
        """Whether documents are (still) parsed in worker processes rather than a thread."""
        return not self._closed and self._restarts <= RESTARTS

    def _executor(self) -> ProcessPoolExecutor | None:
        if self._pool is None and self.in_processes:
            try:
                self._pool = ProcessPoolExecutor(
                    self.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=exit_with_parent,
                    initargs=(os.getpid(),),
                )
            except (OSError, ImportError, NotImplementedError) as exc:
                log.warning("cannot start parser processes (%s): parsing in a thread", exc)
                self._restarts = RESTARTS + 1
        return self._pool

    async def parse(
        self,
        content: bytes,
        *,
        source: str,
        url: str | None = None,
        content_type: str | None = None,
        now: datetime | None = None,
        kind: SourceKind = SourceKind.NEWS,
    ) -> ParsedFeed:
        """Parse one document in a worker process, or in a thread when there is no pool."""
        job = _job(content, source, url, content_type, now, kind)
        pool = self._executor()
        if pool is not None:
            try:
                return await asyncio.get_running_loop().run_in_executor(pool, job)
            except BrokenProcessPool as exc:
                self._broken(pool, exc)
        return await asyncio.to_thread(job)

    def pids(self) -> list[int]:
        """The worker processes' ids (none before the first parse, or in a thread)."""
        pool = self._pool
        # ProcessPoolExecutor does not list its workers publicly; `_processes` is stable since 3.2.
        processes = getattr(pool, "_processes", None) or {}
        return sorted(processes)

    def _broken(self, pool: ProcessPoolExecutor, exc: BaseException) -> None:
        """A worker died: drop the pool (a new one is made at the next parse, a few times)."""
        if self._pool is pool:
            self._pool = None
            self._restarts += 1
            log.warning("a parser process died (%s): the pool is started again", exc)
            pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop the worker processes; later parses run in a thread."""
        self._closed = True
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


async def parse_in_thread(
    content: bytes,
    *,
    source: str,
    url: str | None = None,
    content_type: str | None = None,
    now: datetime | None = None,
    kind: SourceKind = SourceKind.NEWS,
) -> ParsedFeed:
    """Parse one document in a thread (no pool): what a pipeline without a `ParsePool` does."""
    return await asyncio.to_thread(_job(content, source, url, content_type, now, kind))


def _job(
    content: bytes,
    source: str,
    url: str | None,
    content_type: str | None,
    now: datetime | None,
    kind: SourceKind,
) -> functools.partial[ParsedFeed]:
    """One parse as a call a process pool can send to a worker (picklable) or a thread run."""
    return functools.partial(
        parse_feed, content, source=source, url=url, content_type=content_type, now=now, kind=kind
    )
