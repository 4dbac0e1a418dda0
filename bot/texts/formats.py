"""Languages as Telegram names them, and dates, times and numbers written for a chat's locale.

In: Telegram's `language_code` ("zh-hans", "en-US", None); a catalogue code ("en", "zh_Hans")
with a datetime, a "HH:MM" time, a time span or a number. Out: the catalogue code a chat gets
at first contact (`language_for()`), and strings Babel formats by the locale's CLDR data
("下午10:30", "3小时前", "1,234"). Pure; never fails on a code it does not know (English).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_datetime, format_time, format_timedelta
from babel.numbers import format_decimal

from bot.texts import DEFAULT_LANG, known, text

# Telegram sends IETF tags ("zh-hans", "zh-CN"); these are read as Simplified Chinese. Other
# Chinese tags (zh-hant, zh-tw, zh-hk) are Traditional: English until there is a catalogue.
_SIMPLIFIED = frozenset({"zh", "zh-hans", "zh-cn", "zh-sg", "zh-hans-cn", "zh-hans-sg"})


def language_for(language_code: str | None) -> str:
    """The catalogue a chat starts with, from its first user's Telegram `language_code`."""
    tag = (language_code or "").strip().lower().replace("_", "-")
    if tag in _SIMPLIFIED:
        return "zh_Hans"
    return DEFAULT_LANG


# The bot's English has always written 24-hour times and day-month dates, the form users type
# back (/settings quiet 22:30-06:30): British English's CLDR data writes them so.
_CLDR = {"en": "en_GB"}


@cache
def locale_of(lang: str) -> Locale:
    """Babel's locale for a catalogue code ("zh_Hans" -> Simplified Chinese data)."""
    code = known(lang)
    return Locale.parse(_CLDR.get(code, code))


def language_name(lang: str) -> str:
    """A language's name in itself, for the menu ("English", "简体中文")."""
    return text("language.name", known(lang))


def clock_time(hhmm: str, lang: str) -> str:
    """A stored "HH:MM" as the locale writes a time of day ("22:30", "22:30" / "下午10:30")."""
    hours, _, minutes = hhmm.partition(":")
    return format_time(time(int(hours), int(minutes)), "short", locale=locale_of(lang))


def time_range(start: str, end: str, lang: str) -> str:
    """Quiet hours as the locale writes a range of times."""
    return f"{clock_time(start, lang)}–{clock_time(end, lang)}"


def moment(when: datetime, lang: str, zone: tzinfo = UTC) -> str:
    """A point in time, in `zone`, as the locale writes a short date and time."""
    aware = when if when.tzinfo else when.replace(tzinfo=UTC)
    return format_datetime(aware, "short", tzinfo=zone, locale=locale_of(lang))


def day(value: date, lang: str) -> str:
    """A day, short ("07 Dec" / "12月7日"), for chart axes and busiest days: the catalogue's
    pattern."""
    return format_date(value, text("format.day", lang), locale=locale_of(lang))


def ago(when: datetime, now: datetime, lang: str) -> str:
    """How long before `now` `when` was ("3 hours ago" / "3小时前")."""
    return format_timedelta(when - now, add_direction=True, threshold=1.0, locale=locale_of(lang))


def number(value: float, lang: str) -> str:
    """A number as the locale groups its digits."""
    return format_decimal(value, locale=locale_of(lang))


def span(seconds: float, lang: str) -> str:
    """A length of time, rounded to its largest unit, short ("5 min" / "5分钟")."""
    return format_timedelta(
        timedelta(seconds=seconds), threshold=1.0, format="short", locale=locale_of(lang)
    )


def telegram_codes(lang: str) -> tuple[str, ...]:
    """The two-letter codes `setMyCommands` takes for users whose Telegram speaks `lang` (the
    default menu, with no code, is English's)."""
    return () if lang == DEFAULT_LANG else (known(lang).partition("_")[0],)


def local_moment(when: datetime, zone: str, lang: str, pattern: str = "format.moment") -> str:
    """`when` in the IANA `zone` (UTC if unknown), written with the catalogue's date pattern
    `pattern` ("07 Dec 22:30 Europe/Berlin" / "12月7日 22:30 Asia/Shanghai")."""
    try:
        place: tzinfo = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        place, zone = UTC, "UTC"
    aware = when if when.tzinfo else when.replace(tzinfo=UTC)
    shown = format_datetime(aware, text(pattern, lang), tzinfo=place, locale=locale_of(lang))
    return f"{shown} {zone}"
