"""Start-up checks: is there a usable token, and does Telegram know it?

In: BOT_TOKEN and TELEGRAM_API_URL. Out: nothing when all is well; `StartupError`, whose str()
is one line saying what is wrong and what to do (for the operator, never a traceback), when
the token is missing, still the example's placeholder, not shaped like a token, or refused by
Telegram (401/404 to getMe). An unreachable Telegram (no connection, a timeout, a 5xx or a
429) is not an error: it is asked again with backoff (`retry_delay`) until it answers, and the
operator is told once that the bot is waiting and once that it goes on. The token never
appears in anything said here: getMe's URL carries it, so no request URL is ever shown.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

import httpx

log = logging.getLogger(__name__)

# The value .env.example ships with, and words of placeholders people write; long enough that
# a real token's random secret holds one with a chance of about one in a million.
EXAMPLE_TOKEN = "123456789:replace-with-the-token-from-BotFather"  # noqa: S105 - a placeholder
_PLACEHOLDER = re.compile(r"replace|your[-_]?token|paste|change[-_]?me", re.IGNORECASE)
# What @BotFather hands out: the bot's numeric id, a colon, a secret of letters, digits, - and _.
_TOKEN_SHAPE = re.compile(r"\d+:[A-Za-z0-9_-]+")
FIRST_RETRY = 1.0
MAX_RETRY = 60.0
TIMEOUT = 10.0


class StartupError(Exception):
    """The bot cannot start; str() is one line for the operator: what is wrong, what to do."""


def token_problem(token: str | None) -> str | None:
    """Why `token` cannot be a bot token (one line), or None when it may be one."""
    if not token or not token.strip():
        return (
            "BOT_TOKEN is not set: get a token from @BotFather (https://t.me/BotFather) and put "
            "BOT_TOKEN=... in .env, or run ./run.sh in a terminal to be asked for it"
        )
    secret = token.split(":", 1)[-1]
    if token == EXAMPLE_TOKEN or _PLACEHOLDER.search(secret):
        return (
            "BOT_TOKEN is still the placeholder from .env.example: replace it in .env with the "
            "token @BotFather gave you"
        )
    if not _TOKEN_SHAPE.fullmatch(token.strip()):
        return (
            "BOT_TOKEN does not look like a token (digits, a colon, then letters and digits, "
            "e.g. 123456789:AAE...): copy it again from @BotFather"
        )
    return None


def retry_delay(attempt: int) -> float:
    """Seconds to wait before asking Telegram again after `attempt` failed tries (1, 2, ...):
    doubling from FIRST_RETRY, at most MAX_RETRY."""
    return min(MAX_RETRY, FIRST_RETRY * float(2 ** min(max(attempt - 1, 0), 16)))


def _ask(client: httpx.Client, api_url: str, token: str) -> str | None:
    """getMe once: None when Telegram knows the token; else why it could not say (a reason to
    wait and ask again). Raises StartupError when Telegram refuses the token."""
    try:
        response = client.get(f"{api_url}/bot{token}/getMe")
    except httpx.HTTPError as exc:
        # httpx's messages name no URL for connection errors, but take no chances.
        return f"{type(exc).__name__}: {exc}".replace(token, "[token]")
    if response.status_code in (401, 404):
        raise StartupError(
            f"Telegram refused BOT_TOKEN ({response.status_code} "
            f"{response.reason_phrase or 'Unauthorized'}): copy the token again from "
            "@BotFather (/mybots, API Token) into .env"
        )
    if response.status_code != 200:
        return f"HTTP {response.status_code} {response.reason_phrase}"
    return None


def wait_for_telegram(
    api_url: str,
    token: str,
    *,
    sleep: Callable[[float], None] = time.sleep,
    client: httpx.Client | None = None,
) -> None:
    """Return once Telegram answers getMe for `token`; raise StartupError if it refuses it."""
    problem = token_problem(token)
    if problem:
        raise StartupError(problem)
    with client or httpx.Client(timeout=TIMEOUT) as http:
        attempt = 0
        while (reason := _ask(http, api_url, token)) is not None:
            attempt += 1
            if attempt == 1:
                log.warning(
                    "Telegram cannot be reached at %s (%s): check the network (or "
                    "TELEGRAM_API_URL); the bot keeps trying, waiting up to %.0f s between tries",
                    api_url,
                    reason,
                    MAX_RETRY,
                )
            sleep(retry_delay(attempt))
        if attempt:
            log.warning("Telegram answers again after %d tries: starting", attempt + 1)
