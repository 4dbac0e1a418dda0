"""Builds the running bot: the PTB Application, its handlers, and the two jobs of the pipeline.

In: `Settings`. Out: an `Application` ready for `run_polling`, with
- the chat handlers (bot.chat.handlers) and the command menu registered at start-up;
- a poll job (fetch -> parse -> dedup -> match -> render -> outbox) ticking on PTB's JobQueue;
- a delivery job sending the outbox within Telegram's limits (bot.delivery.limits).
Fails at start-up, before touching Telegram, when the token is missing, the database cannot be
reached or the feed catalogue is malformed; each with a message saying which.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import timedelta
from typing import Any, Literal

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes

from bot.chat.feeds import add_feed_handlers
from bot.chat.handlers import add_handlers, publish_commands
from bot.delivery.botapi import BotAPI
from bot.delivery.jobs import DeliveryJob, worker_id
from bot.delivery.limits import Limits, RateLimiter
from bot.delivery.sender import SendOptions
from bot.delivery.shared import RedisPacer
from bot.feeds.catalogue import load_catalogue
from bot.feeds.fetch import make_client
from bot.feeds.pool import ParsePool
from bot.matching.index import MatchIndex
from bot.matching.tickers import TickerUniverse
from bot.observability.server import HealthServer
from bot.pipeline import Matcher, Pipeline, PollJob
from bot.services import Services
from bot.settings import Settings
from bot.storage.db import migrate, open_engine
from bot.storage.store import Store

log = logging.getLogger(__name__)

Role = Literal["all", "web", "worker"]
WEBHOOK_PATH = "telegram"


def build_services(settings: Settings) -> Services:
    """Open and migrate the database, load the catalogue, the tickers and the index."""
    engine = open_engine(settings.database)
    migrate(engine)
    store = Store(engine)
    store.feeds.sync_catalogue(load_catalogue(settings.feeds_file, settings.poll_interval))
    universe = TickerUniverse.load(settings.tickers_file, settings.data_dir)
    svc = Services(settings=settings, store=store, universe=universe, index=MatchIndex(universe))
    count = svc.load_index()
    log.info("loaded %d subscriptions", count)
    return svc


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    log.error("error while handling %r", update, exc_info=context.error)


def build_application(
    settings: Settings, svc: Services, role: Role = "all"
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The PTB application, pointed at TELEGRAM_API_URL: for the "web" role the chat handlers,
    for the "worker" role the poll and delivery jobs, for "all" both."""
    if settings.bot_token is None:
        raise SystemExit("BOT_TOKEN is not set: get one from @BotFather and put it in .env")
    client = make_client()
    # The delivery's sends go through the lean client (PTB's timeouts, the same API root);
    # everything else through PTB's Bot.
    sender_api = BotAPI(settings.telegram_api_url, settings.bot_token.get_secret_value())
    # Feed documents are parsed in worker processes, one per core (started at the first parse).
    parse_pool = ParsePool()

    async def post_init(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        if role != "worker":
            await publish_commands(app.bot, settings.admin_chat_ids)
        if role == "web":
            return
        limits = Limits(overall_per_second=settings.max_messages_per_second)
        # With Redis every worker's sends count against one limit; without it, each worker
        # keeps its share, counting the live workers through the database (DeliveryJob).
        shared = (
            RedisPacer(settings.redis_url, settings.max_messages_per_second)
            if settings.redis_url
            else None
        )
        deliver = DeliveryJob(
            svc.store,
            svc.clock,
            api=sender_api,
            limiter=RateLimiter(limits, shared=shared),
            options=SendOptions(
                disclaimer=settings.disclaimer,
                summary_length=settings.summary_length,
                owner=owner,
            ),
            lease=timedelta(seconds=settings.worker_lease),
            # A worker follows deactivations through the subscriptions' revision instead.
            on_unreachable=svc.chats_unreachable if role == "all" else None,
        )
        pipeline = Pipeline(
            settings,
            svc.store,
            Matcher(svc.universe, svc.index),
            client,
            owner=owner,
            parse_pool=parse_pool,
        )

        def fresh_matcher() -> Matcher | None:
            changed = svc.reload_index_if_changed()
            return Matcher(svc.universe, svc.index) if changed else None

        # In the worker role chats change in the web process: follow them through the
        # database. In the "all" role the handlers keep the one index up to date themselves.
        poll = PollJob(
            pipeline,
            on_new_alerts=deliver,
            fresh_matcher=fresh_matcher if role == "worker" else None,
        )
        queue = app.job_queue
        assert queue is not None, "install python-telegram-bot[job-queue]"
        # Two instances allowed so that APScheduler never logs a skipped run; the lock inside
        # the job makes the second one return at once.
        kwargs = {"max_instances": 2, "coalesce": True}
        tick = min(30.0, float(settings.poll_interval))
        queue.run_repeating(poll, interval=tick, first=0.5, name="poll", job_kwargs=kwargs)
        queue.run_repeating(
            deliver,
            interval=settings.delivery_interval,
            first=1.0,
            name="deliver",
            job_kwargs=kwargs,
        )
        log.info("bot started as @%s (role %s)", app.bot.username, role)

    async def post_shutdown(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        await client.aclose()
        await sender_api.aclose()
        parse_pool.close()
        svc.store.engine.dispose()

    # This process, in feed leases and outbox claims. Feed leases are given back after each
    # poll, so a restarted process does not wait for its predecessor's.
    owner = worker_id()
    api = settings.telegram_api_url
    app = (
        ApplicationBuilder()
        .token(settings.bot_token.get_secret_value())
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    app.bot_data["services"] = svc
    if role != "worker":
        # The feed commands first: add_handlers ends with the catch-all for unknown commands.
        add_feed_handlers(app)
        add_handlers(app)
    app.add_error_handler(_on_error)
    return app


def run(settings: Settings, role: Role = "all") -> None:
    """Run until stopped (SIGINT/SIGTERM): "all" polls Telegram for updates and does the
    pipeline's work; "web" receives updates by webhook; "worker" polls feeds and delivers."""
    if settings.bot_token is None:
        raise SystemExit("BOT_TOKEN is not set: get one from @BotFather and put it in .env")
    if role == "web" and not (settings.webhook_url and settings.webhook_secret):
        raise SystemExit("the web role needs WEBHOOK_URL and WEBHOOK_SECRET")
    svc = build_services(settings)
    app = build_application(settings, svc, role)
    health = _start_health(settings, svc)
    try:
        if role == "worker":
            asyncio.run(_run_without_updates(app))
        elif role == "web":
            assert settings.webhook_url is not None
            assert settings.webhook_secret is not None
            app.run_webhook(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                url_path=WEBHOOK_PATH,
                webhook_url=f"{settings.webhook_url.rstrip('/')}/{WEBHOOK_PATH}",
                # Telegram sends this in X-Telegram-Bot-Api-Secret-Token; PTB answers 403 to
                # any request without it.
                secret_token=settings.webhook_secret.get_secret_value(),
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            app.run_polling(allowed_updates=Update.ALL_TYPES)
    finally:
        if health is not None:
            health.stop()


async def _run_without_updates(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The worker: the application and its jobs, no update fetching, until SIGTERM/SIGINT."""
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


def _start_health(settings: Settings, svc: Services) -> HealthServer | None:
    """/healthz and /metrics when HEALTH_PORT is set."""
    if settings.health_port is None:
        return None

    def check() -> tuple[bool, dict[str, Any]]:
        svc.store.stats.ping()
        return True, {"database": "ok"}

    return HealthServer("0.0.0.0", settings.health_port, check, svc.refresh_gauges).start()  # noqa: S104 - probes come from outside
