"""Reading what users type for their delivery preferences: times, quiet hours, time zones.

In: strings from chat commands or buttons ("22:00-07:00", "Europe/Berlin", "8:30").
Out: normalised values ready for `Store.chats.update_chat_settings` ("22:00", "Europe/Berlin").
Fails with `PreferenceError`, which says (in the user's language: `say(lang)`; str() in
English) what was wrong, with an example.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.texts import PhraseError

_TIME = re.compile(r"^\s*(\d{1,2})[:.h](\d{2})\s*$")


class PreferenceError(PhraseError):
    """A preference that cannot be used; `say(lang)` says why, with an example."""


def parse_time(value: str) -> str:
    """ "8:30", "08.30", "8h30" -> "08:30"."""
    match = _TIME.match(value)
    if not match:
        raise PreferenceError("error.time", value=value)
    hours, minutes = int(match[1]), int(match[2])
    if hours > 23 or minutes > 59:
        raise PreferenceError("error.time.range", value=value)
    return f"{hours:02d}:{minutes:02d}"


def parse_quiet_hours(value: str) -> tuple[str, str]:
    """ "22:00-07:00" -> ("22:00", "07:00"); may cross midnight; start and end must differ."""
    start, sep, end = value.replace("–", "-").partition("-")
    if not sep:
        raise PreferenceError("error.quiet.range", value=value)
    first, last = parse_time(start), parse_time(end)
    if first == last:
        raise PreferenceError("error.quiet.same")
    return first, last


def parse_timezone(value: str) -> str:
    """An IANA time zone name, matched case-insensitively ("europe/berlin" -> "Europe/Berlin")."""
    name = value.strip().replace(" ", "_")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        exact = {z.lower(): z for z in available_timezones()}.get(name.lower())
        if exact is None:
            raise PreferenceError("error.timezone", value=value) from None
        return exact
    return name
