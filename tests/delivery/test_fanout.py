"""Fan-out through the fake Bot API at Telegram's limits, in real time: a story for a few
chats queued after one for many arrives within seconds, the many no later than the limits
allow; paid broadcasts ask for allow_paid_broadcast and go faster than 30 a second; a Stars
balance that runs short falls back to the free rate and loses nothing."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime

import pytest
from telegram.error import BadRequest

from bot.delivery.botapi import BotAPI, is_balance_short
from bot.delivery.limits import PAID_RETRY, Limits, RateLimiter
from bot.delivery.sender import SendOptions, send_pending
from bot.models import Hit, Kind, Subscription
from bot.storage.store import OutboxRow, Store
from tests.delivery.conftest import store_articles
from tests.fakes.telegram_api import FakeBotAPI, most_within

BIG, HANDFUL = 300, (1001, 1002, 1003)


async def drain(fake: FakeBotAPI, store: Store, limiter: RateLimiter, later: float = 0.0) -> float:
    """Send rounds with the real clock until the outbox is empty; with `later`, the handful's
    story is queued that many seconds in. Returns when it was queued (time.time())."""
    queued = 0.0

    async def handful() -> None:
        nonlocal queued
        await asyncio.sleep(later)
        (story,) = store_articles(store, 1, start=500)
        queued = queue_story(store, story, list(HANDFUL))

    task = asyncio.create_task(handful()) if later else None
    async with BotAPI(fake.url, fake.token) as api:
        while True:
            report = await send_pending(api, store, limiter=limiter, options=SendOptions())
            if not report.sent:
                if (task is None or task.done()) and not store.outbox.pending(
                    datetime.now(UTC), limit=1
                ):
                    break
                await asyncio.sleep(0.05)
    return queued


def queue_story(store: Store, story: int, chats: list[int]) -> float:
    """Queue one story for the chats at once, as the poll stage does; when (time.time())."""
    for chat in chats:
        store.chats.upsert_chat(chat, "private", None, datetime.now(UTC))
    hit = Hit(Subscription(1, 0, Kind.TICKER, "AMZN"), ("AMZN",), "")
    store.outbox.enqueue_alerts(
        [OutboxRow(chat, story, (hit,)) for chat in chats], now=datetime.now(UTC)
    )
    return time.time()


def fan_out(store: Store, chats: int) -> float:
    (story,) = store_articles(store, 1)
    return queue_story(store, story, list(range(1, chats + 1)))


def test_a_story_for_a_few_chats_is_not_stuck_behind_one_for_many(
    store: Store, fake: FakeBotAPI
) -> None:
    fake.set_flood_limits()  # Telegram's: 429 beyond 30 a second, 1 a second per chat
    started = fan_out(store, BIG)
    queued = asyncio.run(drain(fake, store, RateLimiter(Limits()), later=1.0))
    arrived = {m["chat_id"]: m["time"] for m in fake.sent()}
    handful = [arrived[c] - queued for c in HANDFUL]
    assert max(handful) < 3.5, handful  # a round (2 s at most) and their own sends
    # The 300 take what the limit takes (303 messages at 30 a second, with its margin), no
    # more: they were not held up by the handful beyond its 3 messages.
    last = max(arrived[c] for c in range(1, BIG + 1)) - started
    assert last < (BIG + len(HANDFUL)) / 30 * 1.05 + 1.5, last
    assert sorted(fake.accepted.values()) == [1] * (BIG + len(HANDFUL))  # each exactly once
    assert [c for c in fake.calls if c["status"] == 429] == []
    assert most_within([m["time"] for m in fake.sent()]) <= 30
    assert store.outbox.delivery_counts() == {"sent": BIG + len(HANDFUL)}


def test_paid_broadcasts_ask_for_it_and_go_beyond_30_a_second(
    store: Store, fake: FakeBotAPI
) -> None:
    fake.set_flood_limits()  # 1,000 a second for paid sends, 30 for the others
    fan_out(store, BIG)
    asyncio.run(drain(fake, store, RateLimiter(Limits.for_bot(30, paid=True))))
    sent = fake.sent()
    assert len(sent) == BIG
    assert fake.paid_sends == BIG
    assert all(m["params"]["allow_paid_broadcast"] is True for m in sent)
    assert most_within([m["time"] for m in sent]) > 60
    assert [c for c in fake.calls if c["status"] == 429] == []


def test_a_short_stars_balance_falls_back_to_the_free_rate_and_loses_nothing(
    store: Store, fake: FakeBotAPI, caplog: pytest.LogCaptureFixture
) -> None:
    fake.set_flood_limits()
    fake.set_star_balance(4.0)  # 40 paid messages
    fan_out(store, 100)
    limiter = RateLimiter(Limits.for_bot(30, paid=True))
    with caplog.at_level(logging.WARNING, logger="bot.delivery.sender"):
        asyncio.run(drain(fake, store, limiter))
    assert sorted(fake.accepted.values()) == [1] * 100  # every alert, once
    assert fake.paid_sends == 40
    free = [m for m in fake.sent() if "allow_paid_broadcast" not in m["params"]]
    assert len(free) == 60
    assert most_within([m["time"] for m in free]) <= 30
    assert not limiter.paid_broadcast()
    warnings = [
        r.getMessage() for r in caplog.records if "Stars balance is short" in r.getMessage()
    ]
    assert len(warnings) == 1, warnings  # said once, not once per refused message
    assert store.outbox.delivery_counts() == {"sent": 100}


def test_paid_sending_is_tried_again_after_a_while() -> None:
    clock = [0.0]
    limiter = RateLimiter(Limits.for_bot(30, paid=True), now=lambda: clock[0])
    limiter.set_share(2)
    assert limiter.paid_broadcast()
    assert limiter.limits.overall_per_second == 500  # its share of 1,000
    assert limiter.stop_paid()
    assert not limiter.stop_paid()  # only the first refusal changes the limit
    assert not limiter.paid_broadcast()
    assert limiter.limits.overall_per_second == 15
    clock[0] += PAID_RETRY
    assert limiter.paid_broadcast()
    assert limiter.limits.overall_per_second == 500


def test_without_paid_broadcast_the_parameter_is_never_sent(store: Store, fake: FakeBotAPI) -> None:
    fan_out(store, 5)
    limiter = RateLimiter(Limits.for_bot(30, paid=False))
    asyncio.run(drain(fake, store, limiter))
    assert [m for m in fake.sent() if "allow_paid_broadcast" in m["params"]] == []
    assert not limiter.paid_broadcast()
    assert limiter.limits.overall_per_second == 30


@pytest.mark.parametrize(
    ("description", "short"),
    [
        ("Bad Request: BALANCE_TOO_LOW", True),
        ("Bad Request: not enough Stars on the bot's balance", True),
        ("Bad Request: can't parse entities: Can't find end of the entity starting at byte", False),
        ("Bad Request: message is too long", False),
    ],
    ids=["telegram-error-name", "in-words", "html-error-says-starting", "other-400"],
)
def test_which_400s_mean_the_stars_balance_is_short(description: str, short: bool) -> None:
    assert is_balance_short(BadRequest(description)) is short
