"""The command rate limit's sliding window, on a clock the test sets (pure; the limit applied
to real updates is tested in test_groups_and_limits)."""

from __future__ import annotations

from bot.chat.ratelimit import RateLimiter


def test_rate_limiter_window_slides() -> None:
    now = [0.0]
    limiter = RateLimiter(2, window=60, clock=lambda: now[0])
    assert [limiter.check(1) for _ in range(4)] == ["ok", "ok", "warn", "drop"]
    assert limiter.check(2) == "ok"
    now[0] = 61.0
    assert limiter.check(1) == "ok"


def test_rate_limiter_forgets_idle_chats() -> None:
    now = [0.0]
    limiter = RateLimiter(2, window=60, clock=lambda: now[0], forget_at=100)
    for chat in range(99):
        limiter.check(chat)
    now[0] = 30.0
    assert [limiter.check(1000) for _ in range(3)] == ["ok", "ok", "warn"]
    assert len(limiter) == 100
    now[0] = 61.0
    assert limiter.check(2000) == "ok"  # 100 remembered: the 99 idle for a window are forgotten
    assert len(limiter) == 2
    assert limiter.check(1000) == "drop"  # still inside its window, and already warned
    now[0] = 62.0
    for chat in range(3000, 3098):
        limiter.check(chat)
    assert limiter.check(4000) == "ok"  # 100 remembered, none idle: all kept
    assert len(limiter) == 101
    assert limiter.check(1000) == "drop"
