"""The alerts a poll's new stories make: who is told of each story, and why.

In: new stories (`Article`s), the `Matcher`, the oldest publication date still alerted, and the
chats that own a user feed (None for the others). Out: each story's `Alert`s (chat and hits),
keyed by its entry id; the commit turns them into outbox rows for the stories whose insert
won. A ticker hit counts only when the story passes its subscription's `Choice`: the kind of
source, the event types, and for reach "about" the story being about the company (read once per
story by `bot.matching.about.read_story`, and only when a hit needs it); keyword hits always
count. Nothing is rendered here: an alert is rendered when it is sent, in its chat's language
(bot.delivery.compose). Pure apart from the metrics; never raises for any article.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.matching.about import Story, read_story
from bot.matching.detect import Mention, detect_tickers
from bot.matching.index import MatchIndex
from bot.matching.tickers import TickerUniverse
from bot.models import Alert, Article, EventRule, Hit, Kind, Reach
from bot.observability.metrics import MATCHES


@dataclass(frozen=True, slots=True)
class Matcher:
    """Tickers are detected once per article, then the one index finds every chat's hits,
    and each ticker hit is kept or dropped by its subscription's choice."""

    universe: TickerUniverse
    index: MatchIndex

    def alerts(self, article: Article) -> list[Alert]:
        mentions = detect_tickers(article, self.universe)
        alerts = self.index.match(article, mentions)
        if not mentions:
            return alerts  # keyword hits only: nothing to choose
        return chosen(alerts, _Reading(article, self.universe, mentions))


class _Reading:
    """The story as `read_story` sees it, read on first need and then kept."""

    __slots__ = ("_about", "_article", "_mentions", "_story", "_universe")

    def __init__(
        self, article: Article, universe: TickerUniverse, mentions: dict[int, Mention]
    ) -> None:
        self._article, self._universe, self._mentions = article, universe, mentions
        self._story: Story | None = None
        self._about: frozenset[int] | None = None  # the CIKs of the companies it is about

    @property
    def article(self) -> Article:
        return self._article

    def story(self) -> Story:
        if self._story is None:
            self._story = read_story(self._article, self._universe, self._mentions)
        return self._story

    def about(self, symbol: str) -> bool:
        """Whether the story is about the company `symbol` names (any of its share classes)."""
        if self._about is None:
            self._about = frozenset(r.mention.company.cik for r in self.story().ranked if r.about)
        company = self._universe.company(symbol)
        return company is not None and company.cik in self._about


def chosen(alerts: list[Alert], reading: _Reading) -> list[Alert]:
    """The alerts with the ticker hits their subscriptions' choices refuse taken out; an alert
    left with no hit is dropped (a keyword hit keeps it)."""
    kept: list[Alert] = []
    for alert in alerts:
        hits = alert.hits
        wanted = tuple(h for h in hits if _takes(h, reading))
        if len(wanted) == len(hits):
            kept.append(alert)
        elif wanted:
            kept.append(Alert(alert.chat_id, alert.article, wanted))
    return kept


def _takes(hit: Hit, reading: _Reading) -> bool:
    """Whether one hit counts: keywords always; a ticker when the story passes its choice."""
    sub = hit.subscription
    if sub.kind is not Kind.TICKER:
        return True
    choice = sub.choice
    if not choice.takes_source(reading.article.kind):
        return False
    if choice.event_rule is not EventRule.ALL and not choice.takes_events(reading.story().events):
        return False
    return choice.reach is Reach.ANY or reading.about(sub.value)


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
