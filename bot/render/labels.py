"""Small pieces every message shares: a subscription's name, a link Telegram takes, one line.

In: subscriptions, hits, a story's event types, URLs, text. Out: plain strings and booleans.
Pure; never raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from bot.models import Hit, Kind, Subscription
from bot.texts import text

_SPACE_OR_CONTROL_RE = re.compile(r"[\s\x00-\x1f]")


def is_web_url(url: str) -> bool:
    """Whether Telegram will accept `url` in a link or a URL button (http or https, a host)."""
    if not url or _SPACE_OR_CONTROL_RE.search(url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def one_line(value: str) -> str:
    return " ".join(value.split())


def distinct_subscriptions(hits: Iterable[Hit]) -> list[Subscription]:
    """The distinct subscriptions among `hits`, in order."""
    seen: dict[int, Subscription] = {}
    for hit in hits:
        seen.setdefault(hit.subscription.id, hit.subscription)
    return list(seen.values())


def subscription_label(subscription: Subscription, lang: str = "en") -> str:
    """How a subscription is named to the user: "$AMZN" or “AI chips”."""
    value = one_line(subscription.value)
    if subscription.kind is Kind.TICKER:
        return f"${value}"
    return text("alert.why.keyword", lang, query=value)


def event_label(events: Iterable[str], lang: str = "en") -> str | None:
    """The label of a story's main event ("📊 Earnings"), in `lang`; None without one. Events
    come in the order of `bot.matching.events.EVENTS` (a filing's own event before "filing");
    a law-firm solicitation, also tagged "legal", is labelled as the solicitation it is."""
    tagged = list(events)
    if "solicitation" in tagged:
        tagged = [e for e in tagged if e != "legal"]
    for event in tagged:
        try:
            return text(f"event.{event}", lang)
        except KeyError:  # an event type newer than the catalogue: say nothing of it
            continue
    return None
