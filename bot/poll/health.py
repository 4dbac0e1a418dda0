"""What one poll's outcome means for its feed: a pure decision, applied by the poll stage.

In: the feed's `FeedState` before the poll, the time, whether the poll worked, FEED_BROKEN_AFTER
and the latest success of any feed. Out: a `Verdict`: FINE (worked), RECOVERED (worked after
being marked broken: clear the mark, tell people), RETRY (failed: back off), BROKEN (failing
for FEED_BROKEN_AFTER while other feeds worked: mark it, tell people once) or OUTAGE (failing
that long while nothing else worked either: our network, not the feed). Pure, never raises.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from bot.feeds.state import FeedState


class Verdict(StrEnum):
    FINE = "fine"
    RECOVERED = "recovered"
    RETRY = "retry"
    BROKEN = "broken"
    OUTAGE = "outage"


def failing_since(state: FeedState, now: datetime) -> datetime:
    """When the run of failures that a failure now belongs to began."""
    return state.failing_since or now


def overdue(state: FeedState, now: datetime, broken_after: timedelta) -> bool:
    """Whether a failure now ends a run of failures long enough to mark the feed broken (one
    not marked yet): only then does the decision need the latest success of any feed."""
    return state.broken_at is None and now - failing_since(state, now) >= broken_after


def decide(
    state: FeedState,
    now: datetime,
    *,
    ok: bool,
    broken_after: timedelta,
    last_success_anywhere: datetime | None = None,
) -> Verdict:
    """The verdict on a poll (see the module docstring)."""
    if ok:
        return Verdict.RECOVERED if state.broken_at is not None else Verdict.FINE
    if not overdue(state, now, broken_after):
        return Verdict.RETRY
    since = failing_since(state, now)
    if last_success_anywhere is not None and last_success_anywhere > since:
        return Verdict.BROKEN
    return Verdict.OUTAGE
