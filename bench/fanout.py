"""Benchmark: fan-out of alerts to many chats through the fake Bot API on 127.0.0.1.

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
(c) a mixed load at the default limits (30/s): one story for --mixed chats (default 10,000),
    then, a second later, 5 stories for 3 other chats each: when the handful's alerts arrive
    (seconds after they were queued) and when the last of the big story's arrives (after it was
    queued). --baseline DIR runs (c) again with the code of another checkout (the old order:
    `git worktree add --detach DIR <commit>`) and prints both.
(d) paid broadcasts on PostgreSQL (--pg-url; a database of its own is made there and dropped):
    --paid alerts (default 20,000) sent by two worker processes with PAID_BROADCAST's limits
    (1,000/s overall, each worker its share, or paced together through --redis-url), the fake
    holding sends to 1,000/s: messages per second, against the 952/s the limiter lets out
    (1,000 less its 5% safety margin). Then the same with the limits lifted and the fake
    enforcing none: what the two workers and PostgreSQL can send (their capacity), and the CPU
    per message of the workers and of the fake.

Run: python -m bench.fanout [--alerts 10000] [--limited 900] [--mixed 10000] [--paid 20000]
     [--redis-url redis://127.0.0.1:6379/0]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing as mp
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

# FANOUT_CODE: run with another checkout's bot package (--baseline: the old delivery order).
sys.path.insert(0, os.environ.get("FANOUT_CODE") or str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, make_url
from sqlalchemy import text as sql_text

from bot.delivery.botapi import BotAPI
from bot.delivery.limits import PAID_PER_SECOND, Limits, RateLimiter
from bot.delivery.sender import SendOptions, send_pending
from bot.delivery.shared import RedisPacer
from bot.models import Article, Feed, Hit, Kind, Subscription
from bot.storage.db import migrate, open_engine
from bot.storage.schema import chats as chats_table
from bot.storage.store import OutboxRow, Store
from tests.fakes.telegram_api import FakeBotAPI, most_within

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
BODY = (
    "Amazon Web Services said on Tuesday its new Trainium3 chip is available to customers.\n\n"
    "The chip is built on a 3-nanometre process and is meant for training large models."
)


def serve(pipe: Connection, flood_limits: bool) -> None:
    """The fake Bot API in this child process until asked for its figures."""
    # The fake keeps a record of every call: the cyclic collector's full passes over them
    # stalled it for up to 0.2 s, and the requests held up meanwhile then arrived within one
    # second, so it answered 429 to sends we had spaced out. Telegram keeps no such record.
    gc.disable()
    with FakeBotAPI() as fake:
        if flood_limits:
            fake.set_flood_limits()
        pipe.send((fake.url, fake.token))
        pipe.recv()  # "done"
        calls = [c for c in fake.calls if c["method"].lower() == "sendmessage"]
        sent = fake.sent()
        pipe.send(
            {
                "accepted": sum(fake.accepted.values()),
                "refused_429": sum(1 for c in calls if c["status"] == 429),
                "times": sorted(m["time"] for m in sent),
                "arrivals": [(m["chat_id"], m["time"]) for m in sent],
                "paid": getattr(fake, "paid_sends", 0),
                "cpu": _cpu(),
            }
        )


def _cpu() -> float:
    """CPU seconds this process has used (user + system)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def fill(store: Store, chats: int, *, now: datetime = NOW, first: int = 1, story: int = 1) -> None:
    """One article matched by `chats` chats (ids from `first`): one outbox row each."""
    url = "https://feeds.example.com/bench"
    store.feeds.sync_catalogue([Feed(name="Bench", url=url, interval=60)])
    (feed_id,) = [s.feed.id for s in store.feeds.feed_states() if s.feed.url == url]
    assert feed_id is not None
    keep = {"etag": None, "last_modified": None, "next_poll_at": now}
    store.articles.ingest(feed_id, [], now=now, **keep)
    article = Article(
        key=f"https://news.example.com/{story}",
        entry_id=str(story),
        title=f"Amazon announces Trainium{story + 2}",
        url=f"https://news.example.com/{story}",
        text=BODY,
        published=now,
        source="Bench",
    )
    ((article_id, _),) = store.articles.ingest(feed_id, [article], now=now, **keep)
    ids = range(first, first + chats)
    with store.engine.begin() as conn:  # the chats, as /start would record them
        conn.execute(
            chats_table.insert(),
            [{"id": c, "type": "private", "active": True, "created_at": now} for c in ids],
        )
    # As the poll stage queues them: the story and each chat's own hit; the sender renders
    # each message (text and keyboard) as it sends it.
    rows = [
        OutboxRow(c, article_id, (Hit(Subscription(c, c, Kind.TICKER, "AMZN"), (), ""),))
        for c in ids
    ]
    store.outbox.enqueue_alerts(rows, now=now)


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
        f"most in one second {most_within(times)}; CPU per message: sender "
        f"{1000 * cpu / max(1, sent):.2f} ms, fake Bot API "
        f"{1000 * figures['cpu'] / max(1, sent):.2f} ms; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )


