"""The keyword query language: parsing, errors with positions, and what matches what."""

from __future__ import annotations

import pytest

from bot.matching.index import MatchIndex
from bot.matching.keywords import QueryError, parse_query
from bot.matching.tickers import TickerUniverse
from bot.models import Kind, Subscription
from tests.matching.conftest import article

PARSED = [
    ('"AI chips" OR Trainium -crypto', '"ai chips" OR trainium -crypto'),
    ("Trainium", "trainium"),
    ("  Chips   Acquired ", "chips acquired"),
    ("a OR b c", "a OR b c"),
    ("AI-chips", '"ai chips"'),
    ('-"price target" Tesla', 'tesla -"price target"'),
]

# Operators in any case mean what people expect; quotes keep their words literally.
OPERATORS = [
    ("Nvidia or AMD", "nvidia OR amd", "Nvidia OR AMD"),
    ("Nvidia Or AMD", "nvidia OR amd", "Nvidia OR AMD"),
    ("AI AND chips", "ai chips", "AI chips"),
    ("AI and chips", "ai chips", "AI chips"),
    ("Trainium NOT crypto", "trainium -crypto", "Trainium -crypto"),
    ("Trainium not crypto", "trainium -crypto", "Trainium -crypto"),
    ("AI and not crypto", "ai -crypto", "AI -crypto"),
    ('NOT "price target" Tesla', 'tesla -"price target"', 'Tesla -"price target"'),
    ('"rock and roll"', '"rock and roll"', '"rock and roll"'),
    ('"this or that" NOT "not now"', '"this or that" -"not now"', '"this or that" -"not now"'),
    (
        '"AI Chips" OR Trainium -crypto',
        '"ai chips" OR trainium -crypto',
        '"AI Chips" OR Trainium -crypto',
    ),
]


@pytest.mark.parametrize(("typed", "stored", "shown"), OPERATORS, ids=[o[0] for o in OPERATORS])
def test_operators_in_any_case(typed: str, stored: str, shown: str) -> None:
    query = parse_query(typed)
    assert (query.text, query.shown) == (stored, shown)
    # What is stored reads back as the same query.
    assert parse_query(query.text).text == stored


@pytest.mark.parametrize(("text", "normalised"), PARSED, ids=[p[0] for p in PARSED])
def test_parse_normalises(text: str, normalised: str) -> None:
    assert parse_query(text).text == normalised


def test_or_groups_and_exclusions() -> None:
    query = parse_query("chips OR wafers Nvidia -crypto")
    assert [[t.stems for t in c] for c in query.clauses] == [[("chip",), ("wafer",)], [("nvidia",)]]
    assert [t.stems for t in query.excluded] == [("crypto",)]


ERRORS = [
    ("", 0, "empty"),
    ("   ", 0, "empty"),
    ('"AI chips', 0, "never closed"),
    ("Nvidia OR", 7, "OR needs a word"),
    ("OR Nvidia", 0, "OR needs a word"),
    ("a OR OR b", 5, "OR needs a word"),
    ("chips -", 6, "minus sign"),
    ("-crypto", 0, "only excludes"),
    ("chip*", 4, "wildcards"),
    ("(a OR b)", 0, "parentheses"),
    ("a|b", 1, "OR"),
    ("nvid[i]a", 4, "regular expressions"),
    ("a OR -b", 5, "cannot be an alternative"),
    ("a or not b", 5, "cannot be an alternative"),
    ("and", 0, "AND needs a word"),
    ("AI AND", 3, "AND needs a word"),
    ("AND chips", 0, "AND needs a word"),
    ("a AND OR b", 2, "AND needs a word"),
    ("a and and b", 6, "AND needs a word"),
    ("chips NOT", 6, "NOT must be followed"),
    ("chips NOT OR b", 6, "NOT must be followed"),
    ("not", 0, "NOT must be followed"),
    ("NOT crypto", 0, "only excludes"),
    ("or", 0, "OR needs a word"),
    ("...", 0, "no letters"),
    ('""', 0, "no letters"),
]


@pytest.mark.parametrize(("text", "position", "message"), ERRORS, ids=[repr(e[0]) for e in ERRORS])
def test_parse_errors_say_where(text: str, position: int, message: str) -> None:
    with pytest.raises(QueryError) as info:
        parse_query(text)
    assert info.value.position == position
    assert message in info.value.message
    explained = str(info.value)
    assert f"character {position + 1}" in explained
    assert "Example: /keyword" in explained


