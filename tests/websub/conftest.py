"""WebSub's fixtures: real feed documents that advertise a hub.

The documents are real publishers' feeds from tests/fixtures/real/ with a hub's links put in
where the formats carry them (an `<atom:link>` in an RSS channel, a `<link>` in an Atom feed),
as WordPress and Blogger feeds do; no real feed in the fixtures advertises one itself.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.matching.tickers import TickerUniverse


def with_hub(document: bytes, hub: str, topic: str | None = None) -> bytes:
    """`document` (RSS 2.0 or Atom) advertising `hub`, and `topic` as its rel="self"."""
    text = document.decode("utf-8")
    if "<channel>" in text:
        links = f'<atom:link rel="hub" href="{hub}"/>'
        if topic:
            links += f'<atom:link rel="self" href="{topic}" type="application/rss+xml"/>'
        if 'xmlns:atom="http://www.w3.org/2005/Atom"' not in text:
            text = re.sub(r"<rss\b", '<rss xmlns:atom="http://www.w3.org/2005/Atom"', text, count=1)
        return text.replace("<channel>", "<channel>" + links, 1).encode("utf-8")
    text = re.sub(r'<link href="[^"]*" rel="self"[^>]*/>', "", text, count=1)
    links = f'<link rel="hub" href="{hub}"/>'
    if topic:
        links += f'<link rel="self" href="{topic}"/>'
    return re.sub(r"(<feed\b[^>]*>)", r"\1" + links, text, count=1).encode("utf-8")


@pytest.fixture(scope="session")
def universe(sec_table_path: Path, tmp_path_factory: pytest.TempPathFactory) -> TickerUniverse:
    return TickerUniverse.load(sec_table_path, tmp_path_factory.mktemp("data"))
