"""User feeds in a Chinese chat, as a user types it: the real application, the fake Bot API,
the feed server, the real parse pool (worker processes) and the poll job. A web page, a private
address (with ALLOW_PRIVATE_FEEDS off) and a broken document are each refused in Chinese, with
no English left but the URL and what the document itself holds; /myfeeds says why an added
feed fails in Chinese too.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import update

from bot.storage.schema import feeds
from tests.chat.conftest import ChatBot, StartBot
from tests.chat.test_chinese import say_as
from tests.chat.test_commands import USER
from tests.fakes.feed_server import FeedServer
from tests.fakes.telegram_api import FakeBotAPI
from tests.texts.test_no_english import english_left

PAGE = "<!doctype html><html><head><title>新浪财经首页</title></head><body>你好</body></html>"
FEED = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>美股快讯</title>'
    "<link>https://example.com/</link><description>美股</description><item><title>英伟达股价上涨"
    "</title><link>https://example.com/1</link><guid>1</guid></item></channel></rss>"
)
BROKEN = '<?xml version="1.0"?><rss version="2.0"><channel><title>美股快讯</title>'


def test_a_page_and_a_broken_document_are_refused_in_chinese(
    start_bot: StartBot, telegram: FakeBotAPI, feed_server: FeedServer
) -> None:
    bot = start_bot()
    page = feed_server.set("/home.html", PAGE, content_type="text/html; charset=utf-8")
    broken = feed_server.set("/broken.rss", BROKEN.encode())

    refused = say_as(telegram, f"/addfeed {page}")
    assert refused == "无法添加该订阅源：不是订阅源：这是一个 HTML 网页（标题为“新浪财经首页”）"
    assert english_left(refused) == [], refused

    refused = say_as(telegram, f"/addfeed {broken}")
    assert refused == "无法添加该订阅源：XML 在第 1 行损坏：找不到任何元素"
    assert bot.svc.store.feeds.user_feeds(5151) == []
    assert bot.app.bot_data.parse_pool.pids(), "parsed in worker processes"


def test_a_private_address_is_refused_in_chinese(
    start_bot: StartBot, telegram: FakeBotAPI, feed_server: FeedServer
) -> None:
    start_bot(allow_private_feeds=False)
    url = feed_server.set("/seed.rss", BROKEN.encode())

    refused = say_as(telegram, f"/addfeed {url}")
    assert refused == "无法添加该订阅源：已拒绝：127.0.0.1 → 127.0.0.1 是回环地址"
    assert english_left(refused) == [], refused
    assert feed_server.hits("/seed.rss") == 0


def _fails_next_poll(bot: ChatBot, url: str) -> None:
    """Make the feed due now and wait for the bot's poll job to record its failure."""
    store = bot.svc.store
    with store.engine.begin() as conn:
        conn.execute(update(feeds).where(feeds.c.url == url).values(next_poll_at=None))
    deadline = time.monotonic() + 20
    while not any(s.error_count for s in store.feeds.user_feeds(USER)):
        assert time.monotonic() < deadline, "the poll job never tried the feed"
        time.sleep(0.05)


@pytest.mark.parametrize(
    ("answer", "chinese", "english"),
    [
        (
            {"body": "gone", "status": 404, "content_type": "text/plain"},
            # The status line's words are the server's own, as a story's text is.
            "（出错中：HTTP 404 Not Found）",
            "HTTP 404 Not Found",
        ),
        (
            {"body": PAGE, "content_type": "text/html; charset=utf-8"},
            "（出错中：不是订阅源：这是一个 HTML 网页（标题为“新浪财经首页”））",
            "not a feed",
        ),
    ],
    ids=["http-404", "html-page"],
)
def test_myfeeds_says_a_failing_feeds_reason_in_the_chats_language(
    start_bot: StartBot,
    telegram: FakeBotAPI,
    feed_server: FeedServer,
    answer: dict[str, Any],
    chinese: str,
    english: str,
) -> None:
    bot = start_bot()
    url = feed_server.set("/us.rss", FEED.encode())
    assert "美股快讯" in say_as(telegram, f"/addfeed {url}")
    feed_server.set("/us.rss", **answer)
    _fails_next_poll(bot, url)

    listed = say_as(telegram, "/myfeeds")
    assert listed.endswith(f"1. 美股快讯：{url}{chinese}"), listed
    assert "HTTP" in english or english_left(listed) == [], listed

    # The same row read in English: the reason the log and the English chat always saw.
    state = bot.svc.store.feeds.user_feeds(USER)[0]
    assert state.last_error is not None
    assert english.lower() in state.last_error.lower()
    assert state.error_for("en") == state.last_error
