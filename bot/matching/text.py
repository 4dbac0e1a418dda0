"""Words, stems and sentences: the text primitives that ticker detection and keywords share.

In: plain text (an article's title or body, a user's query). Out: word tokens, their stems
(simple English inflection through the Snowball stemmer: chips -> chip, acquired -> acquir),
and the sentence around a character offset, for the "why" of an alert. Pure; never fails on text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from functools import lru_cache

import snowballstemmer

from bot.matching.chinese import CJK_CLASS, has_cjk, is_cjk, mixed_tokens
from bot.models import Article

# A word: a run of letters (with inner apostrophes: "Amazon's", "don't") or of digits ("1.5").
# Letters and digits are separate words, so "Trainium" matches "Trainium2" and "5G" is "5", "g".
# Hyphens and other punctuation split words: "AI-chips" is two words, "re:Invent" is "re", "Invent".
# Sentence punctuation (". ! ? ; :" before a space) is a token of its own, which no term
# contains, so that a phrase never matches across sentences ("AI. Chip" is not "AI chip").
# Chinese sentence marks (。！？；) are such tokens wherever they stand. Runs of Chinese
# ideographs are not read by it: `tokens` cuts them into words (chinese.segment).
WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+(?:[.,]\d+)*|[.!?;:](?=\s|$)|[。！？；]")

# snowballstemmer hands out PyStemmer's C stemmer when it is installed (it is a dependency).
_STEMMER = snowballstemmer.stemmer("english")
# Articles repeat a small vocabulary, so a memo of surface form -> stem makes stemming one dict
# lookup per word. Bounded so that a stream of junk tokens cannot grow it without limit.
_STEMS_MAX = 200_000


class _StemMemo(dict[str, str]):
    """word as written -> stem; a miss stems the word (a dict subclass: hits stay in C)."""

    def __missing__(self, word: str) -> str:
        result: str = _STEMMER.stemWord(word.lower().replace("’", "'"))
        if len(self) >= _STEMS_MAX:
            self.clear()
        self[word] = result
        return result


_STEMS = _StemMemo()
_stem_of: Callable[[str], str] = _STEMS.__getitem__
_SENTENCE_PUNCT = frozenset(".!?;:")


def stem(word: str) -> str:
    """The stem of one word as written ("Chips" -> "chip", "Amazon’s" -> "amazon")."""
    return _stem_of(word)


def tokens(text: str) -> list[str]:
    """`WORD_RE.findall(text)`, faster: most whitespace-separated chunks are a plain word,
    perhaps with one trailing comma or sentence mark, and skip the regular expression.

    Equal to the regex because no token spans whitespace and the look-ahead after a sentence
    mark sees whitespace or the end in both the text and the chunk.
    """
    if has_cjk(text):
        return mixed_tokens(text, WORD_RE.findall)
    return _latin_tokens(text)


def _latin_tokens(text: str) -> list[str]:
    """`tokens` of a text known to hold no Chinese."""
    out: list[str] = []
    append = out.append
    findall = WORD_RE.findall
    for chunk in text.split():
        if chunk.isalpha():
            append(chunk)
            continue
        head = chunk[:-1]
        if head.isalpha():
            last = chunk[-1]
            if last == ",":
                append(head)
                continue
            if last in _SENTENCE_PUNCT:
                append(head)
                append(last)
                continue
        out.extend(findall(chunk))
    return out


def stem_words(words: list[str]) -> list[str]:
    """Stems of many words at once, without the memo (for queries: their words must not push
    the articles' vocabulary out of it)."""
    result: list[str] = _STEMMER.stemWords([w.lower().replace("’", "'") for w in words])
    return result


def words(text: str) -> list[str]:
    """The words of `text`, as written (sentence punctuation left out)."""
    return [w for w in tokens(text) if w[0].isalnum()]


def stems(text: str) -> list[str]:
    """The stems of the words of `text`, in order; index i is the i-th match of WORD_RE."""
    return list(map(_stem_of, tokens(text)))


def offsets(
    text: str, found: list[str], upto: int | None = None, known: list[int] | None = None
) -> list[int]:
    """Where the tokens of `found` (`tokens(text)`) start in `text`: the first `upto` of them
    (all by default), appended to `known` (the starts already found, extended in place).

    Each token is looked up with `str.find` after the end of the one before, which is exact:
    every letter and digit belongs to some token, so the gap between two tokens holds none and
    a word cannot be found early; a sentence mark is a token only before a space or the end,
    so a mark found early in the gap ("Inc.)." ) is skipped. Several times cheaper than
    `WORD_RE.finditer`, whose Unicode classes cost more per character than the search, and
    only as far as asked: a hit needs the words up to its own.
    """
    out = [] if known is None else known
    done = len(out)
    at = out[-1] + len(found[done - 1]) if done else 0
    append = out.append
    find = text.find
    end = len(text)
    for token in found[done:upto]:
        at = find(token, at)
        if token in _SENTENCE_PUNCT:
            # ... or before an ideograph: the text was cut there (see `_mixed_tokens`).
            while at + 1 < end and not (text[at + 1].isspace() or is_cjk(text[at + 1])):
                at = find(token, at + 1)
        append(at)
        at += len(token)
    return out


# Sentence ends: . ! ? (and closing quotes/brackets) then space then a capital, digit, quote or
# Chinese character;
# or a line break. Abbreviations below do not end a sentence ("Apple Inc. said", "U.S. stocks").
# Written to start with one character class, so that the regex engine skips from one
# candidate to the next in C (an alternation of two starts is tried at every character).
_END_RE = re.compile(
    r"[.!?\n](?:(?<=[.!?])[\"'”’)\]]*\s+(?=[\"“'(\[A-Z0-9$" + CJK_CLASS + r"])|(?<=\n)\n*)"
)
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


# A Chinese sentence ends at 。！？ (and the closing quotes after it), no space needed.
_ZH_END_RE = re.compile(r"[。！？][”’」』）)]*")


def sentence_bounds(text: str) -> list[int]:
    """Start offsets of the sentences of `text` (always begins with 0)."""
    starts = _english_bounds(text)
    if not has_cjk(text):
        return starts
    ends = [m.end() for m in _ZH_END_RE.finditer(text) if m.end() < len(text)]
    return sorted(set(starts).union(ends))


def _english_bounds(text: str) -> list[int]:
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


class ArticleText:
    """An article's title and text as one string, and what detection and keyword matching
    need from it, each computed once and only when asked for: stems, word spans, sentences.

    Words are read line by line (no word spans a line break), remembering where each line
    starts and which word begins it, so that the span of a word or its sentence costs one line's
    work, not the whole text's, when a hit asks for it.
    """

    __slots__ = (
        "_chinese",
        "_line_offsets",
        "_line_starts",
        "_line_tokens",
        "_line_words",
        "_lines",
        "_said",
        "_sentences",
        "_stems",
        "text",
    )

    def __init__(self, text: str) -> None:
        self.text = text
        # Asked once for the whole text, so that no line of an English story asks again.
        self._chinese = has_cjk(text)
        self._stems: list[str] | None = None
        self._lines: list[str] = []
        self._line_starts: list[int] = []  # character offset of each line
        self._line_words: list[int] = []  # index of each line's first word
        self._line_tokens: list[list[str]] = []  # each line's tokens as written
        self._line_offsets: dict[int, list[int]] = {}  # line -> where its tokens start
        self._sentences: dict[int, list[int]] = {}  # line start -> its sentences' starts
        self._said: dict[int, str] = {}  # sentence start -> the sentence, on one line

    def stems(self) -> list[str]:
        """The stems of every word (`stems(self.text)`)."""
        if self._stems is None:
            out: list[str] = []
            offset = 0
            for line in self.text.split("\n"):
                self._lines.append(line)
                self._line_starts.append(offset)
                self._line_words.append(len(out))
                found = tokens(line) if self._chinese else _latin_tokens(line)
                self._line_tokens.append(found)
                out.extend(map(_stem_of, found))
                offset += len(line) + 1
            self._stems = out
        return self._stems

    def span(self, index: int) -> tuple[int, int]:
        """Character span of word `index` of `stems()` in the text."""
        if self._stems is None:
            self.stems()
        line = bisect.bisect_right(self._line_words, index) - 1
        k = index - self._line_words[line]
        found = self._line_offsets.get(line)
        if found is None:
            found = self._line_offsets[line] = []
        if k >= len(found):
            offsets(self._lines[line], self._line_tokens[line], k + 1, found)
        start = self._line_starts[line] + found[k]
        return start, start + len(self._line_tokens[line][k])

    def sentence(self, offset: int) -> str:
        """The sentence around the non-space character at `offset` (as `sentence_at`).

        Splits only the line around `offset` (a line break always ends a sentence), once per
        line, and keeps each sentence it returns, as many hits share a few sentences.
        """
        text = self.text
        while offset > 0 and text[offset : offset + 1] == "\n":
            offset -= 1  # a line break belongs to the sentence before it
        lo = text.rfind("\n", 0, offset) + 1
        bounds = self._sentences.get(lo)
        if bounds is None:
            hi = text.find("\n", offset)
            line = text[lo:] if hi < 0 else text[lo:hi]
            split = sentence_bounds if self._chinese else _english_bounds
            bounds = [lo + b for b in split(line)]
            bounds.append(lo + len(line))  # where the last sentence ends
            self._sentences[lo] = bounds
        i = min(bisect.bisect_right(bounds, offset), len(bounds) - 1)
        start = bounds[i - 1]
        found = self._said.get(start)
        if found is None:
            found = self._said[start] = " ".join(text[start : bounds[i]].split())
        return found


@lru_cache(maxsize=64)
def article_text(article: Article) -> ArticleText:
    """The `ArticleText` of an article; cached, as detection and matching both need it (an
    `Article` is frozen, so it is its own cache key)."""
    return ArticleText(f"{article.title}\n\n{article.text}" if article.title else article.text)
