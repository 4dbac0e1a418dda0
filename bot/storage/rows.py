"""Database rows to the pipeline's dataclasses: one converter per idea, shared by the
repositories.

In: SQLAlchemy rows of the `articles`, `subscriptions` and `chats` tables. Out: `Article`,
`Subscription` (with its `Choice`), `ChatSettings`; and a `Choice` back to its columns. Pure;
fails only on a row of another shape (AttributeError).
"""

from __future__ import annotations

import functools
from typing import Any

from bot.models import (
    Article,
    ChatSettings,
    Choice,
    DeliveryMode,
    EventRule,
    Kind,
    Reach,
    SourceKind,
    Subscription,
)

# The chats columns that hold a chat's settings (all of ChatSettings but its id).
SETTINGS_COLUMNS = {f for f in ChatSettings.__dataclass_fields__ if f != "chat_id"}


def article_of(row: Any) -> Article:
    return Article(
        key=row.key,
        entry_id=row.key,
        title=row.title,
        url=row.url,
        text=row.text,
        published=row.published,
        source=row.source,
        feed_tickers=tuple(row.feed_tickers.split()),
        form=row.form,
        items=tuple(row.items.split()),
        ciks=tuple(int(c) for c in row.ciks.split() if c.isdigit()),
        events=tuple(row.events.split()),
    )


def subscription_of(row: Any) -> Subscription:
    return Subscription(
        id=row.id, chat_id=row.chat_id, kind=Kind(row.kind), value=row.value, choice=choice_of(row)
    )


def choice_of(row: Any) -> Choice:
    """A subscriptions row's choice; an unknown word (written by a newer version) is skipped.
    Rows with the same columns share one `Choice` (matching caches its verdicts by choice)."""
    return _choice(row.reach, row.sources_off, row.event_rule, row.events)


@functools.lru_cache(maxsize=4096)
def _choice(reach: str, sources_off: str, event_rule: str, events: str) -> Choice:
    known = {k.value for k in SourceKind}
    return Choice(
        reach=Reach(reach) if reach in {r.value for r in Reach} else Reach.ABOUT,
        sources_off=frozenset(SourceKind(w) for w in sources_off.split() if w in known),
        event_rule=EventRule(event_rule)
        if event_rule in {r.value for r in EventRule}
        else EventRule.ALL,
        events=tuple(events.split()),
    )


def choice_values(choice: Choice) -> dict[str, str]:
    """The subscriptions columns that hold `choice`."""
    return {
        "reach": choice.reach.value,
        "sources_off": " ".join(sorted(k.value for k in choice.sources_off)),
        "event_rule": choice.event_rule.value,
        "events": " ".join(choice.events),
    }


def chat_settings_of(row: Any) -> ChatSettings:
    return ChatSettings(
        chat_id=row.id,
        timezone=row.timezone,
        delivery_mode=DeliveryMode(row.delivery_mode),
        digest_time=row.digest_time,
        quiet_start=row.quiet_start,
        quiet_end=row.quiet_end,
        quiet_mode=row.quiet_mode,
        max_per_hour=row.max_per_hour,
        paused_at=row.paused_at,
        link_previews=row.link_previews,
        lang=row.lang,
        thread_id=row.thread_id,
    )
