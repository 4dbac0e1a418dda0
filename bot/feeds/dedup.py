"""Recognising one story told by several outlets under different links: the title key.

In: an article's title (and whether it is an SEC filing). Out: a key made of the title's words
(case, accents, punctuation and an outlet's name after " - " or " | " removed), or None when the
title is too short or generic to identify a story (fewer than `MIN_WORDS` words), or for a
filing (EDGAR titles repeat for every filing of a company). The store treats two articles with
the same key first seen within `WINDOW` of each other as one story. `plan` places a
document's entries: which join a stored story, which start a new one. Pure, never raises.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from bot.models import Article

MIN_WORDS = 5
WINDOW = timedelta(days=1)
MAX_KEY = 500
# " - Reuters", " | MarketWatch": a short trailing part naming the outlet.
_OUTLET_SUFFIX = re.compile(r"\s+[-|–—]\s+([^-|–—]{1,40})$")
_NOT_WORD = re.compile(r"[^\w]+")


def title_key(title: str, *, filing: bool = False) -> str | None:
    """The words of `title` that identify its story, or None (see the module docstring)."""
    if filing:
        return None
    text = title
    if not text.isascii():  # ASCII has no accents to remove (and most titles are ASCII)
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    suffix = _OUTLET_SUFFIX.search(text)
    if suffix and len(suffix.group(1).split()) <= 4:
        text = text[: suffix.start()]
    words = _NOT_WORD.sub(" ", text.casefold()).split()
    if len(words) < MIN_WORDS:
        return None
    return " ".join(words)[:MAX_KEY]


@dataclass(frozen=True, slots=True)
class Plan:
    """Where each fresh entry of a document goes: `targets` pairs each entry with the stored
    article id it joins, or with the key of a story new in this batch; `new` holds, per new
    key, the entry that tells the story; `title_keys` each entry's title key."""

    targets: list[tuple[Article, int | str]]
    new: dict[str, Article]
    title_keys: dict[Article, str | None]

    @property
    def stories(self) -> list[Article]:
        """The entries that start new stories, in document order."""
        return list(self.new.values())

    def replaced(self, by_entry: Mapping[str, Article]) -> Plan:
        """The same places, with these entries (by entry id) in place of the planned ones
        (the same story with more text, say)."""

        def swap(article: Article) -> Article:
            return by_entry.get(article.entry_id, article)

        return Plan(
            [(swap(a), where) for a, where in self.targets],
            {key: swap(a) for key, a in self.new.items()},
            {swap(a): key for a, key in self.title_keys.items()},
        )


NOTHING = Plan([], {}, {})  # a document whose entries its feed all carried before


def title_keys(fresh: Sequence[Article]) -> dict[Article, str | None]:
    """Each entry's title key (see `title_key`)."""
    return {a: title_key(a.title, filing=a.form is not None) for a in fresh}


def plan(
    fresh: Sequence[Article],
    keys: dict[Article, str | None],
    recent: Mapping[str, Sequence[tuple[str, int]]],
    known: Mapping[str, int],
) -> Plan:
    """Place a document's fresh entries (not yet carried by their feed), in document order.

    `recent`: stored (key, article id) pairs per title key first seen within `WINDOW`;
    `known`: stored article ids per key. The rules are those of storing one entry at a time:
    a title key seen recently under another key (another outlet's copy, possibly earlier in
    this same document) joins that story; a key already stored joins that story; else the
    entry starts a new story."""
    targets: list[tuple[Article, int | str]] = []
    new: dict[str, Article] = {}
    batch_titles: dict[str, list[str]] = {}
    for article in fresh:
        key = keys[article]
        if key is not None:
            same_id = next((i for k, i in recent.get(key, ()) if k != article.key), None)
            if same_id is not None:
                targets.append((article, same_id))
                continue
            same_key = next((k for k in batch_titles.get(key, ()) if k != article.key), None)
            if same_key is not None:
                targets.append((article, same_key))
                continue
        if article.key in known:
            targets.append((article, known[article.key]))
            continue
        if article.key not in new:
            new[article.key] = article
            if key is not None:
                batch_titles.setdefault(key, []).append(article.key)
        targets.append((article, article.key))
    return Plan(targets, new, keys)
