"""A chat's day applied to its due rows before a round sends them: held (quiet hours, pause,
hourly cap), gathered into a digest, or sent (silently or not).

In: the `Store`, a chat's settings, the time, and the disclaimer of each language. Out:
`Planned`: the rows to send now and whether silently, with how many were held and digests
made; the holds and the digest are written to the outbox. The decisions themselves are
`bot.delivery.day.plan` (pure). Fails with the database's errors.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.delivery.day import Item, hour_start, plan, zone
from bot.models import ChatSettings, DeliveryMode
from bot.render.digest import render_digest
from bot.render.html import to_plain
from bot.storage.outbox_rows import Pending
from bot.storage.store import Store
from bot.texts import text

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Planned:
    """What a chat's day made of its due rows."""

    send: list[Pending]
    silent: bool
    held: int
    digests: int


def needs_planning(settings: ChatSettings) -> bool:
    """Whether the chat's day can hold or gather alerts (else every row just goes)."""
    return (
        settings.delivery_mode is not DeliveryMode.INSTANT
        or settings.paused_at is not None
        or settings.max_per_hour is not None
        or bool(settings.quiet_start and settings.quiet_end)
    )


def plan_chat(
    store: Store, chat: ChatSettings, now: datetime, *, disclaimer: Callable[[str], str]
) -> Planned:
    """Hold, gather or release a chat's due rows, all of them (a digest takes every alert
    due, not only this round's share)."""
    rows = store.outbox.pending(now, limit=10_000, chat_id=chat.chat_id)
    sent = 0
    if chat.max_per_hour is not None:
        sent = store.outbox.sent_since(chat.chat_id, hour_start(now, zone(chat.timezone)))
    items = [Item(r.id, r.kind, r.created_at or now) for r in rows]
    decided = plan(chat, now, items, sent)
    held = 0
    if decided.held and decided.hold_until is not None:
        store.outbox.hold(decided.held, until=decided.hold_until)
        held = len(decided.held)
    digests = 0
    if decided.digest:
        digests = _make_digest(store, chat, decided.digest, decided.reason, now, disclaimer)
    chosen = set(decided.send)
    return Planned([r for r in rows if r.id in chosen], decided.silent, held, digests)


def _make_digest(
    store: Store,
    chat: ChatSettings,
    ids: Sequence[int],
    reason: str,
    now: datetime,
    disclaimer: Callable[[str], str],
) -> int:
    """Gather the rows into a digest row; 1 if it was stored, else 0."""
    alerts = store.digests.digest_alerts(ids)
    title = text(f"delivery.digest.{reason}", chat.lang)
    parts = render_digest(alerts, disclaimer=disclaimer(chat.lang), title=title, lang=chat.lang)
    messages = [(part, to_plain(part)) for part in parts]
    if not store.digests.store_digest(chat.chat_id, ids, messages, now=now):
        return 0
    log.info(
        "chat %s: %d alerts gathered into a %s digest",
        chat.chat_id,
        len(ids),
        reason,
        extra={"chat_id": chat.chat_id},
    )
    return 1
