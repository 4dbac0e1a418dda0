"""Table tests for the user's day (bot.delivery.day) with a controllable clock: quiet hours
across midnight, in several time zones and across daylight-saving changes; digest times; the
hourly cap's overflow going into the next digest, never dropped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.delivery.day import RECHECK, Item, in_quiet_hours, next_at, plan, zone
from bot.models import ChatSettings, DeliveryMode


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


QUIET = [
    # (time zone, UTC instant, in quiet hours 22:00-07:00?)
    ("UTC", "2026-03-10 21:59", False),
    ("UTC", "2026-03-10 22:00", True),
    ("UTC", "2026-03-10 23:30", True),
    ("UTC", "2026-03-11 06:59", True),
    ("UTC", "2026-03-11 07:00", False),
    ("Asia/Tokyo", "2026-03-10 14:00", True),  # 23:00 JST
    ("Asia/Tokyo", "2026-03-10 23:00", False),  # 08:00 JST
    ("Asia/Kolkata", "2026-03-11 01:29", True),  # 06:59 IST (a half-hour zone)
    ("Asia/Kolkata", "2026-03-11 01:30", False),  # 07:00 IST
    ("America/New_York", "2026-03-11 03:00", True),  # 23:00 EDT
    # Europe/Berlin springs forward on 2026-03-29 (02:00 CET -> 03:00 CEST).
    ("Europe/Berlin", "2026-03-29 04:30", True),  # 06:30 CEST
    ("Europe/Berlin", "2026-03-29 05:30", False),  # 07:30 CEST (06:30 with yesterday's offset)
    # ... and falls back on 2026-10-25 (03:00 CEST -> 02:00 CET).
    ("Europe/Berlin", "2026-10-25 05:30", True),  # 06:30 CET (07:30 with yesterday's offset)
    ("Europe/Berlin", "2026-10-25 06:00", False),  # 07:00 CET
    # America/New_York springs forward on 2026-03-08 and falls back on 2026-11-01.
    ("America/New_York", "2026-03-08 10:30", True),  # 06:30 EDT
    ("America/New_York", "2026-03-08 11:00", False),  # 07:00 EDT (06:00 with EST)
    ("America/New_York", "2026-11-01 11:30", True),  # 06:30 EST (07:30 with EDT)
    ("America/New_York", "2026-11-01 12:00", False),  # 07:00 EST
    ("Not/AZone", "2026-03-10 23:00", True),  # unknown zones count as UTC
]


@pytest.mark.parametrize(
    ("tz", "at", "quiet"), QUIET, ids=[f"{tz}-{at.replace(' ', 'T')}" for tz, at, _ in QUIET]
)
def test_quiet_hours_follow_the_chats_wall_clock(tz: str, at: str, quiet: bool) -> None:
    settings = ChatSettings(chat_id=1, timezone=tz, quiet_start="22:00", quiet_end="07:00")
    assert in_quiet_hours(settings, utc(at)) is quiet


ENDS = [
    ("Europe/Berlin", "2026-03-28 23:00", "2026-03-29 05:00"),  # ends 07:00 CEST
    ("Europe/Berlin", "2026-10-24 23:00", "2026-10-25 06:00"),  # ends 07:00 CET
    ("America/New_York", "2026-03-08 04:00", "2026-03-08 11:00"),
    ("America/New_York", "2026-11-01 04:00", "2026-11-01 12:00"),
    ("Asia/Tokyo", "2026-03-10 14:00", "2026-03-10 22:00"),
]


@pytest.mark.parametrize(("tz", "at", "end"), ENDS, ids=[f"{tz}-{a[:10]}" for tz, a, _ in ENDS])
def test_held_alerts_are_released_when_quiet_hours_end(tz: str, at: str, end: str) -> None:
    assert next_at(utc(at), "07:00", zone(tz)) == utc(end)
    settings = ChatSettings(chat_id=1, timezone=tz, quiet_start="22:00", quiet_end="07:00")
    now = utc(end) - timedelta(minutes=2)  # two minutes before the end: held until the end
    decided = plan(settings, now, [Item(1, "alert", now)])
    assert (decided.send, decided.held, decided.hold_until) == ((), (1,), utc(end))
    # After the end, what was held goes out (two or more alerts: as one digest).
    later = utc(end) + timedelta(seconds=1)
    items = [Item(1, "alert", now), Item(2, "alert", now), Item(3, "alert", later)]
    decided = plan(settings, later, items)
    assert (decided.digest, decided.send, decided.reason) == ((1, 2), (3,), "quiet")


def test_notices_go_out_during_quiet_hours_silently() -> None:
    settings = ChatSettings(chat_id=1, quiet_start="22:00", quiet_end="07:00")
    now = utc("2026-03-10 23:00")
    decided = plan(settings, now, [Item(1, "notice", now), Item(2, "alert", now)])
    assert (decided.send, decided.held, decided.silent) == ((1,), (2,), True)


DIGESTS = [
    # (mode, time zone, digest time, now UTC, alert times UTC, digest ids, held ids, release)
    (
        DeliveryMode.DAILY,
        "Europe/Berlin",
        "08:00",
        "2026-03-29 06:05",  # 08:05 CEST, the first morning of summer time
        ["2026-03-28 20:00", "2026-03-29 05:59", "2026-03-29 06:01"],
        (1, 2),
        (3,),
        "2026-03-29 06:10",  # the next look (RECHECK); the next digest is the 30th at 06:00
    ),
    (
        DeliveryMode.DAILY,
        "America/New_York",
        "08:00",
        "2026-11-01 13:00",  # 08:00 EST
        ["2026-11-01 11:30", "2026-11-01 12:30"],
        (1, 2),
        (),
        None,
    ),
    (
        DeliveryMode.HOURLY,
        "Asia/Kolkata",
        "08:00",
        "2026-03-10 10:31",  # 16:01 IST: the hour started at 10:30 UTC
        ["2026-03-10 10:00", "2026-03-10 10:29", "2026-03-10 10:30"],
        (1, 2),
        (3,),
        "2026-03-10 10:36",
    ),
]


@pytest.mark.parametrize(
    ("mode", "tz", "at", "now", "created", "digest", "held", "recheck"),
    DIGESTS,
    ids=["daily-berlin-spring", "daily-new-york-autumn", "hourly-half-hour-zone"],
)
def test_digests_gather_what_came_before_the_digest_time(
    mode: DeliveryMode,
    tz: str,
    at: str,
    now: str,
    created: list[str],
    digest: tuple[int, ...],
    held: tuple[int, ...],
    recheck: str | None,
) -> None:
    settings = ChatSettings(chat_id=1, timezone=tz, delivery_mode=mode, digest_time=at)
    items = [Item(n, "alert", utc(c)) for n, c in enumerate(created, start=1)]
    decided = plan(settings, utc(now), items)
    assert (decided.digest, decided.held) == (digest, held)
    assert decided.hold_until == (utc(recheck) if recheck else None)
    assert decided.send == ()


def test_the_hourly_cap_holds_the_overflow_for_the_next_hours_digest() -> None:
    settings = ChatSettings(chat_id=1, max_per_hour=2)
    now = utc("2026-03-10 12:40")
    items = [Item(n, "alert", now) for n in range(1, 5)]
    decided = plan(settings, now, items, sent_this_hour=1)
    assert (decided.send, decided.held) == ((1,), (2, 3, 4))
    assert decided.hold_until == now + RECHECK
    # Next hour: the overflow (created before 13:00) is one digest, nothing is dropped.
    later = utc("2026-03-10 13:00")
    decided = plan(settings, later, [*items[1:], Item(5, "alert", later)], sent_this_hour=0)
    assert (decided.digest, decided.send, decided.reason) == ((2, 3, 4), (5,), "overflow")
