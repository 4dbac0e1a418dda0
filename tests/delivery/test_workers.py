"""Several delivery workers on one outbox: each row is sent exactly once, at most one alert per
chat is in flight across workers, and Telegram's overall limit is shared (through the database,
or Redis when one is reachable on 127.0.0.1:6379)."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from datetime import timedelta
from typing import Any, cast

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from telegram import Bot
from telegram.ext import ContextTypes

from bot.delivery.botapi import BotAPI
from bot.delivery.failures import FAILURES_TO_DEACTIVATE
from bot.delivery.jobs import DeliveryJob, dead_here, worker_id
from bot.delivery.limits import Limits, RateLimiter
from bot.delivery.sender import SendOptions
from bot.delivery.shared import RedisPacer
from bot.storage.db import migrate, open_engine
from bot.storage.schema import deliveries
from bot.storage.store import Store
from tests.delivery.conftest import NOW, SetClock, queue_alerts, store_articles
from tests.fakes.telegram_api import FakeBotAPI, iter_texts, most_within

REDIS_URL = "redis://127.0.0.1:6379/15"
HOST = socket.gethostname()


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


class _Context:
    """What DeliveryJob reads of PTB's callback context: the bot."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot


def test_worker_id_is_unique_per_process_and_stable_within_it() -> None:
    me = worker_id()
    host, pid, nonce = me.split(":")
    assert (host, int(pid), len(nonce)) == (HOST, os.getpid(), 6)
    assert worker_id() == me


@pytest.mark.parametrize(
    ("claimer", "dead"),
    [
        (f"{HOST}:{os.getpid()}:aaaaaa", True),  # an earlier life with this pid
        (f"{HOST}:999999999:bbbbbb", True),  # no such process
        (f"{HOST}:1:cccccc", False),  # init is alive: another worker of this host
        (HOST, True),  # the bare host name of older versions
        ("elsewhere:999999999:dddddd", False),  # another host: left to the lease
    ],
    ids=["own-pid", "dead-pid", "live-pid", "old-format", "other-host"],
)
def test_dead_here_finds_dead_processes_of_this_host(claimer: str, dead: bool) -> None:
    me = f"{HOST}:{os.getpid()}:ffffff"
    assert dead_here([claimer, me], me) == ([claimer] if dead else [])


def test_claims_of_two_workers_never_overlap_nor_put_two_alerts_of_a_chat_in_flight(
    database_url: str,
) -> None:
    engines = [open_engine(database_url) for _ in range(2)]
    migrate(engines[0])
    one, two = Store(engines[0]), Store(engines[1])
    articles = store_articles(one, 2)
    for chat in (1, 2, 3):
        queue_alerts(one, chat, articles, now=NOW)
    rows = one.outbox.pending(NOW, limit=100)
    firsts = [r.id for r in rows if r.id == min(x.id for x in rows if x.chat_id == r.chat_id)]
    seconds = [r.id for r in rows if r.id not in firsts]

    won = one.sends.claim(firsts[:2], now=NOW, owner="a")
    assert won == firsts[:2]
    assert two.sends.claim(firsts, now=NOW, owner="b") == firsts[2:]  # a's rows are taken
    assert two.sends.claim(seconds, now=NOW, owner="b") == []  # every chat has one in flight
    with pytest.raises(IntegrityError), engines[1].begin() as conn:  # and the index says so
        conn.execute(
            update(deliveries).where(deliveries.c.id == seconds[0]).values(status="sending")
        )
    for engine in engines:
        engine.dispose()


def _drain(
    fake: FakeBotAPI,
    stores: list[Store],
    limiters: list[RateLimiter],
    clock: SetClock,
    pacers: list[RedisPacer] | None = None,
) -> None:
    async def run() -> None:
        async with (
            Bot(fake.token, base_url=f"{fake.url}/bot") as bot,
            BotAPI(fake.url, fake.token) as api,
        ):
            jobs = [
                DeliveryJob(
                    store,
                    clock,
                    api=api,
                    limiter=limiter,
                    options=SendOptions(owner=f"w{n}", concurrency=8, limit=50),
                )
                for n, (store, limiter) in enumerate(zip(stores, limiters, strict=True))
            ]
            context = cast(ContextTypes.DEFAULT_TYPE, _Context(bot))
            try:
                await asyncio.gather(*(job(context) for job in jobs))
            finally:
                for pacer in pacers or []:  # their connections belong to this event loop
                    await pacer.close()

    asyncio.run(run())


def _two_stores(database_url: str) -> list[Store]:
    stores = [Store(open_engine(database_url)) for _ in range(2)]
    migrate(stores[0].engine)
    return stores


