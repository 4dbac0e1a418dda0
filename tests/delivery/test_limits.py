"""The overall pace of `bot.delivery.limits.RateLimiter`, on a clock the test moves: a sender
that always wakes a little late still gets the whole limit (the pace keeps its own schedule),
no window of the limit and its margin ever holds one send too many, an idle sender catches up
with a handful of sends and never with a burst, and falling back from paid to free slows down
at once."""

from __future__ import annotations

import random

import pytest

from bot.delivery.limits import CATCH_UP, PAID_PER_SECOND, Limits, RateLimiter
from tests.fakes.telegram_api import most_within


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def send_for(limiter: RateLimiter, clock: Clock, seconds: float, late: float) -> list[float]:
    """A sender that always has a message ready: it sleeps for the wait the limiter says and
    wakes `late` seconds after it (an event loop's timer resolution, a busy loop), then sends.
    Returns the send times."""
    sent: list[float] = []
    end = clock.now + seconds
    while clock.now < end:
        if (wait := limiter.overall_wait()) > 0:
            clock.now += wait + late
            continue
        limiter.record(len(sent) + 1)
        sent.append(clock.now)
    return sent


def lifted_per_chat(per_second: float, margin: float = 0.05) -> Limits:
    return Limits(
        overall_per_second=per_second,
        private_per_second=None,
        group_per_minute=None,
        margin=margin,
    )


@pytest.mark.parametrize(
    ("per_second", "late"),
    [
        (1000, 0.0),
        (1000, 0.001),  # a millisecond late each time: a third of the rate was lost before
        (1000, 0.0003),
        (500, 0.001),  # one worker's share of the paid limit, two workers
        (30, 0.001),  # the free limit
        (30, 0.01),
    ],
)
def test_a_sender_that_wakes_late_still_gets_the_whole_limit(per_second: int, late: float) -> None:
    clock = Clock()
    limiter = RateLimiter(lifted_per_chat(per_second), now=clock)
    sent = send_for(limiter, clock, 10.0, late)
    ceiling = per_second / 1.05  # the limit less its margin
    assert len(sent) / 10.0 >= 0.99 * ceiling
    assert most_within(sent, 1.05) <= per_second


@pytest.mark.parametrize("per_second", [1000, 500, 30, 0.5])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_window_of_the_limit_and_its_margin_holds_one_send_too_many(
    per_second: float, seed: int
) -> None:
    clock = Clock()
    limiter = RateLimiter(lifted_per_chat(per_second), now=clock)
    rng = random.Random(seed)
    sent: list[float] = []
    for _ in range(3000 if per_second >= 30 else 30):
        if rng.random() < 0.05:
            clock.now += rng.uniform(0, 0.5)  # idle now and then: the pace catches up
        if (wait := limiter.overall_wait()) > 0:
            clock.now += wait + rng.uniform(0, 0.004)
            continue
        limiter.record(1)
        sent.append(clock.now)
    count, window = (int(per_second), 1.05) if per_second >= 1 else (1, 1 / per_second + 0.05)
    assert most_within(sent, window) <= count


@pytest.mark.parametrize("per_second", [1000, 500, 30])
def test_after_an_idle_while_the_pace_catches_up_with_a_handful_never_a_burst(
    per_second: int,
) -> None:
    clock = Clock()
    limiter = RateLimiter(lifted_per_chat(per_second), now=clock)
    send_for(limiter, clock, 2.0, 0.0)
    clock.now += 3.0  # nothing to send for a while
    at_once = 0
    while limiter.overall_wait() == 0:
        limiter.record(1)
        at_once += 1
    spacing = 1.05 / per_second
    assert 1 <= at_once <= CATCH_UP / spacing + 1


def test_falling_back_from_paid_to_free_slows_down_at_once() -> None:
    clock = Clock()
    limiter = RateLimiter(Limits.for_bot(30, paid=True), now=clock)
    assert limiter.paid_broadcast()
    paid = send_for(limiter, clock, 2.0, 0.0)
    assert len(paid) >= 0.99 * 2 * PAID_PER_SECOND / 1.05
    assert limiter.stop_paid()
    free = send_for(limiter, clock, 3.0, 0.0)
    assert most_within(free, 1.05) <= 30
    # The first free send waits for the paid second to pass, then 30 a second again.
    assert free[0] - paid[-1] >= 1.0
    assert len(free) >= 0.99 * (3.0 - 1.05) * 30 / 1.05


def test_no_overall_limit_means_no_wait() -> None:
    clock = Clock()
    limiter = RateLimiter(Limits.lifted(), now=clock)
    for chat in range(1000):
        limiter.record(chat)
    assert limiter.overall_wait() == 0.0


@pytest.mark.parametrize(
    ("paid", "workers", "mine", "everyone"),
    [
        (False, 1, 60, 60),
        (False, 2, 30, 60),
        (True, 2, 1000, 2000),  # a round reads what both workers send in its 2 s
        (True, 4, 500, 2000),
    ],
)
def test_a_round_reads_what_every_worker_together_may_send(
    paid: bool, workers: int, mine: int, everyone: int
) -> None:
    limiter = RateLimiter(Limits.for_bot(30, paid=paid), now=Clock())
    limiter.set_share(workers)
    assert limiter.per_round(2.0) == mine
    assert limiter.per_round(2.0, everyone=True) == everyone
