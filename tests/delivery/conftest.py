"""Shared pieces of the delivery tests: a settable clock, stored articles, queued alerts (as
the poll stage queues them, and as they were queued before migration 0009), and delivery
rounds against the fake Bot API."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot.delivery.botapi import BotAPI
from bot.delivery.failures import SendReport
from bot.delivery.limits import Limits, RateLimiter
from bot.delivery.sender import SendOptions, send_pending
from bot.models import Article, Feed, Hit, Kind, Subscription
from bot.storage.schema import deliveries
from bot.storage.store import OutboxRow, Store
from tests.fakes.telegram_api import FakeBotAPI

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
DISCLAIMER = "Test disclaimer: not investment advice."


@dataclass
class SetClock:
    """A clock the test moves by hand."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(autouse=True)
def ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB 22 warns when retry_after is read as seconds; the bot opts in to timedeltas."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture
def clock() -> SetClock:
    return SetClock()


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as api:
        yield api


def store_articles(store: Store, count: int, *, start: int = 0) -> list[int]:
    """Store `count` articles (through the dedup stage) and return their ids."""
    url = f"https://feeds.example.com/{start}"
    store.feeds.sync_catalogue([Feed(name="Example Wire", url=url, interval=60)])
    (feed_id,) = [s.feed.id for s in store.feeds.feed_states() if s.feed.url == url]
    assert feed_id is not None
    kwargs = {"etag": None, "last_modified": None, "next_poll_at": NOW}
    store.articles.ingest(feed_id, [], now=NOW, **kwargs)  # the baseline
    items = [
        Article(
            key=f"https://news.example.com/{n}",
            entry_id=f"guid-{n}",
            title=f"Story {n} about Amazon",
            url=f"https://news.example.com/{n}",
            text="Body.",
            published=NOW,
            source="Example Wire",
        )
        for n in range(start, start + count)
    ]
    new = store.articles.ingest(feed_id, items, now=NOW, **kwargs)
    return [article_id for article_id, _ in new]


def queue_alerts(
    store: Store,
    chat_id: int,
    article_ids: list[int],
    *,
    now: datetime,
    matched: tuple[tuple[str, str], ...] = (("ticker", "AMZN"),),
    chat_type: str = "private",
) -> None:
    """Queue one alert per article for the chat, as the poll stage does: the story and the
    hits (subscription 1, 2, ... of the chat, each matched by its own value); the sender
    renders it, keyboard included."""
    store.chats.upsert_chat(chat_id, chat_type, None, NOW)
    hits = tuple(
        Hit(Subscription(n, chat_id, Kind(kind), value), (value,), "")
        for n, (kind, value) in enumerate(matched, start=1)
    )
    rows = [OutboxRow(chat_id, article_id, hits) for article_id in article_ids]
    store.outbox.enqueue_alerts(rows, now=now)


def queue_written(
    store: Store, chat_id: int, article_ids: list[int], *, now: datetime, buttons: bool = False
) -> None:
    """Queue alerts as they were queued before migration 0009: rendered text ("Alert <id> for
    <chat>"), its plain text and, with `buttons`, its keyboard as JSON."""
    store.chats.upsert_chat(chat_id, "private", None, NOW)
    with store.engine.begin() as conn:
        conn.execute(
            deliveries.insert(),
            [
                {
                    "chat_id": chat_id,
                    "article_id": article_id,
                    "kind": "alert",
                    "text": f"<b>Alert {article_id}</b> for {chat_id}",
                    "plain_text": f"Alert {article_id} for {chat_id}",
                    "buttons": alert_buttons(article_id) if buttons else "[]",
                    "matched": '[["ticker","AMZN"]]',
                    "created_at": now,
                }
                for article_id in article_ids
            ],
        )


def alert_buttons(article_id: int) -> str:
    """An alert's keyboard as rows queued before 0009 stored it: mute, and open the article."""
    return json.dumps(
        [
            [
                {"label": "Mute AMZN", "callback_data": "mute:1"},
                {"label": "Open", "url": f"https://news.example.com/{article_id}"},
            ]
        ]
    )


def deliver(
    fake: FakeBotAPI,
    store: Store,
    clock: SetClock,
    *,
    limiter: RateLimiter | None = None,
    rounds: int = 1,
) -> list[SendReport]:
    """Run delivery rounds with the bot's Bot API client talking HTTP to the fake."""

    async def run() -> list[SendReport]:
        options = SendOptions(disclaimer=DISCLAIMER, retry_base=5.0)
        async with BotAPI(fake.url, fake.token) as api:
            return [
                await send_pending(
                    api,
                    store,
                    clock=clock,
                    limiter=limiter or RateLimiter(Limits.lifted()),
                    options=options,
                )
                for _ in range(rounds)
            ]

    return asyncio.run(run())
