"""The sender's database writes on the hot path, committed in groups by one thread.

In: claims (delivery ids) and Telegram's answers (`Answer`), from many concurrent sends. Out:
each caller's own result (claim won or not; "sent" committed), once the transaction holding it
has committed. Whatever was queued while the previous transaction ran goes into the next one
("sent" first, which frees chats, then claims): at hundreds of messages a second one
transaction per message would be the bottleneck. A failing transaction fails every caller
waiting on it with the database's exception.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.clock import Clock
from bot.storage.outbox_rows import Answer
from bot.storage.store import Store


class GroupWriter:
    """Claims and "sent" records, committed by one thread in batches. Each caller awaits its
    own result, so a request never leaves before its claim is committed, and a chat's next
    row is claimed only after its last one is "sent"."""

    def __init__(self, store: Store, *, owner: str, clock: Clock) -> None:
        self._store = store
        self._owner = owner
        self._clock = clock
        self._claims: list[tuple[int, asyncio.Future[bool]]] = []
        self._answers: list[tuple[Answer, asyncio.Future[None]]] = []
        self._wake = asyncio.Event()
        self._closing = False
        # One thread: commits leave the event loop and never wait on each other's locks.
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-writer")

    async def claim(self, delivery_id: int) -> bool:
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._claims.append((delivery_id, future))
        self._wake.set()
        return await future

    async def sent(self, answer: Answer) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._answers.append((answer, future))
        self._wake.set()
        await future

    def _commit(self, claims: list[int], answers: list[Answer]) -> set[int]:
        now = self._clock()
        self._store.sends.mark_sent(answers, now=now)
        return set(self._store.sends.claim(claims, now=now, owner=self._owner))

    async def run(self) -> None:
        """Commit what is queued, batch after batch, until closed and nothing is left."""
        loop = asyncio.get_running_loop()
        while True:
            if not self._claims and not self._answers:
                # Checked before waiting, not only when woken: `close` wakes us once, and that
                # wake may be taken up by a batch queued at the same time.
                if self._closing:
                    return
                await self._wake.wait()
                self._wake.clear()
                continue
            claims, self._claims = self._claims, []
            answers, self._answers = self._answers, []
            try:
                won = await loop.run_in_executor(
                    self._thread, self._commit, [c for c, _ in claims], [a for a, _ in answers]
                )
            except Exception as exc:  # the database failed: every waiter hears it
                waiting: list[asyncio.Future[Any]] = [f for _, f in claims]
                waiting += [f for _, f in answers]
                for future in waiting:
                    if not future.done():  # a caller that went away (cancelled) hears nothing
                        future.set_exception(exc)
                continue
            for answer_future in (f for _, f in answers):
                if not answer_future.done():
                    answer_future.set_result(None)
            for delivery_id, claim_future in claims:
                if not claim_future.done():
                    claim_future.set_result(delivery_id in won)

    async def close(self, running: asyncio.Task[None]) -> None:
        """Commit what is still queued, then stop; call it once no caller can queue more."""
        self._closing = True
        self._wake.set()
        try:
            await running
        finally:
            self._thread.shutdown(wait=True)
