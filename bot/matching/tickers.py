"""The ticker universe: companies (issuers) from the SEC's company table, their symbols and names.

In: the SEC's `company_tickers_exchange.json` (TICKERS_FILE, else the copy `tickers update` wrote
into DATA_DIR, else the snapshot shipped in `data/`), the hand-kept alias and stop lists in
`data/aliases.toml`, and an English word list (to know which names and symbols are everyday words).
Out: a `TickerUniverse` that maps symbols, names and aliases to one `Company` per CIK, and carries
the name patterns that ticker detection (detect.py) scans for. `download_sec_table` fetches a
fresh table from the SEC. Fails with `TickerTableError` on a table it cannot read or download.
"""

from __future__ import annotations

import difflib
import gzip
import json
import os
import re
import tempfile
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import ahocorasick
import httpx

SEC_URL = "https://www.sec.gov/files/company_tickers_exchange.json"
TABLE_NAME = "company_tickers_exchange.json"
SNAPSHOT_NAME = "company_tickers_exchange.json.gz"


class TickerTableError(RuntimeError):
    """The SEC table could not be downloaded or read; the message says why and what to do."""


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


@dataclass(frozen=True, slots=True)
class WordLists:
    """The hand-kept lists from data/aliases.toml (see the comments there)."""

    aliases: Mapping[str, tuple[str, ...]]
    ambiguous: frozenset[str]  # lower-case names
    context: Mapping[str, tuple[str, ...]]  # primary-or-any ticker -> words
    finance_context: tuple[str, ...]
    stop_symbols: frozenset[str]
    negative_phrases: tuple[str, ...]
    common_words: frozenset[str] = frozenset()

    @classmethod
    def packaged(cls) -> WordLists:
        """The lists shipped with the package."""
        raw = resources.files(__package__).joinpath("data", "aliases.toml").read_text("utf-8")
        return cls.parse(tomllib.loads(raw))

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> WordLists:
        return cls(
            aliases={normalize_symbol(k): tuple(v) for k, v in data.get("aliases", {}).items()},
            ambiguous=frozenset(n.lower() for n in data.get("ambiguous", {}).get("names", [])),
            context={normalize_symbol(k): tuple(v) for k, v in data.get("context", {}).items()},
            finance_context=tuple(data.get("finance_context", {}).get("words", [])),
            stop_symbols=frozenset(
                normalize_symbol(w) for w in data.get("stop_symbols", {}).get("words", [])
            ),
            negative_phrases=tuple(
                p.lower() for p in data.get("negative_phrases", {}).get("phrases", [])
            ),
            common_words=frozenset(
                w.lower() for w in data.get("common_words", {}).get("words", [])
            ),
        )


_SEPARATORS = str.maketrans("./ ", "---")


def normalize_symbol(symbol: str) -> str:
    """The SEC's spelling of a symbol: "$brk.b", "BRK/B", "brk-b" -> "BRK-B"."""
    return symbol.strip().lstrip("$").upper().translate(_SEPARATORS)


# Legal and state suffixes that filed names carry and people do not write.
_STATE_RE = re.compile(r"\s*/(?:[A-Z .]{2,12}/?)?\s*$")  # "/DE/", "/NEW", " / MA", "/"
_SUFFIX_RE = re.compile(
    r"[\s,]+(inc|incorporated|corp|corporation|co|company|companies|ltd|limited|plc|p\.l\.c|"
    r"llc|l\.l\.c|lp|l\.p|n\.?v|s\.?a|s\.?e|ag|a/?s|asa|ab|spa|s\.p\.a|sab de cv|se|nv|"
    r"holding|the|/adr|adr|a s|& co)\.?\s*$",
    re.IGNORECASE,
)
# Trailing words people drop when they write a company's name ("Palantir Technologies").
_GENERIC_WORDS = frozenset(
    [
        "holdings",
        "group",
        "technologies",
        "technology",
        "international",
        "industries",
        "systems",
        "enterprises",
        "worldwide",
        "platforms",
        "incorporated",
        "brands",
        "therapeutics",
        "pharmaceuticals",
        "pharmaceutical",
        "biosciences",
        "semiconductor",
        "software",
    ]
)


