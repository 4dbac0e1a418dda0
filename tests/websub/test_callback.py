"""The web role's answers to hubs, against a real database: intent checks echo the challenge
only for a pending or active subscription of ours to that topic; deliveries are kept only
with a valid signature. And which subscriptions a worker must ask for, by state and time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.models import Feed
from bot.storage.store import Store
from bot.websub import callback
from bot.websub.lease import HubLink, HubState
from bot.websub.signature import sign

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
TOPIC = "https://wire.example.com/feed.rss"
LINK = HubLink("https://hub.example.com/", TOPIC)
SECRET = "5e" * 32
BODY = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title></channel></rss>'


def subscribed(store: Store) -> int:
    """A feed with its hub found; returns the subscription's id."""
    store.feeds.sync_catalogue([Feed(name="Wire", url=TOPIC, interval=300)])
    (state,) = store.feeds.feed_states()
    assert state.feed.id is not None
    store.websub.discovered(state.feed.id, LINK, secret=SECRET, guarded=False)
    sub = store.websub.get(feed_id=state.feed.id)
    assert sub is not None
    assert sub.state is HubState.NEW
    return sub.id


def asked(store: Store, sub_id: int, now: datetime = NOW) -> None:
    """A worker asks the hub (marks the request first)."""
    sub = store.websub.get(sub_id=sub_id)
    assert sub is not None
    assert store.websub.requested(sub, now=now, wait=timedelta(minutes=5))


def check(store: Store, sub_id: int | str, **query: str) -> callback.Answer:
    params = {"hub.mode": "subscribe", "hub.topic": TOPIC, "hub.challenge": "c-42"}
    params |= {k.replace("hub_", "hub.", 1): v for k, v in query.items()}
    return callback.intent(store, str(sub_id), params, asked=3600, now=NOW)


def test_the_challenge_is_echoed_only_for_a_subscription_we_asked_for(store: Store) -> None:
    sub_id = subscribed(store)
    assert check(store, sub_id).status == 404  # not asked yet
    asked(store, sub_id)
    assert check(store, sub_id, hub_topic="https://other.example.com/").status == 404
    assert check(store, sub_id + 1).status == 404
    assert check(store, "x1").status == 404
    assert check(store, sub_id, hub_challenge="").status == 404
    assert check(store, sub_id, hub_mode="unsubscribe").status == 404

    answer = check(store, sub_id, hub_lease_seconds="1000")
    assert answer == callback.Answer(200, "c-42")
    sub = store.websub.get(sub_id=sub_id)
    assert sub is not None
    assert sub.state is HubState.ACTIVE
    assert sub.lease_until == NOW + timedelta(seconds=1000)
    assert sub.renew_at == NOW + timedelta(seconds=800)  # at 80% of the lease

    # The same check again (a replay, or a stranger's): nobody asked, so not ours.
    assert check(store, sub_id).status == 404
    # A renewal: asked again, checked again while active; no lease given -> the lease we
    # asked for. A check that comes too late after the request is not ours either.
    asked(store, sub_id, NOW - timedelta(minutes=6))
    assert check(store, sub_id).status == 404
    asked(store, sub_id)
    assert check(store, sub_id).status == 200
    sub = store.websub.get(sub_id=sub_id)
    assert sub is not None
    assert sub.lease_until == NOW + timedelta(seconds=3600)


def test_a_denial_puts_the_feed_back_on_polling(store: Store) -> None:
    sub_id = subscribed(store)
    asked(store, sub_id)
    assert check(store, sub_id, hub_mode="denied", hub_topic="https://x.example/").status == 404
    assert check(store, sub_id, hub_mode="denied", hub_reason="no").status == 200
    sub = store.websub.get(sub_id=sub_id)
    assert sub is not None
    assert sub.state is HubState.DENIED
    assert sub.retry_at is not None
    assert check(store, sub_id).status == 404  # a late check for a denied one: not ours


def deliver(store: Store, sub_id: int | str, signed: str | None) -> int:
    return callback.delivery(
        store, str(sub_id), BODY, signed=signed, content_type="application/rss+xml", now=NOW
    ).status


