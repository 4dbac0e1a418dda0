"""Every real feed document in the shared fixtures goes through parse without an exception:
it parses, or it is refused with a FeedError that gives a reason (feedparser's own corpus is
checked document by document in test_corpus.py)."""

from __future__ import annotations

from pathlib import Path

from bot.feeds.parse import FeedError, parse_feed


def test_every_real_fixture_parses_or_is_refused_with_a_reason(shared_dir: Path) -> None:
    paths = [
        p
        for p in sorted((shared_dir / "fixtures").rglob("*"))
        if p.is_file() and p.suffix in {".xml", ".rss", ".atom", ".rdf", ".json"}
    ]
    assert len(paths) > 2000  # the real publishers' feeds and feedparser's corpus
    crashes = []
    parsed = 0
    for path in paths:
        try:
            parse_feed(path.read_bytes(), source=path.name, url="https://example.com/feed")
            parsed += 1
        except FeedError as refused:
            if not str(refused):
                crashes.append(f"{path.name}: FeedError without a reason")
        except Exception as crash:
            crashes.append(f"{path.name}: {type(crash).__name__}: {crash}")
    assert crashes == []
    assert parsed > len(paths) // 2
