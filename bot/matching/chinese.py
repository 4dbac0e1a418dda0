"""Chinese text for the match stage: which characters are Chinese, words, and company names.

In: text that may hold Chinese (no spaces between words); the Chinese names of companies and
their lists (data/zh_names.toml, read by word_lists.py). Out: `has_cjk`/`is_cjk`; `segment`
(a run of ideographs cut into words by rjieba, jieba's dictionary with the company names added,
compounds split into the dictionary words they are made of: 半导体芯片 -> 半导体, 芯片, so that
the keyword 芯片 finds it) and `mixed_tokens`/`join_words` for text.py and keywords.py; for the
name scan, `chinese_hits`: a Chinese name counts where segmentation puts word edges around it
(no 京东 in 北京东路), outside negative phrases, and, for everyday words (苹果), with context.
Pure but for one segmenter built on first use (about half a second); never raises on text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import rjieba

if TYPE_CHECKING:
    from bot.matching.tickers import NamePattern
    from bot.matching.word_lists import ChineseNames

# CJK Unified Ideographs, Extension A, Compatibility Ideographs, Extensions B-F.
CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_CJK_RE = re.compile(f"[{CJK_CLASS}]")
_CJK_RUN_RE = re.compile(f"[{CJK_CLASS}]+")
# What ends a Chinese sentence, or a clause an ambiguous name's context must stay inside.
SENTENCE_MARKS = "。！？；!?\n"
# A compound longer than this is not split into smaller words (names, idioms, long terms).
_SPLIT_MAX = 8


def is_cjk(ch: str) -> bool:
    """Is `ch` (one character) a Chinese ideograph?"""
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or ch >= "\U00020000"


def cjk_edge(text: str, at: int) -> bool:
    """Is the place between text[at - 1] and text[at] next to a Chinese character? Such a
    place is a word edge for Latin names ("Nvidia的"); for Chinese ones segmentation says."""
    before, after = text[at - 1], text[at]
    # Asked at most name hits of every English story: two comparisons answer for Latin text.
    if before < "\u3400" and after < "\u3400":
        return False
    return is_cjk(before) or is_cjk(after)


# The first UTF-8 byte of every ideograph (U+3000-U+9FFF: E3-E9; U+F900-U+FAFF: EF; beyond
# U+FFFF: F0). English text, curly quotes and dashes included (E2), holds none of them.
_CJK_LEADS = tuple(bytes([lead]) for lead in (*range(0xE3, 0xEA), 0xEF, 0xF0))


def has_cjk(text: str) -> bool:
    """Does `text` hold any Chinese ideograph? Asked of every English story too, so it answers
    "no" at C speed: ASCII text at once, other text by looking for the lead bytes of its UTF-8
    one byte value at a time (each a memchr; one regular expression over the characters, or
    over the bytes with a class of the lead bytes, costs ten times more)."""
    if text.isascii():
        return False
    raw = text.encode("utf-8", "surrogatepass")
    if not any(lead in raw for lead in _CJK_LEADS):
        return False
    return _CJK_RE.search(text) is not None


class _Segmenter:
    """rjieba's segmenter with extra words (company names), and a memo of compound splits."""

    def __init__(self, extra: Iterable[str]) -> None:
        self._jieba = rjieba.Jieba()
        for word in extra:
            self._jieba.add_word(word, None, None)
        self.split = lru_cache(maxsize=65_536)(self._split)

    def cut(self, run: str) -> list[str]:
        out: list[str] = []
        for word in self._jieba.cut(run):
            out.extend(self.split(word))
        return out

    def _split(self, word: str) -> tuple[str, ...]:
        """A compound as the fewest dictionary words of two or more characters covering it
        (苹果公司 -> 苹果, 公司), or the word itself (英伟达: 英 is one character)."""
        if len(word) < 4 or len(word) > _SPLIT_MAX:
            return (word,)
        best: dict[int, tuple[str, ...]] = {0: ()}
        for end in range(2, len(word) + 1):
            options = [
                best[start] + (word[start:end],)
                for start in range(0, end - 1)
                if start in best and (start, end) != (0, len(word))
                if self._jieba.has_word(word[start:end])
            ]
            if options:
                best[end] = min(options, key=len)
        return best.get(len(word), (word,))


@lru_cache(maxsize=1)
def _segmenter() -> _Segmenter:
    from bot.matching.word_lists import ChineseNames  # names are data; imported where used

    return _Segmenter(ChineseNames.packaged().all_names())


def segment(run: str) -> list[str]:
    """The words of a run of Chinese ideographs."""
    return _segmenter().cut(run)


def mixed_tokens(text: str, findall: Callable[[str], list[str]]) -> list[str]:
    """The tokens of text holding Chinese: runs of ideographs cut into words by segmentation,
    the rest read by `findall` (text.WORD_RE's) as always (so a sentence mark right before an
    ideograph ends a sentence)."""
    out: list[str] = []
    at = 0
    for run in _CJK_RUN_RE.finditer(text):
        out.extend(findall(text[at : run.start()]))
        out.extend(segment(run.group()))
        at = run.end()
    out.extend(findall(text[at:]))
    return out