STORIES, EACH = 5, 3  # (c): the handful queued a second after the big story


def mixed(chats: int, database_url: str | None) -> None:
    """(c): one story for `chats` chats, then the handful; see the module docstring."""
    parent, child = mp.Pipe()
    server = mp.Process(target=serve, args=(child, True), daemon=True)
    server.start()
    url, token = parent.recv()
    with tempfile.TemporaryDirectory() as folder:
        engine = open_engine(database_url or f"sqlite:///{folder}/bench.sqlite3")
        migrate(engine)
        store = Store(engine)
        fill(store, chats, now=datetime.now(UTC))
        queued = asyncio.run(drain_mixed(url, token, store, chats))
        engine.dispose()
    parent.send("done")
    figures: dict[str, Any] = parent.recv()
    server.join(timeout=10)
    arrived = dict(figures["arrivals"])  # one message per chat
    small = sorted(arrived[c] - at for c, at in queued.items() if c > chats)
    big = max(arrived[c] for c in range(1, chats + 1)) - queued[0]
    print(
        f"(c) mixed load, default limits: {STORIES} stories x {EACH} chats queued 1 s after one "
        f"for {chats}: their alerts {small[0]:.1f} s (first), {small[len(small) // 2]:.1f} s "
        f"(median), {small[-1]:.1f} s (last) after queueing; the last of the {chats} after "
        f"{big:.1f} s; 429 answers {figures['refused_429']}; code: "
        f"{os.environ.get('FANOUT_CODE') or 'this checkout'}"
    )


async def drain_mixed(url: str, token: str, store: Store, chats: int) -> dict[int, float]:
    """Send at the default limits with the real clock, queueing the handful a second in;
    returns when each chat's story was queued (0: the big one)."""
    queued: dict[int, float] = {0: time.time()}

    async def handful() -> None:
        await asyncio.sleep(1.0)
        for k in range(STORIES):
            first = chats + 1 + k * EACH
            fill(store, EACH, now=datetime.now(UTC), first=first, story=2 + k)
            queued.update(dict.fromkeys(range(first, first + EACH), time.time()))

    limiter = RateLimiter(Limits())
    seconds = os.environ.get("FANOUT_ROUND_SECONDS")  # the bot's default unless set
    options = SendOptions(round_seconds=float(seconds)) if seconds else SendOptions()
    later = asyncio.create_task(handful())
    async with BotAPI(url, token, pool_size=16) as api:
        while True:
            report = await send_pending(api, store, limiter=limiter, options=options)
            if not report.sent:
                if later.done() and not store.outbox.pending(datetime.now(UTC), limit=1):
                    break
                await asyncio.sleep(0.05)
    await later
    return queued


def paid_worker(
    url: str, token: str, database_url: str, owner: str, workers: int, how: str, redis: str
) -> None:
    """(d): one delivery worker process with PAID_BROADCAST's limits ("paid": its share of
    them, or all of them paced through Redis when `redis` is given) or none ("lifted")."""
    engine = open_engine(database_url)
    store = Store(engine)
    if how == "lifted":
        limiter = RateLimiter(Limits.lifted())
    elif redis:
        pacer = RedisPacer(redis, PAID_PER_SECOND, key=f"fanout-bench:{os.getppid()}")
        limiter = RateLimiter(Limits.for_bot(30, paid=True), shared=pacer)
    else:
        limiter = RateLimiter(Limits.for_bot(30, paid=True))
        limiter.set_share(workers)
    options = SendOptions(limit=2000, concurrency=64, owner=owner)

    async def work() -> None:
        async with BotAPI(url, token, pool_size=64) as api:
            while True:
                report = await send_pending(api, store, limiter=limiter, options=options)
                if not report.sent:
                    if not store.outbox.pending(datetime.now(UTC), limit=1):
                        break
                    await asyncio.sleep(0.02)
        if limiter.shared is not None:
            await limiter.shared.close()

    asyncio.run(work())
    engine.dispose()


