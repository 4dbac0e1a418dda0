"""The bot as users meet it: `python -m bot run` in a subprocess, pointed at fake servers.

In: the environment (settings) for the bot and a folder for its log. Out: a running process,
stopped with SIGTERM (as a process manager would) or killed with SIGKILL (as a crash would).
The log is kept in the folder and shown when a test fails. `run_command` runs any other
`python -m bot ...` command to its end, as an operator would, and returns what it printed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parents[2]


def clean_environment(env: dict[str, str]) -> dict[str, str]:
    """`env` on top of the few variables a shell passes on, with this checkout importable."""
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TZ")}
    return {**base, "PYTHONPATH": str(ROOT), **env}


def run_command(
    args: list[str], env: dict[str, str], cwd: Path, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """`python -m bot <args>` with `env` (on top of a clean environment) in `cwd`, to its
    exit; what it printed and its exit status."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=clean_environment(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class BotProcess:
    """Start the bot with `env` (on top of a clean environment) in `workdir`, in one of the
    roles of `python -m bot run --role` ("all", "web", "worker")."""

    def __init__(
        self, env: dict[str, str], workdir: Path, name: str = "bot", role: str = "all"
    ) -> None:
        self.env = env
        self.role = role
        self.workdir = workdir
        self.log_path = workdir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> BotProcess:
        env = clean_environment({"PYTHONUNBUFFERED": "1", **self.env})
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run", "--role", self.role],
                cwd=self.workdir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM, then wait; SIGKILL if it will not stop. Returns the exit status."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def kill(self) -> None:
        """SIGKILL: a crash at whatever point the bot has reached."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def __enter__(self) -> BotProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        if exc is not None:
            # The bot's own account of what happened, next to the failing assertion.
            print(f"---- {self.log_path.name} ----\n{self.log()[-20000:]}")
