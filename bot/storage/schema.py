"""The database schema (SQLAlchemy Core), the single source the migrations are checked against.

In: nothing. Out: `metadata` and its tables. Duplicates are stopped here, by unique
constraints, not by code: an entry is stored once per feed, a story once, an alert once per chat.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy import text as sql_text
from sqlalchemy.engine import Dialect


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use UTC-aware datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

chats = Table(
    "chats",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("type", String(32), nullable=False),
    Column("title", String(255)),
    Column("lang", String(8), nullable=False, server_default="en"),
    Column("active", Boolean, nullable=False, server_default="1"),
    Column("link_previews", Boolean, nullable=False, server_default="0"),
    Column("created_at", UTCDateTime, nullable=False),
    # The chat's day (see bot.models.ChatSettings): when and how alerts reach it.
    Column("timezone", String(64), nullable=False, server_default="UTC"),
    Column("delivery_mode", String(16), nullable=False, server_default="instant"),
    Column("digest_time", String(5), nullable=False, server_default="08:00"),
    Column("quiet_start", String(5)),
    Column("quiet_end", String(5)),
    Column("quiet_mode", String(8), nullable=False, server_default="hold"),
    Column("max_per_hour", Integer),
    Column("paused_at", UTCDateTime),
    # Forum supergroups: alerts go to the topic where the bot was set up.
    Column("thread_id", BigInteger),
    # Consecutive failed sends; the chat is deactivated after several.
    Column("send_failures", Integer, nullable=False, server_default="0"),
    # Delivery (0004): the highest message id the bot has seen in the chat (its own sent
    # messages, and since 0008 the messages it receives); after a crash, an
    # in-flight alert is looked for just above it.
    Column("last_message_id", BigInteger),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("chat_id", BigInteger, ForeignKey("chats.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("value", String(500), nullable=False),
    Column("muted", Boolean, nullable=False, server_default="0"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("snoozed_until", UTCDateTime),  # silent until then; NULL when not snoozed (0010)
    # A ticker's choice of stories (0013, bot.models.Choice): "about" or "any"; the sources
    # switched off (space-separated); the event rule ("all", "only", "except") and its events.
    Column("reach", String(8), nullable=False, server_default="about"),
    Column("sources_off", String(64), nullable=False, server_default=""),
    Column("event_rule", String(8), nullable=False, server_default="all"),
    Column("events", Text, nullable=False, server_default=""),
    UniqueConstraint("chat_id", "kind", "value"),
)

feeds = Table(
    "feeds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", String(2000), nullable=False, unique=True),
    Column("name", String(255), nullable=False),
    Column("interval", Integer, nullable=False),
    # What kind of source the feed is: "news", "press" or "filings" (0013, bot.models.SourceKind).
    Column("source", String(16), nullable=False, server_default="news"),
    Column("enabled", Boolean, nullable=False, server_default="1"),
    Column("etag", String(500)),
    Column("last_modified", String(100)),
    # Null until the first successful fetch: that fetch only records what the feed already
    # holds (a baseline), so that a new feed does not flood chats with old items.
    Column("baseline_at", UTCDateTime),
    Column("last_fetch_at", UTCDateTime),
    Column("last_success_at", UTCDateTime),
    Column("last_error", Text),
    # The same reason as a catalogue phrase (JSON, `bot.storage.phrases`), said in the reader's
    # language; NULL for failures recorded before 0012 (shown in English) and for successes.
    Column("last_error_phrase", Text),
    Column("error_count", Integer, nullable=False, server_default="0"),
    Column("next_poll_at", UTCDateTime),
    # Scale-out (0006): the worker fetching this feed now, until when (a dead worker's lease
    # simply expires).
    Column("lease_owner", String(128)),
    Column("leased_until", UTCDateTime),
    # "catalogue" (the operator's), "template" (a URL with {ticker}; never polled itself),
    # "ticker" (a template instantiated for `ticker`), or "user" (added by chats: feed_owners).
    Column("kind", String(16), nullable=False, server_default="catalogue"),
    Column("template", String(2000)),
    Column("ticker", String(32)),
    # The start of the current run of failures; a feed failing for FEED_BROKEN_AFTER hours is
    # marked broken (and its people told once) until a fetch works again.
    Column("failing_since", UTCDateTime),
    Column("last_error_at", UTCDateTime),
    Column("broken_at", UTCDateTime),
    # The feed's publishing rhythm over the week (`bot.feeds.rhythm.dumps`): what the adaptive
    # schedule learns from the dates of its items.
    Column("rhythm", Text),
)

# The chats that added a user feed (a feed is shared by every chat that added the same URL).
feed_owners = Table(
    "feed_owners",
    metadata,
    Column("feed_id", Integer, ForeignKey("feeds.id", ondelete="CASCADE"), primary_key=True),
    Column("chat_id", BigInteger, ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True),
    Column("added_at", UTCDateTime, nullable=False),
)

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True),
    # The story's identity across outlets: the canonical link, else the feed's entry id.
    Column("key", String(2000), nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("source", String(255), nullable=False),
    Column("published", UTCDateTime),
    Column("first_seen", UTCDateTime, nullable=False),
    Column("form", String(32)),
    # Tickers, item numbers and CIKs as space-separated words: small, and only displayed.
    Column("feed_tickers", Text, nullable=False, server_default=""),
    Column("items", Text, nullable=False, server_default=""),
    Column("ciks", Text, nullable=False, server_default=""),
    # The story's event types (bot.matching.events) as space-separated words (0013).
    Column("events", Text, nullable=False, server_default=""),
    # The title reduced to its words (bot.feeds.dedup.title_key): the same story under other
    # links, from another outlet within a day, is found by it. Null for filings.
    Column("title_key", String(500)),
    Index(None, "first_seen"),
    Index(None, "title_key"),
)

# One row per (feed, entry): the same entry is never stored twice for one feed, and the same
# story carried by several feeds points at one article.
article_sources = Table(
    "article_sources",
    metadata,
    Column("feed_id", Integer, ForeignKey("feeds.id", ondelete="CASCADE"), primary_key=True),
    Column("entry_id", String(1000), primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("seen_at", UTCDateTime, nullable=False),
)

# The outbox: one row per (chat, article), written before any send; status moves
# pending -> sending (committed just before the request) -> sent (with Telegram's message id),
# or -> failed/dropped (with the reason), or -> digested (gathered into a "digest" row);
# a row found "sending" after a crash is looked for in the chat, then marked sent or sent
# again (see bot/storage/outbox.py and bot/delivery/recovery.py).
# `kind` (bot.models.DeliveryKind) is "alert" (one article), "digest", or "notice" /
# "broadcast" (no article: feed health notices, operator broadcasts), so that everything the
# bot pushes takes the same rate-limited path.
# Since 0009 an alert row holds what to say, not how: its story (`article_id`) and its hits
# (`matched`), rendered in the chat's language when it is sent (bot.delivery.compose). `text`,
# `plain_text` and `buttons` hold a message written when it was queued (notices, broadcasts,
# digests, and alerts queued before 0009, which are sent as they are).
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("chat_id", BigInteger, ForeignKey("chats.id", ondelete="CASCADE"), nullable=False),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE")),
    Column("kind", String(16), nullable=False, server_default="alert"),
    Column("text", Text),
    Column("plain_text", Text),
    Column("buttons", Text),
    Column("status", String(16), nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("not_before", UTCDateTime),
    Column("sent_at", UTCDateTime),
    Column("message_id", BigInteger),
    Column("last_error", Text),
    # Delivery (0004): the hits of an alert, as JSON (bot.storage.hits: since 0009
    # [[kind, value, subscription id, [terms], sentence], ...], before [[kind, value], ...]),
    # rendered with its story and grouped by digests; when a held alert is looked at again
    # (quiet hours, digests, pause, hourly cap); the digest row that gathered it ("digested").
    Column("matched", Text, nullable=False, server_default="[]"),
    Column("held_until", UTCDateTime),
    Column("digest_id", Integer),
    # Who claimed a "sending" row (a worker's id; its claim time is `sent_at`), so that crash
    # recovery takes only its own rows at once and other workers' only after a lease.
    Column("claimed_by", String(128)),
    # The chat's highest known message id when the row was claimed (0008): after a crash, the
    # alert is looked for just above it, however many messages the user wrote since.
    Column("probe_from", BigInteger),
    # A pending row's place in the delivery order (0015; bot.storage.outbox): its batch's
    # queueing time plus the seconds the batch takes at Telegram's free rate, so a story for a
    # few chats goes before the tail of a story for many. NULL until the next round sizes it.
    Column("turn", UTCDateTime),
    UniqueConstraint("chat_id", "article_id"),
    Index(None, "status", "id"),
    # The delivery order, read a round at a time; and the rows not sized yet.
    Index(
        "ix_deliveries_due",
        "turn",
        "id",
        sqlite_where=sql_text("status = 'pending'"),
        postgresql_where=sql_text("status = 'pending'"),
    ),
    Index(
        "ix_deliveries_unsized",
        "created_at",
        sqlite_where=sql_text("turn IS NULL AND status = 'pending'"),
        postgresql_where=sql_text("turn IS NULL AND status = 'pending'"),
    ),
    # At most one row "sending" per chat, enforced by the database across workers (0007): a
    # chat's in-flight alert must get the chat's next message id (crash recovery looks there).
    Index(
        "uq_deliveries_chat_in_flight",
        "chat_id",
        unique=True,
        sqlite_where=sql_text("status = 'sending'"),
        postgresql_where=sql_text("status = 'sending'"),
    ),
)

# Scale-out (0006): named counters bumped with the changes they announce (see
# bot/storage/revisions.py): worker processes reload their match index when "subscriptions"
# moves.
revisions = Table(
    "revisions",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", BigInteger, nullable=False, server_default="0"),
)

# Delivery workers alive (0007): each sends its share of Telegram's overall limit when no
# Redis is configured (see bot/delivery/shared.py); a row is forgotten once not seen for a while.
workers = Table(
    "workers",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("seen_at", UTCDateTime, nullable=False),
)

# WebSub (0014): one subscription per feed that advertises a hub. `state` moves
# new -> pending (asked; the hub's intent check comes to the web role) -> active (verified,
# until `lease_until`; renewed from `renew_at`) or denied / failed / silent (polled as before;
# asked again from `retry_at`). `secret` signs the hub's deliveries (X-Hub-Signature).
websub = Table(
    "websub",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "feed_id",
        Integer,
        ForeignKey("feeds.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    Column("hub", String(2000), nullable=False),
    Column("topic", String(2000), nullable=False),
    Column("secret", String(128), nullable=False),
    Column("state", String(16), nullable=False),
    Column("guarded", Boolean, nullable=False, server_default="0"),  # a user feed's hub
    Column("requested_at", UTCDateTime),
    Column("lease_until", UTCDateTime),
    Column("renew_at", UTCDateTime),
    Column("retry_at", UTCDateTime),
    Column("last_push_at", UTCDateTime),
    Column("misses", Integer, nullable=False, server_default="0"),
    Column("error", Text),
)

# Pushed documents, verified and kept by the web role until a worker's poll tick takes them
# through the feed's poll story (taken: leased by `taken_by` until `taken_until`).
websub_inbox = Table(
    "websub_inbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("feed_id", Integer, ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("content_type", String(255)),
    Column("received_at", UTCDateTime, nullable=False),
    Column("taken_by", String(128)),
    Column("taken_until", UTCDateTime),
    Index(None, "received_at"),
)
