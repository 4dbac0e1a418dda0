"""Benchmark: one fan-out of N alerts to N chats through the fake Bot API on 127.0.0.1.

In: command-line options (see --help). Out: printed figures. The fake Bot API runs in its own
process; the sender (bot.delivery.sender.send_pending, the same code as the running bot, with
the bot's Bot API client, bot.delivery.botapi, over HTTP) and the database (a fresh SQLite
file, or --database-url) run here. The outbox holds what the poll stage queues (a story and
each chat's hit); each message is rendered as it is sent, text and keyboard ("Mute $AMZN",
"Open"), as in the running bot.

(a) limits lifted: messages per second; the bot should never be the bottleneck (>= 300/s).
(b) Telegram's default limits, with the fake answering 429 beyond them: the observed rate
    (the most messages accepted in any one second) stays at or under 30/s and no 429 occurs.
    (b) sends --limited alerts (default 900, about 30 s); --limited 10000 sends them all.

Run: python -m bench.fanout [--alerts 10000] [--limited 900]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.delivery.botapi import BotAPI
from bot.delivery.limits import Limits, RateLimiter
from bot.delivery.sender import SendOptions, send_pending
from bot.models import Article, Feed, Hit, Kind, Subscription
from bot.storage.db import migrate, open_engine
from bot.storage.store import OutboxRow, Store

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
BODY = (
    "Amazon Web Services said on Tuesday its new Trainium3 chip is available to customers.\n\n"
    "The chip is built on a 3-nanometre process and is meant for training large models."
)


def serve(pipe: Connection, flood_limits: bool) -> None:
    """The fake Bot API in this child process until asked for its figures."""
    from tests.fakes.telegram_api import FakeBotAPI

    with FakeBotAPI() as fake:
        if flood_limits:
            fake.set_flood_limits()
        pipe.send((fake.url, fake.token))
        pipe.recv()  # "done"
        calls = [c for c in fake.calls if c["method"].lower() == "sendmessage"]
        times = sorted(m["time"] for m in fake.sent())
        pipe.send(
            {
                "accepted": sum(fake.accepted.values()),
                "refused_429": sum(1 for c in calls if c["status"] == 429),
                "times": times,
                "cpu": _cpu(),
            }
        )


def _cpu() -> float:
    """CPU seconds this process has used (user + system)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def fill(store: Store, chats: int) -> None:
    """One article matched by `chats` chats: one outbox row each."""
    url = "https://feeds.example.com/bench"
    store.feeds.sync_catalogue([Feed(name="Bench", url=url, interval=60)])
    (feed_id,) = [s.feed.id for s in store.feeds.feed_states() if s.feed.url == url]
    assert feed_id is not None
    keep = {"etag": None, "last_modified": None, "next_poll_at": NOW}
    store.articles.ingest(feed_id, [], now=NOW, **keep)
    article = Article(
        key="https://news.example.com/1",
        entry_id="1",
        title="Amazon announces Trainium3",
        url="https://news.example.com/1",
        text=BODY,
        published=NOW,
        source="Bench",
    )
    ((article_id, _),) = store.articles.ingest(feed_id, [article], now=NOW, **keep)
    for start in range(0, chats, 1000):
        ids = range(start + 1, min(chats, start + 1000) + 1)
        for chat in ids:
            store.chats.upsert_chat(chat, "private", None, NOW)
        # As the poll stage queues them: the story and each chat's own hit; the sender
        # renders each message (text and keyboard) as it sends it.
        rows = [
            OutboxRow(c, article_id, (Hit(Subscription(c, c, Kind.TICKER, "AMZN"), (), ""),))
            for c in ids
        ]
        store.outbox.enqueue_alerts(rows, now=NOW)


async def drain(
    url: str, token: str, store: Store, limits: Limits, concurrency: int
) -> tuple[int, float]:
    limiter = RateLimiter(limits)
    options = SendOptions(limit=2000, concurrency=concurrency)
    sent, started = 0, time.perf_counter()
    async with BotAPI(url, token, pool_size=concurrency) as api:
        while True:
            report = await send_pending(
                api, store, clock=lambda: NOW, limiter=limiter, options=options
            )
            sent += report.sent
            if not report.sent and not store.outbox.pending(NOW, limit=1):
                break
    return sent, time.perf_counter() - started


def worst_second(times: list[float]) -> int:
    """The most messages accepted within any one second."""
    best, left = 0, 0
    for right, t in enumerate(times):
        while t - times[left] >= 1.0:
            left += 1
        best = max(best, right - left + 1)
    return best


def run(
    name: str, chats: int, limits: Limits, flood: bool, database_url: str | None, concurrency: int
) -> None:
    parent, child = mp.Pipe()
    server = mp.Process(target=serve, args=(child, flood), daemon=True)
    server.start()
    url, token = parent.recv()
    with tempfile.TemporaryDirectory() as folder:
        engine = open_engine(database_url or f"sqlite:///{folder}/bench.sqlite3")
        migrate(engine)
        store = Store(engine)
        fill(store, chats)
        cpu = _cpu()
        sent, seconds = asyncio.run(drain(url, token, store, limits, concurrency))
        cpu = _cpu() - cpu
        engine.dispose()
    parent.send("done")
    figures: dict[str, Any] = parent.recv()
    server.join(timeout=10)
    times: list[float] = figures["times"]
    print(
        f"{name}: {sent} alerts to {chats} chats in {seconds:.1f} s = {sent / seconds:.0f} msg/s; "
        f"accepted {figures['accepted']}, 429 answers {figures['refused_429']}, "
        f"most in one second {worst_second(times)}; CPU per message: sender "
        f"{1000 * cpu / max(1, sent):.2f} ms, fake Bot API "
        f"{1000 * figures['cpu'] / max(1, sent):.2f} ms; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--alerts", type=int, default=10_000, help="(a): alerts and chats")
    parser.add_argument("--limited", type=int, default=900, help="(b): alerts and chats")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--concurrency", type=int, default=16, help="chats sent to at once")
    args = parser.parse_args(argv)
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    database_url = args.database_url
    if args.alerts:
        run(
            "(a) limits lifted", args.alerts, Limits.lifted(), False, database_url, args.concurrency
        )
    if args.limited:
        run("(b) default limits", args.limited, Limits(), True, database_url, args.concurrency)


if __name__ == "__main__":
    main()
