"""The worker's requests to hubs, against a hub on 127.0.0.1 and a real database: what is
asked, the failures that put a feed back on polling (a hub on a private address for a
user feed, a hub that cannot be reached, one that refuses, one that never checks), and how
often the store is read (at most every 5 s of a fake clock, the queries counted on the
engine). Redirects and the checked hops: test_subscriber_hops.py."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from bot.feeds.fetch import make_client
from bot.feeds.guard import Guard
from bot.models import Feed
from bot.settings import Settings
from bot.storage.store import Store
from bot.websub.lease import HubLink, HubState
from bot.websub.subscriber import Subscriber
from tests.fakes.websub_hub import FakeHub

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
TOPIC = "https://wire.example.com/feed.rss"


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def setup(store: Store, hub: str, *, guarded: bool = False) -> int:
    store.feeds.sync_catalogue([Feed(name="Wire", url=TOPIC, interval=300)])
    (state,) = store.feeds.feed_states()
    assert state.feed.id is not None
    store.websub.discovered(state.feed.id, HubLink(hub, TOPIC), secret="ab" * 32, guarded=guarded)
    sub = store.websub.get(feed_id=state.feed.id)
    assert sub is not None
    return sub.id


def hub_settings() -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        # Nothing listens there: the hub's intent check cannot reach us.
        webhook_url=f"http://127.0.0.1:{closed_port()}",
        websub_lease_seconds=7200,
    )


def ask(store: Store, clock: Clock, *, allow_private: bool = True) -> None:
    guard = Guard(allow_private=allow_private)

    async def go() -> None:
        async with make_client() as client:
            subscriber = Subscriber(hub_settings(), store, client, clock=clock, check=guard.check)
            await subscriber.ask_due()

    asyncio.run(go())


def test_the_request_names_topic_callback_secret_and_lease(store: Store) -> None:
    clock = Clock()
    with FakeHub() as hub:
        sub_id = setup(store, hub.url)
        ask(store, clock)
        (request,) = hub.requests
    assert request.form["hub.mode"] == "subscribe"
    assert request.form["hub.topic"] == TOPIC
    assert request.form["hub.callback"].endswith(f"/websub/{sub_id}")
    assert request.form["hub.secret"] == "ab" * 32
    assert request.form["hub.lease_seconds"] == "7200"
    sub = store.websub.get(sub_id=sub_id)
    assert sub is not None
    assert sub.state is HubState.PENDING

    # The hub never checked our intent: given up after the wait, asked again hours later.
    clock.now += timedelta(minutes=4)
    ask(store, clock)
    assert len(hub.requests) == 1
    clock.now += timedelta(minutes=2)
    ask(store, clock)
    failed = store.websub.get(sub_id=sub_id)
    assert failed is not None
    assert failed.state is HubState.FAILED
    assert failed.retry_at == clock.now + timedelta(hours=6)


@pytest.mark.parametrize(
    ("case", "error"),
    [("refused", "HTTP 500"), ("unreachable", "ConnectError"), ("private", "Blocked")],
    ids=["hub-refuses", "hub-unreachable", "user-feed-hub-on-a-private-address"],
)
def test_a_hub_that_cannot_be_asked_leaves_the_feed_polled(
    store: Store, case: str, error: str
) -> None:
    clock = Clock()
    with FakeHub(refuse=500) as hub:
        url = f"http://127.0.0.1:{closed_port()}/" if case == "unreachable" else hub.url
        sub_id = setup(store, url, guarded=case == "private")
        ask(store, clock, allow_private=case != "private")
        asked = len(hub.requests)
    sub = store.websub.get(sub_id=sub_id)
    assert sub is not None
    assert sub.state is HubState.FAILED
    assert sub.error is not None
    assert error in sub.error
    assert asked == (1 if case == "refused" else 0)
    assert store.websub.due(clock.now + timedelta(hours=1)) == []


@contextmanager
def websub_reads(store: Store) -> Iterator[list[str]]:
    """The SELECTs on the websub table the engine runs meanwhile."""
    seen: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM websub" in statement:
            seen.append(statement)

    event.listen(store.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", before)


def ticks(store: Store, clock: Clock, seconds: list[float], *, between: Any = None) -> list[int]:
    """One Subscriber asked at each of `seconds` after NOW (the worker's ticks); how many it
    asked each time. `between(second)` runs before each tick (the rest of the world)."""

    async def go() -> list[int]:
        asked = []
        async with make_client() as client:
            subscriber = Subscriber(hub_settings(), store, client, clock=clock)
            for second in seconds:
                clock.now = NOW + timedelta(seconds=second)
                if between is not None:
                    between(second)
                asked.append(await subscriber.ask_due())
        return asked

    return asyncio.run(go())


def test_the_store_is_read_at_most_every_five_seconds(store: Store) -> None:
    clock = Clock()
    with websub_reads(store) as reads:
        asked = ticks(store, clock, [0, 1, 2, 3, 4, 5, 6, 9.9, 10, 11])
    assert asked == [0] * 10
    assert len(reads) == 2 * 3  # gone() and due() at 0, 5 and 10 s


def test_a_new_feed_is_asked_at_the_next_read(store: Store) -> None:
    clock = Clock()
    with FakeHub() as hub:

        def discover(second: float) -> None:
            if second == 1:
                setup(store, hub.url)

        asked = ticks(store, clock, [0, 1, 2, 4, 5, 6], between=discover)
        assert len(hub.requests) == 1
    assert asked == [0, 0, 0, 0, 1, 0]


def test_a_clock_set_back_reads_at_once(store: Store) -> None:
    clock = Clock()
    with websub_reads(store) as reads:
        ticks(store, clock, [0, -3600, -3599])
    assert len(reads) == 2 * 2  # at 0 and at once after the clock went back an hour


def test_a_renewal_due_between_two_reads_is_asked_before_the_lease_ends(store: Store) -> None:
    """A 7 s lease verified 1 s after the request: renewal due at 6.6 s, lease over at 8 s.
    The reads at 0 and 5 s: the one at 5 asks for it (early), not the one at 10 (too late)."""
    clock = Clock()
    with FakeHub() as hub:
        sub_id = setup(store, hub.url)

        def verify(second: float) -> None:
            if second == 1:
                assert store.websub.verified(sub_id, TOPIC, lease_seconds=7, now=clock.now)

        asked = ticks(store, clock, [0, 1, 2, 3, 4, 5, 6, 7], between=verify)
        assert [r.form["hub.mode"] for r in hub.requests] == ["subscribe", "subscribe"]
    assert asked == [1, 0, 0, 0, 0, 1, 0, 0]
    sub = store.websub.get(sub_id=sub_id)
    assert sub is not None
    assert sub.state is HubState.ACTIVE
    assert sub.requested_at == NOW + timedelta(seconds=5)
    assert sub.lease_until == NOW + timedelta(seconds=8)
