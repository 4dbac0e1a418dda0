"""One match index over every subscription of every chat.

In: subscriptions (added and removed as chats change them), then articles with the tickers
detected in them (`detect_tickers`, run once per article). Out: one `Alert` per chat whose
subscriptions match, each `Hit` saying which words matched and in which sentence.

How it scales: ticker subscriptions are a map CIK -> subscriptions; keyword terms live in a trie
over word stems (Aho-Corasick's goto function over words, so a scan costs the article's length
times the longest phrase, independent of the number of subscriptions), and each query is filed
under one of its clauses only (the one with the fewest subscriptions behind it when added), so an
article touches only the queries one of whose terms it contains. Adding and removing are
incremental. `add` raises `QueryError` for a bad query and `ValueError` for an unknown ticker.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from functools import lru_cache

from bot.matching.detect import Mention
from bot.matching.keywords import parse_stored
from bot.matching.text import ArticleText, article_text
from bot.matching.tickers import TickerUniverse
from bot.models import Alert, Article, Hit, Kind, Subscription

TermKey = tuple[str, ...]


class _Node:
    """A trie node: children by next stem; `term` set while some query ends a term here."""

    __slots__ = ("ends", "next", "refs", "term")

    def __init__(self) -> None:
        self.next: dict[str, _Node] = {}
        self.term: TermKey | None = None
        self.refs = 0  # registrations passing through this node
        self.ends = 0  # registrations ending here


class _Keyword:
    """A parsed keyword subscription (a plain slotted class: a million are built at start)."""

    __slots__ = ("anchor", "clauses", "excluded", "sub", "terms")

    def __init__(
        self,
        sub: Subscription,
        clauses: tuple[tuple[TermKey, ...], ...],
        excluded: tuple[TermKey, ...],
        anchor: int,  # the clause the query is filed under
    ) -> None:
        self.sub = sub
        self.clauses = clauses
        self.excluded = excluded
        self.anchor = anchor
        # Every distinct term, positive and excluded: what the trie holds for this query.
        self.terms = frozenset(t for c in clauses for t in c).union(excluded)


# Many chats watch the same words: parse each distinct query once (a Query is immutable).
_parse = lru_cache(maxsize=16_384)(parse_stored)


class MatchIndex:
    """Every subscription, indexed so that matching costs the article's length and its hits."""

    def __init__(self, universe: TickerUniverse) -> None:
        self._universe = universe
        self._subs: dict[int, Subscription] = {}
        self._by_cik: dict[int, dict[int, Subscription]] = {}
        self._sub_cik: dict[int, int] = {}
        self._keywords: dict[int, _Keyword] = {}
        self._postings: dict[TermKey, dict[int, None]] = {}
        self._root = _Node()
        self._intern: dict[TermKey, TermKey] = {}

    def __len__(self) -> int:
        return len(self._subs)

    # -- changes --------------------------------------------------------------------------------
    def add(self, sub: Subscription) -> None:
        """Add (or replace) a subscription."""
        if sub.kind is Kind.TICKER:
            company = self._universe.company(sub.value)
            if company is None:
                raise ValueError(f"unknown ticker: {sub.value}")
            if sub.id in self._subs:
                self.remove(sub.id)
            self._by_cik.setdefault(company.cik, {})[sub.id] = sub
            self._sub_cik[sub.id] = company.cik
        else:
            query = _parse(sub.value)  # raises QueryError before anything changes
            if sub.id in self._subs:
                self.remove(sub.id)
            clauses = tuple(tuple(self._term(t.stems) for t in c) for c in query.clauses)
            excluded = tuple(self._term(t.stems) for t in query.excluded)
            anchor = 0
            if len(clauses) > 1:
                anchor = min(
                    range(len(clauses)),
                    key=lambda i: sum(len(self._postings.get(t, ())) for t in clauses[i]),
                )
            for term in clauses[anchor]:
                self._postings.setdefault(term, {})[sub.id] = None
            keyword = _Keyword(sub, clauses, excluded, anchor)
            for term in keyword.terms:
                self._trie_add(term)
            self._keywords[sub.id] = keyword
        self._subs[sub.id] = sub

    def add_all(self, subs: Iterable[Subscription]) -> None:
        """`add` each subscription, with the cyclic garbage collector paused: loading a million
        subscriptions makes millions of objects, none of them garbage, and each collection
        would walk them all. Stops at the first bad subscription, as `add` does."""
        paused = gc.isenabled()
        gc.disable()
        try:
            for sub in subs:
                self.add(sub)
        finally:
            if paused:
                gc.enable()

    def remove(self, sub_id: int) -> None:
        """Remove a subscription; unknown ids are ignored."""
        sub = self._subs.pop(sub_id, None)
        if sub is None:
            return
        cik = self._sub_cik.pop(sub_id, None)
        if cik is not None:
            subs = self._by_cik[cik]
            del subs[sub_id]
            if not subs:
                del self._by_cik[cik]
        keyword = self._keywords.pop(sub_id, None)
        if keyword is not None:
            for term in keyword.clauses[keyword.anchor]:
                posting = self._postings[term]
                del posting[sub_id]
                if not posting:
                    del self._postings[term]
            for term in keyword.terms:
                self._trie_remove(term)

    def _term(self, key: TermKey) -> TermKey:
        # One tuple per distinct term, however many queries use it.
        return self._intern.setdefault(key, key)

    def _trie_add(self, term: TermKey) -> None:
        node = self._root
        for stem in term:
            child = node.next.get(stem)
            if child is None:
                child = node.next[stem] = _Node()
            child.refs += 1
            node = child
        node.ends += 1
        node.term = term

    def _trie_remove(self, term: TermKey) -> None:
        path = [self._root]
        for stem in term:
            path.append(path[-1].next[stem])
        last = path[-1]
        last.ends -= 1
        if last.ends == 0:
            last.term = None
            self._intern.pop(term, None)
        for depth in range(len(term), 0, -1):
            node = path[depth]
            node.refs -= 1
            if node.refs == 0:
                del path[depth - 1].next[term[depth - 1]]

    # -- matching -------------------------------------------------------------------------------
    def _scan(self, words: list[str]) -> dict[TermKey, int]:
        """Every indexed term in the article, with the word index where it first occurs.

        Only the words that begin some term are visited: the first position of every word and
        the set of those that begin a term are computed in C (a dict and a set intersection);
        the words that begin a phrase are then followed from each of their positions, found in
        one pass over the article.
        """
        found: dict[TermKey, int] = {}
        root = self._root.next
        n = len(words)
        first = dict(zip(reversed(words), range(n - 1, -1, -1), strict=True))
        heads: dict[str, _Node] = {}
        for word in root.keys() & first.keys():
            top = root[word]
            if top.term is not None:
                found[top.term] = first[word]
            if top.next:
                heads[word] = top
        if not heads:
            return found
        # In order, so that a phrase keeps its first occurrence.
        for i in [i for i, word in enumerate(words) if word in heads]:
            node, j = heads[words[i]], i + 1
            while j < n and node.next:
                child = node.next.get(words[j])
                if child is None:
                    break
                node = child
                if node.term is not None and node.term not in found:
                    found[node.term] = i
                j += 1
        return found

    def match(self, article: Article, mentions: dict[int, Mention]) -> list[Alert]:
        """One Alert per chat whose subscriptions match `article`, with every reason why."""
        hits: dict[int, list[Hit]] = {}
        held = hits.get
        for cik, mention in mentions.items():
            subs = self._by_cik.get(cik)
            if not subs:
                continue
            terms, sentence = mention.terms, mention.sentence
            for sub in subs.values():  # the hot loop at scale: one Hit, no spare lists
                hit = Hit(sub, terms, sentence)
                chat_hits = held(sub.chat_id)
                if chat_hits is None:
                    hits[sub.chat_id] = [hit]
                else:
                    chat_hits.append(hit)
        if self._keywords:
            self._match_keywords(article, hits)
        return [
            Alert(chat_id, article, (h[0],) if len(h) == 1 else _ordered(h))
            for chat_id, h in sorted(hits.items())
        ]

    def _match_keywords(self, article: Article, hits: dict[int, list[Hit]]) -> None:
        prepared = article_text(article)
        found = self._scan(prepared.stems())
        if not found:
            return
        explain = _Explainer(prepared, found)
        seen: set[int] = set()
        for term in found:
            for sub_id in self._postings.get(term, ()):
                if sub_id in seen:
                    continue
                seen.add(sub_id)
                keyword = self._keywords[sub_id]
                matched = _evaluate(keyword, found)
                if matched is not None:
                    hits.setdefault(keyword.sub.chat_id, []).append(
                        explain.hit(keyword.sub, matched)
                    )


