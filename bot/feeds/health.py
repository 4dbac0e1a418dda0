"""Feed health as text for people: what `python -m bot feeds` prints and /feedhealth answers.

In: `FeedHealth` rows from the store and the current time. Out: plain text, one block per feed
(name, URL, state, last success, last error, error count, next poll, articles per day).
Pure, never raises.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.feeds.state import FeedHealth


def _ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    seconds = int((now - moment).total_seconds())
    sign = "ago" if seconds >= 0 else "from now"
    seconds = abs(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} {sign}"
    return f"{seconds}s {sign}"


def status(row: FeedHealth) -> str:
    """One word for the feed's state: ok, new, failing, broken or off."""
    state = row.state
    if not row.enabled:
        return "off"
    if state.broken_at is not None:
        return "broken"
    if state.error_count:
        return "failing"
    return "ok" if state.last_success_at is not None else "new"


def format_health(rows: Sequence[FeedHealth], now: datetime, *, limit: int | None = None) -> str:
    """The health of `rows`, worst first (broken, failing, new, ok, off), at most `limit`."""
    order = {"broken": 0, "failing": 1, "new": 2, "ok": 3, "off": 4}
    ranked = sorted(rows, key=lambda r: (order[status(r)], r.state.feed.name.lower()))
    counts = {word: sum(1 for r in rows if status(r) == word) for word in order}
    summary = ", ".join(f"{n} {word}" for word, n in counts.items() if n)
    lines = [f"{len(rows)} feeds: {summary or 'none'}"]
    for row in ranked[:limit] if limit else ranked:
        state = row.state
        lines.append("")
        lines.append(f"[{status(row)}] {state.feed.name} ({state.kind})")
        lines.append(f"  {state.feed.url}")
        lines.append(
            f"  last success {_ago(state.last_success_at, now)}; next poll "
            f"{_ago(state.next_poll_at, now) if row.enabled else 'none'}; "
            f"{row.articles_per_day:.1f} articles/day"
        )
        if state.last_error:
            lines.append(
                f"  last error {_ago(row.last_error_at, now)} ({state.error_count} in a row): "
                f"{state.last_error}"
            )
    if limit and len(ranked) > limit:
        lines.append("")
        lines.append(f"... and {len(ranked) - limit} more (python -m bot feeds shows all)")
    return "\n".join(lines)
