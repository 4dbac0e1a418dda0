"""A Chinese chat's alerts and digest through the sender and the fake Bot API: rendered when
sent, in the chat's language, with that language's disclaimer (`Settings.disclaimers`)."""

from __future__ import annotations

import asyncio

from bot.delivery.botapi import BotAPI
from bot.delivery.limits import Limits, RateLimiter
from bot.delivery.sender import SendOptions, send_pending
from bot.models import DeliveryMode
from bot.settings import Settings
from bot.storage.store import Store
from tests.delivery.conftest import NOW, SetClock, queue_alerts, store_articles
from tests.fakes.telegram_api import FakeBotAPI

ZH_CHAT, EN_CHAT = 556, 557


def deliver(fake: FakeBotAPI, store: Store, clock: SetClock, rounds: int = 1) -> None:
    """Delivery rounds, with the disclaimers the running bot is given."""
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    options = SendOptions(disclaimers=settings.disclaimers(), retry_base=5.0)

    async def run() -> None:
        async with BotAPI(fake.url, fake.token) as api:
            limiter = RateLimiter(Limits.lifted())
            for _ in range(rounds):
                await send_pending(api, store, clock=clock, limiter=limiter, options=options)

    asyncio.run(run())


def test_a_chinese_chat_gets_its_digest_and_alerts_in_chinese(
    store: Store, fake: FakeBotAPI, clock: SetClock
) -> None:
    for chat in (ZH_CHAT, EN_CHAT):
        store.chats.upsert_chat(chat, "private", None, NOW)
    store.chats.update_chat_settings(
        ZH_CHAT, delivery_mode=DeliveryMode.HOURLY.value, lang="zh_Hans"
    )
    ids = store_articles(store, 3)
    queue_alerts(store, ZH_CHAT, ids, now=NOW, matched=(("ticker", "AMZN"),))
    queue_alerts(store, EN_CHAT, ids[:1], now=NOW, matched=(("ticker", "AMZN"),))
    deliver(fake, store, clock)
    (english,) = fake.chat_messages(EN_CHAT)
    assert "Why: $AMZN" in english["text"]
    assert english["text"].rstrip().endswith("including the loss of capital.")
    assert fake.accepted_count(ZH_CHAT) == 0  # held for the next hour's digest
    clock.advance(hours=1)
    deliver(fake, store, clock, rounds=3)
    (digest,) = fake.chat_messages(ZH_CHAT)
    assert digest["text"].startswith("你的每小时摘要")
    assert digest["text"].count("• Story ") == 3  # the stories' own titles, as published
    assert digest["text"].rstrip().endswith("可能损失本金。")
    buttons = [b["text"] for row in digest["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == ["⚙ 设置"]
