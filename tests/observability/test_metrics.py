"""WebSub in /metrics: the subscriptions by state, read from a real database just before a
scrape (`Services.refresh_gauges`, as the health server calls it), and the deliveries the web
role's callback accepted or refused, scraped over real HTTP from the health server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from bot.matching.tickers import TickerUniverse
from bot.models import Feed
from bot.observability.server import HealthServer
from bot.services import Services
from bot.settings import Settings
from bot.storage.store import Store
from bot.websub import callback
from bot.websub.lease import HubLink, HubState
from bot.websub.signature import sign

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
SECRET = "5e" * 32
BODY = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title></channel></rss>'
NAMES = ("Wire", "Desk", "Ops")


def metric(text: str, sample: str) -> float:
    """One sample's value from the Prometheus text format (`name` or `name{labels}`)."""
    for line in text.splitlines():
        if line.startswith(sample + " "):
            return float(line.split()[1])
    raise AssertionError(f"{sample} not in /metrics")


@pytest.fixture
def services(store: Store, database_url: str, sec_table_path: Path, tmp_path: Path) -> Services:
    settings = Settings(_env_file=None, database_url=database_url, data_dir=tmp_path)
    universe = TickerUniverse.load(sec_table_path, tmp_path)
    return Services.create(settings, store, universe, clock=lambda: NOW)


@pytest.fixture
def scrape(services: Services) -> Iterator[httpx.Client]:
    server = HealthServer("127.0.0.1", 0, lambda: (True, {}), services.refresh_gauges).start()
    with httpx.Client(base_url=f"http://127.0.0.1:{server.port}") as client:
        yield client
    server.stop()


def subscriptions(store: Store) -> dict[str, int]:
    """Three feeds whose hubs were found and asked: the subscription ids by feed name."""
    store.feeds.sync_catalogue(
        [Feed(name=n, url=f"https://{n.lower()}.example.com/rss", interval=300) for n in NAMES]
    )
    found = {}
    for state in store.feeds.feed_states():
        assert state.feed.id is not None
        link = HubLink("https://hub.example.com/", state.feed.url)
        store.websub.discovered(state.feed.id, link, secret=SECRET, guarded=False)
        sub = store.websub.get(feed_id=state.feed.id)
        assert sub is not None
        assert store.websub.requested(sub, now=NOW, wait=timedelta(minutes=5))
        found[state.feed.name] = sub.id
    return found


def test_subscriptions_by_state_and_pushes_accepted_and_refused(
    store: Store, scrape: httpx.Client
) -> None:
    before = scrape.get("/metrics").text
    for state in HubState:  # every state is there from the first scrape, at 0
        assert metric(before, f'bot_websub_subscriptions{{state="{state}"}}') == 0
    accepted = metric(before, "bot_websub_pushes_accepted_total")
    refused = metric(before, "bot_websub_pushes_refused_total")

    subs = subscriptions(store)
    assert store.websub.verified(
        subs["Wire"], "https://wire.example.com/rss", lease_seconds=60, now=NOW
    )
    store.websub.failed(subs["Ops"], now=NOW, error="HTTP 500")
    assert callback.delivery(
        store, str(subs["Wire"]), BODY, signed=sign(BODY, SECRET), content_type=None, now=NOW
    ) == callback.Answer(202, "accepted")
    for forged in (sign(BODY, "not-the-secret"), None):
        answer = callback.delivery(
            store, str(subs["Wire"]), BODY, signed=forged, content_type=None, now=NOW
        )
        assert answer.status == 403
    assert (
        callback.delivery(store, "999", BODY, signed=None, content_type=None, now=NOW).status == 404
    )

    after = scrape.get("/metrics").text
    by_state = {s: metric(after, f'bot_websub_subscriptions{{state="{s}"}}') for s in HubState}
    assert by_state == {s: 0 for s in HubState} | {"active": 1, "pending": 1, "failed": 1}
    assert metric(after, "bot_websub_pushes_accepted_total") == accepted + 1
    assert metric(after, "bot_websub_pushes_refused_total") == refused + 2  # not the unknown id

    # A state none is in any longer reads 0, not its count at the last scrape.
    assert store.websub.leaving(subs["Desk"])
    assert store.websub.left(subs["Desk"], "https://desk.example.com/rss")
    last = scrape.get("/metrics").text
    assert metric(last, 'bot_websub_subscriptions{state="pending"}') == 0
    assert metric(last, 'bot_websub_subscriptions{state="leaving"}') == 0
