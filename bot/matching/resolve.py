"""What people type after /watch, read as the companies they mean.

In: the argument as typed ("coca cola", "JP Morgan AMZN", "(NYSE: WFC)", "$aapl", "BRK.B",
"BRK B") or a deep link's payload ("watch-BRK-B-AMZN"), and the `TickerUniverse`.
Out: one `Resolved` per thing named, in order: the whole argument is tried as one company name
first, then, from left to right, the longest run of words that names a company, a symbol in any
spelling, else one word. A word that may mean several companies (a symbol that is also another
company's name, a name several filings share, an everyday word that is also a symbol) is
AMBIGUOUS with its candidates: nothing is watched until the user picks one, so a different
company is never watched silently. Pure and total: never raises.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from enum import StrEnum

from bot.matching.names import normalize_symbol
from bot.matching.tickers import Company, TickerUniverse

MAX_NAME_WORDS = 8  # "Federal Agricultural Mortgage" and the like; longer runs are not names
NAME_LIKENESS = 0.75  # how close several unknown words must be to a name to be read as it
MAX_WORDS = 40  # a /watch with more words than this is cut (the chat's limit is lower anyway)

# Exchange forms as press releases write them: "NASDAQ:MSFT", "(NYSE: WFC)", "Nasdaq GS: AMZN".
_EXCHANGE_RE = re.compile(
    r"\(?\s*\b(?:NYSE(?:\s+(?:American|Arca|MKT))?|Nasdaq(?:\s*(?:GS|GM|CM))?|AMEX|Cboe|BATS"
    r"|OTC(?:QX|QB|\s+Pink|\s+Markets|MKTS)?)\s*:\s*\$?([A-Za-z][A-Za-z0-9]*(?:[.\-/][A-Za-z]+)?)"
    r"\s*\)?",
    re.IGNORECASE,
)
_CLASS_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]*[.\-/][A-Za-z]{1,2}$")  # BRK.B, brk-b, BRK/B
_SPLIT_RE = re.compile(r"[\s,;，、；]+")  # Chinese commas too: 英伟达、特斯拉
_EDGE_PUNCTUATION = "()[]{}<>\"'“”‘’.:;!?"
# Words between the companies of a list ("apple and microsoft"), skipped when not in a name.
_JOINERS = frozenset({"and", "&", "or", "+", "plus", "also"})


class Via(StrEnum):
    """How a thing typed was read."""

    SYMBOL = "symbol"  # a symbol, a cashtag or an exchange form
    NAME = "name"  # a company's name or alias
    AMBIGUOUS = "ambiguous"  # could mean several companies: `candidates`
    UNKNOWN = "unknown"  # no company; `candidates` are suggestions


@dataclass(frozen=True, slots=True)
class Resolved:
    """One thing typed and what it names: the symbol to watch, or the companies it may mean."""

    written: str
    via: Via
    company: Company | None = None
    symbol: str = ""  # the share class typed ("BRK-A"), else the company's primary symbol
    candidates: tuple[Company, ...] = ()


def deep_link_words(payload: str) -> str:
    """A deep link's payload as typed words: "watch-BRK-B-AMZN" -> "BRK B AMZN" (a share
    class finds its symbol again when the words are read), "watch-coca_cola" -> "coca cola"."""
    body = payload.split("-", 1)[1] if "-" in payload else ""
    return body.replace("-", " ").replace("_", " ")


def resolve(typed: str, universe: TickerUniverse) -> list[Resolved]:
    """Everything `typed` names, in order (see the module's docstring)."""
    typed = _EXCHANGE_RE.sub(lambda m: f" ${m.group(1)} ", typed)
    words = [w for w in (_strip(w) for w in _SPLIT_RE.split(typed)) if w][:MAX_WORDS]
    found: list[Resolved] = []
    unknown: list[str] = []
    i = 0
    while i < len(words):
        taken, resolved = _longest(words, i, universe)
        if resolved is None:
            unknown.append(words[i])
        else:
            found.extend(_unknown_run(unknown, universe))
            unknown = []
            found.append(resolved)
        i += taken
    found.extend(_unknown_run(unknown, universe))
    return found


def _strip(word: str) -> str:
    stripped = word.strip(_EDGE_PUNCTUATION)
    # A cashtag keeps its dollar sign; "(NYSE:" leftovers and lone brackets go.
    return stripped if any(c.isalnum() or c in "&$" for c in stripped) else ""


def _longest(words: list[str], i: int, universe: TickerUniverse) -> tuple[int, Resolved | None]:
    """The longest reading that starts at word `i`: (words used, what they name or None)."""
    first = words[i]
    if first.startswith("$"):
        return 1, _symbol(first, first[1:], universe)
    if i + 1 < len(words) and _share_class(first, words[i + 1], universe):
        written = f"{first} {words[i + 1]}"
        return 2, _symbol(written, f"{first}-{words[i + 1]}", universe)
    for end in range(min(len(words), i + MAX_NAME_WORDS), i + 1, -1):
        span = words[i:end]
        if any(w.startswith("$") for w in span) or {span[0].lower(), span[-1].lower()} & _JOINERS:
            continue
        written = " ".join(span)
        candidates = _named(written, universe)
        if candidates:
            return end - i, _by_name(written, candidates)
    if first.lower() in _JOINERS:
        return 1, None  # a joiner between two companies: dropped with the unknown words
    return 1, _one_word(first, universe)


def _share_class(first: str, second: str, universe: TickerUniverse) -> bool:
    """ "BRK B": a symbol and its class letter written apart (a deep link splits them)."""
    if not (second.isalpha() and len(second) <= 2 and first.isalnum()):
        return False
    return universe.company(first) is None and universe.company(f"{first}-{second}") is not None


def _named(written: str, universe: TickerUniverse) -> list[Company]:
    found = universe.named(written)
    if not found and " and " in f" {written.lower()} ":
        found = universe.named(re.sub(r"\band\b", "&", written, flags=re.IGNORECASE))
    return found


def _by_name(written: str, candidates: list[Company]) -> Resolved:
    if len(candidates) > 1:
        return Resolved(written, Via.AMBIGUOUS, candidates=tuple(candidates))
    company = candidates[0]
    return Resolved(written, Via.NAME, company, company.tickers[0])


def _symbol(written: str, symbol: str, universe: TickerUniverse) -> Resolved:
    """A symbol the user marked as one (cashtag, exchange form, share class): no guessing."""
    company = universe.company(symbol)
    if company is None:
        return Resolved(written, Via.UNKNOWN, candidates=tuple(universe.suggest(symbol)))
    return Resolved(written, Via.SYMBOL, company, normalize_symbol(symbol))


def _one_word(word: str, universe: TickerUniverse) -> Resolved | None:
    """One word: a symbol, a name, or both (then the user picks); None when neither."""
    if _CLASS_RE.match(word) or (word.isupper() and universe.company(word) is not None):
        return _symbol(word, word, universe)  # capitals or a class: the user wrote a symbol
    by_symbol = universe.company(word)
    by_name = universe.named(word)
    if by_symbol is None:
        return _by_name(word, by_name) if by_name else None
    others = [c for c in by_name if c.cik != by_symbol.cik]
    if others:  # "coke": COKE (Coca-Cola Consolidated) or KO (Coca-Cola)?
        return Resolved(word, Via.AMBIGUOUS, candidates=(*others, by_symbol))
    if not by_name and normalize_symbol(word) in universe.bare_stop:
        # "cola" is a word before it is COLA (Columbus Acquisition): ask, don't assume.
        return Resolved(word, Via.AMBIGUOUS, candidates=(by_symbol,))
    return Resolved(word, Via.SYMBOL, by_symbol, normalize_symbol(word))


def _unknown_run(words: list[str], universe: TickerUniverse) -> list[Resolved]:
    """Words that name nothing: a run of several is first tried as one misspelt name ("bank
    of amerca"), else each word gets its own "did you mean"."""
    words = [w for w in words if w.lower() not in _JOINERS]
    if not words:
        return []
    if len(words) > 1:
        written = " ".join(words)
        close = [c for c in universe.suggest(written) if _alike(written, c.name)]
        if close:
            return [Resolved(written, Via.UNKNOWN, candidates=tuple(close))]
    return [Resolved(w, Via.UNKNOWN, candidates=tuple(universe.suggest(w))) for w in words]


def _alike(written: str, name: str) -> bool:
    """A misspelt name, not a list of symbols that happens to resemble one."""
    return difflib.SequenceMatcher(None, written.lower(), name.lower()).ratio() >= NAME_LIKENESS
