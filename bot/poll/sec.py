"""The SEC's rules for its feeds (EDGAR): who may poll them and how fast.

In: feed URLs or `FeedState`s. Out: whether a URL is on sec.gov, and the states without the
SEC's feeds (polled only with SEC_USER_AGENT: the SEC refuses anonymous clients). Its limit is
10 requests a second, kept by the fetch stage's host gate with `SPACING`. Pure, never raises.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from bot.feeds.state import FeedState

HOST = "sec.gov"
SPACING = 0.1  # seconds between two requests to the SEC: its limit is 10 per second
ADVICE = (
    "SEC_USER_AGENT is not set: the SEC (EDGAR) feeds are not polled; the SEC requires a "
    'User-Agent naming you, e.g. SEC_USER_AGENT="Jane Doe jane@example.com"'
)


def is_sec(url: str) -> bool:
    """Whether `url` is on the SEC's servers (EDGAR's rules apply)."""
    host = (urlsplit(url).hostname or "").lower()
    return host == HOST or host.endswith("." + HOST)


def without_sec(states: Sequence[FeedState]) -> list[FeedState]:
    """The states whose feeds are not the SEC's."""
    return [s for s in states if not is_sec(s.feed.url)]
