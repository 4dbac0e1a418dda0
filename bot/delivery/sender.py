"""Sending the outbox to Telegram in delivery order, each alert marked sent with its message id.

In: the Bot API client (`bot.delivery.botapi.SendApi`: sendMessage answering the message id),
the `Store`, a `RateLimiter` (Telegram's limits, kept on our side) and a clock. Out: alerts
sent and recorded, digests assembled; a `SendReport` of what happened.

A round (`send_pending`): take the due rows in delivery order (`bot.storage.order`: a story
for a few chats before the tail of a story for many; a few rows per chat; no more than the
overall limit lets out in `round_seconds`, so that a story queued meanwhile waits at most that
long), plan each chat's rows with its settings (`bot.delivery.day.plan`: hold, gather into a
digest, send, silently or not), then send chats in parallel, each chat's rows in order, one at
a time. Each send is: take a rate-limit slot, claim the row ("sending", committed before the
request leaves), call Telegram, commit "sent" with the message id at once. Claims and "sent"
commits go through one writer thread that commits everything queued meanwhile in one
transaction (a group commit: at hundreds of messages a second one transaction per message would
be the bottleneck), so the event loop keeps other sends going while the database commits, and
the window between Telegram accepting a message and our commit is the time of one small
transaction. A claim is refused when another worker has one of the chat's alerts in flight
(`Store.sends.claim`). A row left "sending" by a crash is settled by `bot.delivery.recovery`
before the next send to its chat.
Telegram's answers decide what happens to a row that fails (`bot.delivery.failures`: flood
control, a migrated group, a chat gone, 5xx and timeouts); a 400 about the message itself is
answered here by sending the plain-text form rather than losing it; a success resets the
chat's failure count. With paid broadcasts, a 400 saying the Stars balance is short puts the
row back (not sent, it keeps its place) and the limiter falls back to the free limit
(`RateLimiter.stop_paid`). Nothing here raises for a Telegram error; an alert is never silently
lost.
Each row is rendered as it is sent, in its chat's language (`bot.delivery.compose`): the
round loads the stories of its rows once.
A send whose answer was lost (a timeout, a reset, a 5xx) stays "sending" and is looked for in
its chat once its backoff is over (`bot.delivery.failures`): each round takes over the rows
that are due and probes them as crash recovery does (`bot.delivery.recovery.settle`), in tasks
of their own beside the sends, so a slow probe holds up only its own chat.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from telegram.error import BadRequest, ChatMigrated

from bot.clock import Clock, utc_now
from bot.delivery.botapi import SendApi, inline_keyboard, is_balance_short
from bot.delivery.compose import Message, Style, compose
from bot.delivery.failures import Failures, SendReport, is_chat_gone
from bot.delivery.limits import PAID_RETRY, Limits, RateLimiter
from bot.delivery.planning import needs_planning, plan_chat
from bot.delivery.recovery import Found, settle
from bot.delivery.writer import GroupWriter
from bot.models import Article, ChatSettings
from bot.observability.metrics import ALERTS_SENT, SEND_LATENCY
from bot.settings import DEFAULT_DISCLAIMER
from bot.storage.outbox_rows import Answer, Content, InFlight, Pending
from bot.storage.store import Store

log = logging.getLogger(__name__)

# Seconds a send takes to be answered by Telegram, for how many to keep in flight.
_ROUND_TRIP = 0.1


@dataclass(frozen=True, slots=True)
class SendOptions:
    """How a round behaves; the defaults suit the running bot, tests shorten the waits."""

    disclaimer: str = DEFAULT_DISCLAIMER
    summary_length: int = 500
    disclaimers: Mapping[str, str] = field(default_factory=dict)  # per language (`Style`)
    retry_base: float = 5.0  # seconds before the first retry; doubled each time
    limit: int = 500  # rows per round, at most
    # ... and no more than the overall limit lets out in this many seconds: a round's rows are
    # chosen when it starts, so a story queued meanwhile waits for the next round.
    round_seconds: float = 2.0
    per_chat: int = 5  # rows per chat per round
    # Chats sent to at once (each a keep-alive connection), at least (a round keeps enough for
    # its overall limit: `_ROUND_TRIP`). 16 are plenty for Telegram's 30/s and for 300/s; more
    # only helps a local Bot API server (bench/fanout, limits lifted: about 1,100 msg/s with
    # 16, 1,300 with 32, at the cost of more connections).
    concurrency: int = 16
    max_wait: float = 0.3  # a chat not ready within this is left for a later round
    owner: str = ""  # this worker's id, recorded with each claim (crash recovery)
    probes: int = 8  # rows whose answer was lost, looked for at once

    @property
    def style(self) -> Style:
        return Style(self.disclaimer, self.summary_length, self.disclaimers)


class _Round:
    """One delivery round; holds what every send of the round shares."""

    def __init__(
        self, api: SendApi, store: Store, limiter: RateLimiter, clock: Clock, options: SendOptions
    ) -> None:
        self.api = api
        self.store = store
        self.limiter = limiter
        self.clock = clock
        self.options = options
        self.report = SendReport()
        self._failures = Failures(store, limiter, clock, self.report, options.retry_base)
        # Enough chats in flight for the overall limit at a round trip of `_ROUND_TRIP` (paid
        # broadcasts: 500 a second per worker need about 50; 30 a second, the 16 asked for).
        in_flight = max(options.concurrency, limiter.per_round(_ROUND_TRIP) or 0)
        self._slots = asyncio.Semaphore(in_flight)
        self._writer = GroupWriter(store, owner=options.owner, clock=clock)
        self._style = options.style
        self._stories: dict[int, Article] = {}

    async def run(self) -> SendReport:
        now = self.clock()
        limit = self.options.limit
        # The due rows are everyone's: all the workers together send them, each claiming its
        # own, so a round reads what all of them may send in `round_seconds`.
        if fits := self.limiter.per_round(self.options.round_seconds, everyone=True):
            limit = min(limit, max(fits, self.options.per_chat))
        rows = self.store.outbox.pending(now, limit, per_chat=self.options.per_chat)
        batches = self._batches(rows, now)
        lost = self._take_unanswered(now)
        self._load_stories([r.content for rows, _ in batches for r in rows])
        self._load_stories([r.content for r in lost])
        probing = asyncio.Semaphore(self.options.probes)
        writing = asyncio.create_task(self._writer.run())
        try:
            # Every send runs to its end before the writer closes, even when one of them fails
            # (a database error): a send still in flight must get its "sent" committed.
            ends = await asyncio.gather(
                *(self._send_chat(rows, silent) for rows, silent in batches if rows),
                *(self._look_for(row, probing) for row in lost),
                return_exceptions=True,
            )
        finally:
            await self._writer.close(writing)
        for end in ends:
            if isinstance(end, BaseException):
                raise end
        return self.report

    def _batches(self, due: Sequence[Pending], now: datetime) -> list[tuple[list[Pending], bool]]:
        """Each chat's rows to send now, planned with its settings, and whether silently."""
        by_chat: dict[int, list[Pending]] = {}
        for row in due:
            by_chat.setdefault(row.chat_id, []).append(row)
        settings = self.store.chats.settings_of(list(by_chat))
        batches: list[tuple[list[Pending], bool]] = []
        for chat_id, rows in by_chat.items():
            chat = settings.get(chat_id) or ChatSettings(chat_id=chat_id)
            if needs_planning(chat):
                batches.append(self._plan_chat(chat, now))
            else:
                batches.append((rows, False))
        return batches

    def _load_stories(self, contents: Sequence[Content]) -> None:
        wanted = [
            c.article_id for c in contents if c.article_id and c.article_id not in self._stories
        ]
        self._stories.update(self.store.outbox.stories(wanted))

    def _take_unanswered(self, now: datetime) -> list[InFlight]:
        """The rows whose answer was lost and are due to be looked for, made ours."""
        rows = self.store.sends.unanswered_due(now=now, limit=self.options.limit)
        return [r for r in rows if self.store.sends.take_over(r, owner=self.options.owner, now=now)]

    async def _look_for(self, row: InFlight, probing: asyncio.Semaphore) -> None:
        """Settle one row whose answer was lost: found in its chat, or pending again."""
        async with probing:
            found = await settle(
                self.api, self.store, row, self._stories, style=self._style, clock=self.clock
            )
        if isinstance(found, int):
            self.report.found += 1
        elif found is Found.UNKNOWN:  # the probe itself failed: look again later
            until = self.clock() + timedelta(seconds=self.options.retry_base)
            self.store.sends.unanswered(row.id, until=until, error="could not look for it")
        elif found is Found.NOT_THERE:
            # Sent again in this round (its chat is free now), after the same planning.
            self.report.resent += 1
            now = self.clock()
            due = self.store.outbox.pending(now, self.options.per_chat, chat_id=row.chat_id)
            for rows, silent in self._batches(due, now):
                self._load_stories([r.content for r in rows])
                await self._send_chat(rows, silent)

    def _plan_chat(self, chat: ChatSettings, now: datetime) -> tuple[list[Pending], bool]:
        """Hold, gather or release the chat's due rows (`bot.delivery.planning`)."""
        planned = plan_chat(self.store, chat, now, disclaimer=self.options.style.disclaimer_in)
        self.report.held += planned.held
        self.report.digests += planned.digests
        return planned.send[: self.options.per_chat], planned.silent

    async def _send_chat(self, rows: list[Pending], silent: bool) -> None:
        async with self._slots:
            for row in rows:
                if self.limiter.chat_wait(row.chat_id) > self.options.max_wait:
                    return  # the chat is not ready: its rows wait for a later round
                # Claimed before a rate-limit slot is taken: a row another worker won costs
                # no slot (workers going through the same rows would waste half of them).
                if not await self._writer.claim(row.id):
                    return  # no longer pending, or another worker is sending to the chat
                if not await self.limiter.acquire(row.chat_id, max_wait=self.options.max_wait):
                    self.store.sends.release(row.id, error="chat not ready for another message")
                    return
                if not await self._send_one(row, silent):
                    return  # the chat is paused, moved or gone: its later rows wait

    async def _send_one(self, row: Pending, silent: bool) -> bool:
        """Send one claimed row; True when the chat can take the next one now."""
        try:
            message = compose(
                row.content,
                row.chat_id,
                self._stories,
                lang=row.lang,
                style=self._style,
                delivery_id=row.id,
            )
        except Exception as exc:  # a bug, or a story gone: the row is kept, with the reason
            log.exception("cannot render row %s", row.id, extra={"delivery_id": row.id})
            return self._failures.gave_up(
                row, f"cannot render: {type(exc).__name__}: {exc}", "render"
            )
        paid = self.limiter.paid_broadcast()
        try:
            with SEND_LATENCY.time():
                message_id = await self._send(row, message, "HTML", silent, paid)
        except BadRequest as exc:
            if isinstance(exc, ChatMigrated):
                return self._failures.failed(row, exc)
            if is_chat_gone(exc):
                return self._failures.unreachable(row, exc.message)
            if paid and is_balance_short(exc):
                return self._balance_short(row, exc)
            # Render guarantees valid HTML under the limit; if Telegram still refuses the
            # message, the plain-text form goes out rather than the alert being lost.
            log.error(
                "Telegram refused row %s (%s); sending it as plain text",
                row.id,
                exc,
                extra={"chat_id": row.chat_id, "delivery_id": row.id},
            )
            return await self._send_plain(row, message, silent)
        except Exception as exc:
            return self._failures.failed(row, exc)
        await self._sent(row, message_id)
        return True

    async def _send_plain(self, row: Pending, message: Message, silent: bool) -> bool:
        paid = self.limiter.paid_broadcast()
        try:
            message_id = await self._send(row, message, None, silent, paid)
        except BadRequest as exc:
            if isinstance(exc, ChatMigrated) or is_chat_gone(exc):
                return self._failures.failed(row, exc)
            if paid and is_balance_short(exc):
                return self._balance_short(row, exc)
            return self._failures.gave_up(
                row, f"refused even as plain text: {exc.message}", "refused"
            )
        except Exception as exc:
            return self._failures.failed(row, exc)
        await self._sent(row, message_id)
        return True

    def _balance_short(self, row: Pending, exc: BadRequest) -> bool:
        """Telegram refused a paid broadcast for want of Stars: the row was not sent, so it
        waits for a later round (keeping its place), sent at the free limit from now on."""
        if self.limiter.stop_paid():
            log.warning(
                "Telegram refused a paid broadcast (%s): the bot's Stars balance is short; "
                "sending at the free limit of %s messages a second, trying paid again in %d s",
                exc.message,
                self.limiter.whole.overall_per_second,
                PAID_RETRY,
                extra={"chat_id": row.chat_id, "delivery_id": row.id},
            )
        self.store.sends.release(row.id, error=f"paid broadcast refused: {exc.message}")
        return False

    def _send(
        self, row: Pending, message: Message, parse_mode: str | None, silent: bool, paid: bool
    ) -> Awaitable[int]:
        return self.api.send_message(
            row.chat_id,
            message.text if parse_mode else message.plain_text[:4096],
            parse_mode=parse_mode,
            reply_markup=inline_keyboard(message.keyboard),
            link_previews=row.link_previews,
            disable_notification=silent,
            message_thread_id=row.thread_id,
            paid_broadcast=paid,
        )

    async def _sent(self, row: Pending, message_id: int) -> None:
        # Committed at once, before anything else (this is the window of "exactly once"), by
        # the writer thread so that other chats' sends and answers are not held up by it.
        await self._writer.sent(Answer(row.id, row.chat_id, message_id, row.send_failures > 0))
        self.report.sent += 1
        ALERTS_SENT.inc()


async def send_pending(
    api: SendApi,
    store: Store,
    *,
    clock: Clock = utc_now,
    limiter: RateLimiter | None = None,
    options: SendOptions | None = None,
) -> SendReport:
    """One delivery round: send what is due; see the module docstring."""
    limiter = limiter or RateLimiter(Limits.lifted())
    return await _Round(api, store, limiter, clock, options or SendOptions()).run()
