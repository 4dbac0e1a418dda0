"""Placing a document's entries: which start a new story, which join a stored or earlier one."""

from __future__ import annotations

import pytest

from bot.feeds.dedup import plan, title_keys
from bot.models import Article

TITLE = "Amazon has more than one million Trainium chips in production"


def entry(n: int, key: str, title: str = TITLE) -> Article:
    return Article(key, f"e{n}", title, key, "", None, "Wire")


@pytest.mark.parametrize(
    ("entries", "recent", "known", "places", "new"),
    [
        ([entry(1, "k1")], {}, {}, ["k1"], ["k1"]),
        ([entry(1, "k1")], {}, {"k1": 7}, [7], []),
        ([entry(1, "k1")], {"t": [("k0", 5)]}, {}, [5], []),
        ([entry(1, "k1")], {"t": [("k1", 5)]}, {}, ["k1"], ["k1"]),
        ([entry(1, "k1"), entry(2, "k2")], {}, {}, ["k1", "k1"], ["k1"]),
        ([entry(1, "k1"), entry(2, "k1")], {}, {}, ["k1", "k1"], ["k1"]),
        ([entry(1, "k1", "Short"), entry(2, "k2", "Short")], {}, {}, ["k1", "k2"], ["k1", "k2"]),
    ],
    ids=[
        "new-story",
        "key-stored-by-another-feed",
        "title-seen-recently-under-another-key",
        "title-seen-under-its-own-key-is-no-copy",
        "another-outlet-earlier-in-the-document",
        "same-key-twice",
        "short-titles-identify-nothing",
    ],
)
def test_plan(
    entries: list[Article],
    recent: dict[str, list[tuple[str, int]]],
    known: dict[str, int],
    places: list[int | str],
    new: list[str],
) -> None:
    keys = title_keys(entries)
    recent = {next(k for k in keys.values() if k): pairs for pairs in recent.values()}
    placed = plan(entries, keys, recent, known)
    assert [where for _, where in placed.targets] == places
    assert [a.key for a in placed.stories] == new


def test_replaced_keeps_the_places_with_the_new_text() -> None:
    entries = [entry(1, "k1"), entry(2, "k2")]
    placed = plan(entries, title_keys(entries), {}, {})
    longer = Article("k1", "e1", TITLE, "k1", "The page's text.", None, "Wire")
    swapped = placed.replaced({"e1": longer})
    assert swapped.stories == [longer]
    assert [(a.text, where) for a, where in swapped.targets] == [
        ("The page's text.", "k1"),
        ("", "k1"),
    ]
    assert swapped.title_keys[longer] == placed.title_keys[entries[0]]
