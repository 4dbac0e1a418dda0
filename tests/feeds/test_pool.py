"""Parsing in worker processes (`ParsePool`) gives what `parse_feed` gives, errors included,
falls back to a thread when the pool is closed or its workers die, and its workers end when
the process that made them is killed."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.feeds.parse import FeedError, NotAFeed, ParsedFeed, parse_feed
from bot.feeds.pool import ParsePool, available_cores, parse_in_thread

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
HTML_PAGE = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body></body></html>"


def parse_with(pool: ParsePool, content: bytes) -> ParsedFeed:
    async def go() -> ParsedFeed:
        return await pool.parse(content, source="Seed", url="https://example.com/f", now=NOW)

    return asyncio.run(go())


@pytest.fixture(scope="module")
def pool() -> Iterator[ParsePool]:
    made = ParsePool(2)
    yield made
    made.close()


def test_a_document_parsed_in_a_worker_process_is_the_same(
    pool: ParsePool, seed_article_path: Path
) -> None:
    content = seed_article_path.read_bytes()
    parsed = parse_with(pool, content)
    assert parsed == parse_feed(content, source="Seed", url="https://example.com/f", now=NOW)
    assert parsed.articles
    assert pool.in_processes


@pytest.mark.parametrize(
    ("content", "error", "reason"),
    [
        (HTML_PAGE, NotAFeed, "not a feed: an HTML page (<title>Sign in</title>)"),
        (b'{"items": []}', NotAFeed, "not a feed: JSON"),
        (b"  \n ", FeedError, "empty document"),
    ],
    ids=["html-page", "json", "empty"],
)
def test_errors_cross_the_process_boundary_with_their_reason(
    pool: ParsePool, content: bytes, error: type[FeedError], reason: str
) -> None:
    with pytest.raises(error) as raised:
        parse_with(pool, content)
    assert str(raised.value).startswith(reason)


def test_a_pool_whose_workers_died_parses_in_a_thread_then_starts_again(
    seed_article_path: Path,
) -> None:
    content = seed_article_path.read_bytes()
    pool = ParsePool(1)
    try:
        first = parse_with(pool, content)
        executor = pool._pool
        assert executor is not None
        for pid in list(executor._processes):  # the worker is killed, as by the OOM killer
            os.kill(pid, signal.SIGKILL)
        # The death is noticed by the executor's own thread: until then a parse may still go
        # to the dead pool, and is then redone in a thread.
        assert parse_with(pool, content) == first
        assert parse_with(pool, content) == first
        assert pool.in_processes  # a new pool (one restart of RESTARTS)
    finally:
        pool.close()


def test_a_closed_pool_parses_in_a_thread(seed_article_path: Path) -> None:
    pool = ParsePool(1)
    pool.close()
    content = seed_article_path.read_bytes()
    assert not pool.in_processes
    assert parse_with(pool, content) == asyncio.run(
        parse_in_thread(content, source="Seed", url="https://example.com/f", now=NOW)
    )
    assert pool._pool is None  # no process was started


def test_the_pool_is_sized_to_the_cores() -> None:
    assert ParsePool().workers == available_cores() >= 1


# A process that parses one document in a pool, prints its workers' ids, then waits.
PARSING_PROCESS = """
import asyncio, sys
from bot.feeds.pool import ParsePool
pool = ParsePool(2)
asyncio.run(pool.parse(open(sys.argv[1], "rb").read(), source="Seed"))
print(" ".join(map(str, pool.pids())), flush=True)
sys.stdin.read()
"""


def test_workers_end_when_the_bot_process_is_killed(seed_article_path: Path) -> None:
    with subprocess.Popen(
        [sys.executable, "-c", PARSING_PROCESS, str(seed_article_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # the orphaned semaphore tracker's complaint
        text=True,
    ) as parent:
        try:
            assert parent.stdout is not None
            workers = [int(pid) for pid in parent.stdout.readline().split()]
            assert workers  # started on demand: one, for one document
            assert all(_alive(pid) for pid in workers)
        finally:
            parent.kill()  # SIGKILL: no clean-up runs in the parent
            parent.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)


def _alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie left for its new parent to reap counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
