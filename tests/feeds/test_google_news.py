"""Google News items with FETCH_ARTICLE_PAGES: the story's own page is read, Google's is not.

The feed is served from 127.0.0.1 in Google News' shape (the real item of
tests/fixtures/real/google_news_top_stories_2020_cluster.xml, its link pointed at the local
server the way Google's older article ids carry a publisher's URL); parse, then the page stage.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator

import pytest

from bot.feeds.fetch import make_client
from bot.feeds.google_news import story_link
from bot.feeds.pages import fill_page_texts
from bot.models import Article
from tests.fakes.feed_server import FeedServer
from tests.feeds.documents import parse, rss
from tests.feeds.test_pages import PAGE


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as feeds:
        yield feeds


def google_link(url: str) -> str:
    """A Google News article link carrying `url`, in the older article ids' encoding."""
    raw = b"\x08\x13\x22" + bytes([len(url)]) + url.encode() + b"\xd2\x01\x00"
    token = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return f"https://news.google.com/rss/articles/{token}?oc=5"


def google_item(link: str) -> str:
    return rss(
        "<item><title>Broadcom beats estimates on AI demand - Reuters</title>"
        f"<link>{link}</link><guid isPermaLink='false'>g1</guid>"
        f'<description>&lt;a href="{link}"&gt;Broadcom beats estimates on AI demand&lt;/a&gt;'
        '&amp;nbsp;&amp;nbsp;&lt;font color="#6f6f6f"&gt;Reuters&lt;/font&gt;</description>'
        '<source url="https://www.reuters.com">Reuters</source></item>'
    )


def fill(articles: list[Article], seen: list[str]) -> list[Article]:
    async def check(url: str) -> str | None:
        seen.append(url)
        return None

    async def go() -> list[Article]:
        async with make_client() as client:
            return await fill_page_texts(client, articles, check=check)

    return asyncio.run(go())


def test_the_story_link_a_google_news_item_carries_is_read_for_its_text(
    server: FeedServer,
) -> None:
    story = server.set("/story", PAGE, content_type="text/html; charset=utf-8")
    (article,) = parse(google_item(google_link(story))).articles
    assert (article.url, article.source, article.text) == (story, "Reuters", "")
    seen: list[str] = []
    (filled,) = fill([article], seen)
    assert "custom AI accelerators" in filled.text
    assert server.hits("/story") == 1


def test_an_opaque_google_news_link_is_not_fetched() -> None:
    link = "https://news.google.com/rss/articles/CBMimAFBVV95cUxPZGp6bnpXTVBC?oc=5"
    (article,) = parse(google_item(link)).articles
    assert article.url.startswith("https://news.google.com/rss/articles/")
    seen: list[str] = []
    assert fill([article], seen) == [article]
    assert seen == []


@pytest.mark.parametrize(
    ("link", "story"),
    [
        (
            "https://news.google.com/__i/rss/rd/articles/"
            "CBMiK2h0dHBzOi8vd3d3LnlvdXR1YmUuY29tL3dhdGNoP3Y9U1hib2xNcnhXVk3SAQA?oc=5",
            "https://www.youtube.com/watch?v=SXbolMrxWVM",
        ),
        ("https://news.google.com/rss/articles/CBMimAFBVV95cUxPZGp6bnpX?oc=5", None),
        ("https://news.google.com/stories/CAAqfQgKIndDQklTVXpv?oc=5", None),
        ("https://example.com/rss/articles/CBMiK2h0dHBzOi8vd3d3LnlvdXR1YmUuY29t", None),
        ("https://news.google.com/rss/articles/!!!notbase64", None),
    ],
    ids=["old-style-id", "opaque-id", "full-coverage", "not-google", "garbage"],
)
def test_story_link(link: str, story: str | None) -> None:
    assert story_link(link) == story
