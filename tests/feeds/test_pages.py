"""Title-only items: the linked page's main text, read from a real server on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from bot.feeds.fetch import make_client
from bot.feeds.guard import Guard
from bot.feeds.pages import fill_page_texts
from bot.models import Article
from tests.fakes.feed_server import FeedServer

PAGE = """<!doctype html><html><head><title>Broadcom beats</title></head><body>
<nav><a href="/">Home</a> | <a href="/markets">Markets</a> | Subscribe now</nav>
<article><h1>Broadcom beats estimates on AI demand</h1>
<p>Broadcom reported quarterly revenue above analysts' estimates on Thursday, as demand for its
custom AI accelerators from large cloud customers kept growing faster than expected.</p>
<p>The chipmaker said AI semiconductor revenue rose sharply from a year earlier and forecast
another strong quarter, sending its shares higher in extended trading.</p>
</article>
<aside>Most read: 1. Ten stocks to buy 2. Crypto today</aside>
<footer>Cookie settings. All rights reserved.</footer></body></html>"""


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as feeds:
        yield feeds


def title_only(url: str) -> Article:
    return Article(url, url, "Broadcom beats estimates on AI demand", url, "", None, "News")


def fill(articles: list[Article], guard: Guard | None = None) -> list[Article]:
    async def go() -> list[Article]:
        async with make_client() as client:
            return await fill_page_texts(client, articles, check=guard.check if guard else None)

    return asyncio.run(go())


def test_a_title_only_item_gets_the_pages_main_text(server: FeedServer) -> None:
    url = server.set("/story", PAGE, content_type="text/html; charset=utf-8")
    (article,) = fill([title_only(url)])
    assert "custom AI accelerators" in article.text
    assert "extended trading" in article.text
    assert "Subscribe now" not in article.text
    assert "Cookie settings" not in article.text


def test_an_item_with_text_of_its_own_is_not_fetched(server: FeedServer) -> None:
    url = server.set("/story", PAGE, content_type="text/html")
    own = Article(url, url, "T", url, "The feed's own summary.", None, "News")
    assert fill([own]) == [own]
    assert server.hits("/story") == 0


@pytest.mark.parametrize(
    ("status", "body"), [(404, "gone"), (200, "<html><body></body></html>")], ids=["404", "empty"]
)
def test_a_page_without_text_leaves_the_item_as_it_was(
    server: FeedServer, status: int, body: str
) -> None:
    url = server.set("/story", body, content_type="text/html", status=status)
    assert fill([title_only(url)]) == [title_only(url)]


def test_pages_pass_the_same_address_check_as_feeds(server: FeedServer) -> None:
    url = server.set("/story", PAGE, content_type="text/html")
    (article,) = fill([title_only(url)], guard=Guard(allow_private=False))
    assert article.text == ""
    assert server.hits("/story") == 0
