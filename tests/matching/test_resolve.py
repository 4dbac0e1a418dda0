"""What people type after /watch, read as the companies they mean (bot.matching.resolve).

The examples are the ones issue 17 met in a newcomer's first hour, on the SEC table the bot
ships (and again on the full SEC table beside the checkout, when it is there)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.matching.resolve import Via, deep_link_words, resolve
from bot.matching.tickers import TickerUniverse


@pytest.fixture(scope="module")
def snapshot_universe(
    sec_table_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> TickerUniverse:
    """The table the bot ships only: suggestions and shared names differ in the full table."""
    return TickerUniverse.load(sec_table_path, tmp_path_factory.mktemp("data"))


# (typed, [(how each thing named was read, the symbol watched or the candidates offered)])
READ = [
    ("coca cola", [(Via.NAME, "KO")]),
    ("Coca-Cola", [(Via.NAME, "KO")]),
    ("JP Morgan", [(Via.NAME, "JPM")]),
    ("bank of america", [(Via.NAME, "BAC")]),
    ("Bank of America, apple", [(Via.NAME, "BAC"), (Via.NAME, "AAPL")]),
    ("johnson and johnson", [(Via.NAME, "JNJ")]),
    ("apple, microsoft and nvidia", [(Via.NAME, "AAPL"), (Via.NAME, "MSFT"), (Via.NAME, "NVDA")]),
    ("JP Morgan AMZN", [(Via.NAME, "JPM"), (Via.SYMBOL, "AMZN")]),
    ("AMZN NVDA", [(Via.SYMBOL, "AMZN"), (Via.SYMBOL, "NVDA")]),
    ("NASDAQ:MSFT", [(Via.SYMBOL, "MSFT")]),
    ("(NYSE: WFC)", [(Via.SYMBOL, "WFC")]),
    ("Nasdaq GS: AMZN, NYSE:brk.b", [(Via.SYMBOL, "AMZN"), (Via.SYMBOL, "BRK-B")]),
    ("$AAPL", [(Via.SYMBOL, "AAPL")]),
    ("$aapl", [(Via.SYMBOL, "AAPL")]),
    ("BRK-B", [(Via.SYMBOL, "BRK-B")]),
    ("BRK.B", [(Via.SYMBOL, "BRK-B")]),
    ("BRK/B", [(Via.SYMBOL, "BRK-B")]),
    ("brk.a", [(Via.SYMBOL, "BRK-A")]),
    ("BRK B", [(Via.SYMBOL, "BRK-B")]),
    ("amazon", [(Via.NAME, "AMZN")]),
    ("amzn", [(Via.SYMBOL, "AMZN")]),
    ("B", [(Via.SYMBOL, "B")]),
    ("COLA", [(Via.SYMBOL, "COLA")]),
    # A symbol that is another company's name: the user picks.
    ("coke", [(Via.AMBIGUOUS, "KO COKE")]),
    # A name two filings share.
    ("vertex", [(Via.AMBIGUOUS, "VRTX VERX")]),
    # An everyday word that is a symbol: asked, not assumed.
    ("cola", [(Via.AMBIGUOUS, "COLA")]),
    # Every unknown word gets its own "did you mean".
    ("APPL MSFTT", [(Via.UNKNOWN, "AAPL APP PPL"), (Via.UNKNOWN, "MSFT MSTR STT")]),
    # Several unknown words that are close to one name are read as that name misspelt.
    ("bank of amerca", [(Via.UNKNOWN, "BAC FOA")]),
    ("ZZZZQQ", [(Via.UNKNOWN, "")]),
    ("NASDAQ: ZZZZQQ", [(Via.UNKNOWN, "")]),
]


@pytest.mark.parametrize(("typed", "expected"), READ, ids=[r[0] for r in READ])
def test_what_people_type(snapshot_universe: TickerUniverse, typed: str, expected: list) -> None:  # type: ignore[type-arg]
    found = resolve(typed, snapshot_universe)
    read = [(r.via, r.symbol or " ".join(c.tickers[0] for c in r.candidates)) for r in found]
    assert read == expected


@pytest.mark.parametrize(
    ("typed", "not_watched"),
    [("coca cola", "COLA"), ("JP Morgan", "MGHL"), ("BRK B", "B"), ("bank of america", "")],
    ids=["coca cola", "JP Morgan", "BRK B", "bank of america"],
)
def test_never_a_different_company(universe: TickerUniverse, typed: str, not_watched: str) -> None:
    """On the full SEC table too: the words of a name are never watched one by one."""
    found = resolve(typed, universe)
    assert len(found) == 1
    assert found[0].symbol != not_watched


DEEP_LINKS = [
    ("watch-AMZN-NVDA", "AMZN NVDA"),
    ("watch-BRK-B", "BRK B"),
    ("watch-coca_cola-BRK-A", "coca cola BRK A"),
    ("watch-", ""),
    ("watch", ""),
]


@pytest.mark.parametrize(("payload", "words"), DEEP_LINKS, ids=[d[0] for d in DEEP_LINKS])
def test_deep_link_words(payload: str, words: str) -> None:
    assert deep_link_words(payload) == words
