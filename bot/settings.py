"""Settings, read once from the environment (or `.env`) and passed down to every stage.

In: environment variables / `.env`. Out: a validated, frozen `Settings`.
Fails with pydantic's `ValidationError` naming the bad variable; nothing reads the environment
anywhere else, and nothing here runs at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.texts import DEFAULT_LANG, known, languages, text

# The shipped English disclaimer; every language ships its own ("disclaimer" in its catalogue).
DEFAULT_DISCLAIMER = text("disclaimer", DEFAULT_LANG)


class Settings(BaseSettings):
    """Every setting the bot has; each one is documented in the README's settings table."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    bot_token: SecretStr | None = Field(None, description="token from @BotFather")
    telegram_api_url: str = Field(
        "https://api.telegram.org", description="root of the Bot API server"
    )
    database_url: str | None = Field(None, description="SQLAlchemy URL")
    data_dir: Path = Field(Path("data"), description="where the SQLite file and caches live")
    feeds_file: Path = Field(Path("config/feeds.toml"), description="the feed catalogue (TOML)")
    poll_interval: int = Field(300, ge=1, description="default seconds between polls of a feed")
    poll_adaptive: bool = Field(
        True, description="poll each feed by its learned rhythm within the fixed schedule's budget"
    )
    poll_min_interval: float = Field(
        5.0, ge=0.5, description="shortest seconds between two polls of a feed (adaptive)"
    )
    poll_max_interval: float = Field(
        3600.0, ge=1, description="longest seconds between two polls of a feed (adaptive)"
    )
    tickers_file: Path | None = Field(None, description="a local SEC company_tickers_exchange.json")
    sec_user_agent: str | None = Field(None, description="'Name contact@example.com' for EDGAR")
    admin_chat_ids: Annotated[frozenset[int], NoDecode] = Field(
        frozenset(), description="comma-separated Telegram user ids of operators"
    )
    disclaimer: str = Field(
        DEFAULT_DISCLAIMER, min_length=1, max_length=2000, description="risk disclaimer"
    )
    disclaimer_zh: str | None = Field(
        None, min_length=1, max_length=2000, description="risk disclaimer for Chinese chats"
    )
    allow_private_feeds: bool = Field(False, description="allow feeds on private addresses")
    feed_broken_after: float = Field(
        48.0, gt=0, description="hours of failures after which a feed is marked broken"
    )
    max_feed_bytes: int = Field(
        10 * 1024 * 1024, ge=1024, description="largest feed document accepted (decoded bytes)"
    )
    fetch_concurrency: int = Field(20, ge=1, le=500, description="feeds fetched at once")
    per_host_concurrency: int = Field(2, ge=1, le=50, description="fetches at once per host")
    max_user_feeds: int = Field(20, ge=0, description="feeds one chat may add")
    fetch_article_pages: bool = Field(
        False, description="for title-only items, read the linked page's main text"
    )
    summary_length: int = Field(500, ge=100, le=3000, description="summary length in characters")
    max_article_age: int = Field(
        86400, ge=60, description="seconds after which a dated article is too old to alert"
    )
    delivery_interval: float = Field(
        1.0, gt=0, description="seconds between looks at the outbox for alerts to send"
    )
    max_messages_per_second: float = Field(
        30, gt=0, description="messages per second to Telegram overall (paid broadcasts: more)"
    )
    paid_broadcast: bool = Field(
        False,
        description="send with allow_paid_broadcast, up to 1,000 messages a second overall; "
        "Telegram charges Stars from the bot's balance for each message beyond the free 30/s",
    )
    log_level: str = Field("INFO", description="Python logging level")
    max_subscriptions: int = Field(
        200, ge=1, le=10000, description="most tickers and keywords one chat may watch"
    )
    command_rate_limit: int = Field(
        20, ge=1, description="most commands and button presses one chat may send per minute"
    )
    log_format: Literal["text", "json"] = Field("text", description="log lines as text or JSON")
    webhook_url: str | None = Field(None, description="public https base URL for the web role")
    webhook_secret: SecretStr | None = Field(
        None, min_length=16, description="secret Telegram sends with each webhook update"
    )
    webhook_listen: str = Field("0.0.0.0", description="address the web role listens on")  # noqa: S104
    webhook_port: int = Field(8443, ge=1, le=65535, description="port the web role listens on")
    websub: bool | None = Field(
        None,
        description="subscribe to the hubs feeds advertise (WebSub); on by default when "
        "WEBHOOK_URL is set, which hubs reach us at",
    )
    websub_lease_seconds: int = Field(
        7 * 86400, ge=60, le=365 * 86400, description="lease asked of WebSub hubs, in seconds"
    )
    websub_safety_poll: float = Field(
        900.0, ge=1, description="seconds between the safety polls of a feed its hub pushes"
    )
    worker_lease: int = Field(
        180,
        ge=1,
        description="seconds a worker holds a feed it polls or an alert it sends; a dead "
        "worker's work passes to the others after this",
    )
    redis_url: str | None = Field(
        None,
        description="Redis URL through which delivery workers share Telegram's overall limit; "
        "without it they share it through the database",
    )
    health_port: int | None = Field(
        None, ge=0, le=65535, description="port for /healthz and /metrics; off when unset"
    )

    @field_validator("admin_chat_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(int(part) for part in value.replace(" ", "").split(",") if part)
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    def disclaimer_for(self, lang: str) -> str:
        """The disclaimer a chat in `lang` reads: that language's own setting (DISCLAIMER_ZH),
        else DISCLAIMER when the operator set it, else the language's shipped default."""
        own = {"zh_Hans": self.disclaimer_zh}.get(lang)
        if own:
            return own
        if "disclaimer" in self.model_fields_set:
            return self.disclaimer
        return text("disclaimer", known(lang))

    def disclaimers(self) -> dict[str, str]:
        """`disclaimer_for` every language with a catalogue."""
        return {lang: self.disclaimer_for(lang) for lang in languages()}

    @property
    def websub_on(self) -> bool:
        """WebSub in use: WEBSUB, else on when the bot has a public URL (WEBHOOK_URL)."""
        if self.webhook_url is None:
            return False
        return self.websub if self.websub is not None else True

    @property
    def database(self) -> str:
        """The SQLAlchemy URL to use: DATABASE_URL, else a SQLite file under DATA_DIR."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'bot.sqlite3'}"
