"""The outbox's rows as the rest of the bot sees them, and the one encoding of an alert's hits.

In: an alert's hits (from the match stage) or a `deliveries` row read back. Out: `OutboxRow`
(what the poll stage queues: a story for a chat and why), `Content` (what a queued row says),
`Pending` (a row due, with what the sender needs of its chat), `InFlight` (a row left
"sending"), `Answer` (Telegram accepted a row), and `hits_json` / `hits_of` between hits and
the `matched` column. Pure; `hits_of` raises ValueError (or json's) only for a column this
module did not write.

`matched` is JSON: one [kind, value, subscription id, [terms], sentence] per hit. Rows queued
before migration 0009 hold [kind, value] only (and their rendered text): they read back as
hits of subscription 0 with no terms, enough for a digest to group them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.models import DeliveryKind, Hit, Kind, Subscription


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """An alert to queue: story `article_id` (stored by the dedup stage) for chat `chat_id`,
    with every hit that matched it (the chat's own subscriptions)."""

    chat_id: int
    article_id: int
    hits: tuple[Hit, ...]


def hits_json(hits: Sequence[Hit]) -> str:
    """The `matched` column for some hits (see the module docstring)."""
    return json.dumps(
        [
            [
                h.subscription.kind.value,
                h.subscription.value,
                h.subscription.id,
                h.terms,
                h.sentence,
            ]
            for h in hits
        ],
        separators=(",", ":"),
        ensure_ascii=False,
    )


def hits_of(matched: str, chat_id: int) -> tuple[Hit, ...]:
    """The hits in a `matched` column, for chat `chat_id` (both forms, see above)."""
    hits = []
    for item in json.loads(matched):
        kind, value = Kind(item[0]), str(item[1])
        if len(item) >= 5:
            sub_id, terms, sentence = int(item[2]), tuple(map(str, item[3])), str(item[4])
        else:
            sub_id, terms, sentence = 0, (), ""
        hits.append(Hit(Subscription(sub_id, chat_id, kind, value), terms, sentence))
    return tuple(hits)


def outbox_values(row: OutboxRow, now: datetime) -> dict[str, object]:
    """The `deliveries` values of one alert to queue (the poll stage's insert uses them too)."""
    return {
        "chat_id": row.chat_id,
        "article_id": row.article_id,
        "kind": DeliveryKind.ALERT.value,
        "matched": hits_json(row.hits),
        "created_at": now,
    }


@dataclass(frozen=True, slots=True)
class Content:
    """What a queued row says: an alert's story and hits, rendered when it is sent; or a
    message written when it was queued (`text`, with `plain_text` and the `buttons` JSON of a
    row from before 0009), sent as it is."""

    kind: DeliveryKind
    article_id: int | None
    hits: tuple[Hit, ...]
    text: str | None = None
    plain_text: str | None = None
    buttons: str | None = None


@dataclass(frozen=True, slots=True)
class Pending:
    """An outbox row waiting to be sent, with what the sender needs to know about its chat."""

    id: int
    chat_id: int
    content: Content
    attempts: int
    link_previews: bool
    lang: str = "en"
    created_at: datetime | None = None
    thread_id: int | None = None
    send_failures: int = 0

    @property
    def kind(self) -> DeliveryKind:
        return self.content.kind


@dataclass(frozen=True, slots=True)
class InFlight:
    """A row left "sending" (its request may or may not have reached Telegram)."""

    id: int
    chat_id: int
    content: Content
    lang: str
    claimed_by: str | None
    claimed_at: datetime | None
    last_message_id: int | None  # the chat's highest known message id now
    probe_from: int | None = None  # ... and when the row was claimed


@dataclass(frozen=True, slots=True)
class Answer:
    """Telegram accepted a row: its message id (for `SendRepository.mark_sent`)."""

    delivery_id: int
    chat_id: int
    message_id: int
    had_failures: bool = False


def content_of(row: Any, chat_id: int) -> Content:
    """A row's `Content`, from a row with the `deliveries` columns of that name."""
    r = row._mapping  # by name: "text" and "count" are also a Row's methods
    return Content(
        kind=DeliveryKind(r["kind"]),
        article_id=r["article_id"],
        hits=hits_of(r["matched"], chat_id),
        text=r["text"],
        plain_text=r["plain_text"],
        buttons=r["buttons"],
    )
