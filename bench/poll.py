"""Benchmark of the poll stage: 1,000 feeds served from 127.0.0.1, polled into a database.

In: command-line options (see --help) and the SEC ticker table in ../shared (SHARED_DIR
overrides; else the packaged snapshot) for the matcher. Out: printed figures.

The feeds are served by a small HTTP server in its own process (so that the bot, not the
server, is measured): each feed has 20 items of realistic length (distinct paragraphs, 1-3 KB),
a share of which (--match-share) name one of ten watched tickers; the server honours
If-None-Match with 304. The bot's real poll stage (PollCycle.poll_many: fetch, parse, dedup,
match, render, outbox) runs here against a fresh SQLite file (or --database-url), with --chats
chats each watching one of the ten tickers. Three whole cycles over every feed are timed:
  - baseline: the first poll of every feed (stored, not alerted);
  - cold: every feed has 20 new items (all new, matched, alerts queued);
  - warm: 10% of the feeds changed (one new item on top), the rest answer 304.
Prints seconds per cycle and peak memory: the bot process (ru_maxrss), each parser process
(VmHWM) and their sum. All feeds share one host here, so PER_HOST_CONCURRENCY is raised to
FETCH_CONCURRENCY for the run.
Targets (issue 4): warm under 5 s, cold under 30 s, peak memory under 300 MB (all processes).
Run: python bench/poll.py [--feeds 1000] [--concurrency 20] [--match-share 0.25]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# The bot is imported inside run(), not here: spawned processes (the parsers, the feed server)
# import this script again as their main module, and a parser process should weigh what the
# bot's own parsers weigh (`python -m bot` spares them its main module).
if TYPE_CHECKING:
    from bot.feeds.pool import ParsePool
    from bot.poll.cycle import PollCycle
    from bot.storage.store import Store

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SHARED_DIR", ROOT.parent / "shared"))
TICKERS = {
    "AMZN": "Amazon",
    "NVDA": "Nvidia",
    "AAPL": "Apple",
    "MSFT": "Microsoft",
    "TSLA": "Tesla",
    "META": "Meta Platforms",
    "GOOGL": "Alphabet",
    "AMD": "Advanced Micro Devices",
    "INTC": "Intel",
    "F": "Ford Motor",
}
ITEMS = 20
# Words for sentences that name no listed company (lower case, so no ticker is detected).
SUBJECTS = [
    "the regional lender", "a maker of industrial pumps", "the shipping group",
    "the city's largest employer", "a family-owned brewer", "the mining cooperative",
    "the utility", "a start-up building warehouse robots", "the insurer", "the grocer",
]  # fmt: skip
VERBS = [
    "reported", "forecast", "warned of", "announced", "flagged", "cut its outlook for",
    "raised its estimate of", "disclosed", "confirmed", "played down",
]  # fmt: skip
OBJECTS = [
    "higher quarterly revenue", "a drop in orders from Europe", "rising costs for freight",
    "a plan to close two plants", "stronger demand for its services", "a new chief executive",
    "a delay to its annual report", "a share buyback", "weaker margins in the second half",
    "a settlement with regulators",
]  # fmt: skip
TAILS = [
    "according to a statement released on Tuesday",
    "as analysts had expected after a difficult spring",
    "though the figures were not audited",
    "in a filing late in the evening",
    "while investors waited for the central bank's decision",
    "citing people familiar with the matter",
]  # fmt: skip


# --------------------------------------------------------------------- the feeds (server side)


def sentence(rng: random.Random) -> str:
    return (
        f"{rng.choice(SUBJECTS).capitalize()} {rng.choice(VERBS)} {rng.choice(OBJECTS)}, "
        f"{rng.choice(TAILS)}, and {rng.choice(SUBJECTS)} {rng.choice(VERBS)} "
        f"{rng.choice(OBJECTS)} ({rng.randint(2, 97)}% by one measure)."
    )


def item(feed: int, n: int, round_: int, match_share: float) -> str:
    """One RSS item, 1-3 KB of distinct paragraphs; a share of them name a watched ticker."""
    rng = random.Random(f"{feed}-{round_}-{n}")
    paragraphs = [" ".join(sentence(rng) for _ in range(rng.randint(2, 4))) for _ in range(4)]
    ticker = None
    if rng.random() < match_share:
        ticker = rng.choice(list(TICKERS))
        paragraphs[0] = (
            f"{TICKERS[ticker]} (NASDAQ: {ticker}) {rng.choice(VERBS)} {rng.choice(OBJECTS)}, "
            f"{rng.choice(TAILS)}. " + paragraphs[0]
        )
    title = f"{(TICKERS[ticker] + ' ') if ticker else ''}{sentence(rng)[:90]} #{feed}-{round_}-{n}"
    now = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    body = "".join(f"&lt;p&gt;{p}&lt;/p&gt;" for p in paragraphs)
    return (
        f"<item><guid>f{feed}-r{round_}-{n}</guid>"
        f"<link>https://news{feed % 50}.example.com/{feed}/{round_}/{n}</link>"
        f"<title>{title}</title><description>{body}</description><pubDate>{now}</pubDate></item>"
    )


def document(feed: int, phase: str, match_share: float) -> tuple[bytes, str]:
    """The feed's document and ETag in one phase of the benchmark."""
    if phase == "baseline":
        items = [item(feed, n, 0, match_share) for n in range(ITEMS)]
    else:
        items = [item(feed, n, 1, match_share) for n in range(ITEMS)]
        if phase == "warm" and feed % 10 == 0:
            items = [item(feed, 0, 2, match_share), *items[:-1]]
            phase = "warm-changed"
        elif phase == "warm":
            phase = "cold"  # unchanged since the cold cycle: the same ETag, so a 304
    xml = (
        '<?xml version="1.0"?><rss version="2.0"><channel>'
        f"<title>Feed {feed}</title><link>https://news{feed}.example.com/</link>"
        f"{''.join(items)}</channel></rss>"
    )
    return xml.encode(), f'"f{feed}-{phase}"'


