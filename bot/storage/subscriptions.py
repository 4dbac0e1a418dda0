"""What each chat watches: subscriptions, mute, snooze, a ticker's choice, import, and their
revision.

In: chat ids, subscription kinds and values, `Choice`s. Out: `Subscription`s and
`SubscriptionState`s.
A subscription is unique per chat, kind and value (the database refuses a second one); every
change moves the subscriptions' revision, which other processes follow. A snoozed subscription
(`snoozed_until` set) is left out of the active ones until `wake_snoozed` clears it. Fails with
SQLAlchemy's errors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Select,
    delete,
    func,
    select,
    update,
)

from bot.models import DEFAULT_CHOICE, Choice, DeliveryMode, Kind, Subscription
from bot.storage.base import StoreBase
from bot.storage.revisions import SUBSCRIPTIONS, bump_revision, read_revision
from bot.storage.rows import SETTINGS_COLUMNS, choice_of, choice_values, subscription_of
from bot.storage.schema import (
    chats,
    subscriptions,
)


@dataclass(frozen=True, slots=True)
class SubscriptionState:
    """One subscription as exported and imported: no ids, which belong to one database."""

    kind: Kind
    value: str
    muted: bool = False
    choice: Choice = DEFAULT_CHOICE


class SubscriptionRepository(StoreBase):
    """The subscriptions table."""

    def add_subscription(
        self, chat_id: int, kind: Kind, value: str, now: datetime
    ) -> Subscription | None:
        """Add one subscription; None when the chat already has it."""
        with self.engine.begin() as conn:
            stmt = (
                self._insert(subscriptions)
                .values(chat_id=chat_id, kind=kind.value, value=value, created_at=now)
                .on_conflict_do_nothing()
                .returning(subscriptions.c.id)
            )
            new_id = conn.execute(stmt).scalar()
            if new_id is not None:
                bump_revision(conn, SUBSCRIPTIONS)
        if new_id is None:
            return None
        return Subscription(id=new_id, chat_id=chat_id, kind=kind, value=value)

    def remove_subscriptions(self, chat_id: int, value: str) -> list[Subscription]:
        """Remove the chat's subscriptions whose value is `value` (case-insensitive)."""
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(subscriptions).where(
                    subscriptions.c.chat_id == chat_id,
                    func.lower(subscriptions.c.value) == value.lower(),
                )
            ).all()
            if rows:
                conn.execute(
                    delete(subscriptions).where(subscriptions.c.id.in_([r.id for r in rows]))
                )
                bump_revision(conn, SUBSCRIPTIONS)
        return [subscription_of(r) for r in rows]

    def remove_subscription(self, chat_id: int, subscription_id: int) -> Subscription | None:
        """Remove one of the chat's subscriptions by id; None if the chat has no such one."""
        with self.engine.begin() as conn:
            row = conn.execute(
                delete(subscriptions)
                .where(subscriptions.c.id == subscription_id, subscriptions.c.chat_id == chat_id)
                .returning(subscriptions)
            ).one_or_none()
            if row is not None:
                bump_revision(conn, SUBSCRIPTIONS)
        return None if row is None else subscription_of(row)

    def set_muted(self, chat_id: int, subscription_id: int, muted: bool) -> Subscription | None:
        """Pause or resume one of the chat's subscriptions; None if the chat has no such one."""
        with self.engine.begin() as conn:
            row = conn.execute(
                update(subscriptions)
                .where(subscriptions.c.id == subscription_id, subscriptions.c.chat_id == chat_id)
                .values(muted=muted)
                .returning(subscriptions)
            ).one_or_none()
            if row is not None:
                bump_revision(conn, SUBSCRIPTIONS)
        return None if row is None else subscription_of(row)

    def set_choice(self, chat_id: int, subscription_id: int, choice: Choice) -> Subscription | None:
        """Set one of the chat's subscriptions' choice; None if the chat has no such one."""
        with self.engine.begin() as conn:
            row = conn.execute(
                update(subscriptions)
                .where(subscriptions.c.id == subscription_id, subscriptions.c.chat_id == chat_id)
                .values(**choice_values(choice))
                .returning(subscriptions)
            ).one_or_none()
            if row is not None:
                bump_revision(conn, SUBSCRIPTIONS)
        return None if row is None else subscription_of(row)

    def snooze(self, chat_id: int, subscription_id: int, until: datetime) -> Subscription | None:
        """Silence one of the chat's subscriptions until `until`; None if it has no such one."""
        with self.engine.begin() as conn:
            row = conn.execute(
                update(subscriptions)
                .where(subscriptions.c.id == subscription_id, subscriptions.c.chat_id == chat_id)
                .values(snoozed_until=until)
                .returning(subscriptions)
            ).one_or_none()
            if row is not None:
                bump_revision(conn, SUBSCRIPTIONS)
        return None if row is None else subscription_of(row)

    def wake_snoozed(self, now: datetime) -> list[Subscription]:
        """End every snooze that ran out by `now`; returns those of them that are active again
        (not muted, in an active chat), for the match index."""
        with self.engine.begin() as conn:
            woken = list(
                conn.execute(
                    update(subscriptions)
                    .where(subscriptions.c.snoozed_until <= now)
                    .values(snoozed_until=None)
                    .returning(subscriptions.c.id)
                ).scalars()
            )
            if not woken:
                return []
            bump_revision(conn, SUBSCRIPTIONS)
            rows = conn.execute(self._active().where(subscriptions.c.id.in_(woken))).all()
        return [subscription_of(r) for r in rows]

    def snoozed(self, chat_id: int) -> dict[int, datetime]:
        """When each of the chat's snoozed subscriptions comes back, by subscription id."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(subscriptions.c.id, subscriptions.c.snoozed_until).where(
                    subscriptions.c.chat_id == chat_id, subscriptions.c.snoozed_until.is_not(None)
                )
            ).all()
        return {r.id: r.snoozed_until for r in rows}

    def subscriptions_revision(self) -> int:
        """A number that changes whenever the set of active subscriptions may have changed:
        worker processes compare it to know when to reload their match index."""
        with self.engine.connect() as conn:
            return read_revision(conn, SUBSCRIPTIONS)

    def chat_subscriptions(self, chat_id: int) -> list[Subscription]:
        """The chat's subscriptions, muted ones too: tickers first, then keywords, by value."""
        return [subscription_of(r) for r in self._chat_rows(chat_id)]

    def chat_subscription(self, chat_id: int, subscription_id: int) -> Subscription | None:
        """One of the chat's subscriptions by id; None if it has no such one."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(subscriptions).where(
                    subscriptions.c.id == subscription_id, subscriptions.c.chat_id == chat_id
                )
            ).one_or_none()
        return None if row is None else subscription_of(row)

    def _chat_rows(self, chat_id: int) -> list[Any]:
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    select(subscriptions)
                    .where(subscriptions.c.chat_id == chat_id)
                    .order_by(subscriptions.c.kind.desc(), subscriptions.c.value)
                ).all()
            )

    def active_subscriptions(self, chat_id: int | None = None) -> list[Subscription]:
        """Every subscription that should produce alerts (of one chat, or of all): active
        chats, not muted, not snoozed."""
        query = self._active()
        if chat_id is not None:
            query = query.where(subscriptions.c.chat_id == chat_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [subscription_of(r) for r in rows]

    @staticmethod
    def _active() -> Select[Any]:
        return (
            select(subscriptions)
            .join(chats, chats.c.id == subscriptions.c.chat_id)
            .where(
                chats.c.active.is_(True),
                subscriptions.c.muted.is_(False),
                subscriptions.c.snoozed_until.is_(None),
            )
        )

    def subscription_states(self, chat_id: int) -> list[SubscriptionState]:
        """The chat's subscriptions with their muted flag and choice, for /export."""
        rows = self._chat_rows(chat_id)
        return [SubscriptionState(Kind(r.kind), r.value, bool(r.muted), choice_of(r)) for r in rows]

    def replace_chat_state(
        self,
        chat_id: int,
        wanted: Sequence[SubscriptionState],
        settings: Mapping[str, object],
        now: datetime,
    ) -> tuple[list[Subscription], list[Subscription]]:
        """/import: make the chat hold exactly `wanted` and `settings`, in one transaction.
        Returns (removed, added-and-not-muted) so that the caller can update the index."""
        unknown = set(settings) - SETTINGS_COLUMNS
        if unknown:
            raise ValueError(f"not chat settings: {sorted(unknown)}")
        values = {k: (v.value if isinstance(v, DeliveryMode) else v) for k, v in settings.items()}
        with self.engine.begin() as conn:
            old = conn.execute(
                select(subscriptions).where(subscriptions.c.chat_id == chat_id)
            ).all()
            conn.execute(delete(subscriptions).where(subscriptions.c.chat_id == chat_id))
            added: list[Subscription] = []
            seen: set[tuple[str, str]] = set()
            for state in wanted:
                if (state.kind.value, state.value) in seen:
                    continue
                seen.add((state.kind.value, state.value))
                new_id = conn.execute(
                    subscriptions.insert()
                    .values(
                        chat_id=chat_id,
                        kind=state.kind.value,
                        value=state.value,
                        muted=state.muted,
                        created_at=now,
                        **choice_values(state.choice),
                    )
                    .returning(subscriptions.c.id)
                ).scalar_one()
                if not state.muted:
                    added.append(
                        Subscription(new_id, chat_id, state.kind, state.value, state.choice)
                    )
            if values:
                conn.execute(update(chats).where(chats.c.id == chat_id).values(**values))
            bump_revision(conn, SUBSCRIPTIONS)
        return [subscription_of(r) for r in old], added

    def watched_tickers(self) -> set[str]:
        """Tickers some active chat watches (muted ones included: they may be unmuted)."""
        with self.engine.connect() as conn:
            return set(
                conn.execute(
                    select(subscriptions.c.value)
                    .join(chats, chats.c.id == subscriptions.c.chat_id)
                    .where(subscriptions.c.kind == Kind.TICKER.value, chats.c.active.is_(True))
                    .distinct()
                ).scalars()
            )
