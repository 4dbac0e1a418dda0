"""The match index: one index over every chat's subscriptions, add/remove, alerts with reasons."""

from __future__ import annotations

import pytest

from bot.matching.detect import detect_tickers
from bot.matching.index import MatchIndex
from bot.matching.keywords import QueryError
from bot.matching.tickers import TickerUniverse
from bot.models import Article, Kind, Subscription
from tests.matching.conftest import article

NEWS = article(
    "Amazon CEO Reveals Over 1 Million Trainium Chips in Production",
    "Amazon is carving out a multi-billion-dollar revenue stream in the AI chip market, "
    "traditionally dominated by Nvidia.\n\nAnalysts said Alphabet was not involved.",
)


def _alerts(
    index: MatchIndex, universe: TickerUniverse, item: Article = NEWS
) -> dict[int, set[int]]:
    found = index.match(item, detect_tickers(item, universe))
    return {a.chat_id: {h.subscription.id for h in a.hits} for a in found}


def test_one_alert_per_chat_with_every_reason(universe: TickerUniverse) -> None:
    index = MatchIndex(universe)
    index.add(Subscription(1, 10, Kind.TICKER, "AMZN"))
    index.add(Subscription(2, 10, Kind.KEYWORD, "Trainium"))
    index.add(Subscription(3, 20, Kind.TICKER, "NVDA"))
    index.add(Subscription(4, 30, Kind.TICKER, "TSLA"))
    index.add(Subscription(5, 30, Kind.KEYWORD, '"AI chips"'))
    alerts = index.match(NEWS, detect_tickers(NEWS, universe))
    assert [a.chat_id for a in alerts] == [10, 20, 30]
    first = alerts[0]
    assert first.tickers == ("AMZN",)
    assert first.keywords == ("Trainium",)
    amzn, trainium = first.hits
    assert amzn.terms == ("Amazon",)
    assert amzn.sentence == "Amazon CEO Reveals Over 1 Million Trainium Chips in Production"
    assert trainium.terms == ("Trainium",)
    ai_chip = alerts[2].hits[0]
    assert ai_chip.terms == ("AI chip",)
    assert ai_chip.sentence.startswith("Amazon is carving out a multi-billion-dollar revenue")
    assert alerts[1].hits[0].sentence.endswith("traditionally dominated by Nvidia.")


def test_tickers_match_per_issuer(universe: TickerUniverse) -> None:
    index = MatchIndex(universe)
    index.add(Subscription(1, 10, Kind.TICKER, "GOOG"))
    index.add(Subscription(2, 11, Kind.TICKER, "BRK.B"))
    google = article("Google unveils a new AI model", "")
    berkshire = article("Berkshire Hathaway (NYSE: BRK/A) buys more shares", "")
    assert _alerts(index, universe, google) == {10: {1}}
    assert _alerts(index, universe, berkshire) == {11: {2}}


def test_add_remove_replace(universe: TickerUniverse) -> None:
    index = MatchIndex(universe)
    index.add(Subscription(1, 10, Kind.KEYWORD, '"AI chip" -crypto'))
    index.add(Subscription(2, 11, Kind.KEYWORD, "Trainium OR Inferentia"))
    index.add(Subscription(3, 12, Kind.TICKER, "NVDA"))
    assert len(index) == 3
    assert _alerts(index, universe) == {10: {1}, 11: {2}, 12: {3}}
    index.remove(2)
    index.remove(2)  # unknown ids are ignored
    assert len(index) == 2
    assert _alerts(index, universe) == {10: {1}, 12: {3}}
    index.add(Subscription(1, 10, Kind.KEYWORD, "Trainium Nvidia"))  # same id: replaced
    index.remove(3)
    assert _alerts(index, universe) == {10: {1}}
    index.remove(1)
    assert len(index) == 0
    assert _alerts(index, universe) == {}


def test_shared_terms_survive_removal_of_one_query(universe: TickerUniverse) -> None:
    index = MatchIndex(universe)
    index.add(Subscription(1, 10, Kind.KEYWORD, '"AI chip"'))
    index.add(Subscription(2, 11, Kind.KEYWORD, "AI"))
    index.add(Subscription(3, 12, Kind.KEYWORD, '"AI chip market"'))
    index.remove(1)
    assert _alerts(index, universe) == {11: {2}, 12: {3}}
    index.remove(3)
    assert _alerts(index, universe) == {11: {2}}


def test_bad_subscriptions_are_refused_without_change(universe: TickerUniverse) -> None:
    index = MatchIndex(universe)
    index.add(Subscription(1, 10, Kind.KEYWORD, "Trainium"))
    with pytest.raises(QueryError):
        index.add(Subscription(1, 10, Kind.KEYWORD, '"unclosed'))
    with pytest.raises(ValueError, match="unknown ticker"):
        index.add(Subscription(2, 10, Kind.TICKER, "NOSUCHX"))
    assert len(index) == 1
    assert _alerts(index, universe) == {10: {1}}
