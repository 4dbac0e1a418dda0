"""Three worker processes on one PostgreSQL database share 100 feeds and 5,000 alerts without
doubling or losing any, even when one of them is killed with SIGKILL half-way.

Real processes (`python -m bot run --role worker`), the fake Telegram Bot API, a feed server on
127.0.0.1, and the PostgreSQL named by TEST_DATABASE_URL (SQLite has one writer and is not a
scale-out target: the test is skipped there).
"""

from __future__ import annotations

import email.utils
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.models import Kind
from bot.storage.db import migrate, open_engine
from bot.storage.store import Store
from tests.e2e.bot_process import BotProcess
from tests.fakes.feed_server import FeedServer
from tests.fakes.telegram_api import FakeBotAPI

FEEDS = 100
ARTICLES_PER_FEED = 5
CHATS = 1000  # each watches one feed's word: 10 chats per word
ALERTS = FEEDS * ARTICLES_PER_FEED * (CHATS // FEEDS)
POLL_INTERVAL = 2

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="several workers share one PostgreSQL database (TEST_DATABASE_URL)",
)


def word(feed: int) -> str:
    """A made-up word only feed `feed` uses, so that each article matches 10 known chats."""
    return "vex" + "".join("abcdefghij"[int(d)] for d in f"{feed:03d}")


def channel(feed: int, items: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Wire {feed}</title><link>https://wire{feed}.example/</link>"
        f"<description>News</description>{items}</channel></rss>"
    )


def items(feed: int) -> str:
    now = email.utils.format_datetime(datetime.now(UTC))
    return "".join(
        f"<item><title>Story {k} about {word(feed)}</title>"
        f"<link>https://wire{feed}.example/story/{k}</link>"
        f"<guid>wire{feed}-{k}</guid><pubDate>{now}</pubDate>"
        f"<description>The {word(feed)} market moved today, report number {k}.</description>"
        "</item>"
        for k in range(ARTICLES_PER_FEED)
    )


def prepare(database_url: str) -> None:
    """The chats and their subscriptions, as the web process would have stored them."""
    engine = open_engine(database_url)
    migrate(engine)
    store = Store(engine)
    now = datetime.now(UTC)
    for chat in range(1, CHATS + 1):
        store.chats.upsert_chat(chat, "private", f"chat {chat}", now)
        store.subscriptions.add_subscription(chat, Kind.KEYWORD, word(chat % FEEDS), now)
    engine.dispose()


@pytest.mark.timeout(420)
def test_three_workers_share_the_work_and_survive_a_sigkill(
    tmp_path: Path, database_url: str, sec_table_path: Path
) -> None:
    prepare(database_url)
    with FakeBotAPI() as telegram, FeedServer() as feeds:
        for feed in range(FEEDS):
            feeds.set(f"/{feed}.rss", channel(feed))
        catalogue = tmp_path / "feeds.toml"
        catalogue.write_text(
            "".join(
                f'[[feeds]]\nname = "Wire {f}"\nurl = "{feeds.url(f"/{f}.rss")}"\n\n'
                for f in range(FEEDS)
            )
        )
        env = {
            "BOT_TOKEN": telegram.token,
            "TELEGRAM_API_URL": telegram.url,
            "DATABASE_URL": database_url,
            "DATA_DIR": str(tmp_path / "data"),
            "FEEDS_FILE": str(catalogue),
            "TICKERS_FILE": str(sec_table_path),
            "POLL_INTERVAL": str(POLL_INTERVAL),
            "DELIVERY_INTERVAL": "0.2",
            "MAX_MESSAGES_PER_SECOND": "1000",
            "WORKER_LEASE": "5",
        }
        workers = [
            BotProcess(env, tmp_path, name=f"worker{n}", role="worker").start() for n in range(3)
        ]
        try:
            deadline = time.monotonic() + 60
            while any(feeds.hits(f"/{f}.rss") == 0 for f in range(FEEDS)):
                assert time.monotonic() < deadline, "not every feed was polled"
                time.sleep(0.1)
            # Everything is a baseline now; from here on each feed carries five new stories.
            started = time.monotonic()
            hits_before = {f: feeds.hits(f"/{f}.rss") for f in range(FEEDS)}
            for feed in range(FEEDS):
                feeds.set(f"/{feed}.rss", channel(feed, items(feed)))

            telegram.wait_for(lambda: sum(telegram.accepted.values()) >= ALERTS // 2, timeout=150)
            halfway = time.monotonic() - started
            workers[0].kill()  # half-way: its leases and claims must pass to the others

            telegram.wait_for(lambda: sum(telegram.accepted.values()) >= ALERTS, timeout=200)
            print(
                f"half of {ALERTS} alerts after {halfway:.1f} s, all after "
                f"{time.monotonic() - started:.1f} s"
            )
            time.sleep(2 * POLL_INTERVAL)  # room for any duplicate to show up
            elapsed = time.monotonic() - started
        finally:
            for worker in workers[1:]:
                worker.stop()
            logs = "\n".join(w.log()[-3000:] for w in workers)

        accepted = telegram.accepted
        assert sum(accepted.values()) == ALERTS, logs
        assert all(accepted.get(chat) == ARTICLES_PER_FEED for chat in range(1, CHATS + 1)), {
            chat: n for chat, n in accepted.items() if n != ARTICLES_PER_FEED
        }
        texts = [m["text"] for m in telegram.sent()]
        assert len(texts) == len(
            set(zip(texts, [m["chat_id"] for m in telegram.sent()], strict=True))
        )

        # Each feed was fetched about once per interval, not once per worker.
        cycles = elapsed / POLL_INTERVAL + 2
        extra = {f: feeds.hits(f"/{f}.rss") - hits_before[f] for f in range(FEEDS)}
        assert max(extra.values()) <= cycles, extra
