"""Every feed document the tests hold goes through parse without an exception: it parses, or it
is refused with a FeedError that gives a reason. The documents in tests/fixtures always; with the
reference folder beside the checkout, also its copies and feedparser's corpus (which
test_corpus.py checks document by document)."""

from __future__ import annotations

from pathlib import Path

from bot.feeds.parse import FeedError, parse_feed

FEED_SUFFIXES = {".xml", ".rss", ".atom", ".rdf", ".json"}


def _documents(root: Path) -> list[Path]:
    return [p for p in sorted(root.rglob("*")) if p.is_file() and p.suffix in FEED_SUFFIXES]


def _parse_all(paths: list[Path]) -> tuple[int, list[str]]:
    """How many parsed, and the documents that raised something other than a FeedError."""
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
    return parsed, crashes


def test_every_fixture_parses_or_is_refused_with_a_reason(fixtures_dir: Path) -> None:
    paths = _documents(fixtures_dir)
    assert len(paths) >= 12  # the real publishers' feeds, the example article, EDGAR reshaped
    parsed, crashes = _parse_all(paths)
    assert crashes == []
    assert parsed > len(paths) // 2


def test_every_real_fixture_parses_or_is_refused_with_a_reason(shared_dir: Path) -> None:
    paths = _documents(shared_dir / "fixtures")
    assert len(paths) > 2000  # the real publishers' feeds and feedparser's corpus
    parsed, crashes = _parse_all(paths)
    assert crashes == []
    assert parsed > len(paths) // 2
