"""The ideas the pipeline passes between its stages, one dataclass each.

In: nothing (pure data). Out: `Feed`, `Article`, `Subscription` (with its `Choice`), `Hit`,
`Alert`.
Stages never pass feedparser dicts or database rows to each other, only these. All are frozen
except `Hit` and `Alert`, which matching builds hundreds of per article (one per subscriber):
a frozen dataclass's `__init__` costs three times a plain one's. They hash by value all the
same (rendering caches texts by alert): treat them as immutable too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class SourceKind(StrEnum):
    """What kind of source a story comes from, which a ticker subscription may switch off."""

    NEWS = "news"
    PRESS = "press"
    FILINGS = "filings"


@dataclass(frozen=True, slots=True)
class Feed:
    """A feed the bot polls: a name for people, a URL, how often to poll it (seconds), and
    what kind of source it is (news, press releases, filings)."""

    name: str
    url: str
    interval: int
    id: int | None = None
    source: SourceKind = SourceKind.NEWS


@dataclass(frozen=True, slots=True)
class Article:
    """One news item, cleaned: what parse produces and match, render and the outbox consume.

    `key` is the story's identity across outlets (the canonical link, else the feed's own id);
    `entry_id` is the identity within its feed (GUID, else canonical link, else title and date).
    `text` is plain text, paragraphs separated by a blank line; no HTML survives parse.
    `feed_tickers` are tickers the feed itself attached (categories such as "NYSE:F").
    """

    key: str
    entry_id: str
    title: str
    url: str
    text: str
    published: datetime | None
    source: str
    feed_tickers: tuple[str, ...] = ()
    # Other outlets that carried the same story: (source name, url) pairs.
    also: tuple[tuple[str, str], ...] = ()
    # SEC filings: the form type ("8-K") and, for an 8-K, its item numbers ("2.02", ...).
    form: str | None = None
    items: tuple[str, ...] = ()
    # Companies the feed itself says the item is about, by SEC CIK (EDGAR filings).
    ciks: tuple[int, ...] = ()
    # The kind of source (from the feed; every EDGAR filing is FILINGS) and the story's event
    # types (bot.matching.events, tagged at parse and stored with the story).
    kind: SourceKind = SourceKind.NEWS
    events: tuple[str, ...] = ()


class Kind(StrEnum):
    """What a subscription watches."""

    TICKER = "ticker"
    KEYWORD = "keyword"


class Reach(StrEnum):
    """Which stories a ticker subscription takes: those about the company, or any mention."""

    ABOUT = "about"
    ANY = "any"


class EventRule(StrEnum):
    """How a ticker subscription's event list is read: all events, only these, all but these."""

    ALL = "all"
    ONLY = "only"
    EXCEPT = "except"


@dataclass(frozen=True, slots=True)
class Choice:
    """A ticker subscription's options; the defaults are those of a new subscription. A keyword
    subscription's row holds one too, never read: keywords are not filtered by it."""

    reach: Reach = Reach.ABOUT
    sources_off: frozenset[SourceKind] = frozenset()
    event_rule: EventRule = EventRule.ALL
    events: tuple[str, ...] = ()  # the event types the rule names (bot.matching.events)

    def takes_source(self, kind: SourceKind) -> bool:
        return kind not in self.sources_off

    def takes_events(self, events: tuple[str, ...]) -> bool:
        """Whether a story with these event types passes the event rule (a story with none
        passes "except" rules and fails "only" rules)."""
        if self.event_rule is EventRule.ONLY:
            return any(e in self.events for e in events)
        if self.event_rule is EventRule.EXCEPT:
            return not any(e in self.events for e in events)
        return True


DEFAULT_CHOICE = Choice()


@dataclass(frozen=True, slots=True)
class Subscription:
    """One thing a chat watches: a ticker ("AMZN") or a keyword query ("AI chips -crypto"),
    and for a ticker the chat's `Choice` of stories."""

    id: int
    chat_id: int
    kind: Kind
    value: str
    choice: Choice = DEFAULT_CHOICE


@dataclass(slots=True, unsafe_hash=True)
class Hit:
    """Why an article matched one subscription: the words that matched and their sentence."""

    subscription: Subscription
    terms: tuple[str, ...]
    sentence: str


@dataclass(slots=True, unsafe_hash=True)
class Alert:
    """One article for one chat, with every reason it matched."""

    chat_id: int
    article: Article
    hits: tuple[Hit, ...] = field(default_factory=tuple)

    @property
    def tickers(self) -> tuple[str, ...]:
        return tuple(h.subscription.value for h in self.hits if h.subscription.kind is Kind.TICKER)

    @property
    def keywords(self) -> tuple[str, ...]:
        return tuple(h.subscription.value for h in self.hits if h.subscription.kind is Kind.KEYWORD)


class DeliveryMode(StrEnum):
    """When a chat's alerts go out: each at once, or gathered into a digest."""

    INSTANT = "instant"
    HOURLY = "hourly"
    DAILY = "daily"


@dataclass(frozen=True, slots=True)
class ChatSettings:
    """How and when one chat wants its alerts. Times are "HH:MM" in the chat's `timezone`
    (an IANA name); quiet hours may cross midnight; `quiet_mode` is "hold" (deliver one digest
    when they end) or "silent" (send without notification)."""

    chat_id: int
    timezone: str = "UTC"
    delivery_mode: DeliveryMode = DeliveryMode.INSTANT
    digest_time: str = "08:00"
    quiet_start: str | None = None
    quiet_end: str | None = None
    quiet_mode: str = "hold"
    max_per_hour: int | None = None
    paused_at: datetime | None = None
    link_previews: bool = False
    lang: str = "en"
    thread_id: int | None = None


class DeliveryStatus(StrEnum):
    """Where an outbox row stands (the life of a row: bot.storage.outbox)."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    UNCONFIRMED = "unconfirmed"
    DIGESTED = "digested"
    DROPPED = "dropped"
    FAILED = "failed"


class DeliveryKind(StrEnum):
    """What an outbox row carries: one story, a digest of several, or a message of the bot's."""

    ALERT = "alert"
    DIGEST = "digest"
    NOTICE = "notice"
    BROADCAST = "broadcast"


class FeedKind(StrEnum):
    """Where a feed comes from: the operator's catalogue, a `{ticker}` template of it (and the
    feeds made from one per watched ticker), or a chat's own /addfeed."""

    CATALOGUE = "catalogue"
    TEMPLATE = "template"
    TICKER = "ticker"
    USER = "user"
