"""The adaptive schedule on the poll path: real HTTP on 127.0.0.1, a real database, a settable
clock. A feed's first fetch teaches its pace from its items' dates; busy wires come back in
seconds, quiet feeds later than the fixed interval; max-age is obeyed and <ttl> is a hint; the
poll job fetches a feed when it is due, not on a 30 s tick."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from email.utils import format_datetime
from typing import Any, cast

import pytest

from bot.feeds.fetch import make_client
from bot.matching.tickers import TickerUniverse
from bot.poll.job import PollJob
from bot.storage.store import Store
from tests.fakes.feed_server import FeedServer
from tests.poll.test_feed import ADMIN, START, Poller, catalogue


def dated_rss(published: Sequence[datetime], *, ttl: int | None = None) -> bytes:
    """An RSS 2.0 document with one item per publication time."""
    items = "".join(
        f"<item><guid>g{at.timestamp():.0f}</guid><link>https://n.example/{at.timestamp():.0f}"
        f"</link><title>Story at {at.isoformat()}</title><description>Earnings.</description>"
        f"<pubDate>{format_datetime(at)}</pubDate></item>"
        for at in published
    )
    ttl_tag = f"<ttl>{ttl}</ttl>" if ttl else ""
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
        f"<link>https://wire.example.com/</link>{ttl_tag}{items}</channel></rss>"
    ).encode()


def every(seconds: float, count: int, *, until: datetime = START) -> list[datetime]:
    return [until - timedelta(seconds=seconds * n) for n in range(count)]


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as feeds_server:
        yield feeds_server


@pytest.fixture
def poller(store: Store, universe: TickerUniverse) -> Poller:
    store.chats.upsert_chat(ADMIN, "private", "Operator", START)
    # Ten feeds on one host: each cycle in its own event loop must never wait on the gate.
    return Poller(store, universe, per_host_concurrency=20)


def next_delay(poller: Poller, url: str) -> timedelta:
    """How long after its last fetch the feed is polled next."""
    state = poller.state(url)
    assert state.next_poll_at is not None
    assert state.last_fetch_at is not None
    return state.next_poll_at - state.last_fetch_at


QUIET = every(86400 + 3917, 20)  # daily, at a different hour each day


def settle(poller: Poller, server: FeedServer, *urls: str) -> list[str]:
    """The feeds `urls` in a fleet of nine quiet feeds and a wire, fetched once and again a
    minute later (by when the cycle knows the fleet's rhythms and shares the budget). Returns
    the quiet feeds."""
    quiet = [server.set(f"/quiet{n}.rss", dated_rss(QUIET), etag="q") for n in range(9)]
    wire = server.set("/wire.rss", dated_rss(every(30, 30)), etag="w")
    catalogue(poller.store, *urls, *quiet, wire)
    poller.due()
    poller.clock.advance(seconds=61)
    poller.due()
    return quiet


@pytest.mark.parametrize(
    ("published", "ttl", "headers", "shortest", "longest"),
    [
        (every(20, 30), None, {}, timedelta(seconds=5), timedelta(seconds=60)),
        (every(60, 30), None, {}, timedelta(seconds=5), timedelta(seconds=90)),
        (every(30, 30), 60, {}, timedelta(seconds=5), timedelta(seconds=90)),
        (every(30, 30), None, {"Cache-Control": "max-age=600"}, *[timedelta(minutes=10)] * 2),
        (QUIET, None, {}, timedelta(seconds=301), timedelta(hours=1)),
        (QUIET, 120, {}, timedelta(hours=2), timedelta(hours=2)),
    ],
    ids=[
        "wire-every-20s",
        "wire-every-minute",
        "ttl-an-hour-is-a-hint-for-a-busy-wire",
        "max-age-obeyed",
        "daily-feed-less-often-than-today",
        "ttl-honoured-for-a-feed-quieter-than-it",
    ],
)
def test_the_next_poll_follows_the_feeds_pace(
    server: FeedServer,
    poller: Poller,
    published: list[datetime],
    ttl: int | None,
    headers: dict[str, str],
    shortest: timedelta,
    longest: timedelta,
) -> None:
    url = server.set("/a.rss", dated_rss(published, ttl=ttl), headers=headers, etag="a")
    settle(poller, server, url)
    assert shortest <= next_delay(poller, url) <= longest
    assert poller.state(url).rhythm is not None


def test_with_adaptive_polling_off_every_feed_keeps_its_interval(
    server: FeedServer, store: Store, universe: TickerUniverse
) -> None:
    poller = Poller(store, universe, poll_adaptive=False, per_host_concurrency=20)
    url = server.set("/a.rss", dated_rss(every(20, 30)))
    catalogue(poller.store, url)
    poller.due()
    assert next_delay(poller, url) == timedelta(seconds=300)


def test_busy_feeds_are_paid_for_by_quiet_ones(server: FeedServer, poller: Poller) -> None:
    """Wires and daily feeds: the wires polled far more often than every 300 s, the daily
    feeds less often (that the fleet stays within the fixed schedule's requests over a week is
    `test_the_square_root_rule_spends_no_more_than_the_fixed_schedule`)."""
    wire = server.set("/minute.rss", dated_rss(every(60, 30)), etag="m")
    quiet = settle(poller, server, wire)
    assert next_delay(poller, wire) <= timedelta(seconds=90)
    assert all(next_delay(poller, url) > timedelta(seconds=300) for url in quiet)


def test_what_each_poll_finds_is_learned(server: FeedServer, poller: Poller) -> None:
    url = server.set("/a.rss", dated_rss(every(600, 3)), etag="v1")
    settle(poller, server, url)
    first = poller.state(url).rhythm
    assert first is not None
    poller.clock.advance(minutes=15)
    fresh = every(20, 10, until=poller.clock.now)
    server.set("/a.rss", dated_rss([*fresh, *every(600, 3)]), etag="v2")
    poller.due()
    learned = poller.state(url).rhythm
    assert learned is not None
    assert sum(learned.counts) == sum(first.counts) + len(fresh)
    assert next_delay(poller, url) < timedelta(seconds=90)


class _NoContext:
    """The job only hands its context to the delivery callback."""


def test_the_poll_job_fetches_a_feed_when_it_is_due(server: FeedServer, poller: Poller) -> None:
    url = server.set("/a.rss", dated_rss(every(20, 30)), etag="v1")
    catalogue(poller.store, url)
    woken: list[object] = []

    async def deliver(context: Any) -> None:
        woken.append(context)

    job = PollJob(poller.cycle, deliver)
    context = cast(Any, _NoContext())

    async def tick() -> None:
        async with make_client() as client:
            poller.cycle.feeds.client = client
            await job(context)

    asyncio.run(tick())
    assert server.hits("/a.rss") == 1
    due = poller.state(url).next_poll_at
    assert due is not None
    assert due - START <= timedelta(seconds=60)
    while poller.clock.now + timedelta(seconds=1) < due:  # one tick a second until it is due
        poller.clock.advance(seconds=1)
        asyncio.run(tick())
    assert server.hits("/a.rss") == 1
    poller.clock.advance(seconds=1)
    asyncio.run(tick())
    assert server.hits("/a.rss") == 2
