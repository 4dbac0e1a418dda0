"""The worker's requests to hubs, against a hub on 127.0.0.1 and a real database: what is
asked, and the failures that put a feed back on polling (a hub on a private address for a
user feed, a hub that cannot be reached, one that refuses, one that never checks)."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime, timedelta

import pytest

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


def ask(store: Store, clock: Clock, *, allow_private: bool = True) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        # Nothing listens there: the hub's intent check cannot reach us.
        webhook_url=f"http://127.0.0.1:{closed_port()}",
        websub_lease_seconds=7200,
    )
    guard = Guard(allow_private=allow_private)

    async def go() -> None:
        async with make_client() as client:
            subscriber = Subscriber(settings, store, client, clock=clock, check=guard.check)
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
