"""feedparser's own test corpus (2,106 small documents) through the parse stage.

Every document must either parse into clean articles or be refused with FeedError/NotAFeed;
any other exception is a bug. One test per corpus directory, collecting every failure.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.feeds.parse import FeedError, parse_feed

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
DIRECTORIES = ["wellformed", "illformed", "encoding", "entities", "json"]
TAG = re.compile(r"</?(?:p|br|div|span|a|b|i|em|strong|img|script|style)\b[^>]*>", re.IGNORECASE)


def problems(path: Path) -> list[str]:
    """What is wrong with the parse of one document (nothing, for a good parse or a refusal)."""
    try:
        feed = parse_feed(path.read_bytes(), source="corpus", now=NOW)
    except FeedError as refused:
        return [] if str(refused) else ["FeedError without a reason"]
    except Exception as crash:
        return [f"{type(crash).__name__}: {crash}"]
    found = []
    ids = [a.entry_id for a in feed.articles]
    if len(ids) != len(set(ids)):
        found.append("entry ids repeat")
    for article in feed.articles:
        if not (article.entry_id and article.key and article.title):
            found.append(f"empty id, key or title: {article!r}")
        if "\n" in article.title:
            found.append(f"title on several lines: {article.title!r}")
        if TAG.search(article.text):
            found.append(f"HTML left in text: {article.text[:80]!r}")
        if article.published is not None and article.published.tzinfo is not UTC:
            found.append(f"date not UTC: {article.published!r}")
    return found


@pytest.mark.parametrize("directory", DIRECTORIES)
def test_corpus_directory(shared_dir: Path, directory: str) -> None:
    root = shared_dir / "fixtures" / "feedparser-tests" / directory
    paths = sorted(p for p in root.rglob("*") if p.is_file())
    assert paths, f"no documents under {root}"
    failures = {str(p.relative_to(root)): found for p in paths if (found := problems(p))}
    assert not failures, f"{len(failures)} of {len(paths)} documents: {failures}"


def test_corpus_is_complete(shared_dir: Path) -> None:
    root = shared_dir / "fixtures" / "feedparser-tests"
    documents = [p for p in root.rglob("*.xml") if p.is_file()]
    assert len(documents) == 2106
    assert {p.relative_to(root).parts[0] for p in documents} <= set(DIRECTORIES)