def join_words(words: list[str]) -> str:
    """Words written back as text: a space between words, none between two Chinese ones."""
    out = ""
    for word in words:
        if out and not (is_cjk(out[-1]) and is_cjk(word[0])):
            out += " "
        out += word
    return out


def on_word_edges(lowered: str, start: int, end: int) -> bool:
    """Does segmentation put word boundaries at `start` and `end` of a name found in text?

    Only an edge between two ideographs needs asking, and only the run of ideographs around it
    is cut (up to 40 characters each side): the cost is the name's neighbourhood, not the story's.
    """
    return _edge(lowered, start) and _edge(lowered, end)


def _edge(text: str, at: int) -> bool:
    if at <= 0 or at >= len(text) or not (is_cjk(text[at - 1]) and is_cjk(text[at])):
        return True
    lo = at
    while lo > 0 and at - lo < 40 and is_cjk(text[lo - 1]):
        lo -= 1
    hi = at
    while hi < len(text) and hi - at < 40 and is_cjk(text[hi]):
        hi += 1
    offset = lo
    for word in segment(text[lo:hi]):
        offset += len(word)
        if offset >= at:
            return offset == at
    return False


def clause(lowered: str, start: int, end: int) -> tuple[int, int]:
    """The span of the sentence (up to 。！？；) around [start, end)."""
    lo = max(lowered.rfind(mark, 0, start) for mark in SENTENCE_MARKS) + 1
    ends = [i for i in (lowered.find(mark, end) for mark in SENTENCE_MARKS) if i >= 0]
    return lo, min(ends, default=len(lowered))


def in_negative(lowered: str, start: int, end: int, negative: Iterable[str]) -> bool:
    """Is [start, end) inside one of the `negative` phrases (亚马逊雨林, 苹果汁)?"""
    for phrase in negative:
        at = lowered.find(phrase, max(0, start - len(phrase) + 1))
        if 0 <= at < end and at + len(phrase) > start:
            return True
    return False


def name_in_context(
    lowered: str,
    start: int,
    end: int,
    symbols: Iterable[str],
    context: Iterable[str],
    after: Iterable[str],
    negative: Iterable[str],
) -> bool:
    """Does an ambiguous Chinese name (苹果) mean the company here?

    Not inside a negative phrase (苹果汁, 吃苹果); then yes when a company word follows it
    directly (苹果公司, 苹果发布), the company's ticker is in its sentence (苹果(AAPL)), or a
    market word is in its sentence outside the name (苹果股价大涨, 苹果市值).
    """
    if in_negative(lowered, start, end, negative):
        return False
    if any(lowered.startswith(word, end) for word in after):
        return True
    lo, hi = clause(lowered, start, end)
    sentence = lowered[lo:start] + " " + lowered[end:hi]
    for symbol in symbols:
        if re.search(rf"(?<![a-z]){re.escape(symbol.lower())}(?![a-z])", sentence):
            return True
    return any(word in sentence for word in context)


Hit = tuple[int, tuple[str, int, int]]  # the name automaton's: (last offset, (kind, index, length))


# Chinese names may start with a few Latin letters or digits: "Meta平台", "BOSS直聘", "360数科".
_LATIN_HEAD = 8


def scan_runs(lowered: str, automaton: Any) -> Iterator[Hit]:
    """The automaton's hits in the Chinese parts of `lowered` only (each run of ideographs and
    the few characters before it), as offsets in `lowered`: an English story quoting one Chinese
    name is not scanned whole for hundreds of names."""
    seen: set[Hit] = set()
    for run in _CJK_RUN_RE.finditer(lowered):
        lo = max(0, run.start() - _LATIN_HEAD)
        for last, value in automaton.iter(lowered[lo : run.end()]):
            hit = (lo + last, value)
            if hit not in seen:
                seen.add(hit)
                yield hit


def chinese_hits(
    lowered: str,
    found: Iterable[Hit],
    chinese: Mapping[int, bool],
    patterns: Sequence[NamePattern],
    lists: ChineseNames,
) -> Iterator[Hit]:
    """Hits of Chinese names, less those that are no whole word there (京东 in 北京东路), stand
    in a negative phrase, or need context they lack (苹果 the fruit). `chinese` maps the pattern
    index of each Chinese name to whether it needs context. Chinese has no spaces, so the word
    edges that detection checks for Latin names are segmentation's to say here."""
    for hit in found:
        last, (kind, index, length) = hit
        ambiguous = chinese.get(index) if kind == "name" else None
        if ambiguous is not None:
            start, end = last + 1 - length, last + 1
            if not on_word_edges(lowered, start, end):
                continue
            if in_negative(lowered, start, end, lists.negative):
                continue
            tickers = patterns[index].company.tickers
            context = (lists.context, lists.after, lists.negative)
            if ambiguous and not name_in_context(lowered, start, end, tickers, *context):
                continue
        yield hit
