"""The subscriptions service on a real database: every change reaches the database and this
process's match index together; the limit holds for tickers and keywords alike; a process
without an index (the web role) writes the same rows."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.matching.detect import detect_tickers
from bot.matching.tickers import TickerUniverse
from bot.models import Kind
from bot.storage.store import Store
from bot.subscriptions.service import Outcome, SubscriptionService
from bot.subscriptions.transfer import ImportRefused
from tests.matching.conftest import article

CHAT = 4242
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def service(store: Store, universe: TickerUniverse, limit: int = 3) -> SubscriptionService:
    subs = SubscriptionService(store, universe, limit=limit, clock=lambda: NOW)
    subs.chat_seen(CHAT, "private", "Jane")
    subs.load_index()
    return subs


NEWS = article(
    "Amazon, Microsoft and Nvidia (NASDAQ: NVDA) race to ship AI chips",
    "Amazon said its Trainium chips ship this year; NVDA shares rose.",
)


def indexed(subs: SubscriptionService) -> set[str]:
    """What this process's index matches in a story naming every value the tests use."""
    assert subs.index is not None
    found = subs.index.match(NEWS, detect_tickers(NEWS, subs.universe))
    return {h.subscription.value for alert in found for h in alert.hits}


def test_watch_reports_each_word_and_stops_at_the_limit(
    store: Store, universe: TickerUniverse
) -> None:
    subs = service(store, universe, limit=3)
    results = subs.watch(CHAT, ["AMZN", "amazon", "microsoft", "APPL", "NVDA", "TSLA"])
    assert [(r.outcome, r.value) for r in results] == [
        (Outcome.ADDED, "AMZN"),
        (Outcome.ALREADY, "AMZN"),
        (Outcome.RESOLVED, "MSFT"),
        (Outcome.UNKNOWN, ""),
        (Outcome.ADDED, "NVDA"),
        (Outcome.LIMIT, "TSLA"),
    ]
    assert "AAPL" in {c.tickers[0] for c in results[3].suggestions}
    assert indexed(subs) == {"AMZN", "MSFT", "NVDA"}


@pytest.mark.parametrize(
    ("raw", "outcome", "value"),
    [
        ("Trainium", Outcome.ADDED, "trainium"),
        ('"AI chips', Outcome.INVALID, ""),
        ("AMZN", Outcome.LIMIT, ""),  # the chat already holds its one subscription
    ],
    ids=["added", "invalid", "limit"],
)
def test_a_keyword_meets_the_same_limit_as_a_ticker(
    store: Store, universe: TickerUniverse, raw: str, outcome: Outcome, value: str
) -> None:
    subs = service(store, universe, limit=1)
    if outcome is Outcome.LIMIT:
        subs.watch(CHAT, ["NVDA"])
    result = subs.add_keyword(CHAT, raw)
    assert result.outcome is outcome
    if value:
        assert result.value == value
    if outcome is Outcome.INVALID:
        assert result.error


def test_remove_mute_and_the_remove_button_keep_the_index_in_step(
    store: Store, universe: TickerUniverse
) -> None:
    subs = service(store, universe, limit=10)
    subs.watch(CHAT, ["AMZN", "NVDA"])
    subs.add_keyword(CHAT, "nvda")  # a keyword spelled like a ticker
    by_kind = {(s.kind, s.value): s for s in store.subscriptions.chat_subscriptions(CHAT)}

    muted = subs.set_muted(CHAT, by_kind[(Kind.TICKER, "AMZN")].id, True)
    assert muted is not None
    assert indexed(subs) == {"NVDA", "nvda"}
    subs.set_muted(CHAT, muted.id, False)
    assert indexed(subs) == {"AMZN", "NVDA", "nvda"}

    # The button removes that one subscription, not the keyword of the same spelling.
    removed = subs.remove_one(CHAT, by_kind[(Kind.TICKER, "NVDA")].id)
    assert removed is not None
    assert removed.kind is Kind.TICKER
    assert indexed(subs) == {"AMZN", "nvda"}
    assert subs.remove_one(CHAT, removed.id) is None
    assert subs.remove_one(CHAT + 1, by_kind[(Kind.TICKER, "AMZN")].id) is None  # not its own

    assert [s.value for s in subs.remove(CHAT, "amazon.com")] == []
    assert [s.value for s in subs.remove(CHAT, "amzn")] == ["AMZN"]
    assert indexed(subs) == {"nvda"}


