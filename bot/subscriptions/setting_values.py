"""One chat setting as a user types or presses it, read into the `ChatSettings` fields it changes.

In: a setting's name (or a short alias: "tz", "language") and its value as text. Out: a dict of
`ChatSettings` field names to checked values, ready for `Store.chats.update_chat_settings`.
Pure. Fails with `PreferenceError`, whose text says what was wrong and gives an example.
Used by /settings (typed or pressed) and by /import, so both accept exactly the same values.
"""

from __future__ import annotations

from bot.delivery.preferences import (
    PreferenceError,
    parse_quiet_hours,
    parse_time,
    parse_timezone,
)
from bot.models import DeliveryMode
from bot.texts import languages

NAMES = ("mode", "digest", "timezone", "quiet", "rate", "previews", "lang")
# Short aliases people type after /settings.
ALIASES = {"tz": "timezone", "time_zone": "timezone", "language": "lang", "preview": "previews"}
OFF_WORDS = frozenset({"off", "none", "no", "0"})
# What people type after /settings lang, besides the catalogue's own code ("zh_Hans").
LANGUAGE_WORDS = ("en", "zh")
_LANGUAGE_ALIASES = {
    "en": "en",
    "english": "en",
    "zh": "zh_Hans",
    "zh-hans": "zh_Hans",
    "zh-cn": "zh_Hans",
    "cn": "zh_Hans",
    "中文": "zh_Hans",
    "简体中文": "zh_Hans",
}


def language_named(value: str) -> str | None:
    """The catalogue a typed or pressed language names ("zh", "zh_Hans", "中文"), or None."""
    if value in languages():
        return value
    found = _LANGUAGE_ALIASES.get(value.strip().lower().replace("_", "-"))
    return found if found in languages() else None


def parse_setting(name: str, value: str) -> dict[str, object]:
    """One setting as typed or pressed -> the `ChatSettings` fields it changes.
    Raises PreferenceError with the reason and an example."""
    name = ALIASES.get(name.lower(), name.lower())
    value = value.strip()
    if name == "mode":
        try:
            return {"delivery_mode": DeliveryMode(value.lower())}
        except ValueError:
            raise PreferenceError("chat.settings.error.mode", value=value[:40]) from None
    if name == "digest":
        return {"digest_time": parse_time(value)}
    if name == "timezone":
        return {"timezone": parse_timezone(value)}
    if name == "quiet":
        if value.lower() in OFF_WORDS:
            return {"quiet_start": None, "quiet_end": None}
        start, end = parse_quiet_hours(value)
        return {"quiet_start": start, "quiet_end": end}
    if name == "rate":
        return {"max_per_hour": _rate(value)}
    if name == "previews":
        if value.lower() not in ("on", "off"):
            raise PreferenceError("chat.settings.error.previews", value=value[:40])
        return {"link_previews": value.lower() == "on"}
    if name == "lang":
        lang = language_named(value)
        if lang is None:
            raise PreferenceError(
                "chat.settings.error.lang", value=value[:40], options=", ".join(LANGUAGE_WORDS)
            )
        return {"lang": lang}
    raise PreferenceError("chat.settings.error.name", name=name[:40], names=", ".join(NAMES))


def _rate(value: str) -> int | None:
    if value.lower() in OFF_WORDS:
        return None
    if not value.isdigit() or not 1 <= int(value) <= 1000:
        raise PreferenceError("chat.settings.error.rate", value=value[:40])
    return int(value)