def test_only_signed_deliveries_are_kept(store: Store) -> None:
    sub_id = subscribed(store)
    assert deliver(store, sub_id, sign(BODY, "forged-secret")) == 403
    assert deliver(store, sub_id, None) == 403
    assert deliver(store, sub_id, sign(BODY + b" ", SECRET)) == 403
    assert deliver(store, sub_id + 1, sign(BODY, SECRET)) == 404
    assert store.websub.pending_pushes() == 0

    assert deliver(store, sub_id, sign(BODY, SECRET, "sha1")) == 202
    assert store.websub.pending_pushes() == 1
    sub = store.websub.get(sub_id=sub_id)
    assert sub is not None
    assert sub.last_push_at == NOW

    lease = timedelta(minutes=3)
    (push,) = store.websub.take_pushes(owner="w1", now=NOW, lease=lease)
    assert push.body == BODY
    assert push.content_type == "application/rss+xml"
    assert store.websub.take_pushes(owner="w2", now=NOW, lease=lease) == []
    # A worker that died holding it: another one takes it after the lease.
    later = NOW + lease + timedelta(seconds=1)
    (again,) = store.websub.take_pushes(owner="w2", now=later, lease=lease)
    assert again.id == push.id
    store.websub.done_pushes([push.id])
    assert store.websub.pending_pushes() == 0


@pytest.mark.parametrize(
    ("steps", "at", "due"),
    [
        ([], 0, True),
        (["requested"], 60, False),
        (["requested"], 301, True),
        (["requested", "verified"], 700, False),
        (["requested", "verified"], 801, True),
        (["requested", "failed"], 3600, False),
        (["requested", "failed"], 6 * 3600 + 1, True),
        (["requested", "denied"], 6 * 3600 - 1, False),
        (["requested", "denied"], 6 * 3600 + 1, True),
    ],
    ids=[
        "new",
        "pending-waits-for-the-check",
        "pending-unanswered",
        "active-before-80-percent",
        "active-at-80-percent",
        "failed-waits",
        "failed-retried",
        "denied-waits",
        "denied-retried",
    ],
)
def test_which_subscriptions_are_due(store: Store, steps: list[str], at: int, due: bool) -> None:
    sub_id = subscribed(store)
    for step in steps:
        if step == "requested":
            asked(store, sub_id)
        elif step == "verified":
            assert store.websub.verified(sub_id, TOPIC, lease_seconds=1000, now=NOW)
        elif step == "failed":
            store.websub.failed(sub_id, now=NOW, error="HTTP 500")
        elif step == "denied":
            assert store.websub.denied(sub_id, TOPIC, reason="", now=NOW)
    found = [s.id for s in store.websub.due(NOW + timedelta(seconds=at))]
    assert found == ([sub_id] if due else [])


def test_a_changed_hub_is_asked_again_with_a_new_secret(store: Store) -> None:
    sub_id = subscribed(store)
    asked(store, sub_id)
    assert store.websub.verified(sub_id, TOPIC, lease_seconds=1000, now=NOW)
    sub = store.websub.get(sub_id=sub_id)
    assert sub is not None
    store.websub.discovered(sub.feed_id, LINK, secret="ignored", guarded=False)
    same = store.websub.get(sub_id=sub_id)
    assert same is not None
    assert same.state is HubState.ACTIVE
    assert same.secret == SECRET
    moved = HubLink("https://hub2.example.com/", TOPIC)
    store.websub.discovered(sub.feed_id, moved, secret="b" * 64, guarded=False)
    fresh = store.websub.get(sub_id=sub_id)
    assert fresh is not None
    assert (fresh.state, fresh.link, fresh.secret) == (HubState.NEW, moved, "b" * 64)


def test_a_removed_feed_is_unsubscribed_and_then_forgotten(store: Store) -> None:
    sub_id = subscribed(store)
    asked(store, sub_id)
    assert store.websub.verified(sub_id, TOPIC, lease_seconds=1000, now=NOW)
    assert store.websub.gone() == []
    store.feeds.sync_catalogue([])  # the operator removed the feed: disabled
    (gone,) = store.websub.gone()
    assert gone.id == sub_id
    assert store.websub.due(NOW + timedelta(days=30)) == []  # never renewed
    assert check(store, sub_id, hub_mode="unsubscribe").status == 404  # not asked yet
    store.websub.leaving(sub_id)
    assert store.websub.gone() == []
    assert (
        check(store, sub_id, hub_mode="unsubscribe", hub_topic="https://x.example/").status == 404
    )
    assert check(store, sub_id, hub_mode="unsubscribe") == callback.Answer(200, "c-42")
    assert store.websub.get(sub_id=sub_id) is None


def test_with_several_workers_one_asks(store: Store) -> None:
    sub_id = subscribed(store)
    (first,) = store.websub.due(NOW)
    (second,) = store.websub.due(NOW)  # another worker read it at the same moment
    assert store.websub.requested(first, now=NOW, wait=timedelta(minutes=5))
    assert not store.websub.requested(second, now=NOW, wait=timedelta(minutes=5))
    asked(store, sub_id, NOW + timedelta(minutes=6))  # a fresh read asks again
    store.feeds.sync_catalogue([])
    assert store.websub.leaving(sub_id)
    assert not store.websub.leaving(sub_id)
