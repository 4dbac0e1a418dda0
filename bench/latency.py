"""Benchmark of publish-to-fetch latency: today's fixed schedule and the adaptive one, same run.

In: command-line options (see --help) and the real feed documents in tests/fixtures/real/ (and
../shared/fixtures/real/ when present; SHARED_DIR overrides). Out: printed figures.

Feeds replay real publication rhythms: the gaps between the pubDates of the real feeds (each
bench feed cycles through one real feed's gaps, scaled to its pace) and the hour-of-day profile
of all their pubDates together (gaps shrink in the hours real publishers are busy and stretch
in the others). Paces go from one story every 20 seconds to one a day; the fleet is shaped like
a deployment: a few busy wires in the catalogue and many quiet per-ticker feeds (see FLEET).

They are served on 127.0.0.1 by an HTTP server that answers each request with the newest 20
items published by then, an ETag, and 304 to a matching If-None-Match. The bot's own poll
stage decides when to fetch: `PollCycle.poll_due` on a fresh SQLite database, with a virtual
clock that jumps to the next moment the poll job would run (today: the 30 s tick; now: the 1 s
tick and the earliest next poll). So a simulated day takes as long as its requests do; the
compression factor (simulated time over wall time) is printed. Latency is publish-to-fetch (the
moment the bot's fetch returns the story; matching and the outbox add milliseconds), measured in
simulated, i.e. real-time, seconds.

Prints, per pace and schedule: stories, median, 95th percentile and maximum latency, and
requests per feed per hour; then the totals. Targets (issue 18): for feeds publishing at least
once every 10 minutes, median <= 30 s and p95 <= 60 s; total requests no more than the fixed
300 s schedule; a pushed story alerted within 5 s.

Then, unless --pushes 0, the pushed-story figure (bench/pushed.py): a WebSub hub on 127.0.0.1
pushes stories to the bot running as `python -m bot run`, and the seconds from each push to
its alert at the fake Telegram Bot API are printed (publish-to-alert, real time).
Run: python bench/latency.py [--hours 24] [--seed 7] [--pushes 20]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import pushed
from bot.feeds.fetch import make_client
from bot.feeds.parse import parse_feed
from bot.matching.index import MatchIndex
from bot.matching.tickers import TickerUniverse
from bot.models import Feed
from bot.poll.alerts import Matcher
from bot.poll.cycle import PollCycle
from bot.settings import Settings
from bot.storage.db import migrate, open_engine
from bot.storage.store import Store

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SHARED_DIR", ROOT.parent / "shared"))
START = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)  # a Monday
ITEMS = 20
INTERVAL = 300  # POLL_INTERVAL: the fixed schedule, and each feed's share of the budget
# (label, mean seconds between stories, feeds): a few catalogue wires, many per-ticker feeds.
FLEET = [
    ("20 s", 20, 1),
    ("1 min", 60, 1),
    ("5 min", 300, 1),
    ("10 min", 600, 1),
    ("1 h", 3600, 2),
    ("6 h", 6 * 3600, 8),
    ("1 day", 86400, 30),
]
BUSY = 600  # the targets are for feeds publishing at least this often


# ------------------------------------------------------------------------- real rhythms


def real_dates() -> list[list[datetime]]:
    """The sorted pubDates of each real feed document that has at least three."""
    folders = [ROOT / "tests" / "fixtures" / "real", SHARED / "fixtures" / "real"]
    seen: set[str] = set()
    found = []
    for folder in folders:
        for path in sorted(folder.glob("*.xml")) if folder.is_dir() else []:
            if path.name in seen:
                continue
            seen.add(path.name)
            try:
                parsed = parse_feed(path.read_bytes(), source=path.stem)
            except Exception:
                continue
            dates = sorted(a.published for a in parsed.articles if a.published)
            if len(dates) >= 3:
                found.append(dates)
    return found


def gap_shapes(dates: Sequence[Sequence[datetime]]) -> list[list[float]]:
    """Each feed's gaps between stories, over their mean (a shape of mean 1)."""
    shapes = []
    for feed in dates:
        gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(feed)]
        mean = sum(gaps) / len(gaps)
        if mean > 0:
            shapes.append([g / mean for g in gaps])
    return shapes


