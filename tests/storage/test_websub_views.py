"""`WebSubRepository.views()` against a real database (SQLite, and PostgreSQL in CI): every
subscription by feed id as reports show it, after the repository's own state changes; the
hub as a host, the reason without URLs or the secret."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.models import Feed
from bot.storage.store import Store
from bot.websub.lease import HubLink, HubState

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
HUB = "https://user:pw@hub.example.com/hub?token=t0k"
SECRET = "5e" * 32
NAMES = ("Wire", "Desk", "Ops", "Plain")


def topic(name: str) -> str:
    return f"https://{name.lower()}.example.com/feed.rss"


def feed_ids(store: Store) -> dict[str, int]:
    store.feeds.sync_catalogue([Feed(name=n, url=topic(n), interval=300) for n in NAMES])
    return {s.feed.name: s.feed.id for s in store.feeds.feed_states() if s.feed.id is not None}


def asked(store: Store, ids: dict[str, int], name: str) -> int:
    """The hub of feed `name` found and asked; the subscription's id."""
    link = HubLink(HUB, topic(name))
    store.websub.discovered(ids[name], link, secret=SECRET, guarded=False)
    sub = store.websub.get(feed_id=ids[name])
    assert sub is not None
    assert store.websub.requested(sub, now=NOW, wait=timedelta(minutes=5))
    return sub.id


def test_views_show_each_feeds_hub_by_state_without_secrets(store: Store) -> None:
    ids = feed_ids(store)
    assert store.websub.views() == {}

    wire = asked(store, ids, "Wire")
    assert store.websub.verified(wire, topic("Wire"), lease_seconds=3600, now=NOW)
    pushed = store.websub.get(sub_id=wire)
    assert pushed is not None
    store.websub.keep_push(pushed, b"<rss/>", content_type="application/rss+xml", now=NOW)
    asked(store, ids, "Desk")
    ops = asked(store, ids, "Ops")
    store.websub.failed(ops, now=NOW, error=f"HTTP 400 {SECRET} for {HUB}: no")

    views = store.websub.views()
    assert set(views) == {ids["Wire"], ids["Desk"], ids["Ops"]}  # Plain has no hub
    assert {v.host for v in views.values()} == {"hub.example.com"}
    active, pending, failed = views[ids["Wire"]], views[ids["Desk"]], views[ids["Ops"]]
    assert (active.state, active.lease_until, active.last_push_at) == (
        HubState.ACTIVE,
        NOW + timedelta(hours=1),
        NOW,
    )
    assert (pending.state, pending.requested_at) == (HubState.PENDING, NOW)
    assert (failed.state, failed.retry_at) == (HubState.FAILED, NOW + timedelta(hours=6))
    assert failed.reason == "HTTP 400 [secret] for hub.example.com: no"
    assert store.websub.count_by_state() == {
        HubState.ACTIVE: 1,
        HubState.PENDING: 1,
        HubState.FAILED: 1,
    }
    shown = repr(views)
    for hidden in (SECRET, "pw", "t0k", "example.com/feed.rss"):
        assert hidden not in shown


def test_a_removed_feeds_subscription_shows_as_leaving(store: Store) -> None:
    ids = feed_ids(store)
    sub = asked(store, ids, "Wire")
    assert store.websub.leaving(sub)
    assert store.websub.views()[ids["Wire"]].state is HubState.LEAVING
    assert store.websub.left(sub, topic("Wire"))
    assert store.websub.views() == {}