def serve(conn: Connection, feeds: int, match_share: float) -> None:
    """The feed server process: documents per phase, 304 on a matching If-None-Match."""
    phase = {"name": "baseline"}
    docs: dict[int, tuple[bytes, str]] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            number = self.path.removeprefix("/f").removesuffix(".rss")
            if not number.isdigit() or int(number) >= feeds:
                self.send_error(404)
                return
            body, etag = docs[int(number)]
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    def load(name: str) -> None:
        phase["name"] = name
        docs.update({f: document(f, name, match_share) for f in range(feeds)})

    load("baseline")
    ThreadingHTTPServer.request_queue_size = 1024
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    conn.send(server.server_address[1])
    import threading

    threading.Thread(target=server.serve_forever, daemon=True).start()
    while True:
        message = conn.recv()
        if message == "stop":
            server.shutdown()
            return
        load(message)
        conn.send("ok")


# --------------------------------------------------------------------- the bot (this process)


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


async def cycle(poller: PollCycle, store: Store, name: str) -> None:
    """Poll every feed once; print the wall time, this process's CPU time and the load."""
    states = store.feeds.feed_states()
    start, cpu = time.perf_counter(), time.process_time()
    results = await poller.poll_many(states)
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
    errors = [r.error for r in results if r.error]
    if errors:
        print(f"  {len(errors)} errors, e.g. {errors[0]}")
    new = sum(r.new_stories for r in results)
    print(
        f"{name + ' cycle:':15} {took:6.2f} s  (bot process CPU {cpu:5.1f} s, load average "
        f"{os.getloadavg()[0]:.1f}; {new} new stories, {store_count(store)} alerts queued, "
        f"{len(results)} feeds)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--chats", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument(
        "--match-share", type=float, default=0.25, help="share of items naming a watched ticker"
    )
    parser.add_argument(
        "--parse-workers",
        type=int,
        default=len(os.sched_getaffinity(0)),
        help="parser processes (default: one per core); 0: parse in a thread",
    )
    parser.add_argument(
        "--cycles", type=int, default=3, help="1: the baseline only (to profile it), 2: and cold"
    )
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--profile", default=None, help="write a cProfile of the bot here")
    args = parser.parse_args()
    ours, theirs = mp.Pipe()
    server = mp.get_context("spawn").Process(
        target=serve, args=(theirs, args.feeds, args.match_share), daemon=True
    )
    server.start()
    port = ours.recv()
    try:
        if args.profile:
            import cProfile

            cProfile.runctx("asyncio.run(run(args, port, ours))", globals(), locals(), args.profile)
        else:
            asyncio.run(run(args, port, ours))
    finally:
        ours.send("stop")
        server.join(10)


def parser_peaks_mb(pool: ParsePool) -> list[float]:
    """Each parser process's peak resident memory (VmHWM), MB."""
    peaks = []
    for pid in pool.pids():
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
    return peaks


async def run(args: argparse.Namespace, port: int, server: Connection) -> None:
    from bot.feeds.fetch import make_client
    from bot.feeds.pool import ParsePool
    from bot.matching.index import MatchIndex
    from bot.matching.tickers import TickerUniverse
    from bot.models import Feed, Kind
    from bot.poll.alerts import Matcher
    from bot.poll.cycle import PollCycle
    from bot.settings import Settings
    from bot.storage.db import migrate, open_engine
    from bot.storage.store import Store

    table = SHARED / "data" / "sec_company_tickers_exchange.json"
    with tempfile.TemporaryDirectory() as tmp:
        universe = TickerUniverse.load(table if table.exists() else None, Path(tmp))
        engine = open_engine(args.database_url or f"sqlite:///{tmp}/bench.sqlite3")
        migrate(engine)
        store = Store(engine)
        index = MatchIndex(universe)
        now = datetime.now(UTC)
        symbols = list(TICKERS)
        for chat in range(args.chats):
            store.chats.upsert_chat(chat + 1, "private", None, now)
            sub = store.subscriptions.add_subscription(
                chat + 1, Kind.TICKER, symbols[chat % 10], now
            )
            if sub is not None:
                index.add(sub)
        root = f"http://127.0.0.1:{port}"
        store.feeds.sync_catalogue(
            [Feed(f"Feed {f}", f"{root}/f{f}.rss", 300) for f in range(args.feeds)]
        )
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            allow_private_feeds=True,
            fetch_concurrency=args.concurrency,
            per_host_concurrency=args.concurrency,
        )
        client = make_client()
        pool = ParsePool(args.parse_workers) if args.parse_workers > 0 else None
        poller = PollCycle(settings, store, Matcher(universe, index), client, parse_pool=pool)
        print(
            f"{args.feeds} feeds x {ITEMS} items on {root} (own process), {args.chats} chats, "
            f"match share {args.match_share:g}, concurrency {args.concurrency}, "
            f"parser processes {args.parse_workers or 'none (a thread)'}; "
            f"load average {os.getloadavg()[0]:.2f}"
        )
        print(f"memory before polling: {peak_mb():6.0f} MB")
        await cycle(poller, store, "baseline")
        for phase in ("cold", "warm")[: args.cycles - 1]:
            server.send(phase)
            server.recv()
            await cycle(poller, store, phase)
        bot_mb = peak_mb()
        print(f"peak memory:    {bot_mb:6.0f} MB (the bot process: ru_maxrss)")
        if pool is not None:
            parsers = parser_peaks_mb(pool)
            pool.close()
            print(
                f"parser processes: {', '.join(f'{mb:.0f}' for mb in parsers)} MB (VmHWM); "
                f"the bot and its parsers together: {bot_mb + sum(parsers):.0f} MB"
            )
        print(f"load average {os.getloadavg()[0]:.2f} at the end")
        await client.aclose()
        engine.dispose()


def store_count(store: Store) -> int:
    from sqlalchemy import func, select

    from bot.storage.schema import deliveries

    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(deliveries)).scalar_one())


if __name__ == "__main__":
    main()
