"""The alerts a poll's new stories make: who is told of each story, and why.

In: new stories (`Article`s), the `Matcher`, the oldest publication date still alerted, and the
chats that own a user feed (None for the others). Out: each story's `Alert`s (chat and hits),
keyed by its entry id; the commit turns them into outbox rows for the stories whose insert
won. Nothing is rendered here: an alert is rendered when it is sent, in its chat's language
(bot.delivery.compose). Pure apart from the metrics; never raises for any article.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.matching.detect import detect_tickers
from bot.matching.index import MatchIndex
from bot.matching.tickers import TickerUniverse
from bot.models import Alert, Article
from bot.observability.metrics import MATCHES


@dataclass(frozen=True, slots=True)
class Matcher:
    """Tickers are detected once per article, then the one index finds every chat's hits."""

    universe: TickerUniverse
    index: MatchIndex

    def alerts(self, article: Article) -> list[Alert]:
        return self.index.match(article, detect_tickers(article, self.universe))


def story_alerts(
    stories: Sequence[Article],
    matcher: Matcher,
    *,
    oldest: datetime,
    owners: Collection[int] | None = None,
) -> dict[str, list[Alert]]:
    """Match new stories, by entry id; stories published before `oldest` are not alerted, and
    with `owners` (a user feed) only those chats are."""
    found: dict[str, list[Alert]] = {}
    for article in stories:
        if article.published is not None and article.published < oldest:
            continue
        alerts = matcher.alerts(article)
        if owners is not None:
            alerts = [a for a in alerts if a.chat_id in owners]
        if alerts:
            MATCHES.inc(len(alerts))
            found[article.entry_id] = alerts
    return found
