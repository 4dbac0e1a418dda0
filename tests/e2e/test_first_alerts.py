"""A newcomer's first minutes: the bot polls its feeds at once, and a story published after it
started alerts even when the first fetch that works is the one that sees it.

Real parts: `python -m bot run` in its own process, the fake Bot API and a feed server on
127.0.0.1, a real database.
"""

from __future__ import annotations

import time
from pathlib import Path

from tests.e2e.bot_process import BotProcess
from tests.e2e.test_end_to_end import CHAT, EMPTY_CHANNEL, bot_env, dated_now, servers
from tests.fakes.feed_server import FeedServer
from tests.fakes.telegram_api import FakeBotAPI

__all__ = ["servers"]  # the fixture, imported for the tests below


def test_feeds_are_polled_as_soon_as_the_bot_starts(
    tmp_path: Path,
    servers: tuple[FakeBotAPI, FeedServer],
    database_url: str,
    sec_table_path: Path,
) -> None:
    telegram, feeds = servers
    feeds.set("/a.rss", EMPTY_CHANNEL.format(title="Deep News"))
    feeds.set("/b.rss", EMPTY_CHANNEL.format(title="Other Wire"))
    env = bot_env(tmp_path, telegram, feeds, database_url, sec_table_path)
    env["POLL_INTERVAL"] = "3600"  # an hour: the first polls must not wait for it
    with BotProcess(env, tmp_path):
        deadline = time.monotonic() + 30
        while feeds.hits("/a.rss") == 0 or feeds.hits("/b.rss") == 0:
            assert time.monotonic() < deadline, "the feeds were not polled at start-up"
            time.sleep(0.05)


def test_a_story_published_after_the_start_alerts_on_the_first_fetch(
    tmp_path: Path,
    servers: tuple[FakeBotAPI, FeedServer],
    database_url: str,
    sec_table_path: Path,
    seed_article_path: Path,
) -> None:
    telegram, feeds = servers
    # The feed is down when the bot starts: its first fetch that works comes later.
    feeds.set("/a.rss", "down for maintenance", status=503)
    feeds.set("/b.rss", EMPTY_CHANNEL.format(title="Other Wire"))
    env = bot_env(tmp_path, telegram, feeds, database_url, sec_table_path)
    with BotProcess(env, tmp_path):
        telegram.wait_for(lambda: feeds.hits("/a.rss") > 0, timeout=30)
        telegram.user_sends("/watch AMZN", chat_id=CHAT, user_id=CHAT)
        telegram.wait_for_sent(1, chat_id=CHAT)
        # Published now, after the start; the feed comes back and its first fetch sees it.
        feeds.set("/a.rss", dated_now(seed_article_path.read_bytes()))
        messages = telegram.wait_for_sent(2, chat_id=CHAT, timeout=30)
        assert (
            "Amazon CEO Reveals Over 1 Million Trainium Chips in Production"
            in (messages[1]["text"])
        )
