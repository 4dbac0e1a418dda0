"""Builds the running bot: the PTB Application, its handlers, and the two jobs of the pipeline.

In: `Settings` and the process's role. Out: an `Application` ready for `run_polling`, with
- PTB's typed context (`bot.chat.context`), the chat handlers (`bot.chat.routes`, one table)
  and the command menu registered at start-up (roles "all" and "web");
- a poll job (fetch -> parse -> dedup -> match -> render -> outbox) ticking on PTB's JobQueue;
- a delivery job sending the outbox within Telegram's limits (bot.delivery.limits);
- in the web role, one HTTP server (bot.websub.server) for Telegram's webhook and WebSub's
  callbacks (in the "all" role with WebSub on, for the callbacks alone); the poll job takes
  what hubs pushed and asks the hubs (bot.websub);
the match index is built only by the roles that match (all, worker): the web role only writes
subscriptions, which a worker follows through their revision.
Fails at start-up with `StartupError` (one line for the operator), before touching Telegram,
when the token is missing or a placeholder or the feed catalogue is malformed, and when
Telegram refuses the token; waits, retrying, while Telegram cannot be reached
(`bot.startup`).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import httpx
from telegram import Update
from telegram.error import InvalidToken
from telegram.ext import Application, ApplicationBuilder

from bot.chat.context import CONTEXT_TYPES, Context
from bot.chat.ratelimit import RateLimiter as CommandRateLimiter
from bot.chat.routes import add_handlers, publish_commands
from bot.clock import utc_now
from bot.delivery.botapi import BotAPI
from bot.delivery.jobs import DeliveryJob, worker_id
from bot.delivery.limits import Limits, RateLimiter
from bot.delivery.sender import SendOptions
from bot.delivery.shared import RedisPacer
from bot.feeds.catalogue import CatalogueError, load_catalogue
from bot.feeds.fetch import make_client
from bot.feeds.pool import ParsePool
from bot.matching.tickers import TickerUniverse
from bot.observability.server import HealthServer
from bot.poll.alerts import Matcher
from bot.poll.cycle import PollCycle
from bot.poll.job import TICK as POLL_TICK
from bot.poll.job import PollJob
from bot.services import Services
from bot.settings import Settings
from bot.startup import StartupError, token_problem, wait_for_telegram
from bot.storage.db import migrate, open_engine
from bot.storage.store import Store
from bot.websub.server import WebServer, run_until_stopped
from bot.websub.subscriber import Subscriber

log = logging.getLogger(__name__)

Role = Literal["all", "web", "worker"]


def build_services(settings: Settings, role: Role = "all") -> Services:
    """Open and migrate the database, load the catalogue and the tickers; and the match index,
    except in the web role, which matches nothing (at a million subscriptions the index costs
    half a minute and half a gigabyte)."""
    engine = open_engine(settings.database)
    migrate(engine)
    store = Store(engine)
    store.feeds.sync_catalogue(load_catalogue(settings.feeds_file, settings.poll_interval))
    universe = TickerUniverse.load(settings.tickers_file, settings.data_dir)
    svc = Services.create(settings, store, universe)
    if role == "web":
        log.info("no match index in the web role")
    else:
        index = svc.subscriptions.load_index()
        log.info("loaded %d subscriptions into the match index", len(index))
    return svc


async def _on_error(update: object, context: Context) -> None:
    log.error("error while handling %r", update, exc_info=context.error)


@dataclass(frozen=True)
class Rim:
    """What the jobs talk to the outside through, made once per application and closed with
    it: the feeds' HTTP client, the sends' Bot API client, the parse pool, this process's id and
    start."""

    client: httpx.AsyncClient
    sender_api: BotAPI
    parse_pool: ParsePool
    # This process, in feed leases and outbox claims. Feed leases are given back after each
    # poll, so a restarted process does not wait for its predecessor's.
    owner: str
    # When this process started: stories dated later alert even on a feed's first fetch.
    started: datetime


def build_application(
    settings: Settings, svc: Services, role: Role = "all", *, started: datetime | None = None
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The PTB application, pointed at TELEGRAM_API_URL: for the "web" role the chat handlers,
    for the "worker" role the poll and delivery jobs, for "all" both. `started`: when the
    process started (default: now)."""
    if settings.bot_token is None:
        raise StartupError(token_problem(None) or "BOT_TOKEN is not set")
    rim = Rim(
        client=make_client(),
        # The delivery's sends go through the lean client (PTB's timeouts, the same API root);
        # everything else through PTB's Bot.
        sender_api=BotAPI(settings.telegram_api_url, settings.bot_token.get_secret_value()),
        # Feed documents are parsed in worker processes, one per core (started at the first
        # parse): the poll job's, and /addfeed's trial fetch.
        parse_pool=ParsePool(),
        owner=worker_id(),
        started=started or utc_now(),
    )

    # The web role's server (Telegram's webhook, WebSub's callbacks); in the "all" role with
    # WebSub on, the callbacks alone (updates come by long polling).
    serves = role == "web" or (role == "all" and settings.websub_on)
    server = (
        WebServer(settings, svc.store, clock=svc.clock, telegram_updates=role == "web")
        if serves
        else None
    )

    async def post_init(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        if role != "worker":
            await publish_commands(app.bot, settings.admin_chat_ids)
        if role != "web":
            _schedule_jobs(app, settings, svc, rim, role)
        if server is not None:
            await server.start(app)
        log.info("bot started as @%s (role %s)", app.bot.username, role)

    async def post_shutdown(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        if server is not None:
            await server.stop()
        await rim.client.aclose()
        await rim.sender_api.aclose()
        rim.parse_pool.close()
        svc.store.engine.dispose()

    api = settings.telegram_api_url
    builder = (
        ApplicationBuilder()
        .context_types(CONTEXT_TYPES)
        .token(settings.bot_token.get_secret_value())
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if role == "web":  # updates come through our server (bot.websub.server)
        builder = builder.updater(None)
    app = builder.build()
    app.bot_data.services = svc
    app.bot_data.limiter = CommandRateLimiter(settings.command_rate_limit)
    app.bot_data.parse_pool = rim.parse_pool
    if role != "worker":
        add_handlers(app)
    app.add_error_handler(_on_error)
    return app


def _schedule_jobs(
    app: Application[Any, Any, Any, Any, Any, Any],
    settings: Settings,
    svc: Services,
    rim: Rim,
    role: Role,
) -> None:
    """The poll and delivery jobs on PTB's JobQueue (roles "all" and "worker")."""
    deliver = _delivery_job(settings, svc, rim)
    poll = _poll_job(settings, svc, rim, role, deliver)
    queue = app.job_queue
    assert queue is not None, "install python-telegram-bot[job-queue]"
    # Two instances allowed so that APScheduler never logs a skipped run; the lock inside
    # the job makes the second one return at once.
    kwargs = {"max_instances": 2, "coalesce": True}
    # A short tick: the job itself waits for the earliest due feed (bot.poll.job).
    queue.run_repeating(poll, interval=POLL_TICK, first=0.5, name="poll", job_kwargs=kwargs)
    queue.run_repeating(
        deliver,
        interval=settings.delivery_interval,
        first=1.0,
        name="deliver",
        job_kwargs=kwargs,
    )


def _delivery_job(settings: Settings, svc: Services, rim: Rim) -> DeliveryJob:
    limits = Limits.for_bot(settings.max_messages_per_second, paid=settings.paid_broadcast)
    # With Redis every worker's sends count against one limit; without it, each worker
    # keeps its share, counting the live workers through the database (DeliveryJob).
    shared = (
        RedisPacer(settings.redis_url, settings.max_messages_per_second)
        if settings.redis_url
        else None
    )
    return DeliveryJob(
        svc.store,
        svc.clock,
        api=rim.sender_api,
        limiter=RateLimiter(limits, shared=shared),
        options=SendOptions(
            disclaimer=settings.disclaimer,
            disclaimers=settings.disclaimers(),
            summary_length=settings.summary_length,
            owner=rim.owner,
        ),
        lease=timedelta(seconds=settings.worker_lease),
        # Every process drops them from its own index at once; other workers follow the
        # subscriptions' revision.
        on_unreachable=svc.subscriptions.chats_unreachable,
    )


def _poll_job(
    settings: Settings, svc: Services, rim: Rim, role: Role, deliver: DeliveryJob
) -> PollJob:
    index = svc.subscriptions.index
    assert index is not None, "build_services loads the index in this role"
    cycle = PollCycle(
        settings,
        svc.store,
        Matcher(svc.universe, index),
        rim.client,
        owner=rim.owner,
        parse_pool=rim.parse_pool,
        started=rim.started,
    )

    def fresh_matcher() -> Matcher | None:
        svc.subscriptions.wake_snoozed()  # snoozes that ran out: back in the index
        if role != "worker":
            return None
        fresh = svc.subscriptions.reload_index_if_changed()
        return Matcher(svc.universe, fresh) if fresh is not None else None

    # WebSub: hubs asked from the poll tick; a user feed's hub passes the SSRF guard.
    hubs = Subscriber(
        settings, svc.store, rim.client, clock=cycle.clock, check=cycle.feeds.guard.check
    )
    # In the worker role chats change in the web process: follow them through the
    # database. In the "all" role the subscriptions service keeps the one index up to date.
    return PollJob(cycle, on_new_alerts=deliver, fresh_matcher=fresh_matcher, subscriber=hubs)


def run(settings: Settings, role: Role = "all") -> None:
    """Run until stopped (SIGINT/SIGTERM): "all" polls Telegram for updates and does the
    pipeline's work; "web" receives updates by webhook; "worker" polls feeds and delivers.
    Raises StartupError (one line: what is wrong, what to do) when it cannot start."""
    # Before any wait for Telegram: what is published meanwhile must still alert.
    started = utc_now()
    token = settings.bot_token.get_secret_value() if settings.bot_token else None
    problem = token_problem(token)
    if problem or token is None:
        raise StartupError(problem or "BOT_TOKEN is not set")
    if role == "web" and not (settings.webhook_url and settings.webhook_secret):
        raise StartupError("the web role needs WEBHOOK_URL and WEBHOOK_SECRET: set both")
    try:
        svc = build_services(settings, role)
    except CatalogueError as exc:
        raise StartupError(f"{exc}: fix it, or point FEEDS_FILE at another catalogue") from None
    wait_for_telegram(settings.telegram_api_url, token)
    app = build_application(settings, svc, role, started=started)
    health = _start_health(settings, svc)
    try:
        if role in ("worker", "web"):
            # The web role's updates come through its server (started in post_init).
            asyncio.run(run_until_stopped(app))
        else:
            app.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        # PTB's message holds the token: never shown. Telegram answered getMe a moment ago,
        # so the token was revoked in between.
        raise StartupError(
            "Telegram refused BOT_TOKEN: copy the token again from @BotFather into .env"
        ) from None
    finally:
        if health is not None:
            health.stop()


def _start_health(settings: Settings, svc: Services) -> HealthServer | None:
    """/healthz and /metrics when HEALTH_PORT is set."""
    if settings.health_port is None:
        return None

    def check() -> tuple[bool, dict[str, Any]]:
        svc.store.stats.ping()
        return True, {"database": "ok"}

    return HealthServer("0.0.0.0", settings.health_port, check, svc.refresh_gauges).start()  # noqa: S104 - probes come from outside
