"""The fast text paths give exactly what the plain regular expressions give, on real feed text."""

from __future__ import annotations

import gc
import html
import re
from pathlib import Path

import feedparser
import pytest

from bot.matching.chinese import CJK_CLASS, has_cjk, is_cjk, segment
from bot.matching.forms import EXCHANGE_RE as _EXCHANGE_RE
from bot.matching.forms import exchange_matches as _exchange_matches
from bot.matching.index import MatchIndex
from bot.matching.text import (
    WORD_RE,
    ArticleText,
    article_text,
    offsets,
    sentence_at,
    sentence_bounds,
    stems,
    tokens,
)
from bot.matching.tickers import TickerUniverse
from bot.models import Kind, Subscription
from tests.matching.conftest import article

TRICKY = [
    "Amazon's  AI-chips, 1.5% “quoted” end.\n\nNext: x; y! 5G Trainium2 re:Invent don't ’s , . ..",
    "U.S. stocks. Mr. J. Smith said.\n(Next) line\n\n\n",
    "a.\n \nB. C",
    "é\u0301x İstanbul ½ ²a_b word_ ...end... Wait?! (NYSE: F), (Nasdaq GS:AMZN) otc: XYZ",
    "",
    "\n\nTitle only",
    "Apple Inc.). Gap... said .. it.) ok. Q3:. (Inc.!?) x.y.z. a.b 1.5. end:",
]
CHINESE = [
    "英伟达发布新芯片。AI chips rise. 特斯拉涨了！好\n\n“苹果公司”股价；Inc.苹果 3.5%的AI芯片",
    "比亚迪电动汽车销量大增，半导体芯片出口？北京东路 a.\n哔哩哔哩（BILI）",
]


def _real_texts(real_dir: Path) -> list[str]:
    texts = []
    for path in sorted(real_dir.glob("*.xml")):
        entries = feedparser.parse(str(path)).entries
        body = "\n\n".join(
            html.unescape(re.sub(r"<[^>]+>", "\n", e.get("summary", ""))) for e in entries
        )
        texts.append("\n\n".join(e.get("title", "") for e in entries) + "\n\n" + body)
    return texts


# The same tokens read the slow way: WORD_RE, except that a run of Chinese ideographs is a
# token of its own (then cut by segmentation), and a sentence mark before one ends a sentence.
_LETTERS = rf"[^\W\d_{CJK_CLASS}]"
_REFERENCE_RE = re.compile(
    rf"[{CJK_CLASS}]+|{_LETTERS}+(?:['’]{_LETTERS}+)*|\d+(?:[.,]\d+)*"
    rf"|[.!?;:](?=\s|$|[{CJK_CLASS}])|[。！？；]"
)


def _reference(text: str) -> list[tuple[int, str]]:
    """(start, token) of every token, the slow way."""
    if not has_cjk(text):
        return [(m.start(), m.group()) for m in WORD_RE.finditer(text)]
    out: list[tuple[int, str]] = []
    for m in _REFERENCE_RE.finditer(text):
        if not is_cjk(m.group()[0]):
            out.append((m.start(), m.group()))
            continue
        at = m.start()
        for word in segment(m.group()):
            out.append((at, word))
            at += len(word)
    return out


@pytest.fixture(scope="module")
def texts(real_dir: Path) -> list[str]:
    return _real_texts(real_dir) + TRICKY + CHINESE


def test_some_texts_hold_chinese(texts: list[str]) -> None:
    assert sum(map(has_cjk, texts)) >= 2


def test_tokens_are_the_regex_tokens(texts: list[str]) -> None:
    for text in texts:
        assert tokens(text) == [token for _, token in _reference(text)]


def test_offsets_are_the_regex_starts(texts: list[str]) -> None:
    for text in texts:
        found = tokens(text)
        starts = [start for start, _ in _reference(text)]
        assert offsets(text, found) == starts
        known: list[int] = []  # asked for a few at a time, as hits ask
        for upto in range(0, len(found) + 3, 3):
            assert offsets(text, found, upto, known) == starts[:upto]


def test_article_text_words_spans_and_sentences(texts: list[str]) -> None:
    for text in texts:
        prepared = ArticleText(text)
        assert prepared.stems() == stems(text)
        spans = [(start, start + len(token)) for start, token in _reference(text)]
        assert [prepared.span(i) for i in range(len(spans))] == spans
        bounds = sentence_bounds(text)
        for offset, char in enumerate(text):
            if not char.isspace():
                assert prepared.sentence(offset) == sentence_at(text, offset, bounds), offset


def test_exchange_matches_are_the_regex_matches(texts: list[str]) -> None:
    for text in texts:
        lowered = text.lower()
        if len(lowered) != len(text):
            continue
        fast = [(m.span(), m.group(1)) for m in _exchange_matches(text, lowered)]
        assert fast == [(m.span(), m.group(1)) for m in _EXCHANGE_RE.finditer(text)]


def test_article_text_is_cached_per_article() -> None:
    item = article("Nvidia rises", "Chips rally.")
    assert article_text(item) is article_text(article("Nvidia rises", "Chips rally."))
    assert article_text(item).text == "Nvidia rises\n\nChips rally."


def test_add_all_is_add_and_keeps_the_collector_on(universe: TickerUniverse) -> None:
    subs = [
        Subscription(1, 10, Kind.KEYWORD, '"AI chip" -crypto'),
        Subscription(2, 11, Kind.TICKER, "NVDA"),
        Subscription(3, 12, Kind.KEYWORD, "Trainium OR Inferentia"),
    ]
    one, many = MatchIndex(universe), MatchIndex(universe)
    for sub in subs:
        one.add(sub)
    many.add_all(subs)
    item = article("Nvidia and Amazon", "Amazon's AI chip Trainium2 competes with Nvidia.")
    assert many.match(item, {}) == one.match(item, {})
    assert len(many.match(item, {})) == 2
    assert gc.isenabled()
