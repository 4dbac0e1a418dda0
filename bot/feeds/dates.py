"""Publication dates of feed entries, including RFC 822 dates in other languages.

In: one feedparser entry (a mapping) and the clock. Out: the entry's publication (else update)
time as an aware UTC datetime, or None when it has none, none that can be read, or one further
ahead than FUTURE_TOLERANCE (a clock error or a placeholder, not news). Total: never raises.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

# Publication dates further ahead than this are clock errors or placeholders, not news.
FUTURE_TOLERANCE = timedelta(days=1)

_MONTHS = {
    # Portuguese, Spanish, French, German, Italian, Dutch month abbreviations -> English.
    **dict.fromkeys(("jan", "janv", "ene", "gen", "jän"), "Jan"),
    **dict.fromkeys(("fev", "fév", "févr", "feb", "febr"), "Feb"),
    **dict.fromkeys(("mar", "mars", "mär", "mrz", "mrt"), "Mar"),
    **dict.fromkeys(("abr", "avr", "apr"), "Apr"),
    **dict.fromkeys(("mai", "may", "mag", "mei"), "May"),
    **dict.fromkeys(("jun", "juin", "giu"), "Jun"),
    **dict.fromkeys(("jul", "juil", "lug"), "Jul"),
    **dict.fromkeys(("ago", "aoû", "août", "aug"), "Aug"),
    **dict.fromkeys(("set", "sep", "sept"), "Sep"),
    **dict.fromkeys(("out", "oct", "okt", "ott"), "Oct"),
    **dict.fromkeys(("nov",), "Nov"),
    **dict.fromkeys(("dez", "dic", "déc", "dec"), "Dec"),
}
_DATE_WORD = re.compile(r"[^\W\d_]+\.?")


def _foreign_date(value: str) -> datetime | None:
    """An RFC 822 date written with another language's day and month names
    ("Seg, 24 Set 2018 19:42:40 -0300"), which feedparser does not read."""
    value = value.split(",", 1)[1] if "," in value[:12] else value  # drop the weekday

    def english(m: re.Match[str]) -> str:
        word = m.group(0).rstrip(".").lower()
        return _MONTHS.get(word, m.group(0))

    try:
        parsed = parsedate_to_datetime(_DATE_WORD.sub(english, value).strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def published(entry: Mapping[str, Any], now: datetime) -> datetime | None:
    """The entry's publication time in UTC: published, else updated; None if unreadable or
    further ahead of `now` than FUTURE_TOLERANCE."""
    when: datetime | None = None
    for key in ("published_parsed", "updated_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:  # feedparser's tuples are already UTC
                when = datetime.fromtimestamp(calendar.timegm(parsed), UTC)
            except (TypeError, ValueError, OverflowError, OSError):
                continue
            break
    if when is None:
        for key in ("published", "updated"):
            raw = entry.get(key)
            if isinstance(raw, str) and raw.strip() and (when := _foreign_date(raw)):
                when = when.astimezone(UTC)
                break
    if when is not None and when > now + FUTURE_TOLERANCE:
        return None
    return when
