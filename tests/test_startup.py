"""Start-up as an operator meets it: `python -m bot run` as a real process, pointed at the fake
Bot API. A placeholder or refused token, a malformed catalogue and a database that cannot be
reached are one line on stderr saying what to do, exit status 1, no traceback; an unreachable
Telegram is waited for (said once); the token is never written anywhere."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import pytest

from bot.startup import EXAMPLE_TOKEN, MAX_RETRY, retry_delay, token_problem
from tests.e2e.bot_process import BotProcess, run_command
from tests.fakes.telegram_api import FakeBotAPI, _Handler, _Server

SECRET = "WRONG-secret-c0ffee"


def env_for(tmp_path: Path, api_url: str, token: str, **more: str) -> dict[str, str]:
    catalogue = tmp_path / "feeds.toml"
    if not catalogue.exists():
        catalogue.write_text("", encoding="utf-8")
    return {
        "BOT_TOKEN": token,
        "TELEGRAM_API_URL": api_url,
        "DATA_DIR": str(tmp_path / "data"),
        "FEEDS_FILE": str(catalogue),
        **more,
    }


def run_to_exit(
    env: dict[str, str], cwd: Path, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return run_command(["run"], env, cwd, timeout)


def assert_one_clear_line(done: subprocess.CompletedProcess[str], *words: str) -> str:
    """Exit status 1, and stderr's last line says it all; no traceback anywhere."""
    assert done.returncode == 1, done.stderr
    output = done.stdout + done.stderr
    assert "Traceback" not in output
    (line,) = [s for s in done.stderr.splitlines() if s.startswith("cannot start:")]
    for word in words:
        assert word in line
    return output


@pytest.mark.parametrize(
    ("token", "says"),
    [
        (None, "not set"),
        ("", "not set"),
        (EXAMPLE_TOKEN, "placeholder"),
        ("123:paste-your-token-here", "placeholder"),
        ("my bot token", "does not look like a token"),
        ("123456789AAEhBP0av28Q", "does not look like a token"),
        ("123456789:AAEhBP0av28QtfpDWuJZ-XxXxXfVn7_cq5Q", None),
        ("123456:TEST-TOKEN", None),
    ],
    ids=["unset", "empty", "example", "paste-here", "words", "no-colon", "real-shape", "fake"],
)
def test_token_problem(token: str | None, says: str | None) -> None:
    problem = token_problem(token)
    assert (problem is None) if says is None else (problem is not None and says in problem)


@pytest.mark.parametrize(
    ("attempt", "delay"),
    [(1, 1.0), (2, 2.0), (3, 4.0), (6, 32.0), (7, MAX_RETRY), (1000, MAX_RETRY)],
    ids=["first", "second", "third", "sixth", "capped", "far"],
)
def test_retry_delay_doubles_up_to_a_minute(attempt: int, delay: float) -> None:
    assert retry_delay(attempt) == delay


def test_the_example_placeholder_token_is_one_clear_line(tmp_path: Path) -> None:
    with FakeBotAPI() as telegram:
        done = run_to_exit(env_for(tmp_path, telegram.url, EXAMPLE_TOKEN), tmp_path)
        assert telegram.calls == []  # Telegram was not even asked
    assert_one_clear_line(done, "placeholder", ".env")


def test_a_token_telegram_refuses_is_one_clear_line_without_the_token(tmp_path: Path) -> None:
    with FakeBotAPI(token="42:RIGHT-secret") as telegram:
        done = run_to_exit(env_for(tmp_path, telegram.url, f"42:{SECRET}"), tmp_path)
    output = assert_one_clear_line(done, "refused", "BOT_TOKEN", "@BotFather")
    assert SECRET not in output


def test_a_malformed_catalogue_is_one_clear_line(tmp_path: Path) -> None:
    (tmp_path / "feeds.toml").write_text('[[feeds]]\nname = "Wire\nurl = 1\n', encoding="utf-8")
    with FakeBotAPI() as telegram:
        done = run_to_exit(env_for(tmp_path, telegram.url, telegram.token), tmp_path)
        assert telegram.calls == []
    assert_one_clear_line(done, "feeds.toml", "not valid TOML", "FEEDS_FILE")


@pytest.mark.parametrize(
    ("database", "says"),
    [
        # Nothing listens there (a stopped server, a wrong port): the driver's reason and the
        # database named, its password not.
        ("postgresql://bot:{secret}@127.0.0.1:{port}/alerts", ("Connection refused", ":***@")),
        # A SQLite file whose folder cannot be made.
        ("sqlite:///{tmp}/a-file/bot.sqlite3", ("cannot make the folder", "DATABASE_URL")),
    ],
)
def test_a_database_that_cannot_be_reached_is_one_clear_line(
    tmp_path: Path, database: str, says: tuple[str, ...]
) -> None:
    (tmp_path / "a-file").write_text("", encoding="utf-8")  # a file where a folder should be
    url = database.format(secret=SECRET, port=free_port(), tmp=tmp_path)
    with FakeBotAPI() as telegram:
        env = env_for(tmp_path, telegram.url, telegram.token, DATABASE_URL=url)
        done = run_to_exit(env, tmp_path)
    output = assert_one_clear_line(done, *says)
    assert SECRET not in output


class FakeBotAPIOnPort(FakeBotAPI):
    """The fake Bot API on a port chosen beforehand: Telegram "coming back" where the bot
    has been knocking."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self.port = port

    def _new_server(self) -> _Server:
        server = _Server(("127.0.0.1", self.port), _Handler)
        server.api = self
        return server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_an_unreachable_telegram_is_waited_for_said_once(tmp_path: Path) -> None:
    port = free_port()
    telegram = FakeBotAPIOnPort(port)
    env = env_for(tmp_path, f"http://127.0.0.1:{port}", telegram.token)
    with BotProcess(env, tmp_path) as bot:
        deadline = time.monotonic() + 30
        while "cannot be reached" not in bot.log():
            assert time.monotonic() < deadline, bot.log()
            time.sleep(0.1)
        time.sleep(4)  # a few more tries, none of them said again
        assert bot.log().count("cannot be reached") == 1
        assert bot.process is not None
        assert bot.process.poll() is None  # still waiting
        with telegram:
            # It goes on: it asks for updates (stopped while Telegram is still there).
            telegram.wait_for(
                lambda: any(c["method"] == "getUpdates" for c in telegram.calls), timeout=60
            )
            assert bot.stop() == 0
    log = bot.log()
    assert "Traceback" not in log
    assert "answers again" in log
    assert telegram.token not in log


def test_the_token_never_appears_in_the_log_even_at_debug(tmp_path: Path) -> None:
    token = "777:NEVER-SHOWN-secret"
    with FakeBotAPI(token=token) as telegram:
        env = env_for(tmp_path, telegram.url, token, LOG_LEVEL="DEBUG")
        with BotProcess(env, tmp_path) as bot:
            telegram.wait_for(lambda: telegram.commands is not None, timeout=30)
            telegram.user_sends("/start", chat_id=5, user_id=5)
            telegram.wait_for_sent(1, chat_id=5, timeout=30)
    log = bot.log()
    assert "getUpdates" in log or "getMe" in log or "bot started" in log  # it did log things
    assert "NEVER-SHOWN-secret" not in log
