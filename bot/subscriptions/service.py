"""What each chat watches, changed in one place: the database and the match index together.

In: a chat id and what its user asked for (ticker words, a keyword query, a subscription id, an
import file, a ticker's choice of stories); the chat's coming and going (it wrote again, it
blocked the bot). Out: an `Added` per thing asked for (for a keyword query also the recent
articles it would have matched), the `Subscription`s removed, muted or snoozed, the counts of an
import. A snoozed subscription leaves the index and comes back by itself: `wake_snoozed`, run
before each poll.
Every change goes to the database first (which moves the subscriptions' revision, followed by
other processes) and then to this process's `MatchIndex`, if it holds one: the web role holds
none (it only writes), a worker follows the revision, a one-process bot updates its index here.
No Telegram inside: the chat handlers turn the results into replies.
Fails: `ImportRefused` for an import file that cannot be used (nothing is changed then); a bad
keyword query is an `Added` with the reason; SQLAlchemy's errors pass through.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.clock import Clock, utc_now
from bot.matching.index import MatchIndex
from bot.matching.keywords import QueryError, parse_query
from bot.matching.resolve import Resolved, Via, resolve
from bot.matching.tickers import Company, TickerUniverse
from bot.models import ChatSettings, Choice, Kind, Reach, Subscription
from bot.storage.store import Store
from bot.subscriptions.transfer import export_document, read_import

RECENT_WINDOW = timedelta(hours=24)  # what /keyword says its query would have matched


class Outcome(StrEnum):
    """What became of one thing a chat asked to watch."""

    ADDED = "added"
    RESOLVED = "resolved"  # a company name, read as its ticker, and added
    ALREADY = "already"
    LIMIT = "limit"  # the chat watches the most it may
    AMBIGUOUS = "ambiguous"  # may mean several companies (the suggestions): the user picks
    UNKNOWN = "unknown"  # no such ticker or company (maybe with suggestions)
    INVALID = "invalid"  # a keyword query that cannot be read


@dataclass(frozen=True, slots=True)
class Added:
    """One ticker word or keyword query a chat asked for, and what became of it."""

    outcome: Outcome
    word: str  # as the user typed it
    value: str = ""  # the ticker symbol, or the query as stored
    name: str = ""  # the company's name, for tickers
    suggestions: tuple[Company, ...] = ()  # "did you mean", or the candidates of AMBIGUOUS
    error: QueryError | None = None  # why a query cannot be read
    shown: str = ""  # a query restated as understood, the user's case kept ("Nvidia OR AMD")


@dataclass(frozen=True, slots=True)
class Chosen:
    """What became of a change to one ticker's choice: the subscription as it is now (None
    when the chat does not watch that ticker), or what the word might have meant instead."""

    word: str
    subscription: Subscription | None = None
    symbol: str = ""  # the company's symbol, when the word names one
    suggestions: tuple[Company, ...] = ()  # "did you mean", for an unknown word


@dataclass(frozen=True, slots=True)
class Recent:
    """How many of the articles stored in the last `RECENT_WINDOW` a query matches, of how many."""

    matched: int
    total: int


@dataclass(frozen=True, slots=True)
class Snoozed:
    """A subscription snoozed, and when it comes back."""

    subscription: Subscription
    until: datetime


@dataclass(frozen=True, slots=True)
class Imported:
    """An import applied: how many subscriptions the file held, how many it replaced."""

    count: int
    replaced: int


class SubscriptionService:
    """Adds, removes, mutes, imports and forgets subscriptions; keeps the index in step."""

    def __init__(
        self,
        store: Store,
        universe: TickerUniverse,
        *,
        limit: int,
        clock: Clock = utc_now,
        index: MatchIndex | None = None,
    ) -> None:
        self.store = store
        self.universe = universe
        self.limit = limit
        self.clock = clock
        self.index = index  # None in a process that only writes (the web role)
        self.revision = -1  # the subscriptions' revision the index was loaded at

    # -- adding -----------------------------------------------------------------------------
    def watch(self, chat_id: int, typed: Iterable[str], reach: Reach | None = None) -> list[Added]:
        """What each text in `typed` names (the /watch argument as a whole, a deep link's
        words, a button's symbol), read by `bot.matching.resolve`: symbols, names of several
        words, exchange forms, share classes. Nothing is added for an ambiguous or unknown
        word; stops at the chat's limit (the last result then says LIMIT). With `reach`, each
        ticker named, new or already watched, takes that reach (`/watch AMZN any`)."""
        results: list[Added] = []
        for resolved in (r for text in typed for r in resolve(text, self.universe)):
            results.append(self._watch_one(chat_id, resolved))
            if results[-1].outcome is Outcome.LIMIT:
                break
            if reach is not None and results[-1].value:
                self.choose(chat_id, results[-1].value, lambda c: replace(c, reach=reach))
        return results

    def _watch_one(self, chat_id: int, resolved: Resolved) -> Added:
        word, company = resolved.written, resolved.company
        if company is None:
            outcome = Outcome.AMBIGUOUS if resolved.via is Via.AMBIGUOUS else Outcome.UNKNOWN
            return Added(outcome, word, suggestions=resolved.candidates)
        outcome = self._add(chat_id, Kind.TICKER, resolved.symbol)
        if outcome is Outcome.ADDED and resolved.via is Via.NAME:
            outcome = Outcome.RESOLVED
        return Added(outcome, word, resolved.symbol, company.name)

    def add_keyword(self, chat_id: int, raw: str) -> Added:
        """A keyword query in the query language (`"AI chips" -crypto`)."""
        try:
            query = parse_query(raw)
        except QueryError as exc:
            return Added(Outcome.INVALID, raw, error=exc)
        outcome = self._add(chat_id, Kind.KEYWORD, query.text)
        return Added(outcome, raw, query.text, shown=query.shown)

    def recent_matches(self, query: str) -> Recent:
        """What a keyword query (as stored) would have matched among the articles stored in
        the last `RECENT_WINDOW`: through a `MatchIndex`, the evaluation alerts use."""
        index = MatchIndex(self.universe)
        index.add(Subscription(0, 0, Kind.KEYWORD, query))
        recent = self.store.articles.recent_articles(self.clock() - RECENT_WINDOW)
        return Recent(sum(1 for _, a in recent if index.match(a, {})), len(recent))

    def _add(self, chat_id: int, kind: Kind, value: str) -> Outcome:
        """The one place a single subscription is added, and the limit checked."""
        if len(self.store.subscriptions.chat_subscriptions(chat_id)) >= self.limit:
            return Outcome.LIMIT
        added = self.store.subscriptions.add_subscription(chat_id, kind, value, self.clock())
        if added is None:
            return Outcome.ALREADY
        self._index([added], [])
        return Outcome.ADDED

    # -- removing and muting ----------------------------------------------------------------
    def remove(self, chat_id: int, raw: str) -> list[Subscription]:
        """Everything the chat watches under `raw` (any case); else under the company's symbols
        when `raw` is one in any spelling (`/remove brk.b`); else under the keyword query `raw`
        reads as (`/remove AI and chips` after `/keyword AI AND chips`)."""
        for value in self._removal_values(raw):
            removed = self.store.subscriptions.remove_subscriptions(chat_id, value)
            if removed:
                self._index([], removed)
                return removed
        return []

    def _removal_values(self, raw: str) -> Iterator[str]:
        yield raw
        company = self.universe.company(raw)
        if company is not None:
            yield from company.tickers  # watched under another spelling or share class
        try:
            yield parse_query(raw).text
        except QueryError:
            return

    def remove_one(self, chat_id: int, subscription_id: int) -> Subscription | None:
        """One subscription by id (a button under /list); None when the chat has no such one."""
        removed = self.store.subscriptions.remove_subscription(chat_id, subscription_id)
        if removed is not None:
            self._index([], [removed])
        return removed

    def set_muted(self, chat_id: int, subscription_id: int, muted: bool) -> Subscription | None:
        """Pause or resume one subscription; None when the chat has no such one. A resumed
        one that is snoozed stays silent until its snooze runs out."""
        sub = self.store.subscriptions.set_muted(chat_id, subscription_id, muted)
        if sub is not None:
            self._index([] if muted else self._if_active(sub), [sub] if muted else [])
        return sub

    def snooze(self, chat_id: int, subscription_id: int, span: timedelta) -> Snoozed | None:
        """Silence one subscription for `span` (it comes back by itself: `wake_snoozed`);
        None when the chat has no such one."""
        until = self.clock() + span
        sub = self.store.subscriptions.snooze(chat_id, subscription_id, until)
        if sub is None:
            return None
        self._index([], [sub])
        return Snoozed(sub, until)

    def wake_snoozed(self) -> list[Subscription]:
        """Bring back every subscription whose snooze ran out (run before each poll)."""
        woken = self.store.subscriptions.wake_snoozed(self.clock())
        self._index(woken, [])
        return woken

    # -- a ticker's choice of stories -------------------------------------------------------
    def choose(self, chat_id: int, word: str, change: Callable[[Choice], Choice]) -> Chosen:
        """Change the choice of the ticker `word` names (`/sources AMZN -filings`); nothing
        changes for a ticker the chat does not watch or a word that names no company."""
        company = self.universe.company(word.lstrip("$"))
        if company is None:
            found = resolve(word, self.universe)
            company = found[0].company if len(found) == 1 else None
            if company is None:
                candidates = tuple(c for r in found for c in r.candidates)
                return Chosen(word, suggestions=candidates)
        subs = self.store.subscriptions.chat_subscriptions(chat_id)
        held = [s for s in subs if s.kind is Kind.TICKER and s.value in company.tickers]
        if not held:
            return Chosen(word, symbol=company.tickers[0])
        sub = self.set_choice(chat_id, held[0].id, change(held[0].choice))
        return Chosen(word, sub, company.tickers[0])

    def set_choice(self, chat_id: int, subscription_id: int, choice: Choice) -> Subscription | None:
        """Set one ticker subscription's choice (a command, a menu toggle); None when the chat
        has no such ticker subscription. The index holds the new choice if it is active."""
        old = self.store.subscriptions.chat_subscription(chat_id, subscription_id)
        if old is None or old.kind is not Kind.TICKER:
            return None
        sub = self.store.subscriptions.set_choice(chat_id, subscription_id, choice)
        if sub is not None:
            self._index(self._if_active(sub), [sub])
        return sub

    def _if_active(self, sub: Subscription) -> list[Subscription]:
        return [s for s in self.store.subscriptions.active_subscriptions(sub.chat_id) if s == sub]

    # -- the chat's state as a whole --------------------------------------------------------
    def export_state(self, chat_id: int) -> dict[str, Any]:
        """The /export document: subscriptions (muted ones too) and settings."""
        settings = self.store.chats.chat_settings(chat_id) or ChatSettings(chat_id=chat_id)
        return export_document(settings, self.store.subscriptions.subscription_states(chat_id))

    def import_state(self, chat_id: int, raw: bytes) -> Imported:
        """Replace the chat's subscriptions and settings with an /import file's, in one
        transaction. Raises ImportRefused, changing nothing, for a file that cannot be used."""
        wanted, changes = read_import(raw, self.universe, self.limit)
        removed, added = self.store.subscriptions.replace_chat_state(
            chat_id, wanted, changes, self.clock()
        )
        self._index(added, removed)
        return Imported(count=len(wanted), replaced=len(removed))

    def delete_chat(self, chat_id: int) -> int:
        """/delete_me: forget the chat entirely; returns how many subscriptions it had."""
        removed = self.store.chats.delete_chat(chat_id)
        self._index([], removed)
        return len(removed)

    # -- the chat's life --------------------------------------------------------------------
    def chat_seen(self, chat_id: int, chat_type: str, title: str | None, lang: str = "en") -> None:
        """A chat wrote (or was set up): record it, in `lang` when it is new; one that had
        blocked the bot is matched again at once."""
        if self.store.chats.upsert_chat(chat_id, chat_type, title, self.clock(), lang):
            self._index(self.store.subscriptions.active_subscriptions(chat_id), [])

    def chats_unreachable(self, chat_ids: Iterable[int]) -> None:
        """Chats the sender deactivated: no alerts are matched for them until they write
        again (`chat_seen`)."""
        for chat_id in chat_ids:
            self._index([], self.store.subscriptions.chat_subscriptions(chat_id))

    # -- the index --------------------------------------------------------------------------
    def _index(self, added: list[Subscription], removed: list[Subscription]) -> None:
        if self.index is None:
            return
        for sub in removed:
            self.index.remove(sub.id)
        for sub in added:
            self.index.add(sub)

    def load_index(self) -> MatchIndex:
        """A fresh index of every active subscription, which this service keeps up to date
        from now on; returned for the matching stage."""
        # Read the revision first: a change made while loading shows up as a new revision.
        self.store.subscriptions.wake_snoozed(self.clock())  # snoozes that ran out while down
        revision = self.store.subscriptions.subscriptions_revision()
        index = MatchIndex(self.universe)
        subscriptions = self.store.subscriptions.active_subscriptions()
        index.add_all(subscriptions)
        self.index, self.revision = index, revision
        # The index lives as long as the process: keep the garbage collector from walking it.
        gc.freeze()
        return index

    def reload_index_if_changed(self) -> MatchIndex | None:
        """For a worker, whose chats change in another process (the web role): a fresh index
        when the subscriptions' revision moved (None when it did not)."""
        if self.store.subscriptions.subscriptions_revision() == self.revision:
            return None
        return self.load_index()
