"""The user's day: when a chat's alerts may go out, and which of them become a digest.

In: a chat's `ChatSettings`, the time now (UTC, aware), the chat's pending outbox rows (`Item`:
id, kind, creation time) and how many alerts it was sent individually this hour.
Out: a `Plan`: rows to send now (silently or not), alert rows to gather into one digest now,
and rows to hold until a given time. Pure: no I/O, no clock of its own; times are computed in
the chat's IANA time zone, so quiet hours across midnight and daylight-saving changes follow
the wall clock. An unknown time zone name counts as UTC; nothing here raises for bad settings.

The rules, for alert rows (notices and broadcasts always go, silently during quiet hours):
- paused: every alert is held (resume drops those created while paused: `Store.chats.resume_chat`);
- quiet hours with "hold": every alert is held until they end; "silent": sent without sound;
- digest modes (hourly, daily at HH:MM): alerts created before the last digest time are
  gathered into one digest; newer ones wait for the next digest time;
- instant: alerts left from before the last quiet-hours end, or from before this hour when the
  chat has a cap, are gathered into one digest (what was held back); the rest go one by one, at
  most `max_per_hour` per local hour; overflow is held for the next hour's digest, never dropped.
A "digest" of a single alert is sent as that alert.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.models import ChatSettings, DeliveryKind, DeliveryMode

HOLD = "hold"
SILENT = "silent"
# Held rows are looked at again at least this often, so that a change of settings takes
# effect without anyone having to wake them (Store.outbox.release_held does it at once).
RECHECK = timedelta(minutes=5)
# Rows of these kinds obey the user's day; others (notices, broadcasts) always go.
DAY_KINDS = frozenset({DeliveryKind.ALERT, DeliveryKind.DIGEST})


@dataclass(frozen=True, slots=True)
class Item:
    """What the planner needs to know about one pending outbox row."""

    id: int
    kind: DeliveryKind
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Plan:
    """What to do with one chat's pending rows now."""

    send: tuple[int, ...] = ()
    digest: tuple[int, ...] = ()
    held: tuple[int, ...] = ()
    hold_until: datetime | None = None
    silent: bool = False
    reason: str = ""  # why a digest is made: "daily", "hourly", "quiet", "overflow"


def zone(name: str) -> ZoneInfo:
    """The chat's time zone; UTC for a name this system does not know."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _clock_time(hhmm: str) -> time:
    hours, _, minutes = hhmm.partition(":")
    return time(int(hours), int(minutes or 0))


def _at(day: date, hhmm: str, tz: ZoneInfo) -> datetime:
    """The instant (UTC) when the wall clock in `tz` shows `hhmm` on `day`. A time skipped by
    a daylight-saving change (02:30 in spring) is read with the offset before the change, which
    lands one hour later on the wall clock; a repeated time (autumn) means its first occurrence."""
    return datetime.combine(day, _clock_time(hhmm), tzinfo=tz).astimezone(UTC)


def last_at(now: datetime, hhmm: str, tz: ZoneInfo) -> datetime:
    """The latest instant at or before `now` when the wall clock in `tz` showed `hhmm`."""
    today = now.astimezone(tz).date()
    candidates = (_at(today - timedelta(days=d), hhmm, tz) for d in range(3))
    return max(c for c in candidates if c <= now)


def next_at(now: datetime, hhmm: str, tz: ZoneInfo) -> datetime:
    """The first instant after `now` when the wall clock in `tz` shows `hhmm`."""
    today = now.astimezone(tz).date()
    candidates = (_at(today + timedelta(days=d), hhmm, tz) for d in range(-1, 3))
    return min(c for c in candidates if c > now)


def hour_start(now: datetime, tz: ZoneInfo) -> datetime:
    """The start of the current hour on the chat's wall clock (half-hour zones included)."""
    local = now.astimezone(tz)
    return local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)


