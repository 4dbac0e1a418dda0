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

from collections.abc import Sequence
from dataclasses import dataclass

from bot.matching.detect import Mention
from bot.matching.keywords import parse_query
from bot.matching.text import sentence_at, sentence_bounds, spans, stems
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


@dataclass(frozen=True, slots=True)
class _Keyword:
    sub: Subscription
    clauses: tuple[tuple[TermKey, ...], ...]
    excluded: tuple[TermKey, ...]
    anchor: int  # the clause the query is filed under


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
            self.remove(sub.id)
            self._by_cik.setdefault(company.cik, {})[sub.id] = sub
            self._sub_cik[sub.id] = company.cik
        else:
            query = parse_query(sub.value)  # raises QueryError before anything changes
            self.remove(sub.id)
            clauses = tuple(tuple(self._term(t.stems) for t in c) for c in query.clauses)
            excluded = tuple(self._term(t.stems) for t in query.excluded)
            anchor = min(
                range(len(clauses)),
                key=lambda i: sum(len(self._postings.get(t, ())) for t in clauses[i]),
            )
            for term in clauses[anchor]:
                self._postings.setdefault(term, {})[sub.id] = None
            for term in {t for c in clauses for t in c} | set(excluded):
                self._trie_add(term)
            self._keywords[sub.id] = _Keyword(sub, clauses, excluded, anchor)
        self._subs[sub.id] = sub

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
            for term in {t for c in keyword.clauses for t in c} | set(keyword.excluded):
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
    def _scan(self, words: Sequence[str]) -> dict[TermKey, int]:
        """Every indexed term in the article, with the word index where it first occurs."""
        found: dict[TermKey, int] = {}
        root = self._root.next
        n = len(words)
        for i in range(n):
            node = root.get(words[i])
            j = i
            while node is not None:
                if node.term is not None and node.term not in found:
                    found[node.term] = i
                j += 1
                if j >= n or not node.next:
                    break
                node = node.next.get(words[j])
        return found

    def match(self, article: Article, mentions: dict[int, Mention]) -> list[Alert]:
        """One Alert per chat whose subscriptions match `article`, with every reason why."""
        hits: dict[int, list[Hit]] = {}
        for cik, mention in mentions.items():
            for sub in self._by_cik.get(cik, {}).values():
                hits.setdefault(sub.chat_id, []).append(Hit(sub, mention.terms, mention.sentence))
        if self._keywords:
            self._match_keywords(article, hits)
        return [
            Alert(chat_id, article, _ordered(chat_hits))
            for chat_id, chat_hits in sorted(hits.items())
        ]

    def _match_keywords(self, article: Article, hits: dict[int, list[Hit]]) -> None:
        text = f"{article.title}\n\n{article.text}" if article.title else article.text
        found = self._scan(stems(text))
        if not found:
            return
        explain = _Explainer(text, found)
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
    if len(hits) == 1:
        return (hits[0],)
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

    def __init__(self, text: str, found: dict[TermKey, int]) -> None:
        self._text = text
        self._found = found
        self._spans: list[tuple[int, int]] = []
        self._bounds: list[int] = []
        self._written: dict[TermKey, str] = {}
        self._sentences: dict[int, str] = {}

    def hit(self, sub: Subscription, matched: list[TermKey]) -> Hit:
        if not self._spans:
            self._spans = spans(self._text)
            self._bounds = sentence_bounds(self._text)
        written = tuple(self._write(term) for term in matched)
        earliest = min(self._found[t] for t in matched)
        sentence = self._sentences.get(earliest)
        if sentence is None:
            offset = self._spans[earliest][0]
            sentence = self._sentences[earliest] = sentence_at(self._text, offset, self._bounds)
        return Hit(sub, written, sentence)

    def _write(self, term: TermKey) -> str:
        found = self._written.get(term)
        if found is None:
            first = self._found[term]
            start, end = self._spans[first][0], self._spans[first + len(term) - 1][1]
            found = self._written[term] = self._text[start:end]
        return found
