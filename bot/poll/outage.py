"""Telling our network's failures from the feeds': the outage watch of one poller process.

In: after each cycle, the hosts polled and whether each poll failed without an HTTP answer; a
feed's OUTAGE verdict (`bot.poll.health`). Out: `BEGAN` when the operators should be told of a
likely outage (the last OUTAGE_WINDOW polls all failed without an answer across at least
OUTAGE_HOSTS hosts, or a feed failed for FEED_BROKEN_AFTER while nothing else worked), `ENDED`
when polls work again after that, else None: each said once. Never raises.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

OUTAGE_WINDOW = 20
OUTAGE_HOSTS = 3


class Change(StrEnum):
    BEGAN = "began"
    ENDED = "ended"


class OutageWatch:
    """The last polls' hosts and outcomes, and since when an outage was told (None: none)."""

    def __init__(self) -> None:
        self._recent: deque[tuple[str, bool]] = deque(maxlen=OUTAGE_WINDOW)
        self.since: datetime | None = None

    def begin(self, since: datetime) -> Change | None:
        """An outage seen (from `since`): BEGAN unless one is already told."""
        if self.since is not None:
            return None
        self.since = since
        return Change.BEGAN

    def observe(self, polls: Iterable[tuple[str, bool, bool]], now: datetime) -> Change | None:
        """After a cycle: its polls as (host, worked, failed without an answer)."""
        polls = list(polls)
        self._recent.extend((host, network) for host, _, network in polls)
        if not polls:
            return None
        if any(worked for _, worked, _ in polls) and self.since is not None:
            self.since = None
            return Change.ENDED
        hosts = {host for host, _ in self._recent}
        if (
            len(self._recent) == OUTAGE_WINDOW
            and len(hosts) >= OUTAGE_HOSTS
            and all(network for _, network in self._recent)
        ):
            return self.begin(now)
        return None
