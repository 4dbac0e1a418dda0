"""The web role's answers to WebSub hubs, at {WEBHOOK_URL}/websub/{id}.

In: the subscription id from the path, the query of an intent check (GET) or the raw body,
Content-Type and X-Hub-Signature of a delivery (POST), the store, the clock. Out: an HTTP
status and body.
- Intent check: hub.mode=subscribe with the topic of a subscription of ours that is pending
  or active -> 200 echoing hub.challenge (the lease starts, hub.lease_seconds long, else as
  long as we asked); hub.mode=unsubscribe for one of ours we asked to end (its feed was
  removed) -> 200 echoing the challenge, and it is forgotten; hub.mode=denied for one of ours
  -> 200 (polled as before, asked again later); anything else -> 404.
- Delivery: a body signed with the subscription's secret (sha1/sha256/sha384/sha512 HMAC,
  compared in constant time) is kept in the inbox for a worker -> 202; a missing or forged
  signature -> 403 and nothing kept; an unknown id -> 404. Both counted in the metrics
  (`bot_websub_pushes_accepted` / `_refused`).
No match index and no parsing here: the worker's poll tick takes the inbox. Fails with the
database's errors.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.observability.metrics import WEBSUB_PUSHES_ACCEPTED, WEBSUB_PUSHES_REFUSED
from bot.storage.store import Store
from bot.websub import signature

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: str = ""


NOT_OURS = Answer(404, "unknown subscription")


def _sub_id(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 12 else None


def intent(
    store: Store, path_id: str, query: Mapping[str, str], *, asked: int, now: datetime
) -> Answer:
    """Answer a hub's intent check (or its notice that it denied us)."""
    sub_id = _sub_id(path_id)
    mode, topic = query.get("hub.mode", ""), query.get("hub.topic", "")
    if sub_id is None or not topic:
        return NOT_OURS
    if mode == "subscribe":
        challenge = query.get("hub.challenge", "")
        given = query.get("hub.lease_seconds", "")
        lease = int(given) if given.isdigit() and int(given) > 0 else asked
        if challenge and store.websub.verified(sub_id, topic, lease_seconds=lease, now=now):
            log.info("WebSub subscription %s verified for %d s", sub_id, lease)
            return Answer(200, challenge)
    elif mode == "unsubscribe":
        challenge = query.get("hub.challenge", "")
        if challenge and store.websub.left(sub_id, topic):
            log.info("WebSub subscription %s ended (its feed was removed)", sub_id)
            return Answer(200, challenge)
    elif mode == "denied":
        reason = query.get("hub.reason", "")
        if store.websub.denied(sub_id, topic, reason=reason, now=now):
            log.warning("WebSub subscription %s denied: %s", sub_id, reason or "no reason")
            return Answer(200, "ok")
    return NOT_OURS


def delivery(
    store: Store,
    path_id: str,
    body: bytes,
    *,
    signed: str | None,
    content_type: str | None,
    now: datetime,
) -> Answer:
    """Keep a signed delivery for a worker; refuse a forged or unsigned one."""
    sub_id = _sub_id(path_id)
    sub = store.websub.get(sub_id=sub_id) if sub_id is not None else None
    if sub is None:
        return NOT_OURS
    if not signature.valid(signed, body, sub.secret):
        log.warning("WebSub delivery for subscription %s refused: bad signature", sub_id)
        WEBSUB_PUSHES_REFUSED.inc()
        return Answer(403, "bad signature")
    store.websub.keep_push(sub, body, content_type=content_type, now=now)
    WEBSUB_PUSHES_ACCEPTED.inc()
    return Answer(202, "accepted")