def in_quiet_hours(settings: ChatSettings, now: datetime) -> bool:
    """Whether `now` falls in the chat's quiet hours [start, end), which may cross midnight."""
    if not settings.quiet_start or not settings.quiet_end:
        return False
    tz = zone(settings.timezone)
    # Compare instants, not wall times, so that a DST change inside the quiet hours is right.
    return last_at(now, settings.quiet_start, tz) > last_at(now, settings.quiet_end, tz)


def _held_back_since(settings: ChatSettings, now: datetime, tz: ZoneInfo) -> datetime | None:
    """Instant mode: alerts created before this instant were held back (quiet hours or the
    hourly cap) and go out together as a digest."""
    bounds = []
    if settings.quiet_start and settings.quiet_end and settings.quiet_mode == HOLD:
        bounds.append(last_at(now, settings.quiet_end, tz))
    if settings.max_per_hour is not None:
        bounds.append(hour_start(now, tz))
    return max(bounds) if bounds else None


def _gathering(
    settings: ChatSettings, now: datetime, tz: ZoneInfo
) -> tuple[datetime | None, datetime, str]:
    """(alerts created before this go into a digest now, when the next ones are looked at,
    why) for the chat's delivery mode."""
    if settings.delivery_mode is DeliveryMode.DAILY:
        last = last_at(now, settings.digest_time, tz)
        return last, next_at(now, settings.digest_time, tz), "daily"
    if settings.delivery_mode is DeliveryMode.HOURLY:
        start = hour_start(now, tz)
        return start, start + timedelta(hours=1), "hourly"
    boundary = _held_back_since(settings, now, tz)
    release = hour_start(now, tz) + timedelta(hours=1)
    # Quiet hours ending on the hour share the cap's boundary: they are the reason then.
    quiet_end = settings.quiet_end if settings.quiet_mode == HOLD else None
    ended = last_at(now, quiet_end, tz) if settings.quiet_start and quiet_end else None
    return boundary, release, "quiet" if boundary is not None and boundary == ended else "overflow"


def plan(
    settings: ChatSettings, now: datetime, items: Sequence[Item], sent_this_hour: int = 0
) -> Plan:
    """Decide what happens now to one chat's pending rows; see the module docstring."""
    tz = zone(settings.timezone)
    quiet = in_quiet_hours(settings, now)
    free = tuple(i.id for i in items if i.kind not in DAY_KINDS)
    ruled = [i for i in items if i.kind in DAY_KINDS]
    if settings.paused_at is not None or (quiet and settings.quiet_mode == HOLD):
        until = now + RECHECK
        if settings.paused_at is None and settings.quiet_end:
            until = min(until, next_at(now, settings.quiet_end, tz))
        held = tuple(i.id for i in ruled)
        return Plan(send=free, held=held, hold_until=until if held else None, silent=quiet)

    digests = [i.id for i in ruled if i.kind == DeliveryKind.DIGEST]
    alerts = [i for i in ruled if i.kind == DeliveryKind.ALERT]
    mode = settings.delivery_mode
    boundary, release, reason = _gathering(settings, now, tz)

    old = [a.id for a in alerts if boundary is not None and a.created_at < boundary]
    new = [a.id for a in alerts if boundary is None or a.created_at >= boundary]
    digest = tuple(old) if len(old) >= 2 else ()
    single = old if len(old) == 1 else []

    if mode is DeliveryMode.INSTANT:
        room = len(new)
        if settings.max_per_hour is not None:
            room = max(0, settings.max_per_hour - sent_this_hour - len(single))
        now_ids, held_ids = new[:room], new[room:]
    else:
        now_ids, held_ids = [], new
    send = tuple(sorted([*free, *digests, *single, *now_ids]))
    recheck = min(release, now + RECHECK) if held_ids else None
    silent = quiet and settings.quiet_mode == SILENT
    return Plan(
        send=send,
        digest=digest,
        held=tuple(held_ids),
        hold_until=recheck,
        silent=silent,
        reason=reason if digest else "",
    )
