"""WebSub in the poll stage, against a real feed server and database: a polled feed's hub is
recorded; a pushed story takes the poll's own path, so a push and a poll of one story make one
alert; a pushed feed is polled at the safety interval; a hub that stays silent while polls
find stories puts the feed back on its schedule. Time is a settable clock."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta

import pytest

from bot.feeds.fetch import make_client
from bot.matching.tickers import TickerUniverse
from bot.poll.result import PollResult
from bot.storage.store import Store
from bot.websub import callback
from bot.websub.lease import HubLink, HubState
from bot.websub.signature import sign
from tests.fakes.feed_server import FeedServer
from tests.poll.test_feed import ADMIN, START, USER_CHAT, Poller, alerts_for, catalogue, rss, watch
from tests.websub.conftest import with_hub

HUB = "https://hub.example.com/"
WEBHOOK = "https://alerts.example.com"
STORY = ("amzn-1", "https://wire.example.com/amzn-1", "Amazon ships one million Trainium chips")
OTHER = ("amzn-2", "https://wire.example.com/amzn-2", "Amazon opens a data centre in Ohio")
LATER = ("amzn-3", "https://wire.example.com/amzn-3", "Amazon raises its guidance")


def document(*items: tuple[str, str, str], url: str) -> bytes:
    return with_hub(rss(items), HUB, url)


@pytest.fixture
def server() -> FeedServer:
    with FeedServer() as feeds_server:
        yield feeds_server  # type: ignore[misc]


def make_poller(store: Store, universe: TickerUniverse, **settings: object) -> Poller:
    store.chats.upsert_chat(ADMIN, "private", "Operator", START)
    store.chats.upsert_chat(USER_CHAT, "private", "User", START)
    values: dict[str, object] = {"webhook_url": WEBHOOK, "poll_adaptive": False}
    poller = Poller(store, universe, **(values | settings))
    watch(poller, USER_CHAT, "AMZN")
    return poller


def pushed(poller: Poller) -> Sequence[PollResult]:
    async def go() -> list[PollResult]:
        async with make_client() as client:
            poller.cycle.feeds.client = client
            return await poller.cycle.poll_pushed()

    return asyncio.run(go())


def push(poller: Poller, sub_id: int, body: bytes, secret: str) -> None:
    answer = callback.delivery(
        poller.store,
        str(sub_id),
        body,
        signed=sign(body, secret),
        content_type="application/rss+xml",
        now=poller.clock.now,
    )
    assert answer.status == 202


def subscribe(poller: Poller, server: FeedServer) -> tuple[str, int, str]:
    """A feed with a hub, polled once (its baseline), its subscription verified."""
    url = server.set("/wire.rss", document(url=server.url("/wire.rss")), etag='"e0"')
    catalogue(poller.store, url)
    poller.run()
    feed_id = poller.state(url).feed.id
    assert feed_id is not None
    sub = poller.store.websub.get(feed_id=feed_id)
    assert sub is not None
    assert sub.link == HubLink(HUB, url)
    assert sub.state is HubState.NEW
    now = poller.clock.now
    assert poller.store.websub.requested(sub, now=now, wait=timedelta(minutes=5))
    assert poller.store.websub.verified(sub.id, url, lease_seconds=86400, now=now)
    return url, sub.id, sub.secret


def test_no_hub_is_recorded_without_a_public_url(
    server: FeedServer, store: Store, universe: TickerUniverse
) -> None:
    poller = make_poller(store, universe, webhook_url=None)
    url = server.set("/wire.rss", document(url="https://wire.example.com/wire.rss"))
    catalogue(store, url)
    poller.run()
    feed_id = poller.state(url).feed.id
    assert feed_id is not None
    assert store.websub.get(feed_id=feed_id) is None


@pytest.mark.parametrize("first", ["push", "poll"], ids=["push-then-poll", "poll-then-push"])
def test_a_story_pushed_and_polled_alerts_once(
    server: FeedServer, store: Store, universe: TickerUniverse, first: str
) -> None:
    poller = make_poller(store, universe)
    url, sub_id, secret = subscribe(poller, server)
    body = document(STORY, url=url)
    poller.clock.advance(seconds=30)
    for step in (first, "poll" if first == "push" else "push"):
        if step == "push":
            push(poller, sub_id, body, secret)
            results = pushed(poller)
            assert [r.error for r in results] == [None]
        else:
            server.set("/wire.rss", body, etag='"e1"')
            poller.run()
        poller.clock.advance(seconds=5)
        assert alerts_for(poller, USER_CHAT) == 1, step
    assert store.websub.pending_pushes() == 0


def test_a_pushed_feed_is_polled_at_the_safety_interval(
    server: FeedServer, store: Store, universe: TickerUniverse
) -> None:
    poller = make_poller(store, universe, websub_safety_poll=900)
    url, sub_id, secret = subscribe(poller, server)
    push(poller, sub_id, document(STORY, url=url), secret)
    (result,) = pushed(poller)
    assert result.new_stories == 1
    now = poller.clock.now
    assert poller.state(url).next_poll_at == now + timedelta(seconds=900)
    poller.run()  # a 304
    assert poller.state(url).next_poll_at == now + timedelta(seconds=900)


def test_a_silent_hub_puts_its_feed_back_on_polling(
    server: FeedServer, store: Store, universe: TickerUniverse
) -> None:
    poller = make_poller(store, universe, websub_safety_poll=900)
    url, sub_id, _ = subscribe(poller, server)
    for n, items in enumerate([(STORY,), (STORY, OTHER)], start=1):
        poller.clock.advance(seconds=900)
        server.set("/wire.rss", document(*items, url=url), etag=f'"e{n}"')
        poller.run()
    sub = store.websub.get(sub_id=sub_id)
    assert sub is not None
    assert sub.state is HubState.SILENT
    assert alerts_for(poller, USER_CHAT) == 2
    # Back on the feed's own schedule (POLL_INTERVAL, 300 s).
    poller.clock.advance(seconds=60)
    server.set("/wire.rss", document(STORY, OTHER, LATER, url=url), etag='"e3"')
    poller.run()
    assert poller.state(url).next_poll_at == poller.clock.now + timedelta(seconds=300)


def test_a_lapsed_lease_puts_the_feed_back_on_its_schedule(
    server: FeedServer, store: Store, universe: TickerUniverse
) -> None:
    """A hub that never renewed (its lease ran out): the feed is polled as before."""
    poller = make_poller(store, universe, websub_safety_poll=900)
    url, sub_id, _ = subscribe(poller, server)
    sub = store.websub.get(sub_id=sub_id)
    assert sub is not None
    assert sub.lease_until is not None
    poller.clock.now = sub.lease_until + timedelta(seconds=1)
    poller.run()
    assert poller.state(url).next_poll_at == poller.clock.now + timedelta(seconds=300)
