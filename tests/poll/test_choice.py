"""A ticker subscription's choice in the match path: table tests on real stories.

The stories: the example article (about Amazon's Trainium chips; names Nvidia only in passing),
a law-firm solicitation about Anavex (stocklosslawyertn.com, from the labelled set), a CNBC
headline where Goldman Sachs rates Chipotle (labelled set), the issue's "JP Morgan Maintains
Overweight on Apple" (a rating wire's headline alone), and an Ultragenyx 8-K reporting
results (SEC EDGAR). Each row: one chat watching one ticker with one choice; is it alerted?
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from bot.feeds.parse import parse_feed
from bot.matching.events import classify
from bot.matching.index import MatchIndex
from bot.matching.tickers import TickerUniverse
from bot.models import Article, Choice, EventRule, Kind, Reach, SourceKind, Subscription
from bot.poll.alerts import Matcher

FIXTURES = Path(__file__).parent.parent / "fixtures"
ANY = Choice(reach=Reach.ANY)


def _story(key: str, title: str, text: str, publisher: str) -> Article:
    """A story as parse would make it (events tagged)."""
    article = Article(key, key, title, key, text, None, publisher)
    return replace(article, events=classify(article))


def _labelled(title_start: str) -> Article:
    """One story of the labelled set."""
    stories = json.loads((FIXTURES / "labelled" / "stories.json").read_text(encoding="utf-8"))
    found = next(s for s in stories if s["title"].startswith(title_start))
    return _story(found["source"], found["title"], found["text"], found["publisher"])


def _parsed(path: Path, kind: SourceKind = SourceKind.NEWS) -> Article:
    return parse_feed(path.read_bytes(), source="Feed", kind=kind).articles[0]


SEED = _parsed(FIXTURES / "seed-article.rss.xml")
SOLICITATION = _labelled("If you suffered losses in Anavex stock")
# Headline only, the usual shape of a rating wire (the example).
BROKER_RATES = _story("jpm-aapl", "JP Morgan Maintains Overweight on Apple", "", "Ratings wire")
RATING = _labelled("Goldman names Chipotle its favorite restaurant stock")
FILING = next(  # an 8-K reporting results (item 2.02)
    a
    for a in parse_feed(
        (FIXTURES / "real" / "sec_edgar_company_atom_ultragenyx_8k.xml").read_bytes(),
        source="EDGAR",
    ).articles
    if "2.02" in a.items
)


def _events(rule: EventRule, *events: str) -> Choice:
    return Choice(event_rule=rule, events=events)


def _off(*kinds: SourceKind) -> Choice:
    return Choice(sources_off=frozenset(kinds))


CASES = [
    ("seed-nvda-about", SEED, "NVDA", Choice(), False),
    ("seed-nvda-any", SEED, "NVDA", ANY, True),
    ("seed-amzn-about", SEED, "AMZN", Choice(), True),
    ("seed-amzn-news-off", SEED, "AMZN", _off(SourceKind.NEWS), False),
    ("seed-amzn-press-filings-off", SEED, "AMZN", _off(SourceKind.PRESS, SourceKind.FILINGS), True),
    ("seed-amzn-only-earnings", SEED, "AMZN", _events(EventRule.ONLY, "earnings"), False),
    ("seed-amzn-all-but-legal", SEED, "AMZN", _events(EventRule.EXCEPT, "legal"), True),
    ("solicitation-default", SOLICITATION, "AVXL", Choice(), True),
    (
        "solicitation-excluded",
        SOLICITATION,
        "AVXL",
        _events(EventRule.EXCEPT, "solicitation"),
        False,
    ),
    ("legal-excluded", SOLICITATION, "AVXL", _events(EventRule.EXCEPT, "legal"), False),
    ("only-legal", SOLICITATION, "AVXL", _events(EventRule.ONLY, "legal"), True),
    ("rating-broker-about", RATING, "GS", Choice(), False),
    ("rating-broker-any", RATING, "GS", ANY, True),
    ("rating-rated-about", RATING, "CMG", Choice(), True),
    ("rating-only-analyst", RATING, "CMG", _events(EventRule.ONLY, "analyst", "earnings"), True),
    ("jpm-rating-broker-about", BROKER_RATES, "JPM", Choice(), False),
    ("jpm-rating-broker-any", BROKER_RATES, "JPM", ANY, True),
    ("jpm-rating-rated-about", BROKER_RATES, "AAPL", Choice(), True),
    ("filing-filings-off", FILING, "RARE", _off(SourceKind.FILINGS), False),
    ("filing-news-press-off", FILING, "RARE", _off(SourceKind.NEWS, SourceKind.PRESS), True),
    ("filing-only-earnings", FILING, "RARE", _events(EventRule.ONLY, "earnings"), True),
    ("filing-all-but-filing", FILING, "RARE", _events(EventRule.EXCEPT, "filing"), False),
]


@pytest.mark.parametrize(
    ("story", "ticker", "choice", "alerted"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_a_ticker_alerts_only_the_stories_its_choice_takes(
    universe: TickerUniverse, story: Article, ticker: str, choice: Choice, alerted: bool
) -> None:
    index = MatchIndex(universe)
    index.add(Subscription(1, 10, Kind.TICKER, ticker, choice))
    index.add(Subscription(2, 20, Kind.TICKER, ticker, ANY))  # the same story, taken by "any"
    chats = [a.chat_id for a in Matcher(universe, index).alerts(story)]
    assert 20 in chats, "the ticker is named in the story"
    assert (10 in chats) is alerted


def test_the_stories_are_what_the_table_says() -> None:
    assert SEED.kind is SourceKind.NEWS
    assert SEED.events == ()
    assert {"legal", "solicitation"} <= set(SOLICITATION.events)
    assert "analyst" in RATING.events
    assert FILING.kind is SourceKind.FILINGS
    assert FILING.events == ("earnings", "filing")


def test_a_keyword_hit_still_alerts_when_the_ticker_hit_is_filtered_out(
    universe: TickerUniverse,
) -> None:
    index = MatchIndex(universe)
    index.add(Subscription(1, 10, Kind.TICKER, "NVDA"))  # about: the seed is not about Nvidia
    index.add(Subscription(2, 10, Kind.KEYWORD, "Trainium"))
    (alert,) = Matcher(universe, index).alerts(SEED)
    assert [(h.subscription.kind, h.subscription.value) for h in alert.hits] == [
        (Kind.KEYWORD, "Trainium")
    ]


def test_keyword_subscriptions_are_never_filtered(universe: TickerUniverse) -> None:
    index = MatchIndex(universe)
    index.add(Subscription(1, 10, Kind.KEYWORD, "Anavex"))
    assert [a.chat_id for a in Matcher(universe, index).alerts(SOLICITATION)] == [10]


def test_a_press_wire_story_carries_its_feeds_kind() -> None:
    story = _parsed(FIXTURES / "seed-article.rss.xml", SourceKind.PRESS)
    assert story.kind is SourceKind.PRESS