def _sent_by(store: Store) -> dict[str, int]:
    counts: dict[str, int] = {}
    with store.engine.connect() as conn:
        for (owner,) in conn.execute(
            deliveries.select().with_only_columns(deliveries.c.claimed_by)
        ):
            counts[owner] = counts.get(owner, 0) + 1
    return counts


def test_two_workers_drain_one_outbox_each_alert_exactly_once(
    database_url: str, fake: FakeBotAPI, clock: SetClock
) -> None:
    stores = _two_stores(database_url)
    articles = store_articles(stores[0], 2)
    chats = range(5001, 5201)
    for chat in chats:
        queue_alerts(stores[0], chat, articles, now=NOW)
    limiters = [RateLimiter(Limits.lifted()) for _ in stores]

    _drain(fake, stores, limiters, clock)

    assert fake.accepted == dict.fromkeys(chats, 2)
    sent = [(r["chat_id"], text) for r in fake.sent() for text in iter_texts([r])]
    assert len(sent) == len(set(sent)) == 2 * len(chats)  # each (chat, story) once
    assert stores[0].outbox.delivery_counts() == {"sent": 2 * len(chats)}
    assert set(_sent_by(stores[0])) == {"w0", "w1"}, "both workers took part"
    for store in stores:
        store.engine.dispose()


def _shared_limit_holds(
    database_url: str,
    fake: FakeBotAPI,
    clock: SetClock,
    make: Any,
    limit: int,
    pacers: list[RedisPacer] | None = None,
) -> None:
    stores = _two_stores(database_url)
    articles = store_articles(stores[0], 1)
    chats = range(6001, 6001 + 2 * limit)  # two seconds' worth
    for chat in chats:
        queue_alerts(stores[0], chat, articles, now=NOW)
    fake.set_flood_limits(overall_per_second=limit)
    limiters = [make(n) for n in range(2)]

    _drain(fake, stores, limiters, clock, pacers)

    assert fake.accepted == dict.fromkeys(chats, 1)
    refused = [c for c in fake.calls if c["status"] == 429]
    assert refused == []
    assert most_within([m["time"] for m in fake.sent()]) <= limit
    for store in stores:
        store.engine.dispose()


def test_workers_share_the_overall_limit_through_the_database(
    database_url: str, fake: FakeBotAPI, clock: SetClock
) -> None:
    limit = 20
    # Both workers alive, as after they have run a while (a worker that joins is counted by
    # the others at their next heartbeat, within bot.delivery.jobs.HEARTBEAT).
    seed = Store(open_engine(database_url))
    migrate(seed.engine)
    for owner in ("w0", "w1"):
        seed.workers.heartbeat(owner, now=NOW, stale=timedelta(seconds=15))
    seed.engine.dispose()

    def make(_: int) -> RateLimiter:
        return RateLimiter(Limits(overall_per_second=limit, private_per_second=None))

    _shared_limit_holds(database_url, fake, clock, make, limit)


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_workers_share_the_overall_limit_through_redis(
    database_url: str, fake: FakeBotAPI, clock: SetClock
) -> None:
    limit = 20
    key = f"test:{uuid.uuid4()}"
    pacers: list[RedisPacer] = []

    def make(_: int) -> RateLimiter:
        # Each worker alone would send at the full limit: only Redis keeps the sum under it.
        pacers.append(RedisPacer(REDIS_URL, limit, key=key))
        return RateLimiter(
            Limits(overall_per_second=limit, private_per_second=None), shared=pacers[-1]
        )

    _shared_limit_holds(database_url, fake, clock, make, limit, pacers)


def test_the_delivery_job_names_the_chats_it_deactivated(
    store: Store, fake: FakeBotAPI, clock: SetClock
) -> None:
    """The one-process bot drops those chats from its match index (`on_unreachable`)."""
    for chat in (201, 202):
        store.chats.upsert_chat(chat, "private", None, NOW)
        queue_alerts(store, chat, store_articles(store, 1, start=chat), now=NOW)
    fake.block_chat(202)
    told: list[int] = []

    async def run() -> None:
        async with (
            Bot(fake.token, base_url=f"{fake.url}/bot") as bot,
            BotAPI(fake.url, fake.token) as api,
        ):
            job = DeliveryJob(
                store,
                clock,
                api=api,
                limiter=RateLimiter(Limits.lifted()),  # no waiting on the real clock
                on_unreachable=told.extend,
            )
            context = cast(ContextTypes.DEFAULT_TYPE, _Context(bot))
            for _ in range(FAILURES_TO_DEACTIVATE):
                await job(context)
                clock.advance(minutes=10)  # past the chat's backoff

    asyncio.run(run())
    assert told == [202]
    assert fake.accepted_count(201) == 1
    assert store.outbox.delivery_counts(202) == {"dropped": 1}
