"""Symbols written out in text: exchange forms ("(NASDAQ: AMZN)") and "Name (TICK)".

In: the text of an article (URLs blanked) and, for "Name (TICK)", the `TickerUniverse`. Out: the
regex matches where a symbol is written with its exchange (U.S. venues only), and whether a
bracketed symbol without an exchange follows its company's name ("Advanced Energy (AEIS)"),
which makes it as strong as an exchange form. Pure; never raises.
"""

from __future__ import annotations

import re

from bot.matching.headline import names_of
from bot.matching.tickers import TickerUniverse

SYMBOL = r"[A-Za-z]{1,5}(?:[.\-/][A-Za-z]{1,2})?"
# U.S. venues only: a TSX or LSE symbol may belong to a different U.S. company.
EXCHANGE_RE = re.compile(
    r"\b(?:NYSE\s+American|NYSE\s+Arca|NYSE\s+MKT|NYSE|Nasdaq(?:\s+(?:GS|GM|CM|Global\s+Select"
    r"|Global\s+Market|Capital\s+Market|Stock\s+Market))?|AMEX|Cboe(?:\s+BZX)?|BATS|OTCQX|OTCQB"
    r"|OTC\s+Pink|OTC\s+Markets|OTCMKTS|OTC)\s*:\s*(" + SYMBOL + r")(?![\w])",
    re.IGNORECASE,
)
# "Advanced Energy (AEIS)": a symbol in brackets, without an exchange, after the company's name.
PAREN_RE = re.compile(r"\(([A-Z]{1,5}(?:[.\-][A-Z]{1,2})?)\)")
_EXCHANGE_WORDS = ("nyse", "nasdaq", "otc", "amex", "cboe", "bats")


def exchange_matches(text: str, lowered: str) -> list[re.Match[str]]:
    """`EXCHANGE_RE.finditer(text)`, tried only where an exchange's name starts.

    Every alternative begins with one of `_EXCHANGE_WORDS`, so the matches are the same; a
    case-insensitive alternation cannot skip ahead and costs more than the rest of detection.
    """
    starts: set[int] = set()
    for word in _EXCHANGE_WORDS:
        at = lowered.find(word)
        while at >= 0:
            starts.add(at)
            at = lowered.find(word, at + 1)
    found: list[re.Match[str]] = []
    taken_until = 0
    for at in sorted(starts):
        if at < taken_until:
            continue
        m = EXCHANGE_RE.match(text, at)
        if m is not None:
            found.append(m)
            taken_until = m.end()
    return found


def named_before(text: str, m: re.Match[str], universe: TickerUniverse) -> bool:
    """Is "(AEIS)" right after its company's name ("Advanced Energy (AEIS)")?"""
    company = universe.company(m.group(1))
    if company is None:
        return False
    before = text[max(0, m.start() - 60) : m.start()]
    first = company.name.split()[0].lower()
    if len(first) > 1 and first in before.lower():
        return True
    words = before.lower().split()[-3:]
    names = names_of(universe)
    return any(names.get(" ".join(words[i:])) == company for i in range(len(words)))
