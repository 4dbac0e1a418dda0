"""Helpers for the parse-stage tests: a fixed clock, small RSS documents, and what every article
must be whatever the feed (see assert_clean)."""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import UTC, datetime

from bot.feeds.parse import ParsedFeed, parse_feed
from bot.models import Article

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
TAG = re.compile(r"<[a-zA-Z/!][^>]*>")
ENTITY = re.compile(r"&(?:[a-zA-Z][a-zA-Z0-9]+|#[0-9]+|#x[0-9a-fA-F]+);")


def parse(content: bytes | str, **kwargs: str) -> ParsedFeed:
    if isinstance(content, str):
        content = content.encode("utf-8")
    return parse_feed(content, source="Test feed", now=NOW, **kwargs)  # type: ignore[arg-type]


def rss(items: str, channel: str = "", ns: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0" {ns}><channel>'
        f"<title>Test</title><link>https://example.com/</link>{channel}{items}</channel></rss>"
    )


def assert_clean(
    articles: tuple[Article, ...],
    source: str = "Test feed",
    *,
    entities: bool = True,
    publishers: Collection[str] | None = (),
) -> None:
    """What every article must be, whatever the feed: unique ids, plain text, UTC dates; its
    source the feed's name or one of `publishers` its items' <source> name (None: any, for
    damaged documents, where a name may be cut short)."""
    ids = [a.entry_id for a in articles]
    assert len(ids) == len(set(ids))
    for a in articles:
        assert a.entry_id
        assert a.key
        assert a.title
        assert a.source == source or (
            a.source in publishers if publishers is not None else a.source
        )
        assert "\n" not in a.source
        assert "\n" not in a.title
        assert a.title == a.title.strip()
        assert not TAG.search(a.text), a.text
        assert not (entities and ENTITY.search(a.text + a.title)), a.text
        assert "\n\n\n" not in a.text
        assert a.text == a.text.strip()
        assert a.published is None or a.published.tzinfo is UTC
        assert a.also == ()