def test_long_query_is_refused() -> None:
    with pytest.raises(QueryError, match="at most"):
        parse_query("word " * 100)
    with pytest.raises(QueryError, match="at most 20"):
        parse_query(" ".join(f"w{i}" for i in range(21)))


# (query, title, text, matches?) — sentences from the seed article and the real feeds.
SEED = (
    "Amazon's CEO has disclosed for the first time that its in-house AI chip, Trainium2, has "
    "achieved annualized revenue in the billions of dollars. Amazon unveiled its next-generation "
    "chip, Trainium3."
)
MATCHES = [
    ("chip", "Amazon CEO Reveals Over 1 Million Trainium Chips in Production", "", True),
    ("chips", SEED, "", True),
    ("acquire", "Google acquired a startup", "", True),
    ("acquired", "Nvidia to acquire a chip designer", "", True),
    ('"AI chip"', "Amazon", SEED, True),
    ('"AI chip"', "Amazon", "AI and chip makers are different words here: AI. Chip.", False),
    ("ai", "Analysts said the market was calm", "", False),
    ("AI", "Amazon", SEED, True),
    ("Trainium -Nvidia", "Amazon", SEED, True),
    ("Trainium -Amazon", "Amazon", SEED, False),
    ("Trainium OR Inferentia", "Amazon", SEED, True),
    ("Inferentia OR Graviton", "Amazon", SEED, False),
    ("Trainium Anthropic", "Amazon", SEED, False),
    ("Trainium revenue", "Amazon", SEED, True),
    ("fed", "The Fed is about to cut rates for the first time since 2008", "", True),
    ("fed", "Federal Reserve holds rates", "", False),
    ('"cut rates"', "The Fed is about to cut rates for the first time since 2008", "", True),
    ("rate cuts", "The Fed is about to cut rates for the first time since 2008", "", True),
    ("net", "The internet is slow", "", False),
    ("Broadcom", "Broadcom's $100 Billion AI Forecast", "", True),
    ("Nvidia or AMD", "AMD unveils a new accelerator", "", True),
    ("Nvidia or AMD", "Intel unveils a new accelerator", "", False),
    ("AI AND chips", "Amazon", SEED, True),  # the seed never says "and" next to them
    ("AI and chips", "AI chips: the race", "", True),
    ("Trainium NOT Amazon", "Amazon", SEED, False),
    ("Trainium not Nvidia", "Amazon", SEED, True),
    ('"rock and roll"', "Rock and roll is back", "", True),
    ('"rock and roll"', "Rock, then roll", "", False),
]


@pytest.mark.parametrize(
    ("query", "title", "text", "matches"), MATCHES, ids=[f"{m[0]}|{m[1][:30]}" for m in MATCHES]
)
def test_what_matches(
    universe: TickerUniverse, query: str, title: str, text: str, matches: bool
) -> None:
    index = MatchIndex(universe)
    index.add(Subscription(1, 100, Kind.KEYWORD, query))
    assert bool(index.match(article(title, text), {})) is matches


def test_an_operator_is_not_a_word_the_alert_shows(universe: TickerUniverse) -> None:
    """The words an alert shows (and bolds) as why it matched: "and" written as an operator is
    not one of them, though the article says it."""
    index = MatchIndex(universe)
    index.add(Subscription(1, 100, Kind.KEYWORD, parse_query("AI AND chips").text))
    (alert,) = index.match(article("AI and chips: the race is on"), {})
    assert [t.lower() for h in alert.hits for t in h.terms] == ["ai", "chips"]


# Values stored before operators were read in any case: each loads, and means what it can.
STORED = [
    ("nvidia or amd", "AMD unveils a new accelerator", True),  # now the OR it always meant
    ("ai and chips", "AI chips: the race", True),
    ("chips and", "Chips and salsa", True),  # no longer a query: keeps its old meaning
    ("chips and", "Chips: the race", False),
    ("not crypto", "Crypto is not dead", True),
]


@pytest.mark.parametrize(("stored", "title", "matches"), STORED, ids=[s[0] for s in STORED])
def test_a_query_stored_earlier_still_loads(
    universe: TickerUniverse, stored: str, title: str, matches: bool
) -> None:
    index = MatchIndex(universe)
    index.add(Subscription(1, 100, Kind.KEYWORD, stored))
    assert bool(index.match(article(title), {})) is matches
