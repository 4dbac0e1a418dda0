"""The ticker universe: companies (issuers) from the SEC's company table, their symbols and names.

In: the SEC's `company_tickers_exchange.json` (TICKERS_FILE, else the copy `tickers update` wrote
into DATA_DIR, else the snapshot shipped in `data/`), the hand-kept alias and stop lists in
`data/aliases.toml`, and an English word list (to know which names and symbols are everyday words).
Out: a `TickerUniverse` that maps symbols, names and aliases to one `Company` per CIK, and carries
the name patterns that ticker detection (detect.py) scans for. Fails with `TickerTableError` on a
table it cannot read. Reading tables is table.py's job, spelling names names.py's, the hand-kept
lists word_lists.py's; downloading a fresh table is the command line's (bot/tickers_update.py).
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ahocorasick

from bot.matching.chinese import chinese_hits, has_cjk, scan_runs
from bot.matching.names import (
    WEAK_SUFFIXES,
    clean_name,
    is_word,
    load_everyday_words,
    name_variants,
    normalize_symbol,
)
from bot.matching.table import (
    SNAPSHOT_NAME,
    TABLE_NAME,
    Row,
    TickerTableError,
    packaged_table,
    read_table,
    table_rows,
)
from bot.matching.word_lists import WordLists

# Callers import these from here, where the ticker universe has always been.
__all__ = [
    "SNAPSHOT_NAME",
    "TABLE_NAME",
    "Company",
    "NamePattern",
    "TickerTableError",
    "TickerUniverse",
    "WordLists",
    "clean_name",
    "load_everyday_words",
    "normalize_symbol",
    "packaged_table",
    "read_table",
]


@dataclass(frozen=True, slots=True)
class Company:
    """One issuer: its SEC CIK, a cleaned display name, its symbols (primary first), exchange."""

    cik: int
    name: str
    tickers: tuple[str, ...]
    exchange: str | None


@dataclass(frozen=True, slots=True)
class NamePattern:
    """A name or alias to look for in text, and whether it needs context to count."""

    company: Company
    written: str  # as in the alias list or the cleaned name, e.g. "eBay", "Amazon"
    ambiguous: bool  # needs context: a suffix, context words, or another signal
    weak: bool = False  # a filed name made of everyday words: only a suffix or another signal


class TickerUniverse:
    """Every company in the SEC table, findable by symbol, name or alias."""

    def __init__(
        self,
        table: Mapping[str, Any] | list[Any],
        lists: WordLists | None = None,
        everyday: frozenset[str] | None = None,
    ) -> None:
        self.lists = lists if lists is not None else WordLists.packaged()
        words = everyday if everyday is not None else load_everyday_words()
        words = words | self.lists.common_words
        self.date: str | None = table.get("date") if isinstance(table, Mapping) else None
        self._by_symbol: dict[str, Company] = {}
        self._by_cik: dict[int, Company] = {}
        self._build_companies(table_rows(table))
        # The SEC lists the largest companies first: the place in the table ranks suggestions.
        self._rank = {cik: i for i, cik in enumerate(self._by_cik)}
        self._by_name: dict[str, Company] = {}
        # A filed name several companies share ("Target"): /watch asks which one is meant.
        self._shared_names: dict[str, list[Company]] = {}
        self._alias_keys: set[str] = set()
        self.patterns: list[NamePattern] = []
        # Pattern index of each Chinese name -> does it need context (苹果)?
        self._chinese: dict[int, bool] = {}
        self._build_names(words)
        # Symbols that may not count when written bare: stop list, and everyday English words.
        self.bare_stop: frozenset[str] = self.lists.stop_symbols | frozenset(
            s for s in self._by_symbol if is_word(words, s.lower())
        )
        self._automaton = self._build_automaton()
        self._chinese_automaton = self._build_chinese_automaton()

    # -- construction ---------------------------------------------------------------------------
    def _build_companies(self, rows: list[Row]) -> None:
        grouped: dict[int, list[Row]] = {}
        for row in rows:
            grouped.setdefault(row.cik, []).append(row)
        for cik, group in grouped.items():
            tickers = tuple(dict.fromkeys(normalize_symbol(r.ticker) for r in group))
            company = Company(cik, clean_name(group[0].name), tickers, group[0].exchange)
            self._by_cik[cik] = company
            for t in tickers:
                self._by_symbol.setdefault(t, company)

    def _build_names(self, words: frozenset[str]) -> None:
        # Aliases first: they win over a cleaned filed name that happens to be the same string.
        for symbol, names in self.lists.aliases.items():
            company = self._by_symbol.get(symbol)
            if company is None or not names:
                continue
            # The alias list knows how people write the name: use it for display.
            display = Company(company.cik, names[0], company.tickers, company.exchange)
            self._by_cik[company.cik] = display
            for t in company.tickers:
                self._by_symbol[t] = display
            for name in names:
                self._add_name(name, display, name.lower() in self.lists.ambiguous)
                self._alias_keys.add(name.lower())
        self._add_chinese_names()
        for company in self._by_cik.values():
            for variant in name_variants(company.name):
                parts = re.findall(r"[^\W_]+", variant.lower())
                if not parts or len(variant) < 3:
                    continue
                if variant.upper() in self.lists.stop_symbols:
                    continue  # "TTM" (Technologies) is mostly "trailing twelve months"
                # A name made only of everyday words ("Target", "General Motors") needs context.
                ambiguous = all(is_word(words, p) or p.isdigit() for p in parts)
                self._add_name(variant, company, ambiguous, weak=ambiguous)

    def _add_chinese_names(self) -> None:
        """The Chinese names (英伟达 -> NVDA): findable by `resolve` and in stories, where the
        name scan checks word edges and, for names that are everyday words (苹果), context."""
        chinese = self.lists.chinese
        for symbol, names in chinese.names.items():
            company = self._by_symbol.get(symbol)
            if company is None:
                continue
            for name in names:
                before = len(self.patterns)
                self._add_name(name, company, ambiguous=False)
                if len(self.patterns) > before:
                    self._chinese[before] = name.lower() in chinese.ambiguous

    def _add_name(
        self, written: str, company: Company, ambiguous: bool, *, weak: bool = False
    ) -> None:
        key = written.lower()
        known = self._by_name.get(key)
        if known is not None:
            # A hand-kept alias says whom people mean; two filed names leave it open.
            if known.cik != company.cik and key not in self._alias_keys:
                shared = self._shared_names.setdefault(key, [known])
                if all(c.cik != company.cik for c in shared):
                    shared.append(company)
            return
        self._by_name[key] = company
        self.patterns.append(NamePattern(company, written, ambiguous, weak))

    def _build_automaton(self) -> Any:
        """One automaton for every name, alias and negative phrase: value (kind, index, length).

        A weak name (a filed name of everyday words, "Employers Holdings") is looked for only
        with its legal suffix ("Employers Holdings Inc"), which keeps the scan's hits few.
        """
        automaton = ahocorasick.Automaton()
        for i, pattern in enumerate(self.patterns):
            key = pattern.written.lower()
            if i in self._chinese:
                continue  # in an automaton of their own, below
            if not pattern.weak:
                automaton.add_word(key, ("name", i, len(key)))
                continue
            for suffix in WEAK_SUFFIXES:
                variant = key + suffix
                if automaton.get(variant, None) is None:
                    automaton.add_word(variant, ("name", i, len(variant)))
        for phrase in self.lists.negative_phrases:
            automaton.add_word(phrase, ("negative", -1, len(phrase)))
        automaton.make_automaton()
        return automaton

    def _build_chinese_automaton(self) -> Any:
        """The Chinese names apart: hundreds more first characters at the root would slow the
        scan of every English story, and only text holding Chinese is searched for them."""
        automaton = ahocorasick.Automaton()
        for i in self._chinese:
            key = self.patterns[i].written.lower()
            automaton.add_word(key, ("name", i, len(key)))
        if len(automaton):
            automaton.make_automaton()
        return automaton

    # -- loading --------------------------------------------------------------------------------
    @classmethod
    def load(cls, tickers_file: Path | None, data_dir: Path) -> TickerUniverse:
        """TICKERS_FILE if given, else DATA_DIR's downloaded copy, else the packaged snapshot."""
        if tickers_file is not None:
            return cls(read_table(tickers_file))
        downloaded = data_dir / TABLE_NAME
        if downloaded.is_file():
            return cls(read_table(downloaded))
        return cls(packaged_table())

    # -- queries --------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._by_cik)

    def companies(self) -> Iterable[Company]:
        return self._by_cik.values()

    def company(self, symbol: str) -> Company | None:
        """The company of a symbol in any spelling ("brk.b", "BRK/B", "$amzn")."""
        return self._by_symbol.get(normalize_symbol(symbol))

    def by_symbol(self, symbol: str) -> Company | None:
        """The company of a symbol already in the SEC's spelling ("BRK-B"), for hot loops."""
        return self._by_symbol.get(symbol)

    def by_cik(self, cik: int) -> Company | None:
        return self._by_cik.get(cik)

    def resolve(self, text: str) -> Company | None:
        """The company people mean by a name or alias ("google" -> Alphabet), else None."""
        key = " ".join(text.lower().split())
        found = self._by_name.get(key)
        if found is not None:
            return found
        return self._by_name.get(clean_name(text).lower())

    def named(self, text: str) -> list[Company]:
        """Every company people may mean by a name: one, several when filed names are shared
        ("vertex": Vertex, Vertex Pharmaceuticals), none when it is no name."""
        for key in (" ".join(text.lower().split()), clean_name(text).lower()):
            if key in self._by_name:
                return list(self._shared_names.get(key, [self._by_name[key]]))
        return []

    def suggest(self, text: str, limit: int = 3) -> list[Company]:
        """Companies whose symbol or name is close to `text`, for "did you mean" ("APPL").

        Ranked by edit distance, then by the company's place in the SEC table (largest first),
        so that "APPL" suggests Apple before PPL.
        """
        symbol = normalize_symbol(text)
        scored: dict[int, tuple[int, int, Company]] = {}

        def offer(key: str, query: str, company: Company) -> None:
            score = (_distance(query, key), self._rank[company.cik], company)
            if company.cik not in scored or score[:2] < scored[company.cik][:2]:
                scored[company.cik] = score

        for s in difflib.get_close_matches(symbol, self._by_symbol.keys(), n=30, cutoff=0.5):
            offer(s, symbol, self._by_symbol[s])
        lowered = text.lower()
        for n in difflib.get_close_matches(lowered, self._by_name.keys(), n=10, cutoff=0.75):
            offer(n, lowered, self._by_name[n])
        return [c for _, _, c in sorted(scored.values(), key=lambda t: t[:2])][:limit]

    def scan_names(self, lowered: str) -> Iterable[tuple[int, tuple[str, int, int]]]:
        """(last offset, (kind, pattern index, length)) for every name/negative phrase found."""
        found: Iterable[tuple[int, tuple[str, int, int]]] = self._automaton.iter(lowered)
        if not self._chinese or not has_cjk(lowered):
            return found
        chinese = scan_runs(lowered, self._chinese_automaton)
        checked = chinese_hits(lowered, chinese, self._chinese, self.patterns, self.lists.chinese)
        return itertools.chain(found, checked)


def _distance(a: str, b: str) -> int:
    """Levenshtein distance with adjacent transpositions (short strings only)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, prev2[j - 2] + 1)
            cur.append(value)
        prev2, prev = prev, cur
    return prev[-1]
