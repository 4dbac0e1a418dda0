"""Ticker detection on real sentences from real feeds, with the known false positives."""

from __future__ import annotations

import html
import re
from pathlib import Path

import feedparser
import pytest

from bot.matching.detect import detect_tickers
from bot.matching.tickers import TickerUniverse
from tests.matching.conftest import article

# (title, text, expected symbols) — titles and sentences from tests/fixtures/real/ unless noted.
CASES = [
    ("Goldman names Chipotle its favorite restaurant stock", "", {"GS", "CMG"}),
    (
        "Stocks making the biggest moves premarket: Twitter, Amazon, Alphabet, Apple, Intel & more",
        "",
        {"AMZN", "GOOGL", "AAPL", "INTC"},
    ),
    ("Bank of America Pounds the Table on Nvidia Stock", "", {"BAC", "NVDA"}),
    ("Charles Schwab to buy USAA assets in $1.8 billion deal", "", {"SCHW"}),
    ("UPS downgraded by Stifel: Investments could limit earnings growth next year", "", {"UPS"}),
    (
        "Whole Foods Claims Constitutional Right to Disallow 'Black Lives Matter' Masks",
        "",
        {"AMZN"},
    ),
    ("Is AMD a Buy Following New Product Announcements? Wells Fargo Weighs In", "", {"AMD", "WFC"}),
    ("Coca-Cola Just Got Sweeter. The Stock Looks Like a Buy.", "", {"KO"}),
    ("GameStop's reported NFT plan is 'dead on arrival': Analyst", "", {"GME"}),
    (
        "Humana’s stock keeps falling amid fears that Medicare Advantage problems will last",
        "",
        {"HUM"},
    ),
    ("Broadcom CEO Hock Tan sees AI chip revenue 'significantly' above $100 billion", "", {"AVGO"}),
    # Exchange forms and cashtags (press-release style).
    (
        "Ford recalls pickups",
        "Ford Motor Company (NYSE: F) said on Tuesday it would recall.",
        {"F"},
    ),
    ("Results", "Amazon.com, Inc. (NASDAQ: AMZN) today announced results.", {"AMZN"}),
    ("Small cap", "Acme Widgets (OTCQB: XYZ) grew sales.", {"XYZ"}),
    ("Tweets", "Traders piled into $AMZN and $nvda on Friday.", {"AMZN", "NVDA"}),
    ("Share classes", "Berkshire's class B shares, $BRK.B, rose.", {"BRK-B"}),
    # Ambiguous names with context.
    ("Apple Inc. to hold event", "", {"AAPL"}),
    ("Apple's iPhone sales beat estimates", "", {"AAPL"}),
    ("Target shares fall after the retailer cut its forecast", "", {"TGT"}),
    ("Raises price target on Target (NYSE: TGT)", "", {"TGT"}),
    ("Visa and Mastercard settle with merchants", "", {"V", "MA"}),
    # Known false positives: nothing (or only the true company) may be detected.
    ("The Fed is about to cut rates for the first time since 2008", "", set()),
    ("Fed cuts rates", "", set()),
    ("The internet is slow", "Cloudflare aside, the internet is slow today.", {"NET"}),
    ("IT spending rises", "Gartner says IT spending will rise.", {"IT"}),
    ("A new CEO at the helm", "", set()),
    ("Apple pie recipes for fall", "", set()),
    ("Analyst raises price target on Target", "", set()),
    ("Citi raises price target on Tesla", "", {"C", "TSLA"}),
    ("The Hidden Cost of Target Date Funds", "", set()),
    ("Block party on Main Street", "", set()),
    ("Shell game", "", set()),
    ("Students wait for a visa", "", set()),
    ("Mind the gap", "", set()),
    (
        "Share this",
        "Share: https://twitter.com/intent/tweet?text=$FB+news&url=https://x.com/$FB",
        set(),
    ),
    ("Analysts said so", "Analysts said the market was calm; nothing else was said.", set()),
    ("RISK DISCLAIMER", "INVESTING CARRIES RISK. READ THE TERMS AND NOTES CAREFULLY.", set()),
    ("SEC Charges LPL Financial", "LPL agreed to pay a penalty.", {"LPLA"}),
    (
        "SEC Announces Departure",
        "He led the Office of International Affairs (OIA) since 2019.",
        set(),
    ),
]


