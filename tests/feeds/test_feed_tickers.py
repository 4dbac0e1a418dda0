"""Tickers the feed attaches: exchange-qualified categories, stock schemes, <nasdaq:tickers>."""

from __future__ import annotations

import pytest

from tests.feeds.documents import parse, rss

TICKER_CASES = [
    ("nyse-category", "<category>NYSE:F</category>", ("F",)),
    ("nasdaq-category", "<category>NASDAQ:AMZN</category>", ("AMZN",)),
    (
        "globenewswire",
        '<category domain="https://www.globenewswire.com/rss/stock">Nasdaq:SMCI</category>'
        '<category domain="https://www.globenewswire.com/rss/ISIN">US86800U3023</category>',
        ("SMCI",),
    ),
    ("spaced-and-several", "<category>NYSE: BRK.B, Nasdaq:aapl</category>", ("BRK-B", "AAPL")),
    ("nyse-american", "<category>NYSE American:UAMY</category>", ("UAMY",)),
    ("otc", "<category>OTCQB:ABCD</category>", ("ABCD",)),
    (
        "non-us-exchange",
        "<category>TSX:RY</category><category>Nasdaq Copenhagen:NOVO</category>",
        (),
    ),
    ("plain-category", "<category>Technology</category><category>AI</category>", ()),
    (
        "bare-stock-domain",
        '<category domain="https://example.com/stock">MSFT</category>',
        ("MSFT",),
    ),
    (
        "bare-word-not-ticker",
        '<category domain="https://example.com/stock">Big Tech</category>',
        (),
    ),
    (
        "nasdaq-element",
        "<nasdaq:tickers>AAPL,MSFT, nvda</nasdaq:tickers>",
        ("AAPL", "MSFT", "NVDA"),
    ),
    ("duplicates", "<category>NYSE:F</category><nasdaq:tickers>F</nasdaq:tickers>", ("F",)),
]


@pytest.mark.parametrize(
    ("xml", "tickers"), [c[1:] for c in TICKER_CASES], ids=[c[0] for c in TICKER_CASES]
)
def test_feed_tickers(xml: str, tickers: tuple[str, ...]) -> None:
    doc = rss(
        f"<item><title>T</title><link>https://example.com/t</link>{xml}</item>",
        ns='xmlns:nasdaq="http://nasdaq.com/reference/feeds/1.0"',
    )
    assert parse(doc).articles[0].feed_tickers == tickers