_SMALL_WORDS = frozenset(["of", "and", "the", "de", "for", "in", "on", "at", "to", "by"])
# Three-letter words in filed names that are words, not acronyms (AMD, IBM, CSX stay capitals).
_SHORT_WORDS = frozenset(
    [
        "air",
        "oil",
        "gas",
        "new",
        "one",
        "two",
        "six",
        "ten",
        "eli",
        "bio",
        "sun",
        "bay",
        "sea",
        "car",
        "art",
        "age",
        "big",
        "red",
        "blue",
        "old",
        "war",
        "gold",
        "iron",
        "ice",
        "net",
        "web",
        "pet",
        "fun",
        "day",
        "way",
        "key",
        "top",
        "tec",
        "med",
        "lab",
    ]
)


def _title(word: str) -> str:
    """One word of an ALL CAPS name as people write it: NVIDIA -> Nvidia, CSX -> CSX."""
    lower = word.lower()
    if lower in _SMALL_WORDS:
        return lower
    if any(c.isdigit() or c == "&" for c in word) or not re.search(r"[AEIOUY]", word):
        return word
    if len(word) <= 3 and lower not in _SHORT_WORDS:
        return word
    return "-".join(part[:1] + part[1:].lower() for part in word.split("-"))


def _mostly_capitals(name: str) -> bool:
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def clean_name(filed: str) -> str:
    """A filed name as written: "AMAZON COM INC" -> "Amazon.com", "Tesla, Inc." -> "Tesla"."""
    name = filed.strip()
    if name.upper().endswith("/ADR"):
        name = name[:-4]
    name = _STATE_RE.sub("", name)
    for _ in range(3):  # "Holding Co., Ltd." has stacked suffixes
        stripped = _SUFFIX_RE.sub("", name).strip(" ,&")
        if stripped == name or not stripped:
            break
        name = stripped
    if _mostly_capitals(name):
        name = " ".join(_title(w) for w in name.split())
        name = name[:1].upper() + name[1:]
    if name.lower().endswith(" com"):  # "AMAZON COM" is how EDGAR spells "Amazon.com"
        name = name[:-4] + ".com"
    return name


_WEAK_SUFFIXES = (
    " inc",
    ", inc",
    " corp",
    ", corp",
    " corporation",
    " co",
    ", co",
    " ltd",
    ", ltd",
    " plc",
)


def _name_variants(display: str) -> list[str]:
    """The cleaned name, and without one trailing generic word ("Palantir Technologies")."""
    variants = [display]
    parts = display.split()
    if len(parts) > 1 and parts[-1].lower() in _GENERIC_WORDS:
        variants.append(" ".join(parts[:-1]))
    return variants


def load_everyday_words() -> frozenset[str]:
    """Lower-case English words (Webster's 2nd, public domain, via the english-words package)."""
    from english_words import get_english_words_set

    return frozenset(get_english_words_set(["web2"], lower=True))


@dataclass(frozen=True, slots=True)
class _Row:
    cik: int
    name: str
    ticker: str
    exchange: str | None