@pytest.mark.parametrize(("title", "text", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_detects_exactly(
    universe: TickerUniverse, title: str, text: str, expected: set[str]
) -> None:
    found = detect_tickers(article(title, text), universe)
    assert {m.company.tickers[0] for m in found.values()} == {
        universe.company(s).tickers[0]
        for s in expected  # type: ignore[union-attr]
    }


SIGNALS = [
    (article("News", "x", feed_tickers=("NYSE:F",)), "F", "feed"),
    (article("News", "Ford Motor Co. (NYSE: F) and $F"), "F", "exchange"),
    (article("News", "Buying $AMZN and Amazon"), "AMZN", "cashtag"),
    (article("News", "Amazon grew."), "AMZN", "name"),
    (article("News", "Analysts like NVDA here."), "NVDA", "symbol"),
]


@pytest.mark.parametrize(("item", "symbol", "signal"), SIGNALS, ids=[s[2] for s in SIGNALS])
def test_strongest_signal_wins(
    universe: TickerUniverse, item: object, symbol: str, signal: str
) -> None:
    found = detect_tickers(item, universe)  # type: ignore[arg-type]
    cik = universe.company(symbol).cik  # type: ignore[union-attr]
    assert found[cik].signal == signal


def test_mention_explains_with_sentence(universe: TickerUniverse) -> None:
    found = detect_tickers(
        article("Chips", "Markets were calm. Nvidia rose 3% on Monday. Others fell."), universe
    )
    mention = found[universe.company("NVDA").cik]  # type: ignore[union-attr]
    assert mention.terms == ("Nvidia",)
    assert mention.sentence == "Nvidia rose 3% on Monday."


def test_filing_is_about_its_filer(universe: TickerUniverse) -> None:
    ten_k = article(
        "10-K - ULTRAGENYX PHARMACEUTICAL INC. (0001515673) (Filer)",
        "Our competitors include Pfizer, Amgen, Novartis, Sanofi and Vertex Pharmaceuticals. "
        "We rely on Amazon Web Services and Microsoft for hosting.",
        form="10-K",
        ciks=(1515673,),
    )
    found = detect_tickers(ten_k, universe)
    assert [m.symbol for m in found.values()] == ["RARE"]
    assert next(iter(found.values())).signal == "feed"


def _plain(markup: str) -> str:
    for _ in range(2):  # the SEC newsroom escapes HTML twice
        markup = html.unescape(re.sub(r"<[^>]+>", "\n\n", markup))
    return markup


def test_seed_article_is_amazon_and_nvidia(
    universe: TickerUniverse, seed_article_path: Path
) -> None:
    entry = feedparser.parse(str(seed_article_path)).entries[0]
    found = detect_tickers(article(entry.title, _plain(entry.description)), universe)
    assert {m.symbol for m in found.values()} == {"AMZN", "NVDA"}
    assert {m.signal for m in found.values()} == {"name"}


def test_real_feeds_detect_without_surprises(universe: TickerUniverse, real_dir: Path) -> None:
    """Every entry of every real feed goes through; the finance feeds find their companies."""
    seen: set[str] = set()
    for path in sorted(real_dir.glob("*.xml")):
        for entry in feedparser.parse(str(path)).entries:
            item = article(entry.get("title", ""), _plain(entry.get("summary", "")))
            seen |= {m.symbol for m in detect_tickers(item, universe).values()}
    assert {"AVGO", "PFE", "AAPL", "NVDA", "TSLA", "COST", "SBUX"} <= seen
    # Everyday words and abbreviations in these feeds never became tickers.
    assert not seen & {"TTMI", "CRCW", "EIG", "BLSH", "NVMI", "OIA", "LPL", "TGT"}
