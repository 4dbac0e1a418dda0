"""/addfeed in a Chinese chat, as a user types it: the real application, the fake Bot API, the
feed server, the real parse pool (worker processes). A web page, a private address (with
ALLOW_PRIVATE_FEEDS off) and a broken document are each refused in Chinese, with no English
left but the URL and what the document itself holds.
"""

from __future__ import annotations

from tests.chat.conftest import StartBot
from tests.chat.test_chinese import say_as
from tests.fakes.feed_server import FeedServer
from tests.fakes.telegram_api import FakeBotAPI
from tests.texts.test_no_english import english_left

PAGE = "<!doctype html><html><head><title>新浪财经首页</title></head><body>你好</body></html>"
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
