"""Discovery: a feed's hub and topic from real documents and a real fetch's Link header."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.feeds.fetch import fetch, make_client
from bot.feeds.parse import parse_feed
from bot.websub.discovery import discover, header_links
from bot.websub.lease import HubLink
from tests.fakes.feed_server import FeedServer
from tests.websub.conftest import with_hub

HUB = "https://pubsubhubbub.appspot.com/"
RSS = "cnbc_finance_rss_2019.xml"
ATOM = "futunn_news_atom_2022.xml"
BARE_RSS = "yahoo_finance_rssindex_2022.xml"  # no Atom namespace, no rel="self"
CNBC_SELF = "https://www.cnbc.com/id/10000664/device/rss/rss.html"
FUTUNN_SELF = "http://rss.catigerose.buzz/feeds/futunn.xml"


def _document(real_dir: Path, name: str, hub: str | None, topic: str | None) -> bytes:
    raw = (real_dir / name).read_bytes()
    return with_hub(raw, hub, topic) if hub else raw


@pytest.mark.parametrize(
    ("name", "hub", "topic", "header", "expected"),
    [
        (RSS, HUB, None, None, HubLink(HUB, CNBC_SELF)),
        (BARE_RSS, HUB, None, None, HubLink(HUB, "{feed}")),
        (
            ATOM,
            HUB,
            "https://news.example.com/atom",
            None,
            HubLink(HUB, "https://news.example.com/atom"),
        ),
        (ATOM, None, None, f'<{HUB}>; rel="hub"', HubLink(HUB, FUTUNN_SELF)),
        (BARE_RSS, None, None, f'<{HUB}>; rel="hub"', HubLink(HUB, "{feed}")),
        (
            RSS,
            None,
            None,
            '<https://hub.example.com/>; rel="hub", <https://www.cnbc.com/x.rss>; rel="self"',
            HubLink("https://hub.example.com/", "https://www.cnbc.com/x.rss"),
        ),
        (RSS, HUB, None, '</push>; rel="hub"', HubLink("{root}/push", CNBC_SELF)),
        (RSS, None, None, None, None),
        (ATOM, None, None, None, None),
        (RSS, None, None, '<https://x.example.com/>; rel="alternate"', None),
    ],
    ids=[
        "rss-atom-link-hub-beside-its-own-self",
        "rss-hub-without-self-topic-is-the-feed-url",
        "atom-link-hub-and-self",
        "link-header-hub-document-self",
        "link-header-hub-topic-is-the-feed-url",
        "link-header-hub-and-self",
        "link-header-wins-over-document-relative-resolved",
        "rss-none",
        "atom-none-self-alone-is-no-hub",
        "link-header-other-rel",
    ],
)
def test_a_hub_is_found_in_the_header_first_then_the_document(
    real_dir: Path,
    name: str,
    hub: str | None,
    topic: str | None,
    header: str | None,
    expected: HubLink | None,
) -> None:
    """Served from 127.0.0.1 and fetched by the bot's own fetch; parsed by its parse stage."""
    document = _document(real_dir, name, hub, topic)
    with FeedServer() as server:
        kind = "application/atom+xml" if name == ATOM else "application/rss+xml"
        url = server.set(
            "/feed", document, content_type=kind, headers={"Link": header} if header else None
        )

        async def get() -> tuple[str | None, str]:
            async with make_client() as client:
                fetched = await fetch(client, url)
            return fetched.link_header, fetched.url

        link_header, fetched_url = asyncio.run(get())
        root = server.root
    parsed = parse_feed(document, source="test", url=fetched_url)
    found = discover(link_header, parsed.links, fetched_url)
    if expected is not None:
        expected = HubLink(
            expected.hub.replace("{root}", root),
            expected.topic.replace("{feed}", fetched_url),
        )
    assert found == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('<https://h.example/>; rel="hub"', [("hub", "https://h.example/")]),
        ("<https://h.example/>; rel=hub", [("hub", "https://h.example/")]),
        (
            '<https://h.example/>; rel="hub self"',
            [("hub", "https://h.example/"), ("self", "https://h.example/")],
        ),
        ('<https://h.example/>; title="x"; REL="Hub"', [("hub", "https://h.example/")]),
        ("<https://h.example/>", []),
        ("garbage", []),
        ("", []),
    ],
    ids=["quoted", "token", "two-rels", "other-params-and-case", "no-rel", "garbage", "empty"],
)
def test_link_header_values(header: str, expected: list[tuple[str, str]]) -> None:
    assert header_links(header, "https://feed.example/") == expected


def test_a_hub_that_is_not_http_is_no_hub() -> None:
    assert discover(None, [("hub", "mailto:x@example.com")], "https://f.example/") is None
    assert discover('<ftp://h.example/>; rel="hub"', [], "https://f.example/") is None
