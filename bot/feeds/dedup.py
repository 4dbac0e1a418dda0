"""Recognising one story told by several outlets under different links: the title key.

In: an article's title (and whether it is an SEC filing). Out: a key made of the title's words
(case, accents, punctuation and an outlet's name after " - " or " | " removed), or None when the
title is too short or generic to identify a story (fewer than `MIN_WORDS` words), or for a
filing (EDGAR titles repeat for every filing of a company). The store treats two articles with
the same key first seen within `WINDOW` of each other as one story. Pure, never raises.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta

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
