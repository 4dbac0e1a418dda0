"""The fast text paths give exactly what the plain regular expressions give, on real feed text."""

from __future__ import annotations

import gc
import html
import re
from pathlib import Path

import feedparser
import pytest

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


def _real_texts(real_dir: Path) -> list[str]:
    texts = []
    for path in sorted(real_dir.glob("*.xml")):
        entries = feedparser.parse(str(path)).entries
        body = "\n\n".join(
            html.unescape(re.sub(r"<[^>]+>", "\n", e.get("summary", ""))) for e in entries
        )
        texts.append("\n\n".join(e.get("title", "") for e in entries) + "\n\n" + body)
    return texts


@pytest.fixture(scope="module")
def texts(real_dir: Path) -> list[str]:
    return _real_texts(real_dir) + TRICKY


def test_tokens_are_the_regex_tokens(texts: list[str]) -> None:
    for text in texts:
        assert tokens(text) == WORD_RE.findall(text)


def test_offsets_are_the_regex_starts(texts: list[str]) -> None:
    for text in texts:
        found = tokens(text)
        starts = [m.start() for m in WORD_RE.finditer(text)]
        assert offsets(text, found) == starts
        known: list[int] = []  # asked for a few at a time, as hits ask
        for upto in range(0, len(found) + 3, 3):
            assert offsets(text, found, upto, known) == starts[:upto]


def test_article_text_words_spans_and_sentences(texts: list[str]) -> None:
    for text in texts:
        prepared = ArticleText(text)
        assert prepared.stems() == stems(text)
        spans = [m.span() for m in WORD_RE.finditer(text)]
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
