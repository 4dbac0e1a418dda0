"""The worker's requests to WebSub hubs: subscribe, and renew before the lease lapses.

In: the settings (WEBHOOK_URL, the lease to ask), the store, an HTTP client, the clock, and
a check for the hubs of user feeds (the SSRF guard, bot.feeds.guard). Out: each due
subscription (`bot.storage.websub.due`) asked of its hub: POST hub.mode=subscribe,
hub.topic, hub.callback ({WEBHOOK_URL}/websub/{id}), hub.secret and hub.lease_seconds. It is
marked pending before the request (a hub may check our intent before it answers), by a
conditional UPDATE that one worker wins (with several workers, each hub is asked once); the hub's
intent check then comes to the web role (bot.websub.callback). A hub that cannot be reached,
refuses the request, or never checks our intent is recorded as failed: the feed is polled as
before and the hub asked again later. The live subscription of a removed (disabled) feed is
ended: POST hub.mode=unsubscribe, once. Fails only with the database's errors.
"""

from __future__ import annotations

import asyncio
import logging

import httpx

from bot.clock import Clock
from bot.feeds.fetch import Blocked, HopCheck
from bot.settings import Settings
from bot.storage.store import Store
from bot.websub.lease import ANSWER_WAIT, HubState, HubSubscription

log = logging.getLogger(__name__)

TIMEOUT = 10.0  # seconds for a hub to answer a request (the poll tick waits for it)


def callback_url(webhook_url: str, sub_id: int) -> str:
    """Where the hub checks our intent and delivers: {WEBHOOK_URL}/websub/{id}."""
    return f"{webhook_url.rstrip('/')}/websub/{sub_id}"


class Subscriber:
    """Asks hubs for the subscriptions that are due; one request per subscription."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        client: httpx.AsyncClient,
        *,
        clock: Clock,
        check: HopCheck | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.client = client
        self.clock = clock
        self.check = check

    async def ask_due(self) -> int:
        """Ask every hub whose subscription is due; how many were asked."""
        if not self.settings.websub_on:
            return 0
        gone = self.store.websub.gone()
        due = self.store.websub.due(self.clock())
        # Side by side: the poll tick waits for these, TIMEOUT at most, whatever their number.
        await asyncio.gather(*map(self._leave, gone), *map(self._ask, due))
        return len(gone) + len(due)

    async def _ask(self, sub: HubSubscription) -> None:
        now = self.clock()
        if sub.state is HubState.PENDING and sub.requested_at is not None:
            # Asked before, and the hub never checked our intent.
            self.store.websub.failed(sub.id, now=now, error="the hub never checked our intent")
            return
        form = self._form(sub, "subscribe")
        form["hub.secret"] = sub.secret
        form["hub.lease_seconds"] = str(self.settings.websub_lease_seconds)
        if not self.store.websub.requested(sub, now=now, wait=ANSWER_WAIT):
            return  # another worker is asking
        error = await self._post(sub, form)
        if error is not None:
            log.warning("hub %s for feed %s: %s", sub.link.hub, sub.feed_id, error)
            self.store.websub.failed(sub.id, now=self.clock(), error=error)
            return
        log.info("asked %s for feed %s (%s)", sub.link.hub, sub.feed_id, sub.state)

    async def _leave(self, sub: HubSubscription) -> None:
        """The feed was removed: ask the hub to stop (once; its check then ends it)."""
        if not self.store.websub.leaving(sub.id):
            return  # another worker is asking
        error = await self._post(sub, self._form(sub, "unsubscribe"))
        log.info("unsubscribed feed %s at %s: %s", sub.feed_id, sub.link.hub, error or "asked")

    def _form(self, sub: HubSubscription, mode: str) -> dict[str, str]:
        webhook_url = self.settings.webhook_url
        assert webhook_url is not None, "WebSub is on only with WEBHOOK_URL"
        return {
            "hub.mode": mode,
            "hub.topic": sub.link.topic,
            "hub.callback": callback_url(webhook_url, sub.id),
        }

    async def _post(self, sub: HubSubscription, form: dict[str, str]) -> str | None:
        """POST `form` to the hub; the reason it did not work, or None."""
        try:
            async with asyncio.timeout(TIMEOUT):
                if sub.guarded and self.check is not None:
                    await self.check(sub.link.hub)
                response = await self.client.post(sub.link.hub, data=form)
        except TimeoutError:
            return f"no answer within {TIMEOUT:g} s"
        except (httpx.HTTPError, Blocked) as exc:
            return f"{type(exc).__name__}: {exc}"
        if not response.is_success:
            return f"HTTP {response.status_code} {response.text[:200]}"
        return None
