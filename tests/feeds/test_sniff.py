"""Documents that are not feeds, or are empty or broken, are refused with a clear reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.feeds.parse import FeedError, NotAFeed
from tests.feeds.documents import parse


def test_bing_redirect_page_is_not_a_feed(real_dir: Path) -> None:
    content = (real_dir / "bing_news_rss_redirect_notafeed.xml").read_bytes()
    with pytest.raises(NotAFeed) as caught:
        parse(content)
    assert str(caught.value) == "not a feed: an HTML page (<title>Object moved</title>)"


NOT_FEEDS = [
    ("json", b'{"status": "error", "message": "rate limited"}', NotAFeed, "not a feed: JSON"),
    ("json-array", b"  [1, 2, 3]", NotAFeed, "not a feed: JSON"),
    (
        "json-feed",
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "x", "items": []}',
        NotAFeed,
        "not a feed: a JSON Feed (not supported)",
    ),
    ("empty", b"", FeedError, "empty document"),
    ("whitespace", b" \r\n\t ", FeedError, "empty document"),
    ("bom-only", b"\xef\xbb\xbf", FeedError, "empty document"),
    ("comment-only", b"<?xml version='1.0'?><!-- nothing -->", FeedError, "empty document"),
    (
        "html5",
        b"<!doctype html>\n<html lang=en><head><title>Just a moment...</title></head></html>",
        NotAFeed,
        "not a feed: an HTML page (<title>Just a moment...</title>)",
    ),
    (
        "xhtml",
        b'<?xml version="1.0"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
        b'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
        b'<html xmlns="http://www.w3.org/1999/xhtml"><body><p>Hi</p></body></html>',
        NotAFeed,
        "not a feed: an HTML page",
    ),
    (
        "html-no-root",
        b"<!DOCTYPE html><title>Login &amp; more</title><p>Sign in",
        NotAFeed,
        "not a feed: an HTML page (<title>Login & more</title>)",
    ),
    (
        "html-body-only",
        b"<body><h1>502 Bad Gateway</h1></body>",
        NotAFeed,
        "not a feed: an HTML page",
    ),
    (
        "plain-text",
        b"Service Unavailable",
        NotAFeed,
        "not a feed: text, not XML (starts with 'Service Unavailable')",
    ),
    (
        "sitemap",
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>https://example.com/</loc></url></urlset>",
        NotAFeed,
        "not a feed: an XML document with root element <urlset>",
    ),
    (
        "truncated",
        b'<?xml version="1.0"?>\n<rss version="2.0">\n<channel>\n<title>Cut',
        FeedError,
        "broken XML at line 4: no element found",
    ),
    (
        "garbage-markup",
        b"<<<>>> \x00\x01",
        FeedError,
        "broken XML at line 1: not well-formed (invalid token)",
    ),
]


@pytest.mark.parametrize(
    ("content", "error", "reason"), [c[1:] for c in NOT_FEEDS], ids=[c[0] for c in NOT_FEEDS]
)
def test_not_a_feed(content: bytes, error: type[FeedError], reason: str) -> None:
    with pytest.raises(error) as caught:
        parse(content)
    assert str(caught.value) == reason
