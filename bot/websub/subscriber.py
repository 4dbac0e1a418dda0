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
ended: POST hub.mode=unsubscribe, once. The store is read at most every READ_EVERY (the poll
tick comes every second). A request to a user feed's hub is checked, and sent to the checked
address, at every hop as a feed's fetch is (bot.feeds.pinning); 307 and 308 redirects are
followed (not from HTTPS to HTTP), 301, 302 and 303 recorded as failures (see `_follow`).
Fails only with the database's errors.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import httpx

from bot.clock import Clock
from bot.feeds.fetch import Blocked
from bot.feeds.pinning import HopCheck, checked_request, redirect_target
from bot.settings import Settings
from bot.storage.store import Store
from bot.websub.lease import ANSWER_WAIT, HubState, HubSubscription

log = logging.getLogger(__name__)

TIMEOUT = 10.0  # seconds for a hub to answer a request, redirects included (the tick waits)
# How often the subscriptions to ask (and to end) are read: every poll tick (1 s) would be two
# queries a second per worker for what changes a few times a day. A new feed's first request
# may wait this long; renewals and retries are asked up to this much early instead (`ask_due`).
READ_EVERY = timedelta(seconds=5)
MAX_REDIRECTS = 5  # as many as a feed's fetch follows
# The redirects that keep the method and the body (RFC 9110, 15.4.8 and 15.4.9).
KEEP_METHOD = frozenset({307, 308})


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
        self._read_at: datetime | None = None  # when the store was last read

    async def ask_due(self) -> int:
        """Ask every hub whose subscription is due; how many were asked (0 between reads)."""
        if not self.settings.websub_on:
            return 0
        now = self.clock()
        read_at = self._read_at
        # A clock set back (read_at in the future) reads at once rather than waiting for it.
        if read_at is not None and read_at <= now < read_at + READ_EVERY:
            return 0
        self._read_at = now
        gone = self.store.websub.gone()
        # What comes due before the next read is asked now: a renewal up to READ_EVERY early
        # rather than late, so that the throttle does not bring a lease nearer its end. (A
        # request the hub never answered is likewise given up as much as 5 s early.)
        due = self.store.websub.due(now + READ_EVERY)
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
        # A user feed's hub is checked like the feed itself (the SSRF guard) at every hop.
        check = self.check if sub.guarded else None
        try:
            async with asyncio.timeout(TIMEOUT):
                return await self._follow(sub.link.hub, form, check)
        except TimeoutError:
            return f"no answer within {TIMEOUT:g} s"
        except (httpx.HTTPError, httpx.InvalidURL, Blocked) as exc:
            return f"{type(exc).__name__}: {exc}"

    async def _follow(self, url: str, form: dict[str, str], check: HopCheck | None) -> str | None:
        """POST `form` to `url` and on through 307/308 redirects, each hop checked and sent to
        the address the check returned (so a DNS answer that changes after the check cannot
        redirect the request); the reason it did not work, or None."""
        for _ in range(MAX_REDIRECTS + 1):
            request = await checked_request(self.client, "POST", url, check, data=form)
            response = await self.client.send(request, stream=True)
            try:
                target = redirect_target(url, response)
                if target is None:
                    return None if response.is_success else await _refusal(response)
            finally:
                await response.aclose()
            if response.status_code not in KEEP_METHOD:
                # RFC 9110 lets a client turn a POST into a GET after a 301 or 302, and a 303
                # asks for exactly that: a GET is no subscription request, and POSTing the form
                # (our secret in it) where the server did not ask for a POST is no better. The
                # hub URL comes from the feed: the operator (or the feed) should name the new one.
                return f"the hub moved to {target} with a {response.status_code}; not followed"
            if url.startswith("https:") and not target.startswith("https:"):
                # The form carries the subscription's secret: not in clear text because a hub
                # reached over TLS said so.
                return f"the hub moved to {target}, off HTTPS; not followed"
            url = target
        return f"more than {MAX_REDIRECTS} redirects"


async def _refusal(response: httpx.Response) -> str:
    """Why a hub refused: "HTTP <status> <the start of the body>", reading no more of the
    body than that (a hub may answer with any amount)."""
    start = b""
    async for chunk in response.aiter_bytes():
        start += chunk
        if len(start) >= 200:
            break
    text = start[:200].decode("utf-8", errors="replace")
    return f"HTTP {response.status_code} {text}"
