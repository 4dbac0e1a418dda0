"""The alerts a poll's new stories make: who is told of each story, and why.

In: new stories (`Article`s), the `Matcher`, the oldest publication date still alerted, and the
chats that own a user feed (None for the others). Out: each story's `Alert`s (chat and hits),
keyed by its entry id; the commit turns them into outbox rows for the stories whose insert
won. A ticker hit counts only when the story passes its subscription's `Choice`: the kind of
source, the event types (tagged at parse), and for reach "about" the story being about the
company (its companies ranked once per story by `bot.matching.about.rank_companies`, and only
when a hit needs it); keyword hits always count. Nothing is rendered here: an alert is
rendered when it is sent, in its chat's language (bot.delivery.compose). Pure apart from the
metrics; never raises for any article.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.matching.about import rank_companies
from bot.matching.detect import Mention, detect_tickers
from bot.matching.index import MatchIndex
from bot.matching.tickers import TickerUniverse
from bot.models import Alert, Article, Choice, EventRule, Hit, Kind, Reach
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
        return _chosen(alerts, _Reading(article, self.universe, mentions))


class _Reading:
    """Who the story is about, read on first need and then kept; and each ticker hit's verdict,
    by choice and symbol (thousands of chats share a few choices)."""

    __slots__ = ("_about", "_article", "_mentions", "_universe", "verdicts")

    def __init__(
        self, article: Article, universe: TickerUniverse, mentions: dict[int, Mention]
    ) -> None:
        self._article, self._universe, self._mentions = article, universe, mentions
        self._about: frozenset[int] | None = None  # the CIKs of the companies it is about
        # By the choice's identity (the storage shares one object per distinct choice) and
        # symbol: a dict lookup per hit, where hashing the choice itself would cost more.
        self.verdicts: dict[tuple[int, str], bool] = {}

    def about(self, symbol: str) -> bool:
        """Whether the story is about the company `symbol` names (any of its share classes)."""
        if self._about is None:
            ranked = rank_companies(self._article, self._universe, self._mentions)
            self._about = frozenset(r.mention.company.cik for r in ranked if r.about)
        company = self._universe.company(symbol)
        return company is not None and company.cik in self._about

    def takes(self, choice: Choice, symbol: str) -> bool:
        """Whether a ticker subscription with `choice` takes this story."""
        if not choice.takes_source(self._article.kind):
            return False
        if choice.event_rule is not EventRule.ALL and not choice.takes_events(self._article.events):
            return False
        return choice.reach is Reach.ANY or self.about(symbol)


def _chosen(alerts: list[Alert], reading: _Reading) -> list[Alert]:
    """The alerts with the ticker hits their subscriptions' choices refuse taken out; an alert
    left with no hit is dropped (a keyword hit keeps it)."""
    kept: list[Alert] = []
    verdicts = reading.verdicts
    for alert in alerts:
        hits = alert.hits
        wanted: list[Hit] = []
        for hit in hits:  # the hot loop: one dict lookup per ticker hit once warm
            sub = hit.subscription
            if sub.kind is Kind.TICKER:
                key = (id(sub.choice), sub.value)
                verdict = verdicts.get(key)
                if verdict is None:
                    verdict = verdicts[key] = reading.takes(sub.choice, sub.value)
                if not verdict:
                    continue
            wanted.append(hit)
        if len(wanted) == len(hits):
            kept.append(alert)
        elif wanted:
            kept.append(Alert(alert.chat_id, alert.article, tuple(wanted)))
    return kept


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