def _rows(table: Mapping[str, Any] | list[Any]) -> list[_Row]:
    """Rows of either SEC table: company_tickers_exchange.json or company_tickers.json."""
    try:
        if isinstance(table, Mapping) and "fields" in table:
            fields = list(table["fields"])
            ic, iname, it = fields.index("cik"), fields.index("name"), fields.index("ticker")
            ie = fields.index("exchange") if "exchange" in fields else None
            return [
                _Row(int(r[ic]), str(r[iname]), str(r[it]), r[ie] if ie is not None else None)
                for r in table["data"]
                if r[it]
            ]
        if isinstance(
            table, Mapping
        ):  # company_tickers.json: {"0": {"cik_str", "ticker", "title"}}
            return [
                _Row(int(r["cik_str"]), str(r["title"]), str(r["ticker"]), None)
                for r in table.values()
                if r.get("ticker")
            ]
    except (KeyError, ValueError, TypeError, IndexError) as exc:
        raise TickerTableError(f"the ticker table is not in the SEC's format: {exc!r}") from exc
    raise TickerTableError("the ticker table is not in the SEC's format (no 'fields'/'data')")


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
        self._build_companies(_rows(table))
        # The SEC lists the largest companies first: the place in the table ranks suggestions.
        self._rank = {cik: i for i, cik in enumerate(self._by_cik)}
        self._by_name: dict[str, Company] = {}
        self.patterns: list[NamePattern] = []
        self._build_names(words)
        # Symbols that may not count when written bare: stop list, and everyday English words.
        self.bare_stop: frozenset[str] = self.lists.stop_symbols | frozenset(
            s for s in self._by_symbol if _is_word(words, s.lower())
        )
        self._automaton = self._build_automaton()

    # -- construction ---------------------------------------------------------------------------
    def _build_companies(self, rows: list[_Row]) -> None:
        grouped: dict[int, list[_Row]] = {}
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
        for company in self._by_cik.values():
            for variant in _name_variants(company.name):
                parts = re.findall(r"[^\W_]+", variant.lower())
                if not parts or len(variant) < 3:
                    continue
                if variant.upper() in self.lists.stop_symbols:
                    continue  # "TTM" (Technologies) is mostly "trailing twelve months"
                # A name made only of everyday words ("Target", "General Motors") needs context.
                ambiguous = all(_is_word(words, p) or p.isdigit() for p in parts)
                self._add_name(variant, company, ambiguous, weak=ambiguous)

    def _add_name(
        self, written: str, company: Company, ambiguous: bool, *, weak: bool = False
    ) -> None:
        key = written.lower()
        if key in self._by_name:
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
            if not pattern.weak:
                automaton.add_word(key, ("name", i, len(key)))
                continue
            for suffix in _WEAK_SUFFIXES:
                variant = key + suffix
                if automaton.get(variant, None) is None:
                    automaton.add_word(variant, ("name", i, len(variant)))
        for phrase in self.lists.negative_phrases:
            automaton.add_word(phrase, ("negative", -1, len(phrase)))
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

    def by_cik(self, cik: int) -> Company | None:
        return self._by_cik.get(cik)

    def resolve(self, text: str) -> Company | None:
        """The company people mean by a name or alias ("google" -> Alphabet), else None."""
        key = " ".join(text.lower().split())
        found = self._by_name.get(key)
        if found is not None:
            return found
        return self._by_name.get(clean_name(text).lower())

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
        return found


def _is_word(words: frozenset[str], word: str) -> bool:
    """Is `word` in the word list, or a plural of a word in it ("employers", "cars")?"""
    if word in words:
        return True
    if word.endswith("ies") and word[:-3] + "y" in words:
        return True
    return word.endswith("s") and (word[:-1] in words or word[:-2] in words)


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


def read_table(path: Path) -> dict[str, Any]:
    """Read an SEC ticker table from a .json or .json.gz file."""
    try:
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
        data = json.loads(raw)
    except (OSError, ValueError) as exc:
        raise TickerTableError(f"cannot read the ticker table {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise TickerTableError(f"{path} is not an SEC ticker table")
    _rows(data)  # validates the shape
    return data


def packaged_table() -> dict[str, Any]:
    """The snapshot of the SEC table shipped in the package (see data/README.md for its date)."""
    raw = resources.files(__package__).joinpath("data", SNAPSHOT_NAME).read_bytes()
    data: dict[str, Any] = json.loads(gzip.decompress(raw))
    return data


def download_sec_table(user_agent: str, data_dir: Path, url: str = SEC_URL) -> Path:
    """Download the current table from the SEC into DATA_DIR, atomically; return its path.

    The SEC refuses requests without a User-Agent naming the operator ("Name contact@example.com").
    """
    if not user_agent or not user_agent.strip():
        raise TickerTableError(
            "SEC_USER_AGENT is not set: the SEC refuses downloads without it. "
            "Set it to your name and e-mail, e.g. SEC_USER_AGENT='Jane Doe jane@example.com'."
        )
    try:
        response = httpx.get(
            url,
            headers={"User-Agent": user_agent.strip(), "Accept-Encoding": "gzip, deflate"},
            timeout=30.0,
            follow_redirects=True,
        )
    except httpx.HTTPError as exc:
        raise TickerTableError(f"cannot download the ticker table from {url}: {exc}") from exc
    if response.status_code != 200:
        raise TickerTableError(
            f"the SEC answered {response.status_code} for {url}"
            + (" (check SEC_USER_AGENT)" if response.status_code in (401, 403) else "")
        )
    try:
        data = response.json()
    except ValueError as exc:
        raise TickerTableError(f"{url} did not return JSON: {exc}") from exc
    rows = _rows(data)
    if not rows:
        raise TickerTableError(f"{url} returned a ticker table without rows")
    data_dir.mkdir(parents=True, exist_ok=True)
    target = data_dir / TABLE_NAME
    fd, tmp = tempfile.mkstemp(dir=data_dir, prefix=".tickers-", suffix=".json")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(response.content)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
