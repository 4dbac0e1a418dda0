"""Telling people about feed health through the outbox: operators, and the chats that care.

In: the operators' chat ids, the store, a message key of `bot.texts` and its values. Out:
notices queued in the outbox, each chat's in its language (one call per message and language;
the outbox makes the row of a chat it has not met yet), and the English text logged.
Fails with SQLAlchemy's errors.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime, timedelta

from bot.feeds.state import FeedState
from bot.storage.store import Store
from bot.texts import DEFAULT_LANG, known, said, text

log = logging.getLogger(__name__)

# Chats that received an alert carried by a catalogue feed this recently depend on it.
DEPENDENT_WINDOW = timedelta(days=30)


def when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


class Notices:
    """Queues the feed-health notices."""

    def __init__(self, store: Store, operators: Collection[int]) -> None:
        self.store = store
        self.operators = sorted(operators)

    def feed(self, state: FeedState, key: str, now: datetime, **values: object) -> None:
        """Tell the operators and the chats that depend on the feed. A value that can say
        itself (a phrase, an error carrying one) is said in each chat's language."""
        feed = state.feed
        assert feed.id is not None
        chats = set(self.operators)
        chats.update(self.store.polls.feed_dependents(feed.id, since=now - DEPENDENT_WINDOW))
        log.warning(
            "%s",
            text(key, DEFAULT_LANG, name=feed.name, url=feed.url, **_said(values, DEFAULT_LANG)),
        )
        for lang, chat_ids in self._by_language(chats).items():
            message = text(key, lang, name=feed.name, url=feed.url, **_said(values, lang))
            self.store.outbox.enqueue_notice(chat_ids, message, now=now)

    def operators_only(
        self, key: str, now: datetime, *, error: bool = False, **values: str
    ) -> None:
        """Tell the operators (an outage is ours, not a feed's)."""
        log.log(logging.ERROR if error else logging.WARNING, "%s", text(key, **values))
        for lang, chat_ids in self._by_language(self.operators).items():
            self.store.outbox.enqueue_notice(chat_ids, text(key, lang, **values), now=now)

    def _by_language(self, chat_ids: Collection[int]) -> dict[str, list[int]]:
        """The chats grouped by the language they read (English for one not met yet)."""
        groups: dict[str, list[int]] = {}
        for chat_id in sorted(chat_ids):
            found = self.store.chats.chat_settings(chat_id)
            lang = known(found.lang) if found is not None else DEFAULT_LANG
            groups.setdefault(lang, []).append(chat_id)
        return groups


def _said(values: dict[str, object], lang: str) -> dict[str, object]:
    """The values as a reader of `lang` sees them. An error is its str() in English: the text
    the log and the feed's state hold, which can say more than its phrase's English."""
    return {
        k: str(v) if lang == DEFAULT_LANG and isinstance(v, Exception) else said(v, lang)
        for k, v in values.items()
    }