def day_profile(dates: Sequence[Sequence[datetime]]) -> list[float]:
    """Publishing activity by hour of day (UTC) over every real date, of mean 1 (at least 0.1:
    no hour is silent for good)."""
    counts = [1.0] * 24
    for feed in dates:
        for at in feed:
            counts[at.hour] += 1
    mean = sum(counts) / 24
    return [max(c / mean, 0.1) for c in counts]


def timeline(
    gap: float, shape: Sequence[float], profile: Sequence[float], end: datetime, rng: random.Random
) -> list[datetime]:
    """Publication times from before START (a first fetch shows a full page) to `end`."""
    at = START - timedelta(seconds=gap * ITEMS * 1.5)
    k = rng.randrange(len(shape))
    times = []
    while at < end:
        times.append(at)
        at += timedelta(seconds=max(shape[k % len(shape)], 0.02) * gap / profile[at.hour])
        k += 1
    return times


# ------------------------------------------------------------------------- the feed server


@dataclass
class Served:
    times: list[datetime]
    last_hit: datetime = START
    hits: int = 0
    hit_hours: list[int] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)


class Feeds:
    """What the server serves at the simulated `now`, and the waits it sees."""

    def __init__(self, feeds: list[Served]) -> None:
        self.feeds = feeds
        self.now = START
        self.lock = threading.Lock()

    def answer(self, index: int, etag: str | None) -> tuple[int, bytes, str]:
        with self.lock:
            feed, now = self.feeds[index], self.now
            feed.hits += 1
            feed.hit_hours.append(int((now - START).total_seconds() // 3600))
            shown = [t for t in feed.times if t <= now][-ITEMS:]
            feed.waits.extend((now - t).total_seconds() for t in shown if t > feed.last_hit)
            feed.last_hit = max(feed.last_hit, now)
        tag = f'"{index}-{len(shown)}-{shown[-1].timestamp():.0f}"' if shown else '"empty"'
        if etag == tag:
            return 304, b"", tag
        items = "".join(
            f"<item><guid>f{index}-{t.timestamp():.3f}</guid>"
            f"<link>https://wire.example.com/{index}/{t.timestamp():.3f}</link>"
            f"<title>Story {t.timestamp():.3f} of feed {index}</title>"
            f"<description>Quarterly figures.</description>"
            f"<pubDate>{format_datetime(t)}</pubDate></item>"
            for t in reversed(shown)
        )
        body = (
            '<?xml version="1.0"?><rss version="2.0"><channel>'
            f"<title>Feed {index}</title><link>https://wire.example.com/</link>{items}"
            "</channel></rss>"
        ).encode()
        return 200, body, tag


def serve(feeds: Feeds) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body, tag = feeds.answer(
                int(self.path.removeprefix("/f").removesuffix(".rss")),
                self.headers.get("If-None-Match"),
            )
            self.send_response(status)
            self.send_header("ETag", tag)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 256  # every feed may be fetched in the same tick

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# ------------------------------------------------------------------------- the simulation


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def next_run(now: datetime, due: datetime | None, tick: float) -> datetime:
    """When the poll job next runs: the first tick at or after the earliest due poll."""
    wanted = max(due or now, now + timedelta(seconds=tick))
    ticks = math.ceil((wanted - START).total_seconds() / tick - 1e-9)
    return START + timedelta(seconds=ticks * tick)


async def simulate(
    name: str, adaptive: bool, tick: float, plan: list[list[datetime]], hours: float
) -> tuple[list[Served], float]:
    """Run the bot's poll stage over `hours` of simulated time; the served feeds and wall time."""
    feeds = Feeds([Served(times) for times in plan])
    server = serve(feeds)
    root = f"http://127.0.0.1:{server.server_address[1]}"
    end = START + timedelta(hours=hours)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        engine = open_engine(f"sqlite:///{tmp}/latency.sqlite3")
        migrate(engine)
        store = Store(engine)
        store.feeds.sync_catalogue(
            [Feed(f"Feed {n}", f"{root}/f{n}.rss", INTERVAL) for n in range(len(plan))]
        )
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            poll_adaptive=adaptive,
            poll_interval=INTERVAL,
            fetch_concurrency=50,
            per_host_concurrency=50,
        )
        universe = TickerUniverse.load(None, Path(tmp))
        clock = Clock()
        async with make_client() as client:
            matcher = Matcher(universe, MatchIndex(universe))
            cycle = PollCycle(settings, store, matcher, client, clock=clock, started=START)
            now = START
            while now < end:
                clock.now = feeds.now = now
                await cycle.poll_due()
                now = next_run(now, store.polls.next_due(), tick)
        engine.dispose()
    server.shutdown()
    wall = time.perf_counter() - began
    print(f"  {name}: {hours:g} simulated hours in {wall:.1f} s (x{hours * 3600 / wall:.0f})")
    return feeds.feeds, wall


# ------------------------------------------------------------------------- figures


def quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def line(label: str, waits: Sequence[float], requests: float) -> str:
    if not waits:
        return f"{label:<22} {0:>7} {'-':>8} {'-':>8} {'-':>8} {requests:>10.1f}"
    return (
        f"{label:<22} {len(waits):>7} {statistics.median(waits):>8.1f} "
        f"{quantile(waits, 0.95):>8.1f} {max(waits):>8.1f} {requests:>10.1f}"
    )


def report(results: dict[str, list[Served]], hours: float) -> None:
    print(
        f"\n{'pace / schedule':<22} {'stories':>7} {'median':>8} {'p95':>8} {'max':>8} "
        f"{'req/feed/h':>10}   (latency: publish to fetch, real-time seconds)"
    )
    start = 0
    for label, _, count in FLEET:
        for name, served in results.items():
            group = served[start : start + count]
            waits = [w for f in group for w in f.waits]
            line_label = f"{label} x{count} {name}"
            print(line(line_label, waits, sum(f.hits for f in group) / count / hours))
        start += count
    busy = sum(count for _, gap, count in FLEET if gap <= BUSY)
    print()
    for name, served in results.items():
        waits = [w for f in served[:busy] for w in f.waits]
        print(line(f"busy feeds {name}", waits, sum(f.hits for f in served[:busy]) / busy / hours))
    halves = {
        name: [
            sum(1 for f in served for h in f.hit_hours if (h < hours / 2) == first)
            for first in (True, False)
        ]
        for name, served in results.items()
    }
    print(f"\nrequests in the first and second half of the run: {halves}")
    totals = {name: sum(f.hits for f in served) for name, served in results.items()}
    fixed, adaptive = totals["fixed"], totals["adaptive"]
    print(
        f"\nrequests: fixed {fixed}, adaptive {adaptive} "
        f"(ratio {adaptive / fixed:.2f}; the budget is {len(results['fixed'])} feeds x "
        f"{3600 / INTERVAL:g} an hour x {hours:g} h = {len(results['fixed']) * hours * 12:.0f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hours", type=float, default=24.0, help="simulated hours")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--pushes", type=int, default=20, help="stories pushed through WebSub (0: none)"
    )
    args = parser.parse_args()
    dates = real_dates()
    shapes, profile = gap_shapes(dates), day_profile(dates)
    rng = random.Random(args.seed)
    end = START + timedelta(hours=args.hours)
    plan = [
        timeline(gap, shapes[(n + sum(c for *_, c in FLEET[:i])) % len(shapes)], profile, end, rng)
        for i, (_, gap, count) in enumerate(FLEET)
        for n in range(count)
    ]
    print(
        f"{len(plan)} feeds replaying the rhythms of {len(dates)} real feeds "
        f"(busiest hour x{max(profile):.1f}, quietest x{min(profile):.1f} the mean); "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    # The two schedules side by side, one process each (each simulation is one event loop).
    with ProcessPoolExecutor(2) as pool:
        fixed = pool.submit(run, "fixed", False, min(30.0, INTERVAL), plan, args.hours)
        adaptive = pool.submit(run, "adaptive", True, 1.0, plan, args.hours)
        results = {"fixed": fixed.result(), "adaptive": adaptive.result()}
    report(results, args.hours)
    if args.pushes:
        # Told instead of asking: the same story pushed by a hub (bench/pushed.py).
        pushed.report(pushed.measure(args.pushes, args.seed))


def run(
    name: str, adaptive: bool, tick: float, plan: list[list[datetime]], hours: float
) -> list[Served]:
    return asyncio.run(simulate(name, adaptive, tick, plan, hours))[0]


if __name__ == "__main__":
    main()
