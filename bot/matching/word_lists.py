"""The hand-kept word lists of the match stage, from data/aliases.toml.

In: the TOML text shipped in `data/aliases.toml` (or a mapping read from another such file).
Out: a `WordLists`: the names people write for companies, names that need context, context
words, symbols that are mostly something else, negative phrases, everyday words to add. Fails
with tomllib's error on a file that is not TOML, and KeyError/TypeError on a wrong shape.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from bot.matching.names import normalize_symbol


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
