"""/watch and /keyword in Chinese, at the subscriptions service the chat handlers call: a Chinese
company name is watched as its ticker, a Chinese keyword is stored and matches a Chinese story."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.matching.detect import detect_tickers
from bot.matching.tickers import TickerUniverse
from bot.storage.store import Store
from bot.subscriptions.service import Outcome, SubscriptionService
from tests.matching.conftest import article

CHAT = 8686
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
STORY = article("英伟达发布新一代AI芯片", "英伟达周三表示，新芯片将于明年量产。苹果公司股价上涨。")


def test_watch_and_keyword_in_chinese(store: Store, universe: TickerUniverse) -> None:
    subs = SubscriptionService(store, universe, limit=10, clock=lambda: NOW)
    subs.chat_seen(CHAT, "private", "李雷")
    subs.load_index()
    watched = subs.watch(CHAT, ["英伟达、苹果"])
    assert [(r.outcome, r.value) for r in watched] == [
        (Outcome.RESOLVED, "NVDA"),
        (Outcome.RESOLVED, "AAPL"),
    ]
    assert subs.add_keyword(CHAT, "芯片").outcome is Outcome.ADDED
    assert subs.index is not None
    (alert,) = subs.index.match(STORY, detect_tickers(STORY, universe))
    assert {h.subscription.value for h in alert.hits} == {"NVDA", "AAPL", "芯片"}
