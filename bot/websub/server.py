"""The web role's HTTP server (aiohttp): Telegram's webhook and the WebSub callbacks.

In: the settings, the store, the clock and, in the web role, the PTB `Application` (built
without an updater: its update queue takes what this server receives; `start` tells Telegram
the webhook's URL and secret). Out, on
WEBHOOK_LISTEN:WEBHOOK_PORT:
- POST /telegram: an update, accepted only with X-Telegram-Bot-Api-Secret-Token equal to
  WEBHOOK_SECRET (compared in constant time; else 403), put on the application's queue;
- GET and POST /websub/{id}: a hub's intent check and its deliveries (bot.websub.callback),
  when WebSub is on.
Bodies larger than MAX_FEED_BYTES are refused (413). Fails at `start` with OSError when the
port cannot be bound. `run_until_stopped` runs an application whose updates, if any, come
through this server, until SIGTERM/SIGINT.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.clock import Clock
from bot.settings import Settings
from bot.storage.store import Store
from bot.websub import callback

log = logging.getLogger(__name__)

TELEGRAM_PATH = "telegram"
PTBApp = Application[Any, Any, Any, Any, Any, Any]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name


class WebServer:
    """One aiohttp site; `start()` and `stop()` from the application's event loop."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        clock: Clock,
        telegram_updates: bool = False,
    ) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        self.telegram_updates = telegram_updates
        self.telegram: PTBApp | None = None
        self._runner: web.AppRunner | None = None

    def make_app(self) -> web.Application:
        """The routes: /telegram with an application, /websub/{id} with WebSub on."""
        app = web.Application(client_max_size=self.settings.max_feed_bytes)
        if self.telegram is not None:
            app.router.add_post(f"/{TELEGRAM_PATH}", self._update)
        if self.settings.websub_on:
            app.router.add_get("/websub/{id}", self._intent)
            app.router.add_post("/websub/{id}", self._delivery)
        return app

    async def start(self, application: PTBApp) -> None:
        """Serve; with Telegram's updates, tell Telegram where to post them (setWebhook)."""
        if self.telegram_updates:
            self.telegram = application
        self._runner = web.AppRunner(self.make_app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.webhook_listen, self.settings.webhook_port)
        await site.start()
        log.info("serving on %s:%s", self.settings.webhook_listen, self.settings.webhook_port)
        secret, url = self.settings.webhook_secret, self.settings.webhook_url
        if self.telegram is not None and secret is not None and url is not None:
            await self.telegram.bot.set_webhook(
                url=f"{url.rstrip('/')}/{TELEGRAM_PATH}",
                # Telegram sends it in X-Telegram-Bot-Api-Secret-Token; we answer 403 without.
                secret_token=secret.get_secret_value(),
                allowed_updates=Update.ALL_TYPES,
            )

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _update(self, request: web.Request) -> web.Response:
        assert self.telegram is not None
        secret = self.settings.webhook_secret
        given = request.headers.get(SECRET_HEADER, "")
        if secret is None or not hmac.compare_digest(
            given.encode(), secret.get_secret_value().encode()
        ):
            return web.Response(status=403, text="forbidden")
        try:
            data = json.loads(await request.read())
            update = Update.de_json(data, self.telegram.bot)
        except (ValueError, TypeError, KeyError):
            return web.Response(status=400, text="not an update")
        await self.telegram.update_queue.put(update)
        return web.Response(text="ok")

    async def _intent(self, request: web.Request) -> web.Response:
        answer = callback.intent(
            self.store,
            request.match_info["id"],
            request.query,
            asked=self.settings.websub_lease_seconds,
            now=self.clock(),
        )
        return web.Response(status=answer.status, text=answer.body)

    async def _delivery(self, request: web.Request) -> web.Response:
        body = await request.read()
        answer = callback.delivery(
            self.store,
            request.match_info["id"],
            body,
            signed=request.headers.get("X-Hub-Signature"),
            content_type=request.headers.get("Content-Type"),
            now=self.clock(),
        )
        return web.Response(status=answer.status, text=answer.body)


async def run_until_stopped(app: PTBApp) -> None:
    """The application and its jobs, without fetching updates (the worker; the web role,
    whose updates come through `WebServer`), until SIGTERM/SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    try:
        await stop.wait()
    finally:
        await app.stop()
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
