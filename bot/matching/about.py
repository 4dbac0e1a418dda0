"""Who a story is about: its companies ranked, each marked "about" or "mentioned", and its events.

In: an `Article`, the `TickerUniverse` and (when the caller has them) the mentions detection
found. Out: a `Story`: the mentions ordered most-about first, the symbols the story is about, and
its event types (events.py). A company ranks higher the more the story is about it: named by the
feed, the subject of the headline (not the broker rating it), in the lead, written with its
exchange or as a cashtag, named often and early. A company named only in passing in the body
("a market traditionally dominated by Nvidia") is "mentioned". Pure; never raises.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.matching.detect import Mention, detect_tickers
from bot.matching.events import LEAD_CHARS, classify
from bot.matching.headline import Headline, lead_sentence, read_headline
from bot.matching.tickers import TickerUniverse
from bot.models import Article

# Points for each piece of evidence (see `_Evidence`), which order the companies; a story is
# about every headline company within CLOSE points of the headline's first (see `_about`).
FEED, HEADLINE, SUBJECT, LEAD = 6.0, 4.0, 3.0, 2.0
SIGNAL = {"feed": 0.0, "exchange": 2.0, "cashtag": 1.5, "name": 0.0, "symbol": 0.0}
PER_NAMING, MAX_NAMINGS, EARLY = 0.4, 6, 1.0
BROKER = -8.0
CLOSE = 4.0


@dataclass(frozen=True, slots=True)
class Ranked:
    """One company of a story: its mention, how much the story is about it, and the verdict."""

    mention: Mention
    score: float
    about: bool


@dataclass(frozen=True, slots=True)
class Story:
    """A story's companies, most-about first, and its event types."""

    ranked: tuple[Ranked, ...]
    events: tuple[str, ...]

    @property
    def tickers(self) -> tuple[str, ...]:
        return tuple(r.mention.symbol for r in self.ranked)

    @property
    def about(self) -> tuple[str, ...]:
        return tuple(r.mention.symbol for r in self.ranked if r.about)


def read_story(
    article: Article, universe: TickerUniverse, mentions: dict[int, Mention] | None = None
) -> Story:
    """Rank the companies of `article` and tag its events."""
    if mentions is None:
        mentions = detect_tickers(article, universe)
    return Story(rank_companies(article, universe, mentions), classify(article))


def rank_companies(
    article: Article, universe: TickerUniverse, mentions: dict[int, Mention]
) -> tuple[Ranked, ...]:
    """The companies detection found in `article` (`mentions`), most-about first, each with its
    verdict. The alert path calls this alone: a story's events were tagged at parse."""
    title = article.title or lead_sentence(article.text)
    headline = read_headline(title, universe)
    text = _Text(
        title, title.lower(), article.text[:LEAD_CHARS].lower(), f"{title}\n{article.text}".lower()
    )
    scored = [_Evidence(m, headline, text) for m in mentions.values()]
    in_title = [e for e in scored if e.in_title and not e.broker]
    top_title = max((e.score for e in in_title), default=0.0)
    rest = [e for e in scored if not e.broker]
    top = max(rest, key=lambda e: e.score, default=None)
    ranked = [
        Ranked(e.mention, e.score, _about(e, top_title, top, bool(in_title), bool(article.title)))
        for e in scored
    ]
    ranked.sort(key=lambda r: (not r.about, -r.score))
    return tuple(ranked)


def _about(
    e: _Evidence, top_title: float, top: _Evidence | None, titled: bool, has_title: bool
) -> bool:
    """The verdict: the headline's companies (not its brokers), or else the lead's first one."""
    if e.broker:
        return False
    if e.mention.signal == "feed":
        return True
    if e.in_title:
        return e.score >= top_title - CLOSE
    if titled or e is not top or not e.in_lead:
        return False
    # No company in the headline: the lead's first company, if the story keeps naming it.
    return not has_title or e.mention.signal in ("exchange", "cashtag") or e.count >= 2


@dataclass(frozen=True, slots=True)
class _Text:
    original: str  # the headline as written (symbols are looked for in capitals)
    title: str
    lead: str
    body: str


class _Evidence:
    """What the story says about one company, and the score it adds up to."""

    def __init__(self, m: Mention, headline: Headline, text: _Text) -> None:
        self.mention = m
        terms = _terms(m)
        self.broker = _is_broker(m, headline)
        self.in_title = any(t in text.title for t in terms) or _has_symbol(
            text.original, m.company.tickers[0]
        )
        self.in_lead = any(t in text.lead for t in terms)
        self.count, first = _namings(text.body, terms)
        subject = any(n.company.cik == m.company.cik for n in headline.named)
        self.score = (
            SIGNAL.get(m.signal, 0.0)
            + (FEED if m.signal == "feed" else 0.0)
            + (HEADLINE if self.in_title else 0.0)
            + (SUBJECT if subject or _first_in(text.title, terms) else 0.0)
            + (LEAD if self.in_lead else 0.0)
            + PER_NAMING * min(self.count, MAX_NAMINGS)
            + EARLY * (1.0 - first / max(len(text.body), 1))
            + (BROKER if self.broker else 0.0)
        )


def _terms(m: Mention) -> set[str]:
    """The words that name this company in the text, lower case."""
    terms = {t.lower() for t in m.terms if not t.startswith("CIK ")}
    terms.add(m.company.name.lower())
    return {t for t in terms if len(t) > 1}


def _namings(body: str, terms: set[str]) -> tuple[int, int]:
    """How often the terms occur in `body`, and where the first one is (the length of `body`
    if none is there): one search per term, counting on from its first occurrence."""
    count, first = 0, len(body)
    for term in terms:
        at = body.find(term)
        if at >= 0:
            count += body.count(term, at)
            first = min(first, at)
    return count, first


def _has_symbol(title: str, symbol: str) -> bool:
    """Is `symbol` written in `title` as a word of its own, not after "$" ("AMZN Q1", not
    "$AMZN" or "AMZNX")? A find per company, where a regular expression compiled per company
    would cost more than the rest of the reading (thousands of symbols, no cache holds them)."""
    at = title.find(symbol)
    while at >= 0:
        end = at + len(symbol)
        before = title[at - 1] if at else " "
        after = title[end] if end < len(title) else " "
        if not (before.isalnum() or before in "_$") and not (after.isalnum() or after == "_"):
            return True
        at = title.find(symbol, at + 1)
    return False


def _first_in(title: str, terms: set[str]) -> bool:
    """Is this company named first in the headline (its subject, in most headlines)?"""
    at = min((title.find(t) for t in terms if t in title), default=-1)
    return at >= 0 and at <= 2


def _is_broker(m: Mention, headline: Headline) -> bool:
    if not headline.brokers:  # most headlines name no broker
        return False
    return any(headline.is_broker(t) for t in m.terms) or headline.is_broker(m.company.name)
