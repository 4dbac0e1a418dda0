"""Words, stems and sentences: the text primitives that ticker detection and keywords share.

In: plain text (an article's title or body, a user's query). Out: word tokens, their stems
(simple English inflection through the Snowball stemmer: chips -> chip, acquired -> acquir),
and the sentence around a character offset, for the "why" of an alert. Pure; never fails on text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable

import snowballstemmer

# A word: a run of letters (with inner apostrophes: "Amazon's", "don't") or of digits ("1.5").
# Letters and digits are separate words, so "Trainium" matches "Trainium2" and "5G" is "5", "g".
# Hyphens and other punctuation split words: "AI-chips" is two words, "re:Invent" is "re", "Invent".
# Sentence punctuation (". ! ? ; :" before a space) is a token of its own, which no term
# contains, so that a phrase never matches across sentences ("AI. Chip" is not "AI chip").
WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+(?:[.,]\d+)*|[.!?;:](?=\s|$)")

_STEMMER = snowballstemmer.stemmer("english")
# Articles repeat a small vocabulary, so a memo of surface form -> stem makes stemming one dict
# lookup per word. Bounded so that a stream of junk tokens cannot grow it without limit.
_STEMS: dict[str, str] = {}
_STEMS_MAX = 200_000


def stem(word: str) -> str:
    """The stem of one word as written ("Chips" -> "chip", "Amazon’s" -> "amazon")."""
    found = _STEMS.get(word)
    if found is not None:
        return found
    lowered = word.lower().replace("’", "'")
    result: str = _STEMMER.stemWord(lowered)
    if len(_STEMS) >= _STEMS_MAX:
        _STEMS.clear()
    _STEMS[word] = result
    return result


def words(text: str) -> list[str]:
    """The words of `text`, as written (sentence punctuation left out)."""
    return [w for w in WORD_RE.findall(text) if w[0].isalnum()]


def stems(text: str) -> list[str]:
    """The stems of the words of `text`, in order; index i is the i-th match of WORD_RE."""
    get: Callable[[str], str | None] = _STEMS.get
    return [get(w) or stem(w) for w in WORD_RE.findall(text)]


def spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the words of `text`, aligned with `words` and `stems`."""
    return [m.span() for m in WORD_RE.finditer(text)]


# Sentence ends: . ! ? (and closing quotes/brackets) then space then a capital, digit or quote;
# or a line break. Abbreviations below do not end a sentence ("Apple Inc. said", "U.S. stocks").
_END_RE = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"“'(\[A-Z0-9$])|\n+")
_ABBREV = frozenset(
    [
        "inc",
        "corp",
        "co",
        "ltd",
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "jr",
        "sr",
        "vs",
        "no",
        "u.s",
        "u.k",
        "e.g",
        "i.e",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "gov",
        "sen",
        "rep",
        "gen",
        "col",
        "lt",
        "bros",
        "n.v",
        "s.a",
        "l.p",
        "plc",
    ]
)


def sentence_bounds(text: str) -> list[int]:
    """Start offsets of the sentences of `text` (always begins with 0)."""
    starts = [0]
    for m in _END_RE.finditer(text):
        if m.group().startswith("\n") or "\n" in m.group():
            starts.append(m.end())
            continue
        before = text[max(starts[-1], m.start() - 12) : m.start() + 1].rsplit(None, 1)
        last = before[-1].rstrip(".!?\"'”’)]").lower() if before else ""
        # A single capital letter followed by a dot is an initial ("J. Smith"), not an end.
        if last in _ABBREV or (len(last) == 1 and last.isalpha()):
            continue
        starts.append(m.end())
    return starts


def sentence_at(text: str, offset: int, bounds: list[int] | None = None) -> str:
    """The sentence of `text` that contains `offset`, stripped and on one line."""
    starts = bounds if bounds is not None else sentence_bounds(text)
    i = bisect.bisect_right(starts, offset)
    lo = starts[i - 1] if i > 0 else 0
    hi = starts[i] if i < len(starts) else len(text)
    return " ".join(text[lo:hi].split())
