"""Catalogue phrases as JSON, for the columns that keep what to tell a user later.

In: a `bot.texts.Phrase` (its values may be phrases, errors carrying one, or plain values).
Out: `dumps` gives a JSON text {"key": ..., "values": {...}} with nested phrases in the same
form; `loads` gives the `Phrase` back (None for NULL). Values that are neither phrases nor JSON
scalars are stored as their str(): what the English text would have shown. `loads` raises
`ValueError` for text that is not such a JSON object (a programming error, not user input).
"""

from __future__ import annotations

import json
from typing import Any

from bot.texts import Phrase

__all__ = ["dumps", "loads"]


def dumps(phrase: Phrase | None) -> str | None:
    """`phrase` as JSON text (None stays None: the column is NULL)."""
    return None if phrase is None else json.dumps(_encode(phrase), ensure_ascii=False)


def loads(data: str | None) -> Phrase | None:
    """The phrase `dumps` wrote (None for NULL)."""
    if data is None:
        return None
    decoded = json.loads(data)
    if not _is_phrase(decoded):
        raise ValueError(f"not a stored phrase: {data[:80]!r}")
    return _decode(decoded)


def _encode(phrase: Phrase) -> dict[str, Any]:
    return {"key": phrase.key, "values": {k: _value(v) for k, v in phrase.values.items()}}


def _value(value: object) -> object:
    # An error raised with a phrase (FetchError, FeedError, PhraseError) is kept as its phrase,
    # so that a reason nested in another reason is said in the reader's language too.
    nested = value if isinstance(value, Phrase) else getattr(value, "phrase", None)
    if isinstance(nested, Phrase):
        return _encode(nested)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _is_phrase(value: object) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("key"), str)
        and isinstance(value.get("values"), dict)
    )


def _decode(data: dict[str, Any]) -> Phrase:
    values = {k: _decode(v) if _is_phrase(v) else v for k, v in data["values"].items()}
    return Phrase(data["key"], values)
