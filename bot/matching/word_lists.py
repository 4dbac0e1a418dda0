"""The hand-kept word lists of the match stage, from data/aliases.toml and data/zh_names.toml.

In: the TOML text shipped in `data/` (or a mapping read from another such file).
Out: a `WordLists`: the names people write for companies, names that need context, context
words, symbols that are mostly something else, negative phrases, everyday words to add, and
`ChineseNames` (the Chinese names of companies and the lists of the 苹果 rule). Fails
with tomllib's error on a file that is not TOML, and KeyError/TypeError on a wrong shape.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from bot.matching.names import normalize_symbol


def _packaged(name: str) -> Mapping[str, Any]:
    return tomllib.loads(resources.files(__package__).joinpath("data", name).read_text("utf-8"))


@dataclass(frozen=True, slots=True)
class ChineseNames:
    """The lists of data/zh_names.toml (see the comments there)."""

    names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # ticker -> names
    ambiguous: frozenset[str] = frozenset()
    context: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    negative: tuple[str, ...] = ()

    @classmethod
    def packaged(cls) -> ChineseNames:
        """The Chinese names shipped with the package."""
        return cls.parse(_packaged("zh_names.toml"))

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> ChineseNames:
        def words(table: str, key: str) -> tuple[str, ...]:
            # Latin words in these lists (CEO, iPhone) are compared with lower-cased text.
            return tuple(w.lower() for w in data.get(table, {}).get(key, []))

        return cls(
            names={normalize_symbol(k): tuple(v) for k, v in data.get("names", {}).items()},
            ambiguous=frozenset(words("ambiguous", "names")),
            context=words("context", "words"),
            after=words("after", "words"),
            negative=words("negative", "phrases"),
        )

    def all_names(self) -> list[str]:
        return [name for names in self.names.values() for name in names]


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
    chinese: ChineseNames = field(default_factory=ChineseNames)

    @classmethod
    def packaged(cls) -> WordLists:
        """The lists shipped with the package, the Chinese names included."""
        return cls.parse(_packaged("aliases.toml"), ChineseNames.packaged())

    @classmethod
    def parse(cls, data: Mapping[str, Any], chinese: ChineseNames | None = None) -> WordLists:
        return cls(
            chinese=chinese if chinese is not None else ChineseNames(),
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
