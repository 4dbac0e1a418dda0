"""Tickers a feed attaches to its entries, in categories or in its own elements.

In: one feedparser entry (a mapping). Out: the symbols, in the SEC table's spelling ("BRK-B"),
in the order the feed gave them, each once: exchange-qualified categories ("NYSE:F"), bare
symbols in categories whose scheme says stock/ticker, and elements such as <nasdaq:tickers>.
Total: an entry without tickers, or with malformed ones, gives an empty or shorter tuple.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_US_EXCHANGE_TICKER = re.compile(
    r"\b(?:NYSE(?:\s*(?:American|Arca|MKT))?|NASDAQ(?:GS|GM|CM)?|AMEX|NYSEAMERICAN|NYSEARCA|"
    r"NYSEMKT|OTC(?:QX|QB|MKTS)?|OTC\s*Markets|CBOE|BATS)\s*:\s*"
    r"([A-Z][A-Z0-9]{0,5}(?:[./-][A-Z0-9]{1,2})?)(?![\w.-])",
    re.IGNORECASE,
)
_BARE_TICKER = re.compile(r"^[A-Z][A-Z0-9]{0,5}(?:[./-][A-Z0-9]{1,2})?$")


def _normal_ticker(symbol: str) -> str:
    # The SEC table, our ticker universe, spells share classes with a dash: BRK-B.
    return symbol.upper().replace(".", "-").replace("/", "-")


def feed_tickers(entry: Mapping[str, Any]) -> tuple[str, ...]:
    """Tickers the feed attached: exchange-qualified categories ("NYSE:F", GlobeNewswire's
    "Nasdaq:AMZN"), bare symbols in categories whose scheme says stock/ticker, and Nasdaq's
    <nasdaq:tickers>. Tickers on non-US exchanges are left out: our universe is the SEC's."""
    found: dict[str, None] = {}
    for tag in entry.get("tags") or ():
        term = (tag.get("term") or "").strip()
        scheme = (tag.get("scheme") or "").lower()
        symbols = _US_EXCHANGE_TICKER.findall(term)
        if not symbols and any(w in scheme for w in ("stock", "ticker", "symbol")):
            symbols = [term] if _BARE_TICKER.match(term) else []
        for symbol in symbols:
            found.setdefault(_normal_ticker(symbol), None)
    for key, value in entry.items():
        if key.endswith("_tickers") and isinstance(value, str):
            for symbol in re.split(r"[\s,;]+", value.strip()):
                if _BARE_TICKER.match(symbol.upper()):
                    found.setdefault(_normal_ticker(symbol), None)
    return tuple(found)
