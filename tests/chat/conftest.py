"""The bot's real PTB application, in this process, against the fake Bot API.

In: a fresh database (`database_url`), the SEC ticker table, a feed server with an empty feed.
Out: `ChatBot`: the running application (real HTTP to `FakeBotAPI`, production handlers, the
poll and delivery jobs) in a background thread with its own event loop, plus its `Services`,
so that tests can look at the database. Faster than a subprocess; still our production code.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_application
from bot.feeds.catalogue import load_catalogue
from bot.feeds.parse import parse_feed
from bot.matching.tickers import TickerUniverse
from bot.models import Article
from bot.services import Services
from bot.settings import Settings
from bot.storage.db import migrate, open_engine
from bot.storage.store import Store
from tests.fakes.feed_server import FeedServer
from tests.fakes.telegram_api import FakeBotAPI

EMPTY_CHANNEL = (
    '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
    "<title>Deep News</title><link>https://news.example.com/</link>"
    "<description>Market news</description></channel></rss>"
)
OPERATOR = 777


class ChatBot:
    """The application running in a thread; `stop()` shuts it down cleanly."""

    def __init__(self, settings: Settings, svc: Services) -> None:
        self.settings = settings
        self.svc = svc
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="bot", daemon=True)
        self.app: Any = None

    def start(self) -> ChatBot:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(30)
        return self

    async def _start(self) -> None:
        self.app = build_application(self.settings, self.svc)
        await self.app.initialize()
        # run_polling would call post_init (command menu, jobs); we start the parts ourselves.
        await self.app.post_init(self.app)
        await self.app.start()
        await self.app.updater.start_polling(poll_interval=0.0, timeout=1)

    async def _stop(self) -> None:
        await self.app.updater.stop()
        await self.app.stop()
        await self.app.shutdown()
        if self.app.post_shutdown is not None:
            await self.app.post_shutdown(self.app)

    def stop(self) -> None:
        if not self.thread.is_alive():
            return  # stopped already (a test that restarts the bot)
        asyncio.run_coroutine_threadsafe(self._stop(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture(scope="session")
def universe(sec_table_path: Path, tmp_path_factory: pytest.TempPathFactory) -> TickerUniverse:
    return TickerUniverse.load(sec_table_path, tmp_path_factory.mktemp("data"))


@pytest.fixture
def telegram() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as fake:
        yield fake


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    with FeedServer() as server:
        server.set("/a.rss", EMPTY_CHANNEL)
        yield server


StartBot = Callable[..., ChatBot]


@pytest.fixture
def start_bot(
    tmp_path: Path,
    telegram: FakeBotAPI,
    feed_server: FeedServer,
    database_url: str,
    sec_table_path: Path,
    universe: TickerUniverse,
) -> Iterator[StartBot]:
    """Start the bot with setting overrides; stopped at the end of the test."""
    running: list[ChatBot] = []
    catalogue = tmp_path / "feeds.toml"
    catalogue.write_text(
        f'[[feeds]]\nname = "Deep News"\nurl = "{feed_server.url("/a.rss")}"\n', encoding="utf-8"
    )

    def start(**overrides: Any) -> ChatBot:
        values: dict[str, Any] = {
            "bot_token": telegram.token,
            "telegram_api_url": telegram.url,
            "database_url": database_url,
            "data_dir": tmp_path / "data",
            "feeds_file": catalogue,
            "poll_interval": 60,
            "delivery_interval": 0.2,
            "tickers_file": sec_table_path,
            "allow_private_feeds": True,
            "admin_chat_ids": frozenset({OPERATOR}),
            "disclaimer": "Test disclaimer.",
        }
        values.update(overrides)
        settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
        engine = open_engine(settings.database)
        migrate(engine)
        store = Store(engine)
        store.feeds.sync_catalogue(load_catalogue(settings.feeds_file, settings.poll_interval))
        svc = Services.create(settings, store, universe)
        svc.subscriptions.load_index()
        bot = ChatBot(settings, svc).start()
        running.append(bot)
        telegram.wait_for(lambda: telegram.commands is not None, timeout=10)
        return bot

    yield start
    for bot in running:
        bot.stop()


def seed_articles(seed_article_path: Path) -> list[Article]:
    """The real example article (Amazon, Trainium) parsed by the bot's own parser."""
    parsed = parse_feed(seed_article_path.read_bytes(), source="Deep News")
    return list(parsed.articles)


def store_articles(store: Store, articles: list[tuple[datetime, Article]]) -> None:
    """Put articles into the database as the poller does (published and first seen at the
    given times)."""
    feed_id = store.feeds.feed_states()[0].feed.id
    assert feed_id is not None
    for number, (seen, article) in enumerate(articles):
        unique = replace(
            article,
            key=f"{article.key}#{number}",
            entry_id=f"e{number}",
            title=f"{article.title} ({number})",
            published=seen,
        )
        store.articles.ingest(
            feed_id,
            [unique],
            now=seen,
            etag=None,
            last_modified=None,
            next_poll_at=seen + timedelta(hours=1),
        )
