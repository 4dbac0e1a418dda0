"""The bot's metrics (Prometheus), defined once; stages import and move them.

In: nothing; `count_hubs()` takes the WebSub subscriptions' count by state, as the store
counts it. Out: counters, a histogram and gauges in one `REGISTRY` of our own (not the
process-global default, so tests can build several bots in one process), and `render()`
giving the Prometheus text format. Never fails: a metric is only ever incremented or set.
"""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.websub.lease import HubState

REGISTRY = CollectorRegistry(auto_describe=True)

POLLS = Counter("bot_feed_polls", "Feed fetches attempted", registry=REGISTRY)
FETCH_ERRORS = Counter(
    "bot_feed_fetch_errors", "Feed fetches that failed, by kind", ["kind"], registry=REGISTRY
)
NEW_ARTICLES = Counter("bot_articles_new", "New stories stored", registry=REGISTRY)
MATCHES = Counter("bot_matches", "(chat, article) matches found", registry=REGISTRY)
ALERTS_QUEUED = Counter("bot_alerts_queued", "Messages written to the outbox", registry=REGISTRY)
ALERTS_SENT = Counter("bot_alerts_sent", "Messages Telegram accepted", registry=REGISTRY)
ALERTS_FAILED = Counter(
    "bot_alerts_failed", "Messages given up on or dropped, by reason", ["reason"], registry=REGISTRY
)
SEND_LATENCY = Histogram(
    "bot_send_latency_seconds",
    "Time Telegram took to accept one message",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
OUTBOX_OLDEST = Gauge(
    "bot_outbox_oldest_age_seconds",
    "Age of the oldest message waiting in the outbox (0 when empty)",
    registry=REGISTRY,
)
OUTBOX_PENDING = Gauge("bot_outbox_pending", "Messages waiting in the outbox", registry=REGISTRY)

WEBSUB_SUBSCRIPTIONS = Gauge(
    "bot_websub_subscriptions",
    "WebSub hub subscriptions, by state (active: the hub pushes the feed)",
    ["state"],
    registry=REGISTRY,
)
WEBSUB_PUSHES_ACCEPTED = Counter(
    "bot_websub_pushes_accepted",
    "WebSub deliveries with a valid signature, kept for a worker",
    registry=REGISTRY,
)
WEBSUB_PUSHES_REFUSED = Counter(
    "bot_websub_pushes_refused",
    "WebSub deliveries refused for a missing or bad signature",
    registry=REGISTRY,
)


def count_hubs(counts: Mapping[HubState, int]) -> None:
    """Set the subscriptions gauge from the count in each state; a state none is in reads 0
    (not the count of an earlier scrape)."""
    for state in HubState:
        WEBSUB_SUBSCRIPTIONS.labels(state=state.value).set(counts.get(state, 0))


def render() -> bytes:
    """Every metric in the Prometheus text exposition format."""
    return generate_latest(REGISTRY)
