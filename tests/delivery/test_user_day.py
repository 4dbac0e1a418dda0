"""The user's day through the sender and the fake Bot API: a digest split over several
messages under 4096 characters, each ending with the disclaimer and grouped by what matched;
pause and resume; Telegram's default limits kept on our side (no 429 provoked); a migrated
group keeps its settings."""

from __future__ import annotations

import time

from bot.delivery.limits import Limits, RateLimiter
from bot.models import DeliveryMode
from bot.storage.store import Store
from tests.delivery.conftest import (
    DISCLAIMER,
    NOW,
    SetClock,
    deliver,
    queue_alerts,
    store_articles,
)
from tests.fakes.telegram_api import FakeBotAPI

CHAT = 555


def test_a_long_digest_is_split_under_4096_characters_each_with_the_disclaimer(
    store: Store, fake: FakeBotAPI, clock: SetClock
) -> None:
    store.chats.upsert_chat(CHAT, "private", None, NOW)
    store.chats.update_chat_settings(CHAT, delivery_mode=DeliveryMode.HOURLY.value)
    ids = store_articles(store, 150)
    queue_alerts(store, CHAT, ids[:100], now=NOW, matched=(("ticker", "AMZN"),))
    queue_alerts(store, CHAT, ids[100:], now=NOW, matched=(("keyword", "trainium"),))
    deliver(fake, store, clock)
    assert fake.accepted_count(CHAT) == 0  # held for the next hour's digest
    clock.advance(hours=1)
    deliver(fake, store, clock, rounds=3)
    messages = [m["text"] for m in fake.chat_messages(CHAT)]  # as the chat shows them
    assert len(messages) >= 2
    assert all(len(m) < 4096 and m.rstrip().endswith(DISCLAIMER) for m in messages)
    everything = "\n".join(messages)
    assert everything.count("\n• Story ") == 150  # one line per article
    html = "".join(m["text"] for m in fake.sent(CHAT))
    assert html.count('href="https://news.example.com/') == 150  # each with its link
    assert everything.index("AMZN") < everything.index("trainium")
    assert store.outbox.delivery_counts(CHAT) == {"digested": 150, "sent": len(messages)}


def test_alerts_from_a_paused_time_are_not_sent_after_resume(
    store: Store, fake: FakeBotAPI, clock: SetClock
) -> None:
    queue_alerts(store, CHAT, store_articles(store, 1), now=clock())
    clock.advance(seconds=1)
    assert store.chats.pause_chat(CHAT, clock())
    clock.advance(minutes=1)
    queue_alerts(store, CHAT, store_articles(store, 2, start=10), now=clock())
    deliver(fake, store, clock)
    assert fake.accepted_count(CHAT) == 0
    clock.advance(minutes=1)
    assert store.chats.resume_chat(CHAT, clock()) == 2
    deliver(fake, store, clock)
    (shown,) = [m["text"] for m in fake.chat_messages(CHAT)]
    assert "\nStory 0 about Amazon\n" in shown


def test_default_limits_keep_under_30_per_second_without_a_429(
    store: Store, fake: FakeBotAPI, clock: SetClock
) -> None:
    fake.set_flood_limits()  # Telegram's published limits, answered with 429 when broken
    ids = store_articles(store, 2)
    chats = list(range(1000, 1040))
    for chat in chats:
        queue_alerts(store, chat, ids, now=NOW)
    started = time.monotonic()
    deliver(fake, store, clock, limiter=RateLimiter(Limits()), rounds=8)
    elapsed = time.monotonic() - started
    calls = [c for c in fake.calls if c["method"].lower() == "sendmessage"]
    assert [(c["params"]["chat_id"], c["response"]) for c in calls if c["status"] != 200] == []
    assert sum(fake.accepted.values()) == 80
    times = sorted(m["time"] for m in fake.sent())
    worst = max(sum(1 for t in times if s <= t < s + 1.0) for s in times)
    assert worst <= 30
    assert elapsed >= 80 / 30 - 1


def test_a_migrated_group_keeps_its_settings(
    store: Store, fake: FakeBotAPI, clock: SetClock
) -> None:
    queue_alerts(store, -5002, store_articles(store, 1), now=NOW, chat_type="group")
    store.chats.update_chat_settings(-5002, timezone="Europe/Berlin", max_per_hour=7)
    fake.fail_next("sendMessage", chat_id=-5002, migrate_to_chat_id=-1005002)
    deliver(fake, store, clock, rounds=2)
    assert fake.accepted_count(-1005002) == 1
    moved = store.chats.chat_settings(-1005002)
    assert moved is not None
    assert (moved.timezone, moved.max_per_hour) == ("Europe/Berlin", 7)
