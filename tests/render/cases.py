"""The alerts the render tests show: real feed entries (through the parse stage) and hits.

Each builder takes the test fixtures directory (tests/fixtures) and returns an `Alert`. The press
release is written here in the shape wire services use (no real one with "(NYSE: X)" is among
the fixtures); everything else is a real publisher's entry.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from bot.feeds.parse import parse_feed
from bot.models import Alert, Article, Hit, Kind, Subscription

CHAT = 42


def ticker(sub_id: int, symbol: str, *terms: str, sentence: str = "") -> Hit:
    return Hit(Subscription(sub_id, CHAT, Kind.TICKER, symbol), tuple(terms), sentence)


def keyword(sub_id: int, query: str, *terms: str, sentence: str = "") -> Hit:
    return Hit(Subscription(sub_id, CHAT, Kind.KEYWORD, query), tuple(terms), sentence)


def articles(path: Path, source: str) -> tuple[Article, ...]:
    return parse_feed(path.read_bytes(), source=source, url=None).articles


def seed_article(fixtures: Path) -> Article:
    (article,) = articles(fixtures / "seed-article.rss.xml", "Deep News")
    return article


def seed_alert(fixtures: Path) -> Alert:
    hits = (ticker(7, "AMZN", "Amazon"), keyword(8, "Trainium", "Trainium"))
    return Alert(CHAT, seed_article(fixtures), hits)


def edgar_alert(fixtures: Path) -> Alert:
    path = fixtures / "real" / "sec_edgar_company_atom_ultragenyx_8k.xml"
    filing = next(a for a in articles(path, "SEC EDGAR") if "2.02" in a.items)
    return Alert(CHAT, filing, (ticker(3, "RARE"),))


PRESS_RELEASE = Article(
    key="https://www.businesswire.example/news/home/20260204005123/en/",
    entry_id="20260204005123",
    title="Ford Reports Fourth-Quarter Revenue of $46 Billion; Ford Pro Leads Profits",
    url="https://www.businesswire.example/news/home/20260204005123/en/",
    text="\n\n".join(
        [
            "Ford Reports Fourth-Quarter Revenue of $46 Billion; Ford Pro Leads Profits",
            "DEARBORN, Mich., Feb. 04, 2026 /BUSINESS WIRE/ -- Ford Motor Company (NYSE: F) "
            "today reported fourth-quarter revenue of $46.0 billion, up 5% from a year earlier, "
            "and net income of $1.2 billion. Ford Pro, the commercial-vehicle business, earned "
            "$1.9 billion in EBIT on a 13.5% margin.",
            "Photo: The 2026 Ford F-150 Lightning at the Dearborn Truck Plant (Credit: Ford)",
            "Ford Model e lost $1.4 billion in the quarter as the company cut prices on "
            "electric vehicles. Chief Financial Officer Sherry House said Ford expects adjusted "
            "EBIT of $8.5 billion to $10 billion in 2026.",
            "Ford will pay a regular quarterly dividend of 15 cents per share on March 2.",
            "About Ford Motor Company",
            "Ford Motor Company (NYSE: F) is a global company based in Dearborn, Michigan, "
            "committed to helping build a better world.",
            "Cautionary Note on Forward-Looking Statements",
            "Statements included herein may constitute forward-looking statements within the "
            "meaning of the Private Securities Litigation Reform Act of 1995.",
            "Contacts",
            "Media: Jane Doe, 313.555.0100, media@ford.example",
        ]
    ),
    published=datetime(2026, 2, 4, 11, 0, tzinfo=UTC),
    source="Business Wire",
)


def press_release_alert() -> Alert:
    return Alert(CHAT, PRESS_RELEASE, (ticker(5, "F", "NYSE: F", "Ford"),))


def title_only_alert(fixtures: Path) -> Alert:
    path = fixtures / "real" / "google_news_search_broadcom_avgo.xml"
    article = articles(path, "Google News")[0]
    assert not article.text.strip()
    return Alert(CHAT, article, (ticker(11, "AVGO", "Broadcom"),))


def multi_source_alert(fixtures: Path) -> Alert:
    path = fixtures / "real" / "cnbc_finance_rss_2019.xml"
    article = next(a for a in articles(path, "CNBC") if "Fed" in a.text)
    also = (
        ("Reuters", "https://www.reuters.example/markets/us/fed-story"),
        ("MarketWatch", "https://www.marketwatch.example/story/fed?x=1&y=2"),
    )
    return Alert(CHAT, replace(article, also=also), (keyword(21, "Fed", "Fed"),))


LONG_DISCLAIMER = " ".join(
    [
        "Not investment advice. Alerts are generated automatically from public news and filings",
        "and may be incomplete, late or wrong. Do your own research; investing carries risk,",
        "including the loss of capital.",
    ]
    * 8
)


def cut_alert(fixtures: Path) -> Alert:
    """The seed article with every paragraph carrying a term, so the summary has no end."""
    return Alert(
        CHAT,
        seed_article(fixtures),
        (
            keyword(
                9, "Amazon OR Trainium OR Nvidia", "Amazon", "Trainium", "Nvidia", "Anthropic", "AI"
            ),
        ),
    )
