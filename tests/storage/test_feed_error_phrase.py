"""A feed's failure kept as a catalogue phrase (migration 0012): written by
`store.polls.record_failure`, read back on every `FeedState`, nested phrases and errors
carrying one surviving the JSON, cleared by a success; rows from before (phrase NULL) fall
back to their English text.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from bot.feeds.fetch import FetchError
from bot.feeds.sniff import FeedError
from bot.feeds.state import FeedState, Unchanged
from bot.models import Feed
from bot.storage import phrases
from bot.storage.schema import feeds
from bot.storage.store import Store
from bot.texts import Phrase

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
URL = "https://f.example/rss"


def _only(store: Store) -> FeedState:
    (state,) = store.feeds.feed_states()
    return state


def _failed(store: Store, error: str, phrase: Phrase | None) -> FeedState:
    store.feeds.sync_catalogue([Feed(name="F", url=URL, interval=60)])
    feed_id = _only(store).feed.id
    assert feed_id is not None
    later = NOW + timedelta(hours=1)
    store.polls.record_failure(feed_id, now=NOW, error=error, next_poll_at=later, phrase=phrase)
    return _only(store)


@pytest.mark.parametrize(
    "phrase",
    [
        Phrase("fetch.error.http", {"status": "404", "reason": "Not Found"}),
        # A reason inside a reason: the inner one is said in the reader's language too.
        Phrase(
            "feeds.add.refused",
            {"reason": FeedError.named("sniff.broken_xml", line="3", detail="no element found")},
        ),
        Phrase(
            "feeds.add.refused",
            {"reason": Phrase("fetch.error.redirects", {"limit": 5})},
        ),
        Phrase("fetch.error.network", {"detail": FetchError("no route")}),
    ],
    ids=["flat", "nested-error", "nested-phrase", "error-without-phrase"],
)
def test_a_failures_phrase_survives_the_round_trip(store: Store, phrase: Phrase) -> None:
    state = _failed(store, phrase.say(), phrase)
    assert state.last_error_phrase is not None
    for lang in ("en", "zh_Hans"):
        assert state.last_error_phrase.say(lang) == phrase.say(lang)
    assert state.error_for("zh_Hans") == phrase.say("zh_Hans").strip()
    # The stored JSON reads back to the same JSON: nothing is lost on a second trip.
    assert phrases.dumps(state.last_error_phrase) == phrases.dumps(phrase)


def test_english_readers_get_the_english_text_and_old_rows_fall_back_to_it(store: Store) -> None:
    phrase = Phrase("fetch.error.http", {"status": "500", "reason": "Oops"})
    state = _failed(store, "HTTP 500 Oops (said the log)", phrase)
    assert state.error_for("en") == "HTTP 500 Oops (said the log)"
    assert state.error_for("zh_Hans") == "HTTP 500 Oops"

    with store.engine.begin() as conn:  # a row written before 0012
        conn.execute(update(feeds).values(last_error_phrase=None))
    assert _only(store).error_for("zh_Hans") == "HTTP 500 Oops (said the log)"


def test_a_success_clears_the_phrase(store: Store) -> None:
    state = _failed(
        store,
        "HTTP 404 Not Found",
        Phrase("fetch.error.http", {"status": "404", "reason": "Not Found"}),
    )
    assert state.feed.id is not None
    store.polls.record_unchanged([Unchanged(state.feed.id, NOW, NOW + timedelta(hours=1))])
    state = _only(store)
    assert state.last_error is None
    assert state.last_error_phrase is None
    assert state.error_for("zh_Hans") is None


def test_text_that_is_not_a_stored_phrase_is_refused() -> None:
    with pytest.raises(ValueError, match="not a stored phrase"):
        phrases.loads('{"values": {}}')
    assert phrases.loads(None) is None
    assert phrases.dumps(None) is None
