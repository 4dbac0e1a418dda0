"""Feed health as text for people: what `python -m bot feeds` prints and /feedhealth answers.

In: `FeedHealth` rows from the store, the feeds' WebSub subscriptions as `HubView`s (by feed
id), the current time and the reader's language. Out: plain text from the message catalogue,
one block per feed (name, URL, state, last success, next poll, articles per day, how its hub
pushes it if it has one, last error). A hub is shown by its host only, its reason with URLs
cut to their hosts (`HubView`): never a secret, a topic or a URL that may carry a token.
Pure, never raises.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from bot.feeds.state import FeedHealth, HubView
from bot.models import FeedKind
from bot.texts import DEFAULT_LANG, text
from bot.texts.formats import ago, local_moment
from bot.websub.lease import HubState

# The states, worst first: the order of the report and of its summary line.
_STATUS = {
    "broken": "feedhealth.status.broken",
    "failing": "feedhealth.status.failing",
    "new": "feedhealth.status.new",
    "ok": "feedhealth.status.ok",
    "off": "feedhealth.status.off",
}
_KIND = {
    FeedKind.CATALOGUE: "feedhealth.kind.catalogue",
    FeedKind.TEMPLATE: "feedhealth.kind.template",
    FeedKind.TICKER: "feedhealth.kind.ticker",
    FeedKind.USER: "feedhealth.kind.user",
}
# A hub that is not pushing: polled as before, asked again at `retry_at`.
_RESTING = {
    HubState.DENIED: "feedhealth.hub.denied",
    HubState.FAILED: "feedhealth.hub.failed",
    HubState.SILENT: "feedhealth.hub.silent",
}
INDENT = "  "


def _ago(moment: datetime | None, now: datetime, lang: str) -> str:
    if moment is None:
        return text("feedhealth.never", lang)
    return ago(moment, now, lang)


def _at(moment: datetime | None, lang: str) -> str:
    """A point in time in UTC (the operator's servers' zone, and the log's)."""
    if moment is None:
        return text("feedhealth.hub.now", lang)
    return local_moment(moment, "UTC", lang)


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


def hub_line(hub: HubView, now: datetime, lang: str = DEFAULT_LANG) -> str:
    """How the hub updates a feed: pushed within a lease, asked and waiting, or not pushing
    (why, and when it is asked again)."""
    host = hub.host
    if hub.state is HubState.ACTIVE and hub.lease_until is not None and hub.lease_until > now:
        return text(
            "feedhealth.hub.pushed",
            lang,
            host=host,
            until=_at(hub.lease_until, lang),
            last=_ago(hub.last_push_at, now, lang),
        )
    if hub.state is HubState.ACTIVE:  # the lease ran out before a renewal was verified
        return text(
            "feedhealth.hub.lapsed", lang, host=host, ended=_ago(hub.lease_until, now, lang)
        )
    if hub.state is HubState.PENDING:
        return text(
            "feedhealth.hub.pending", lang, host=host, asked=_ago(hub.requested_at, now, lang)
        )
    if hub.state is HubState.NEW:
        return text("feedhealth.hub.new", lang, host=host)
    if hub.state is HubState.LEAVING:
        return text("feedhealth.hub.leaving", lang, host=host)
    return text(
        _RESTING[hub.state],
        lang,
        host=host,
        reason=hub.reason or text("feedhealth.hub.no_reason", lang),
        retry=_at(hub.retry_at, lang),
    )


def _feed_block(row: FeedHealth, hub: HubView | None, now: datetime, lang: str) -> list[str]:
    state = row.state
    kind = text(_KIND[state.kind], lang) if state.kind in _KIND else str(state.kind)
    lines = [
        "",
        text(
            "feedhealth.head",
            lang,
            status=text(_STATUS[status(row)], lang),
            name=state.feed.name,
            kind=kind,
        ),
        INDENT + state.feed.url,
        INDENT
        + text(
            "feedhealth.polls",
            lang,
            success=_ago(state.last_success_at, now, lang),
            next=_ago(state.next_poll_at, now, lang)
            if row.enabled
            else text("feedhealth.none", lang),
            rate=f"{row.articles_per_day:.1f}",
        ),
    ]
    if hub is not None:
        lines.append(INDENT + hub_line(hub, now, lang))
    error = state.error_for(lang)
    if error:
        lines.append(
            INDENT
            + text(
                "feedhealth.error",
                lang,
                when=_ago(row.last_error_at, now, lang),
                count=state.error_count,
                error=error,
            )
        )
    return lines


def format_health(
    rows: Sequence[FeedHealth],
    now: datetime,
    *,
    hubs: Mapping[int, HubView] | None = None,
    lang: str = DEFAULT_LANG,
    limit: int | None = None,
) -> str:
    """The health of `rows`, worst first (broken, failing, new, ok, off), at most `limit`;
    a feed with a subscription in `hubs` says how its hub pushes it."""
    order = {word: rank for rank, word in enumerate(_STATUS)}
    ranked = sorted(rows, key=lambda r: (order[status(r)], r.state.feed.name.lower()))
    counts = {word: sum(1 for r in rows if status(r) == word) for word in _STATUS}
    summary = text("feedhealth.separator", lang).join(
        text("feedhealth.count", lang, count=n, status=text(_STATUS[word], lang))
        for word, n in counts.items()
        if n
    )
    lines = [
        text(
            "feedhealth.summary",
            lang,
            count=len(rows),
            summary=summary or text("feedhealth.none", lang),
        )
    ]
    hubs = hubs or {}
    for row in ranked[:limit] if limit else ranked:
        feed_id = row.state.feed.id
        lines += _feed_block(row, hubs.get(feed_id) if feed_id is not None else None, now, lang)
    if limit and len(ranked) > limit:
        lines.append("")
        more = text(
            "feedhealth.more", lang, count=len(ranked) - limit, command="python -m bot feeds"
        )
        lines.append(more)
    return "\n".join(lines)