def paid(chats: int, pg_url: str, how: str, redis: str = "", workers: int = 2) -> None:
    """(d): see the module docstring; `how` is "paid" or "lifted"."""
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    name = f"fanout_bench_{os.getpid()}"
    with admin.connect() as conn:
        conn.execute(sql_text(f"CREATE DATABASE {name}"))
    database_url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    parent, child = mp.Pipe()
    server = mp.Process(target=serve, args=(child, how == "paid"), daemon=True)
    server.start()
    url, token = parent.recv()
    try:
        engine = open_engine(database_url)
        migrate(engine)
        fill(Store(engine), chats, now=datetime.now(UTC))
        engine.dispose()
        spawn = mp.get_context("spawn")
        args = (url, token, database_url)
        procs = [
            spawn.Process(target=paid_worker, args=(*args, f"w{n}", workers, how, redis))
            for n in range(workers)
        ]
        cpu = _children_cpu()
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join()
        cpu = _children_cpu() - cpu
    finally:
        with admin.connect() as conn:
            conn.execute(sql_text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
    parent.send("done")
    figures: dict[str, Any] = parent.recv()
    server.join(timeout=10)
    times: list[float] = figures["times"]
    rate = len(times) / (times[-1] - times[0])
    if how == "paid":
        # What the limiter lets out: 1,000 a second less its safety margin (Limits.margin).
        ceiling = PAID_PER_SECOND / (1 + Limits().margin)
        label = (
            f"paid broadcasts (limit {PAID_PER_SECOND:.0f}/s{', through Redis' if redis else ''})"
        )
        versus = f", {100 * rate / ceiling:.0f}% of the {ceiling:.0f}/s the limiter lets out"
    else:
        label, versus = "capacity (limits lifted, the fake enforcing none)", ""
    print(
        f"(d) {label}, PostgreSQL, {workers} worker processes: {len(times)} alerts to {chats} "
        f"chats = {rate:.0f} msg/s (first to last accepted){versus}; sent as paid "
        f"{figures['paid']}, 429 answers {figures['refused_429']}, most in one second "
        f"{most_within(times)}; CPU per message: workers {1000 * cpu / max(1, len(times)):.2f} "
        f"ms, fake Bot API {1000 * figures['cpu'] / max(1, len(times)):.2f} ms; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )


def _children_cpu() -> float:
    """CPU seconds of this process's finished children (user + system)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--alerts", type=int, default=10_000, help="(a): alerts and chats")
    parser.add_argument("--limited", type=int, default=900, help="(b): alerts and chats")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--concurrency", type=int, default=16, help="chats sent to at once")
    parser.add_argument("--mixed", type=int, default=10_000, help="(c): chats of the big story")
    parser.add_argument("--baseline", default=None, help="(c) again with this checkout's code")
    parser.add_argument("--paid", type=int, default=20_000, help="(d): alerts and chats")
    parser.add_argument(
        "--pg-url", default="postgresql://postgres@127.0.0.1:5432/test", help="(d): PostgreSQL"
    )
    parser.add_argument(
        "--redis-url", default="", help="(d): share the paid limit through this Redis"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    database_url = args.database_url
    if args.alerts:
        run(
            "(a) limits lifted", args.alerts, Limits.lifted(), False, database_url, args.concurrency
        )
    if args.limited:
        run("(b) default limits", args.limited, Limits(), True, database_url, args.concurrency)
    if args.mixed:
        mixed(args.mixed, database_url)
    if args.mixed and args.baseline:
        again = [sys.executable, __file__, "--alerts=0", "--limited=0", "--paid=0"]
        env = {**os.environ, "FANOUT_CODE": args.baseline}
        subprocess.run([*again, f"--mixed={args.mixed}"], env=env, check=True)
    if args.paid:
        paid(args.paid, args.pg_url, "paid", args.redis_url)
        paid(args.paid, args.pg_url, "lifted")


if __name__ == "__main__":
    main()
