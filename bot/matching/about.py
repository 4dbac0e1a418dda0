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
from bot.matching.headline import Headline, read_headline
from bot.matching.tickers import TickerUniverse
from bot.models import Article

# Points for each piece of evidence (see `_score`); a story is about a company that has at
# least ABOUT_MIN of them, and about every headline company within CLOSE of the first.
FEED, HEADLINE, SUBJECT, LEAD = 6.0, 4.0, 3.0, 2.0
SIGNAL = {"feed": 0.0, "exchange": 2.0, "cashtag": 1.5, "name": 0.0, "symbol": 0.0}
PER_NAMING, MAX_NAMINGS, EARLY = 0.4, 6, 1.0
BROKER = -8.0
ABOUT_MIN = 3.0
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
    title = article.title or article.text[:LEAD_CHARS].split(". ")[0]
    headline = read_headline(title, universe)
    body = f"{title}\n{article.text}".lower()
    lead = article.text[:LEAD_CHARS].lower()
    scored = [
        (_score(m, headline, title.lower(), lead, body), m, _is_broker(m, headline))
        for m in mentions.values()
    ]
    others = [s for s, _, broker in scored if not broker]
    top = max(others, default=0.0)
    ranked = [
        Ranked(m, score, not broker and score >= ABOUT_MIN and score >= top - CLOSE)
        for score, m, broker in scored
    ]
    ranked.sort(key=lambda r: (not r.about, -r.score))
    return Story(tuple(ranked), classify(article))


def _terms(m: Mention) -> set[str]:
    """The words that name this company in the text, lower case."""
    terms = {t.lower() for t in m.terms if not t.startswith("CIK ")}
    terms.add(m.company.name.lower())
    return {t for t in terms if len(t) > 1}


def _score(m: Mention, headline: Headline, title: str, lead: str, body: str) -> float:
    """How much the story is about this company (the weights are the constants above)."""
    terms = _terms(m)
    score = SIGNAL.get(m.signal, 0.0) + (FEED if m.signal == "feed" else 0.0)
    named_in_title = any(t in title for t in terms)
    if named_in_title:
        score += HEADLINE
    if any(n.company.cik == m.company.cik for n in headline.named) or _first_in(m, title, terms):
        score += SUBJECT
    if any(t in lead for t in terms):
        score += LEAD
    count = sum(body.count(t) for t in terms)
    score += PER_NAMING * min(count, MAX_NAMINGS)
    first = min((body.find(t) for t in terms if t in body), default=len(body))
    score += EARLY * (1.0 - first / max(len(body), 1))
    if _is_broker(m, headline):
        score += BROKER
    return score


def _first_in(m: Mention, title: str, terms: set[str]) -> bool:
    """Is this company named first in the headline (its subject, in most headlines)?"""
    at = min((title.find(t) for t in terms if t in title), default=-1)
    return at >= 0 and at <= 2


def _is_broker(m: Mention, headline: Headline) -> bool:
    return any(headline.is_broker(t) for t in m.terms) or headline.is_broker(m.company.name)
