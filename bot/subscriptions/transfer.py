"""A chat's state as a file: the /export document, and the checks an /import file must pass.

In: the chat's `ChatSettings` and `SubscriptionState`s (export; a ticker's choice of stories
written as the commands take it: "reach", "sources", "events"); the bytes of a file, the ticker
universe and the subscription limit (import). Out: a JSON-ready document; or the subscriptions
and the `ChatSettings` fields the file holds. Pure. Fails with `ImportRefused`, whose text
names the first problem; a file is checked completely before anything is changed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.delivery.preferences import PreferenceError
from bot.matching.keywords import QueryError, parse_stored
from bot.matching.tickers import TickerUniverse
from bot.models import DEFAULT_CHOICE, ChatSettings, Choice, Kind
from bot.storage.subscriptions import SubscriptionState
from bot.subscriptions.choice import ChoiceError, choice_of_words, choice_words
from bot.subscriptions.setting_values import NAMES, parse_setting
from bot.texts import PhraseError

FORMAT = "investor-alerts-export"
VERSION = 1
MAX_IMPORT_BYTES = 256 * 1024


class ImportRefused(PhraseError):
    """An import file that cannot be used; `say(lang)` says why (str(): in English)."""


def export_document(settings: ChatSettings, subs: list[SubscriptionState]) -> dict[str, Any]:
    """The chat's subscriptions and settings as a JSON-ready document (settings written as
    /settings reads them, so that an export imports back unchanged)."""
    quiet = f"{settings.quiet_start}-{settings.quiet_end}" if settings.quiet_start else "off"
    return {
        "format": FORMAT,
        "version": VERSION,
        "subscriptions": [_item(s) for s in subs],
        "settings": {
            "mode": settings.delivery_mode.value,
            "digest": settings.digest_time,
            "timezone": settings.timezone,
            "quiet": quiet,
            "rate": str(settings.max_per_hour) if settings.max_per_hour else "off",
            "previews": "on" if settings.link_previews else "off",
            "lang": settings.lang,
        },
    }


def _item(sub: SubscriptionState) -> dict[str, Any]:
    item: dict[str, Any] = {"kind": sub.kind.value, "value": sub.value, "muted": sub.muted}
    if sub.kind is Kind.TICKER:
        item.update(choice_words(sub.choice))
    return item


def read_import(
    raw: bytes, universe: TickerUniverse, limit: int
) -> tuple[list[SubscriptionState], dict[str, object]]:
    """Check an import file completely before anything is changed: the subscriptions and the
    settings fields it holds. Raises ImportRefused naming the first problem."""
    if len(raw) > MAX_IMPORT_BYTES:
        raise ImportRefused("chat.import.error.size", limit=MAX_IMPORT_BYTES // 1024)
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportRefused("chat.import.error.json", error=str(exc)[:200]) from None
    if not isinstance(document, Mapping) or document.get("format") != FORMAT:
        raise ImportRefused("chat.import.error.format")
    if document.get("version") != VERSION:
        raise ImportRefused("chat.import.error.version", version=str(document.get("version")))
    items = document.get("subscriptions", [])
    if not isinstance(items, list):
        raise ImportRefused("chat.import.error.field", field="subscriptions")
    if len(items) > limit:
        raise ImportRefused("chat.import.error.limit", count=len(items), limit=limit)
    subs = [_subscription(item, n, universe) for n, item in enumerate(items, start=1)]
    return subs, _settings(document.get("settings", {}))


def _settings(given: object) -> dict[str, object]:
    if not isinstance(given, Mapping):
        raise ImportRefused("chat.import.error.field", field="settings")
    changes: dict[str, object] = {}
    for name, value in given.items():
        if name not in NAMES or not isinstance(value, str):
            raise ImportRefused("chat.import.error.setting", name=str(name)[:40])
        try:
            changes.update(parse_setting(name, value))
        except PreferenceError as exc:
            raise ImportRefused("chat.import.error.value", name=name, error=exc) from None
    return changes


def _subscription(item: object, number: int, universe: TickerUniverse) -> SubscriptionState:
    if not isinstance(item, Mapping):
        raise ImportRefused("chat.import.error.item", number=number)
    kind, value, muted = item.get("kind"), item.get("value"), item.get("muted", False)
    if not isinstance(value, str) or not value.strip() or not isinstance(muted, bool):
        raise ImportRefused("chat.import.error.item", number=number)
    if kind == Kind.TICKER.value:
        company = universe.company(value)
        if company is None:
            raise ImportRefused("chat.import.error.ticker", number=number, value=value[:40])
        return SubscriptionState(Kind.TICKER, company.tickers[0], muted, _choice(item, number))
    if kind == Kind.KEYWORD.value:
        try:
            # An export holds queries as stored: one saved before operators were read in any
            # case ("chips and") is read as the match index reads it, not refused.
            query = parse_stored(value)
        except QueryError as exc:
            raise ImportRefused("chat.import.error.keyword", number=number, error=exc) from None
        return SubscriptionState(Kind.KEYWORD, query.text, muted)
    raise ImportRefused("chat.import.error.kind", number=number, kind=str(kind)[:20])


def _choice(item: Mapping[str, Any], number: int) -> Choice:
    """A ticker's choice; an export written before choices existed gets the defaults."""
    words = {k: item.get(k, d) for k, d in choice_words(DEFAULT_CHOICE).items()}
    if not all(isinstance(w, str) for w in words.values()):
        raise ImportRefused("chat.import.error.item", number=number)
    try:
        return choice_of_words(**words)
    except ChoiceError as exc:
        raise ImportRefused("chat.import.error.choice", number=number, error=exc) from None
