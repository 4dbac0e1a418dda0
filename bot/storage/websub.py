"""WebSub subscriptions, and (through `InboxQueries`) the inbox of pushed documents.

In: feed ids, hub links, the hub's answers, pushed bodies, the clock. Out:
`HubSubscription`s (bot.websub.lease), `Push`es taken for a worker
(bot.storage.websub_inbox), and whether a state change happened (a conditional UPDATE: an
intent check matches only a subscription of ours that is pending or active for that very
topic and was asked for lately, or leaving when it confirms an unsubscription; one worker
wins the right to ask a hub). Subscriptions of removed (disabled) feeds are not renewed but
unsubscribed (`gone`). Every method is one short transaction. Fails with SQLAlchemy's errors.
For reports, `views()`: every subscription as a `HubView` (bot.feeds.state: no secret).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update

from bot.feeds.state import HubView
from bot.storage.schema import feeds, websub
from bot.storage.websub_inbox import InboxQueries, Push
from bot.websub.lease import (
    ANSWER_WAIT,
    RETRY_AFTER,
    HubLink,
    HubState,
    HubSubscription,
    renew_at,
)

__all__ = ["Push", "WebSubRepository"]

LIVE = (HubState.PENDING, HubState.ACTIVE)
RESTING = (HubState.DENIED, HubState.FAILED, HubState.SILENT)


def _row(r: Any) -> HubSubscription:
    return HubSubscription(
        id=r.id,
        feed_id=r.feed_id,
        link=HubLink(r.hub, r.topic),
        secret=r.secret,
        state=HubState(r.state),
        guarded=r.guarded,
        requested_at=r.requested_at,
        lease_until=r.lease_until,
        renew_at=r.renew_at,
        retry_at=r.retry_at,
        last_push_at=r.last_push_at,
        misses=r.misses,
        error=r.error,
    )


class WebSubRepository(InboxQueries):
    """The websub table, and the inbox (`InboxQueries`)."""

    def get(
        self, *, feed_id: int | None = None, sub_id: int | None = None
    ) -> HubSubscription | None:
        """The subscription of a feed, or the one with this id; None when there is none."""
        query = select(websub)
        if feed_id is not None:
            query = query.where(websub.c.feed_id == feed_id)
        if sub_id is not None:
            query = query.where(websub.c.id == sub_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return _row(row) if row is not None else None

    def views(self) -> dict[int, HubView]:
        """Every subscription as reports show it, by feed id (for /feedhealth and `python -m
        bot feeds`)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(websub).order_by(websub.c.id)).all()
        return {r.feed_id: HubView.of(_row(r)) for r in rows}

    def count_by_state(self) -> dict[HubState, int]:
        """How many subscriptions are in each state (for the metrics; one small query)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(websub.c.state, func.count()).group_by(websub.c.state)).all()
        return {HubState(state): count for state, count in rows}

    def due(self, now: datetime, *, limit: int = 50) -> list[HubSubscription]:
        """The subscriptions whose hub must be asked now: new ones; pending or active ones
        whose renewal time came (a request unanswered, a lease at 80%); refused, failed or
        silent ones whose retry time came."""
        query = (
            select(websub)
            .join(feeds, feeds.c.id == websub.c.feed_id)
            .where(
                feeds.c.enabled.is_(True),
                or_(
                    websub.c.state == HubState.NEW,
                    and_(
                        websub.c.state.in_(LIVE),
                        or_(websub.c.renew_at.is_(None), websub.c.renew_at <= now),
                    ),
                    and_(
                        websub.c.state.in_(RESTING),
                        or_(websub.c.retry_at.is_(None), websub.c.retry_at <= now),
                    ),
                ),
            )
            .order_by(websub.c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(query)]

    def gone(self, *, limit: int = 50) -> list[HubSubscription]:
        """The live subscriptions of feeds no longer polled (removed): to unsubscribe."""
        query = (
            select(websub)
            .join(feeds, feeds.c.id == websub.c.feed_id)
            .where(feeds.c.enabled.is_(False), websub.c.state.in_(LIVE))
            .order_by(websub.c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(query)]

    def leaving(self, sub_id: int) -> bool:
        """About to unsubscribe (its feed was removed): the hub's check (or nothing) ends it;
        deliveries meanwhile are taken but alert nothing. False when another worker does it."""
        with self.engine.begin() as conn:
            done = conn.execute(
                update(websub)
                .where(websub.c.id == sub_id, websub.c.state.in_(LIVE))
                .values(state=HubState.LEAVING)
            )
        return done.rowcount == 1

    def left(self, sub_id: int, topic: str) -> bool:
        """The hub's check of our unsubscribe request: the subscription is forgotten. False
        when it matches no subscription of ours that is leaving."""
        with self.engine.begin() as conn:
            done = conn.execute(
                delete(websub).where(
                    websub.c.id == sub_id,
                    websub.c.topic == topic,
                    websub.c.state == HubState.LEAVING,
                )
            )
        return done.rowcount == 1

    def discovered(self, feed_id: int, link: HubLink, *, secret: str, guarded: bool) -> None:
        """A feed advertises `link`: a new subscription to ask for, or a changed hub or topic
        (asked again from the start, with a new secret)."""
        values = {"hub": link.hub, "topic": link.topic, "secret": secret, "guarded": guarded}
        fresh = {**values, "state": HubState.NEW, "misses": 0, "lease_until": None}
        with self.engine.begin() as conn:
            conn.execute(
                self._insert(websub)
                .values(feed_id=feed_id, **fresh)
                .on_conflict_do_nothing(index_elements=["feed_id"])
            )
            conn.execute(
                update(websub)
                .where(
                    websub.c.feed_id == feed_id,
                    or_(
                        websub.c.hub != link.hub,
                        websub.c.topic != link.topic,
                        websub.c.state == HubState.LEAVING,  # the feed came back
                    ),
                )
                .values(**fresh)
            )

    def requested(self, sub: HubSubscription, *, now: datetime, wait: timedelta) -> bool:
        """About to ask the hub for `sub` (as read): its intent check should come within
        `wait`; an active lease stays active meanwhile. False when another worker asked
        since `sub` was read (it changed `requested_at`): this one does not ask again."""
        seen = websub.c.requested_at
        with self.engine.begin() as conn:
            claimed = conn.execute(
                update(websub)
                .where(
                    websub.c.id == sub.id,
                    seen.is_(None) if sub.requested_at is None else seen == sub.requested_at,
                )
                .values(requested_at=now, renew_at=now + wait, error=None)
            ).rowcount
            if claimed:
                conn.execute(
                    update(websub)
                    .where(websub.c.id == sub.id, websub.c.state != HubState.ACTIVE)
                    .values(state=HubState.PENDING)
                )
        return claimed == 1

    def failed(self, sub_id: int, *, now: datetime, error: str) -> None:
        """The hub could not be asked, refused the request, or never checked our intent: an
        active lease runs on (renewal tried again later), else the feed is polled as before."""
        retry = now + RETRY_AFTER
        with self.engine.begin() as conn:
            conn.execute(
                update(websub)
                .where(websub.c.id == sub_id, websub.c.state != HubState.ACTIVE)
                .values(state=HubState.FAILED, retry_at=retry)
            )
            conn.execute(update(websub).where(websub.c.id == sub_id).values(error=error[:500]))

    def verified(self, sub_id: int, topic: str, *, lease_seconds: int, now: datetime) -> bool:
        """The hub's intent check for a subscription of ours to `topic`, pending or active,
        that we asked for within ANSWER_WAIT: active until the lease ends. False when it
        matches none (the caller answers 404): a check nobody asked for (a stranger's, or a
        replay) cannot start or stretch a lease."""
        with self.engine.begin() as conn:
            done = conn.execute(
                update(websub)
                .where(
                    websub.c.id == sub_id,
                    websub.c.topic == topic,
                    websub.c.state.in_(LIVE),
                    websub.c.requested_at >= now - ANSWER_WAIT,
                )
                .values(
                    requested_at=None,  # answered: a second check is not ours
                    state=HubState.ACTIVE,
                    lease_until=now + timedelta(seconds=lease_seconds),
                    renew_at=renew_at(now, lease_seconds),
                    error=None,
                    misses=0,
                )
            )
        return done.rowcount == 1

    def denied(self, sub_id: int, topic: str, *, reason: str, now: datetime) -> bool:
        """The hub refused (or ended) our subscription to `topic`: polled as before, asked
        again later. False when it matches none of ours."""
        with self.engine.begin() as conn:
            done = conn.execute(
                update(websub)
                .where(websub.c.id == sub_id, websub.c.topic == topic)
                .values(
                    state=HubState.DENIED,
                    lease_until=None,
                    retry_at=now + RETRY_AFTER,
                    error=reason[:500] or "denied by the hub",
                )
            )
        return done.rowcount == 1

    def missed(self, feed_id: int, *, limit: int, now: datetime) -> bool:
        """A poll of a pushed feed found stories the hub had not pushed. After `limit` such
        polls in a row the hub counts as silent: polled as before, asked again later. True
        when it just became silent."""
        with self.engine.begin() as conn:
            conn.execute(
                update(websub)
                .where(websub.c.feed_id == feed_id, websub.c.state == HubState.ACTIVE)
                .values(misses=websub.c.misses + 1)
            )
            done = conn.execute(
                update(websub)
                .where(
                    websub.c.feed_id == feed_id,
                    websub.c.state == HubState.ACTIVE,
                    websub.c.misses >= limit,
                )
                .values(
                    state=HubState.SILENT,
                    lease_until=None,
                    retry_at=now + RETRY_AFTER,
                    error="the hub pushed nothing while polls found new stories",
                )
            )
        return done.rowcount == 1
