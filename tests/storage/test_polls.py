"""Feed leases: one worker at a time per due feed, and a dead worker's feeds come back."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from bot.feeds.state import Unchanged
from bot.models import Feed
from bot.storage.store import Store

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=3)


def catalogue(store: Store, count: int) -> None:
    store.feeds.sync_catalogue(
        [Feed(name=f"F{n}", url=f"https://f{n}.example/rss", interval=60) for n in range(count)]
    )


def ids(states: list) -> set[int]:  # type: ignore[type-arg]
    return {s.feed.id for s in states}


def test_a_due_feed_goes_to_one_worker(store: Store) -> None:
    catalogue(store, 10)
    first = store.polls.claim_due_feeds(NOW, owner="a", lease=LEASE, limit=6)
    second = store.polls.claim_due_feeds(NOW, owner="b", lease=LEASE)
    assert len(first) == 6
    assert len(second) == 4
    assert ids(first).isdisjoint(ids(second))
    assert store.polls.claim_due_feeds(NOW, owner="c", lease=LEASE) == []


def test_a_dead_workers_feeds_return_when_its_lease_ends(store: Store) -> None:
    catalogue(store, 3)
    held = store.polls.claim_due_feeds(NOW, owner="dead", lease=LEASE)
    assert store.polls.claim_due_feeds(NOW + LEASE / 2, owner="b", lease=LEASE) == []
    taken = store.polls.claim_due_feeds(NOW + LEASE, owner="b", lease=LEASE)
    assert ids(taken) == ids(held)


def test_a_worker_keeps_its_own_leases(store: Store) -> None:
    catalogue(store, 2)
    mine = store.polls.claim_due_feeds(NOW, owner="a", lease=LEASE)
    again = store.polls.claim_due_feeds(NOW + timedelta(seconds=5), owner="a", lease=LEASE)
    assert ids(again) == ids(mine)


def test_a_polled_feed_is_not_due_again_until_its_time(store: Store) -> None:
    catalogue(store, 1)
    (state,) = store.polls.claim_due_feeds(NOW, owner="a", lease=LEASE)
    assert state.feed.id is not None
    store.polls.record_unchanged([Unchanged(state.feed.id, NOW, NOW + timedelta(minutes=5))])
    later = NOW + LEASE + timedelta(seconds=1)
    assert store.polls.claim_due_feeds(later, owner="b", lease=LEASE) == []
    assert len(store.polls.claim_due_feeds(NOW + timedelta(minutes=5), owner="b", lease=LEASE)) == 1


def test_workers_claiming_at_the_same_moment_never_share_a_feed(store: Store) -> None:
    catalogue(store, 200)
    with ThreadPoolExecutor(max_workers=4) as pool:
        claims = list(
            pool.map(
                lambda owner: store.polls.claim_due_feeds(NOW, owner=owner, lease=LEASE, limit=20),
                [f"w{n}" for n in range(12)],
            )
        )
    claimed = [s.feed.id for states in claims for s in states]
    assert len(claimed) == len(set(claimed)) == 200


def test_a_released_feed_is_free_for_anyone_at_its_next_poll(store: Store) -> None:
    catalogue(store, 2)
    mine = store.polls.claim_due_feeds(NOW, owner="a", lease=LEASE)
    store.polls.release_feeds([s.feed.id for s in mine if s.feed.id], owner="b")  # not b's to give
    assert store.polls.claim_due_feeds(NOW, owner="b", lease=LEASE) == []
    store.polls.release_feeds([s.feed.id for s in mine if s.feed.id], owner="a")
    assert ids(store.polls.claim_due_feeds(NOW, owner="b", lease=LEASE)) == ids(mine)
