"""A ticker's choice of stories: the command grammar (table tests), the service changing it
(database and index together), and export/import keeping it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.matching.detect import detect_tickers
from bot.matching.tickers import TickerUniverse
from bot.models import DEFAULT_CHOICE, Choice, EventRule, Kind, Reach, SourceKind
from bot.storage.store import Store
from bot.storage.subscriptions import SubscriptionState
from bot.subscriptions.choice import (
    ChoiceError,
    change_events,
    change_sources,
    choice_of_words,
    choice_words,
    split_reach,
)
from bot.subscriptions.service import SubscriptionService
from bot.subscriptions.transfer import FORMAT, ImportRefused, read_import
from tests.matching.conftest import article

CHAT = 4242
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
NEWS, PRESS, FILINGS = SourceKind.NEWS, SourceKind.PRESS, SourceKind.FILINGS
EXCEPT_LEGAL = Choice(event_rule=EventRule.EXCEPT, events=("legal",))
ONLY_EARNINGS = Choice(event_rule=EventRule.ONLY, events=("earnings",))
NEWS_STORY = article("Amazon.com (NASDAQ: AMZN) ships Trainium chips", "Amazon said so.")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("AMZN any", ("AMZN", Reach.ANY)),
        ("NVDA ABOUT", ("NVDA", Reach.ABOUT)),
        ("AMZN NVDA any", ("AMZN NVDA", Reach.ANY)),
        ("AMZN", ("AMZN", None)),
        ("any", ("any", None)),  # a word alone is what to watch
        ("bank of america", ("bank of america", None)),
    ],
    ids=["any", "about-any-case", "several", "none", "alone", "name"],
)
def test_a_last_word_about_or_any_is_the_reach(
    typed: str, expected: tuple[str, Reach | None]
) -> None:
    assert split_reach(typed) == expected


@pytest.mark.parametrize(
    ("start", "words", "off"),
    [
        (DEFAULT_CHOICE, ["-filings"], {FILINGS}),
        (DEFAULT_CHOICE, ["-filings", "-press"], {FILINGS, PRESS}),
        (Choice(sources_off=frozenset({FILINGS})), ["+filings"], set()),
        (DEFAULT_CHOICE, ["news", "press"], {FILINGS}),
        (DEFAULT_CHOICE, ["FILINGS"], {NEWS, PRESS}),
        (Choice(sources_off=frozenset({NEWS, PRESS})), ["all"], set()),
        (Choice(sources_off=frozenset({NEWS})), ["news", "-press"], {PRESS}),
    ],
    ids=["one-off", "two-off", "on-again", "exactly-these", "any-case", "all", "mixed"],
)
def test_sources_grammar(start: Choice, words: list[str], off: set[SourceKind]) -> None:
    assert change_sources(start, words).sources_off == off


@pytest.mark.parametrize(
    ("start", "words", "rule", "events"),
    [
        (DEFAULT_CHOICE, ["-legal"], EventRule.EXCEPT, ("legal",)),
        (DEFAULT_CHOICE, ["-solicitation", "-legal"], EventRule.EXCEPT, ("legal", "solicitation")),
        (DEFAULT_CHOICE, ["only", "analyst", "earnings"], EventRule.ONLY, ("earnings", "analyst")),
        (DEFAULT_CHOICE, ["except", "legal"], EventRule.EXCEPT, ("legal",)),
        (EXCEPT_LEGAL, ["+legal"], EventRule.ALL, ()),
        (EXCEPT_LEGAL, ["all"], EventRule.ALL, ()),
        (ONLY_EARNINGS, ["+analyst"], EventRule.ONLY, ("earnings", "analyst")),
        (ONLY_EARNINGS, ["-earnings"], EventRule.ALL, ()),
        (DEFAULT_CHOICE, ["+fda"], EventRule.ONLY, ("fda",)),
    ],
    ids=[
        "exclude",
        "exclude-two-in-order",
        "only",
        "except",
        "include-again",
        "all",
        "add-to-only",
        "last-of-only-is-all",
        "plus-from-all-is-only",
    ],
)
def test_events_grammar(
    start: Choice, words: list[str], rule: EventRule, events: tuple[str, ...]
) -> None:
    changed = change_events(start, words)
    assert (changed.event_rule, changed.events) == (rule, events)


@pytest.mark.parametrize(
    ("change", "words", "named"),
    [
        (change_sources, ["-blogs"], ["blogs", "news, press, filings"]),
        (change_events, ["-lawsuits"], ["lawsuits", "legal"]),
        (change_events, ["earnings"], ["earnings", "only"]),
        (change_events, ["only"], ["only"]),
    ],
    ids=["unknown-source", "unknown-event", "bare-event", "only-alone"],
)
def test_wrong_words_are_named_with_the_valid_choices(
    change: object, words: list[str], named: list[str]
) -> None:
    assert callable(change)
    with pytest.raises(ChoiceError) as raised:
        change(DEFAULT_CHOICE, words)
    for word in named:
        assert word in str(raised.value)
    assert "“" in raised.value.say("zh_Hans")


@pytest.mark.parametrize(
    "choice",
    [
        DEFAULT_CHOICE,
        Choice(Reach.ANY, frozenset({FILINGS}), EventRule.EXCEPT, ("legal", "solicitation")),
        Choice(Reach.ABOUT, frozenset(SourceKind), EventRule.ONLY, ("earnings",)),
    ],
    ids=["default", "any-no-filings-no-legal", "nothing-on-only-earnings"],
)
def test_a_choice_written_to_a_file_reads_back(choice: Choice) -> None:
    assert choice_of_words(**choice_words(choice)) == choice


# -- the service ----------------------------------------------------------------------------
def service(store: Store, universe: TickerUniverse) -> SubscriptionService:
    subs = SubscriptionService(store, universe, limit=5, clock=lambda: NOW)
    subs.chat_seen(CHAT, "private", "Jane")
    subs.load_index()
    return subs


def test_new_tickers_are_about_and_watch_any_changes_the_reach(
    store: Store, universe: TickerUniverse
) -> None:
    subs = service(store, universe)
    subs.watch(CHAT, ["AMZN"])
    (sub,) = store.subscriptions.chat_subscriptions(CHAT)
    assert sub.choice == DEFAULT_CHOICE
    assert sub.choice.reach is Reach.ABOUT
    subs.watch(CHAT, ["AMZN"], Reach.ANY)  # already watched: the reach still changes
    subs.watch(CHAT, ["NVDA"], Reach.ANY)  # new, with its reach
    reaches = {s.value: s.choice.reach for s in store.subscriptions.chat_subscriptions(CHAT)}
    assert reaches == {"AMZN": Reach.ANY, "NVDA": Reach.ANY}


def test_choose_changes_the_database_and_the_index_and_moves_the_revision(
    store: Store, universe: TickerUniverse
) -> None:
    subs = service(store, universe)
    subs.watch(CHAT, ["AMZN"])
    before = store.subscriptions.subscriptions_revision()
    chosen = subs.choose(CHAT, "amzn", lambda c: change_sources(c, ["-filings"]))
    assert chosen.subscription is not None
    assert chosen.subscription.choice.sources_off == {FILINGS}
    assert store.subscriptions.subscriptions_revision() != before
    (stored,) = store.subscriptions.active_subscriptions(CHAT)
    assert stored.choice.sources_off == {FILINGS}
    assert subs.index is not None  # the index matches with the new choice
    (alert,) = subs.index.match(NEWS_STORY, detect_tickers(NEWS_STORY, universe))
    assert [h.subscription.choice for h in alert.hits] == [stored.choice]


def test_choose_says_what_was_wrong_with_the_ticker(store: Store, universe: TickerUniverse) -> None:
    subs = service(store, universe)
    subs.add_keyword(CHAT, "Trainium")
    not_watched = subs.choose(CHAT, "NVDA", lambda c: c)
    assert (not_watched.subscription, not_watched.symbol) == (None, "NVDA")
    unknown = subs.choose(CHAT, "ZZZZQQ", lambda c: c)
    assert unknown.subscription is None
    assert not unknown.symbol
    keyword = store.subscriptions.chat_subscriptions(CHAT)[0]
    assert keyword.kind is Kind.KEYWORD
    assert subs.set_choice(CHAT, keyword.id, Choice(reach=Reach.ANY)) is None


def test_a_muted_ticker_keeps_out_of_the_index_when_its_choice_changes(
    store: Store, universe: TickerUniverse
) -> None:
    subs = service(store, universe)
    subs.watch(CHAT, ["AMZN"])
    (sub,) = store.subscriptions.chat_subscriptions(CHAT)
    subs.set_muted(CHAT, sub.id, True)
    subs.set_choice(CHAT, sub.id, Choice(reach=Reach.ANY))
    assert subs.index is not None
    assert len(subs.index) == 0


def test_export_and_import_keep_each_tickers_choice(store: Store, universe: TickerUniverse) -> None:
    subs = service(store, universe)
    subs.watch(CHAT, ["AMZN NVDA"])
    subs.add_keyword(CHAT, "Trainium")
    subs.choose(CHAT, "NVDA", lambda c: change_events(Choice(Reach.ANY), ["-solicitation"]))
    document = subs.export_state(CHAT)
    tickers = [s for s in document["subscriptions"] if s["kind"] == "ticker"]
    assert {s["value"]: s["reach"] for s in tickers} == {"AMZN": "about", "NVDA": "any"}
    assert [s for s in document["subscriptions"] if s["kind"] == "keyword"] == [
        {"kind": "keyword", "value": "trainium", "muted": False}
    ]
    before = {s.value: s.choice for s in store.subscriptions.chat_subscriptions(CHAT)}
    subs.import_state(CHAT, json.dumps(document).encode())
    after = {s.value: s.choice for s in store.subscriptions.chat_subscriptions(CHAT)}
    assert after == before
    assert after["NVDA"] == Choice(Reach.ANY, event_rule=EventRule.EXCEPT, events=("solicitation",))


def _file(item: dict[str, object]) -> bytes:
    document = {"format": FORMAT, "version": 1, "subscriptions": [item], "settings": {}}
    return json.dumps(document).encode()


def test_an_export_without_choices_imports_with_the_defaults(universe: TickerUniverse) -> None:
    subs, _ = read_import(_file({"kind": "ticker", "value": "AMZN", "muted": False}), universe, 5)
    assert subs == [SubscriptionState(Kind.TICKER, "AMZN", False, DEFAULT_CHOICE)]


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        ({"reach": "some"}, "reach"),
        ({"sources": "news blogs"}, "blogs"),
        ({"events": "except lawsuits"}, "lawsuits"),
        ({"events": 3}, "subscription 1"),
    ],
    ids=["reach", "source", "event", "not-text"],
)
def test_a_wrong_choice_in_an_import_is_refused(
    universe: TickerUniverse, item: dict[str, object], reason: str
) -> None:
    raw = _file({"kind": "ticker", "value": "AMZN", "muted": False, **item})
    with pytest.raises(ImportRefused, match=reason):
        read_import(raw, universe, 5)
