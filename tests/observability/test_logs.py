"""Log lines: text or JSON, stable keys, and the bot token never written."""

from __future__ import annotations

import json
import logging

import pytest

from bot.observability.logs import configure_logging

TOKEN = "123456789:AAH-secret-token"


@pytest.fixture(autouse=True)
def restore_logging() -> object:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    yield None
    root.handlers[:], root.level = saved


def test_json_lines_carry_stable_keys(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", as_json=True, secrets=[TOKEN])
    logging.getLogger("bot.poll.feed").info("feed failed: %s", "HTTP 500", extra={"feed_id": 7})
    event = json.loads(capsys.readouterr().err.strip())
    assert event["message"] == "feed failed: HTTP 500"
    assert event["feed_id"] == 7
    assert event["level"] == "INFO"
    assert event["logger"] == "bot.poll.feed"


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_the_token_is_never_written(capsys: pytest.CaptureFixture[str], as_json: bool) -> None:
    configure_logging("DEBUG", as_json=as_json, secrets=[TOKEN])
    log = logging.getLogger("telegram.request")
    log.warning("POST https://api.telegram.org/bot%s/sendMessage failed", TOKEN)
    try:
        raise RuntimeError(f"connection to /bot{TOKEN}/getUpdates reset")
    except RuntimeError:
        log.exception("polling failed", extra={"chat_id": 42})
    err = capsys.readouterr().err
    assert TOKEN not in err
    assert "[redacted]" in err
    assert "chat_id" in err