def _ordered(hits: list[Hit]) -> tuple[Hit, ...]:
    return tuple(sorted(hits, key=lambda h: h.subscription.id))


def _evaluate(keyword: _Keyword, found: dict[TermKey, int]) -> list[TermKey] | None:
    """The first matching term of each clause, or None if the query does not match."""
    for term in keyword.excluded:
        if term in found:
            return None
    matched: list[TermKey] = []
    for clause in keyword.clauses:
        for term in clause:
            if term in found:
                matched.append(term)
                break
        else:
            return None
    return matched


class _Explainer:
    """Turns matched terms back into the words as written and their sentence.

    Lazy (only articles with keyword hits pay for it) and memoised, because thousands of
    subscriptions often share the same few terms in one article.
    """

    def __init__(self, prepared: ArticleText, found: dict[TermKey, int]) -> None:
        self._prepared = prepared
        self._text = prepared.text
        self._found = found
        self._written: dict[TermKey, str] = {}
        self._sentences: dict[int, str] = {}

    def hit(self, sub: Subscription, matched: list[TermKey]) -> Hit:
        written = tuple(map(self._write, matched))
        earliest = min(map(self._found.__getitem__, matched))
        sentence = self._sentences.get(earliest)
        if sentence is None:
            sentence = self._prepared.sentence(self._prepared.span(earliest)[0])
            self._sentences[earliest] = sentence
        return Hit(sub, written, sentence)

    def _write(self, term: TermKey) -> str:
        found = self._written.get(term)
        if found is None:
            first = self._found[term]
            start = self._prepared.span(first)[0]
            end = self._prepared.span(first + len(term) - 1)[1]
            found = self._written[term] = self._text[start:end]
        return found
