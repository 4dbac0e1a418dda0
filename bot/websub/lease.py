"""A WebSub subscription's states and timing: pure decisions, no I/O.

In: a `HubSubscription` as the store returns it, the clock. Out: whether the feed is pushed
now, when to renew a lease, when to ask again after a refusal, and how far a pushed feed's
safety poll may be pushed out. Fails with nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class HubState(StrEnum):
    NEW = "new"  # found in the feed, not asked yet
    PENDING = "pending"  # asked; waiting for the hub's intent check
    ACTIVE = "active"  # verified: the hub pushes until the lease ends
    DENIED = "denied"  # the hub said no
    FAILED = "failed"  # the hub could not be asked, or never checked our intent
    SILENT = "silent"  # polls kept finding stories the hub never pushed
    LEAVING = "leaving"  # the feed is gone: unsubscribe asked, the hub's check awaited


@dataclass(frozen=True, slots=True)
class HubLink:
    """Where a feed says it is pushed from (`hub`), under which URL (`topic`)."""

    hub: str
    topic: str


@dataclass(frozen=True, slots=True)
class HubSubscription:
    """One feed's subscription at its hub (see bot.storage.schema.websub)."""

    id: int
    feed_id: int
    link: HubLink
    secret: str
    state: HubState
    guarded: bool = False
    requested_at: datetime | None = None
    lease_until: datetime | None = None
    renew_at: datetime | None = None
    retry_at: datetime | None = None
    last_push_at: datetime | None = None
    misses: int = 0
    error: str | None = None  # why the hub is not pushing (the last failure)


# Renew when 80% of the lease has passed: a renewal that fails is tried again (ANSWER_WAIT
# later) several times before the lease ends, whatever its length.
RENEW_FRACTION = 0.8
# How long a hub has to check our intent after accepting a request, and the wait before a
# request that got no answer is sent again.
ANSWER_WAIT = timedelta(minutes=5)
# After a refusal, a hub error or a silent hub: the feed is polled as before and the hub asked
# again this much later (a hub that says no is not asked every minute).
RETRY_AFTER = timedelta(hours=6)
# Polls that found stories the hub had not pushed, in a row, before the hub counts as silent.
MISSES_SILENT = 2


def renew_at(now: datetime, lease_seconds: int) -> datetime:
    """When to renew a lease granted now for `lease_seconds`."""
    return now + timedelta(seconds=lease_seconds * RENEW_FRACTION)


def is_pushed(sub: HubSubscription | None, now: datetime) -> bool:
    """Whether the hub pushes this feed now: verified and within its lease."""
    return (
        sub is not None
        and sub.state is HubState.ACTIVE
        and sub.lease_until is not None
        and sub.lease_until > now
    )


def safety_poll(next_poll: datetime, now: datetime, safety_seconds: float) -> datetime:
    """A pushed feed's next poll: its usual schedule, but no sooner than the safety interval
    (the poll that catches what a hub failed to push, and notices a silent hub)."""
    return max(next_poll, now + timedelta(seconds=safety_seconds))
