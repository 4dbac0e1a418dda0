"""Ticker detection: which companies an article is about, each with the signal that said so.

In: an `Article` (title, plain text, the tickers and CIKs its feed attached) and a
`TickerUniverse`. Out: `{cik: Mention}`, one per company, with the strongest signal found:
"feed" (the feed named it) > "exchange" ("(NASDAQ: AMZN)", or "Advanced Energy (AEIS)" after the
company's name) > "cashtag" ("$AMZN") > "name" (company name or alias) > "symbol" (a bare
capitalised symbol of 3+ letters that is no everyday word or abbreviation). Names that are
everyday words ("Apple", "Target") count only with context, or where the headline's grammar makes
them the subject or the rated company (headline.py). Amounts ("$112.3M") and people ("CEO Larry
Culp") are no companies.
Run once per article, not per subscriber. Pure; never raises on text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from bot.matching.chinese import cjk_edge
from bot.matching.forms import PAREN_RE, SYMBOL, exchange_matches, named_before
from bot.matching.headline import lead_sentence, person_before, read_headline, worth_reading
from bot.matching.text import article_text
from bot.matching.tickers import Company, NamePattern, TickerUniverse, normalize_symbol
from bot.models import Article

SIGNALS = ("feed", "exchange", "cashtag", "name", "symbol")
_RANK = {s: i for i, s in enumerate(SIGNALS)}


@dataclass(frozen=True, slots=True)
class Mention:
    """A company an article is about: the symbol, the signal, the words as written, the sentence."""

    company: Company
    symbol: str
    signal: str
    terms: tuple[str, ...]
    sentence: str


# Links (share buttons carry "$FB" in their query strings) are blanked before any scanning.
# Looked for in lowered text (see `_blank_urls`).
_URL_RE = re.compile(r"(?:https?://|www\.)\S+")
# Both start with a literal or a class (no look-behind), so the regex engine can skip ahead fast;
# the character before the match is checked in Python.
_CASHTAG_RE = re.compile(r"\$(" + SYMBOL + r")(?![\w])")
# No leading \b: a pattern that starts with a character class lets the engine skip ahead fast;
# a match that starts inside a word is dropped in Python (the same matches as with \b).
_BARE_RE = re.compile(r"([A-Z][A-Z0-9]{2,4}(?:[.\-/][A-Z])?)(?![\w&])")
_SUFFIX_AFTER_RE = re.compile(
    r"\s*,?\s*(?:Inc|Corp|Corporation|Co|Company|Ltd|plc|PLC|LLC|N\.V|S\.A|AG|SE)\b\.?"
)


def _blank_urls(text: str, lowered: str) -> tuple[str, str]:
    """`text` and its lowered copy with their links blanked. The links are looked for in the
    lowered copy, where the pattern needs no IGNORECASE and the engine skips to each "h" or "w"
    (case-insensitive, it would try every character of a story)."""
    if "://" not in text and "www." not in text and "WWW." not in text:
        return text, lowered
    spans = [m.span() for m in _URL_RE.finditer(lowered)]
    if not spans:
        return text, lowered
    return _blank(text, spans), _blank(lowered, spans)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    pieces, done = [], 0
    for start, end in spans:
        pieces += [text[done:start], " " * (end - start)]
        done = end
    pieces.append(text[done:])
    return "".join(pieces)


def _lower_same_length(text: str) -> str:
    # str.lower() lengthens only U+0130; keep offsets aligned with the original text.
    return text.replace("\u0130", "I").lower()


def _feed_symbol(raw: str) -> str:
    """ "NYSE:F" / "NASDAQ: AMZN" / "$AMZN" / "AMZN" -> the symbol."""
    return normalize_symbol(raw.rsplit(":", 1)[-1])


def _shouting(text: str, start: int, end: int, memo: dict[int, bool]) -> bool:
    """Is the line around [start, end) mostly capitals (a banner, an ALL CAPS headline)?

    `memo` (line start -> answer) keeps several symbols in one long line from recounting it.
    """
    lo = text.rfind("\n", 0, start) + 1
    held = memo.get(lo)
    if held is not None:
        return held
    hi = text.find("\n", end)
    line = text[lo : hi if hi >= 0 else len(text)]
    letters = sum(map(str.isalpha, line))
    answer = letters > 12 and sum(map(str.isupper, line)) > 0.6 * letters
    memo[lo] = answer
    return answer


@cache
def _words_re(words: tuple[str, ...]) -> re.Pattern[str]:
    """One fixed regex for a list of context words (our lists, never user input), for lowered
    text: a case-sensitive alternation lets the engine skip a word at its first letter, where
    IGNORECASE would try every word at every character."""
    body = "|".join(re.escape(w.lower()) for w in sorted(words, key=len, reverse=True))
    return re.compile(r"(?<![\w])(?:" + body + r")(?![\w])")


class _Found:
    """The strongest mention per company, as the scan goes."""

    def __init__(self) -> None:
        self.by_cik: dict[int, Mention] = {}

    def offer(self, mention: Mention) -> None:
        if self.wants(mention.company, mention.signal):
            self.by_cik[mention.company.cik] = mention

    def wants(self, company: Company, signal: str) -> bool:
        """Would a mention of `company` by `signal` be kept? Asked before a mention's sentence
        is cut out: a story names its companies many times, and only the first counts."""
        held = self.by_cik.get(company.cik)
        return held is None or _RANK[signal] < _RANK[held.signal]


def detect_tickers(article: Article, universe: TickerUniverse) -> dict[int, Mention]:
    """The companies `article` is about, by CIK, each with its strongest signal."""
    found = _Found()
    _feed_signals(article, universe, found)
    # A filing names many companies (customers, rivals, lenders); the filer is the one it is about.
    if article.form and found.by_cik:
        return found.by_cik
    prepared = article_text(article)
    sentence = prepared.sentence  # only the lines with a mention are split into sentences
    scrubbed, lowered = _blank_urls(prepared.text, _lower_same_length(prepared.text))

    def offer_symbol(m: re.Match[str], signal: str) -> None:
        """A symbol written out ("NASDAQ: AMZN", "$AMZN"): a mention if it is a listed one."""
        company = universe.company(m.group(1))
        if company is not None and found.wants(company, signal):
            symbol = normalize_symbol(m.group(1))
            found.offer(Mention(company, symbol, signal, (m.group(),), sentence(m.start())))

    for m in exchange_matches(scrubbed, lowered):
        offer_symbol(m, "exchange")
    for m in _CASHTAG_RE.finditer(scrubbed) if "$" in scrubbed else ():
        if m.start() > 0 and (scrubbed[m.start() - 1].isalnum() or scrubbed[m.start() - 1] in "_$"):
            continue  # "US$5", "$$"
        offer_symbol(m, "cashtag")
    for m in PAREN_RE.finditer(scrubbed) if "(" in scrubbed else ():
        if named_before(scrubbed, m, universe):
            offer_symbol(m, "exchange")
    # An item without a headline is read from its lead sentence, as a headline would be.
    headline = article.title or lead_sentence(article.text)
    said_names = read_headline(headline, universe).named if worth_reading(headline) else ()
    for said in said_names:
        if said.company.cik not in found.by_cik:  # the grammar of the headline names it
            found.offer(_name_mention(said.company, said.written, headline))
    ambiguous, named = _names(scrubbed, lowered, universe, found, sentence)
    _bare_symbols(scrubbed, universe, found, named, sentence)
    for start, end, pattern in ambiguous:
        if pattern.company.cik in found.by_cik:
            continue  # another signal already names this company
        if _has_context(scrubbed, start, end, pattern, universe, sentence(start)):
            found.offer(_name_mention(pattern.company, scrubbed[start:end], sentence(start)))
    return found.by_cik


def _bare_symbols(
    text: str,
    universe: TickerUniverse,
    found: _Found,
    named: list[tuple[int, int]],
    sentence: Callable[[int], str],
) -> None:
    """Offer the bare capitalised symbols ("NVDA said"): outside names, no acronym defined in
    brackets, no everyday abbreviation, no ALL CAPS line. The cheap checks come first: most
    capitalised runs are abbreviations or inside words."""
    # "LPL Financial ... LPL agreed": a short name, not LG Display's symbol LPL.
    short_names = {text[s:e].split()[0].upper() for s, e in named}
    name_starts = [s for s, _ in named]
    shouting: dict[int, bool] = {}
    for m in _BARE_RE.finditer(text):
        start = m.start()
        before = text[start - 1] if start else " "
        if before.isalnum() or before in "$.-/&_":
            continue
        raw = m.group(1)
        # The pattern matched capitals and digits: only a separator needs normalising.
        symbol = raw if raw.isalnum() else normalize_symbol(raw)
        if len(symbol.split("-")[0]) < 3 or symbol in universe.bare_stop or symbol in short_names:
            continue
        inside = bisect.bisect_right(name_starts, start) - 1  # the name spans do not overlap
        if (inside >= 0 and start < named[inside][1]) or _acronym_definition(text, m):
            continue  # "LPL Financial" is a name; "Office of International Affairs (OIA)" too
        company = universe.by_symbol(symbol)
        if (
            company is not None
            and found.wants(company, "symbol")
            and not _shouting(text, start, m.end(), shouting)
        ):
            found.offer(Mention(company, symbol, "symbol", (raw,), sentence(start)))


def _feed_signals(article: Article, universe: TickerUniverse, found: _Found) -> None:
    for raw in article.feed_tickers:
        company = universe.company(_feed_symbol(raw))
        if company is not None:
            found.offer(Mention(company, _feed_symbol(raw), "feed", (raw,), article.title))
    for cik in article.ciks:
        company = universe.by_cik(cik)
        if company is not None:
            found.offer(
                Mention(company, company.tickers[0], "feed", (f"CIK {cik}",), article.title)
            )


def _name_mention(company: Company, written: str, sentence: str) -> Mention:
    return Mention(company, company.tickers[0], "name", (written,), sentence)


def _acronym_definition(text: str, m: re.Match[str]) -> bool:
    """Is this "(ABC)" right after capitalised words whose initials spell ABC?"""
    start = m.start()
    if start == 0 or text[start - 1] != "(":
        return False
    before = re.findall(r"[A-Za-z][\w'’&-]*", text[max(0, start - 80) : start - 1])
    initials = "".join(w[0] for w in before if w[0].isupper())
    return initials.upper().endswith(m.group(1).upper())


def _names(
    text: str,
    lowered: str,
    universe: TickerUniverse,
    found: _Found,
    sentence: Callable[[int], str],
) -> tuple[list[tuple[int, int, NamePattern]], list[tuple[int, int]]]:
    """Offer unambiguous names to `found`; return the ambiguous ones and all name spans."""
    hits = list(_name_hits(text, lowered, universe))
    ambiguous: list[tuple[int, int, NamePattern]] = []
    for start, end, pattern in hits:
        if pattern.ambiguous:
            ambiguous.append((start, end, pattern))
        elif found.wants(pattern.company, "name"):
            found.offer(_name_mention(pattern.company, text[start:end], sentence(start)))
    return ambiguous, [(start, end) for start, end, _ in hits]


def _name_hits(
    text: str, lowered: str, universe: TickerUniverse
) -> Iterable[tuple[int, int, NamePattern]]:
    """Whole-word, capitalised name hits, longest first, outside negative phrases."""
    candidates: list[tuple[int, int, int]] = []  # start, end (exclusive), pattern index or -1
    n = len(text)
    for last, (kind, index, length) in universe.scan_names(lowered):
        end = last + 1
        start = end - length
        # Next to a Chinese character is a word edge; the name scan asked segmentation.
        if (
            start > 0
            and (text[start - 1].isalnum() or text[start - 1] == "_")
            and not cjk_edge(text, start)
        ):
            continue
        if end < n and (text[end].isalnum() or text[end] == "_") and not cjk_edge(text, end):
            continue
        candidates.append((start, end, index if kind == "name" else -1))
    # Longest match wins where matches overlap; a negative phrase blanks the names inside it.
    candidates.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    taken_until = -1
    kept: list[tuple[int, int, int]] = []
    for start, end, index in candidates:
        if start < taken_until:
            continue
        kept.append((start, end, index))
        taken_until = end
    for start, end, index in kept:
        if index < 0:
            continue
        pattern = universe.patterns[index]
        written = text[start:end]
        if written == pattern.written or pattern.weak:  # a weak name carries its suffix
            pass
        elif pattern.written.isupper() or not (written[0].isupper() or written[0].isdigit()):
            continue  # "Nvidia", "NVIDIA" and "nVidia" are all fine; "CSX" only in capitals.
        if not _amount_or_person(text, start, written):
            yield start, end, pattern


def _amount_or_person(text: str, start: int, written: str) -> bool:
    """ "$112.3M" is an amount, not 3M; "CEO Larry Culp" is a person, not Culp Inc. Only a
    one-word name can be a surname: the check (run for most name hits) stops there first."""
    if start == 0:
        return False
    if text[start].isdigit():
        return text[start - 1] in "$.,"
    return " " not in written and text[start].isupper() and person_before(text, start)


def _has_context(
    text: str, start: int, end: int, pattern: NamePattern, universe: TickerUniverse, sentence: str
) -> bool:
    """Does an ambiguous name mean the company here? A legal suffix or context words say so."""
    if _SUFFIX_AFTER_RE.match(text, end):
        return True
    if pattern.weak:  # found only with its suffix ("BlackBerry Ltd"): the suffix says so
        return end - start > len(pattern.written)
    lists = universe.lists
    lowered = _lower_same_length(sentence)
    for symbol in pattern.company.tickers:
        words = lists.context.get(symbol)
        if words and _words_re(words).search(lowered):
            return True
    # Finance words must be outside the name itself ("Progressive Corp" is no context for itself).
    rest = _lower_same_length(sentence.replace(text[start:end], " ", 1))
    return bool(_words_re(lists.finance_context).search(rest))
