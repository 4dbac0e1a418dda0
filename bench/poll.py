"""Benchmark of the poll stage: 1,000 feeds served from 127.0.0.1, polled into SQLite.

In: nothing but the SEC ticker table in ../shared (SHARED_DIR overrides; else the packaged
snapshot) for the matcher. Serves N feeds (20 items of realistic length each) from the test
feed server on 127.0.0.1, adds 100 chats watching tickers, then times whole cycles of the real
pipeline (fetch, parse, dedup, match, render, outbox) over every feed:
  - baseline: the first poll of every feed (stored, not alerted);
  - cold: every feed has 20 new items (all new, matched, alerts queued);
  - warm: 10% of the feeds changed (one new item each), the rest answer 304.
Prints seconds per cycle and the process's peak memory (the server runs in the same process,
so the figure is an upper bound), and the warm/cold ratio. All feeds share one host here, so
PER_HOST_CONCURRENCY is raised to FETCH_CONCURRENCY for the run.
Run: python bench/poll.py [--feeds 1000] [--concurrency 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.feeds.fetch import make_client
from bot.matching.index import MatchIndex
from bot.matching.tickers import TickerUniverse
from bot.models import Feed, Kind
from bot.pipeline import Matcher, Pipeline
from bot.settings import Settings
from bot.storage.db import migrate, open_engine
from bot.storage.store import Store
from tests.fakes.feed_server import FeedServer

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SHARED_DIR", ROOT.parent / "shared"))
TICKERS = ["AMZN", "NVDA", "AAPL", "MSFT", "TSLA", "META", "GOOGL", "AMD", "INTC", "F"]
PARAGRAPH = (
    "{company} (NASDAQ: {ticker}) reported results for the quarter on {day}, with revenue "
    "ahead of analysts' estimates and guidance for the next quarter that the company said "
    "reflects continued demand. Shares moved in early trading as investors weighed the "
    "outlook against higher spending on data centres and chips. "
)


def item(feed: int, n: int, round_: int) -> str:
    ticker = TICKERS[(feed + n) % len(TICKERS)]
    text = PARAGRAPH.format(company=ticker.title() + " Corp", ticker=ticker, day="Tuesday") * 4
    now = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    return (
        f"<item><guid>f{feed}-r{round_}-{n}</guid>"
        f"<link>https://news{feed}.example.com/{round_}/{n}</link>"
        f"<title>Feed {feed} story {round_}-{n} about {ticker}</title>"
        f"<description>{text}</description><pubDate>{now}</pubDate></item>"
    )


def document(feed: int, round_: int, count: int) -> str:
    items = "".join(item(feed, n, round_) for n in range(count))
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel>'
        f"<title>Feed {feed}</title><link>https://news{feed}.example.com/</link>{items}"
        "</channel></rss>"
    )


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def cycle(pipeline: Pipeline, store: Store) -> tuple[float, int, int]:
    states = store.feed_states()
    start = time.perf_counter()
    results = await pipeline.poll_many(states)
    took = time.perf_counter() - start
    errors = [r.error for r in results if r.error]
    if errors:
        print(f"  {len(errors)} errors, e.g. {errors[0]}")
    return took, sum(r.new_stories for r in results), len(results)


def main() -> None:
    asyncio.run(run())


async def run() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    table = SHARED / "data" / "sec_company_tickers_exchange.json"
    with tempfile.TemporaryDirectory() as tmp, FeedServer() as server:
        universe = TickerUniverse.load(table if table.exists() else None, Path(tmp))
        engine = open_engine(f"sqlite:///{tmp}/bench.sqlite3")
        migrate(engine)
        store = Store(engine)
        index = MatchIndex(universe)
        now = datetime.now(UTC)
        for chat in range(100):
            store.upsert_chat(chat + 1, "private", None, now)
            sub = store.add_subscription(chat + 1, Kind.TICKER, TICKERS[chat % 10], now)
            if sub is not None:
                index.add(sub)
        for f in range(args.feeds):
            server.set(f"/f{f}.rss", document(f, 0, 20), etag=f"f{f}-r0")
        store.sync_catalogue(
            [Feed(f"Feed {f}", server.url(f"/f{f}.rss"), 300) for f in range(args.feeds)]
        )
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            fetch_concurrency=args.concurrency,
            per_host_concurrency=args.concurrency,
        )
        client = make_client()
        pipeline = Pipeline(settings, store, Matcher(universe, index), client)
        print(f"{args.feeds} feeds on {server.root}, concurrency {args.concurrency}")
        took, new, n = await cycle(pipeline, store)
        print(f"baseline cycle: {took:6.2f} s  ({new} stories stored, {n} feeds)")
        for f in range(args.feeds):
            server.set(f"/f{f}.rss", document(f, 1, 20), etag=f"f{f}-r1")
        cold, new, n = await cycle(pipeline, store)
        print(f"cold cycle:     {cold:6.2f} s  ({new} new stories, all {n} feeds changed)")
        for f in range(0, args.feeds, 10):
            server.set(f"/f{f}.rss", document(f, 2, 1), etag=f"f{f}-r2")
        warm, new, n = await cycle(pipeline, store)
        print(f"warm cycle:     {warm:6.2f} s  ({new} new stories, 10% changed, rest 304)")
        print(f"peak memory:    {peak_mb():6.0f} MB (bot and feed server together)")
        print(f"warm / cold:    {warm / cold:6.2f}")
        await client.aclose()
        engine.dispose()


if __name__ == "__main__":
    main()