REMOVED = [
    ("AI and chips", "AI AND chips", "ai chips"),
    ("Nvidia or AMD", "nvidia OR amd", "nvidia OR amd"),
    ("Trainium not crypto", "trainium -crypto", "trainium -crypto"),
    ("BRK.B", "brk/b", "BRK-B"),
]


@pytest.mark.parametrize(
    ("watched", "typed", "value"), REMOVED, ids=[f"{r[0]} / {r[1]}" for r in REMOVED]
)
def test_remove_reads_what_is_typed_as_watch_and_keyword_do(
    store: Store, universe: TickerUniverse, watched: str, typed: str, value: str
) -> None:
    subs = service(store, universe, limit=10)
    if watched.isupper() or "." in watched:
        subs.watch(CHAT, [watched])
    else:
        subs.add_keyword(CHAT, watched)
    assert [s.value for s in subs.remove(CHAT, typed)] == [value]
    assert indexed(subs) == set()


def test_a_blocked_chat_leaves_the_index_and_comes_back_when_it_writes(
    store: Store, universe: TickerUniverse
) -> None:
    subs = service(store, universe)
    subs.watch(CHAT, ["AMZN"])
    store.chats.deactivate_chat(CHAT, error="Forbidden: bot was blocked by the user")
    subs.chats_unreachable([CHAT])
    assert indexed(subs) == set()
    assert subs.load_index() is not None  # a restart while the chat is away
    assert indexed(subs) == set()
    subs.chat_seen(CHAT, "private", "Jane")
    assert indexed(subs) == {"AMZN"}


def test_import_replaces_the_state_and_a_refused_file_changes_nothing(
    store: Store, universe: TickerUniverse
) -> None:
    subs = service(store, universe, limit=2)
    subs.watch(CHAT, ["AMZN"])
    document = subs.export_state(CHAT)
    document["subscriptions"] = [{"kind": "ticker", "value": "NVDA", "muted": False}] * 3
    with pytest.raises(ImportRefused, match="at most 2"):
        subs.import_state(CHAT, _json(document))
    assert indexed(subs) == {"AMZN"}

    document["subscriptions"] = [
        {"kind": "ticker", "value": "NVDA", "muted": False},
        {"kind": "keyword", "value": "Trainium", "muted": True},
    ]
    done = subs.import_state(CHAT, _json(document))
    assert (done.count, done.replaced) == (2, 1)
    assert indexed(subs) == {"NVDA"}  # the muted keyword is stored, not matched
    assert subs.delete_chat(CHAT) == 2
    assert store.chats.chat_settings(CHAT) is None
    assert subs.index is not None
    assert len(subs.index) == 0


def test_without_an_index_the_same_rows_are_written(store: Store, universe: TickerUniverse) -> None:
    """The web role: no index in the process, the database changes the same way and the
    subscriptions' revision moves for the workers."""
    subs = SubscriptionService(store, universe, limit=3, clock=lambda: NOW)
    subs.chat_seen(CHAT, "private", "Jane")
    before = store.subscriptions.subscriptions_revision()
    subs.watch(CHAT, ["AMZN"])
    subs.add_keyword(CHAT, "Trainium")
    subs.chats_unreachable([CHAT])
    assert subs.index is None
    assert [s.value for s in store.subscriptions.chat_subscriptions(CHAT)] == ["AMZN", "trainium"]
    assert store.subscriptions.subscriptions_revision() != before


def _json(document: object) -> bytes:
    return json.dumps(document).encode()
