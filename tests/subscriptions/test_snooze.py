"""Snooze in the subscriptions service, on a real database and a clock the test moves: a
snoozed subscription leaves the index, stays out of it while muted and unmuted, survives a
reload, and comes back by itself when its time is up (in this process and in a worker that
follows the database)."""

from __future__ import annotations

from datetime import timedelta

from bot.matching.tickers import TickerUniverse
from bot.storage.store import Store
from bot.subscriptions.service import SubscriptionService
from tests.subscriptions.test_service import CHAT, NOW, indexed


def test_a_snooze_silences_until_its_time_then_ends_by_itself(
    store: Store, universe: TickerUniverse
) -> None:
    now = [NOW]
    subs = SubscriptionService(store, universe, limit=10, clock=lambda: now[0])
    subs.chat_seen(CHAT, "private", "Jane")
    subs.watch(CHAT, ["AMZN", "NVDA"])
    subs.load_index()
    worker = SubscriptionService(store, universe, limit=10, clock=lambda: now[0])
    worker.load_index()
    amzn = next(s for s in store.subscriptions.chat_subscriptions(CHAT) if s.value == "AMZN")

    snoozed = subs.snooze(CHAT, amzn.id, timedelta(hours=1))
    assert snoozed is not None
    assert snoozed.until == NOW + timedelta(hours=1)
    assert store.subscriptions.snoozed(CHAT) == {amzn.id: NOW + timedelta(hours=1)}
    assert indexed(subs) == {"NVDA"}
    fresh = worker.reload_index_if_changed()
    assert fresh is not None
    assert indexed(worker) == {"NVDA"}
    assert subs.snooze(CHAT + 1, amzn.id, timedelta(hours=1)) is None  # not its own

    # Unmuting does not cut a snooze short; nor does a restart.
    subs.set_muted(CHAT, amzn.id, True)
    subs.set_muted(CHAT, amzn.id, False)
    assert indexed(subs) == {"NVDA"}
    now[0] += timedelta(minutes=59)
    assert subs.wake_snoozed() == []
    subs.load_index()
    assert indexed(subs) == {"NVDA"}

    now[0] += timedelta(minutes=1)
    assert [s.value for s in subs.wake_snoozed()] == ["AMZN"]
    assert indexed(subs) == {"AMZN", "NVDA"}
    assert store.subscriptions.snoozed(CHAT) == {}
    assert worker.reload_index_if_changed() is not None
    assert indexed(worker) == {"AMZN", "NVDA"}


def test_a_muted_subscription_whose_snooze_ends_stays_muted(
    store: Store, universe: TickerUniverse
) -> None:
    now = [NOW]
    subs = SubscriptionService(store, universe, limit=10, clock=lambda: now[0])
    subs.chat_seen(CHAT, "private", "Jane")
    subs.watch(CHAT, ["AMZN"])
    subs.load_index()
    (amzn,) = store.subscriptions.chat_subscriptions(CHAT)
    subs.snooze(CHAT, amzn.id, timedelta(days=1))
    subs.set_muted(CHAT, amzn.id, True)
    now[0] += timedelta(days=2)
    assert subs.wake_snoozed() == []
    assert indexed(subs) == set()
    assert store.subscriptions.snoozed(CHAT) == {}
