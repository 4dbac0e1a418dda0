"""`./run.sh` without a token, as a newcomer meets it: in a terminal it asks for the token and
writes it to .env (never echoing it); started by a process manager (no terminal) it says in one
line what is missing. Run on a copy of the scripts, so the checkout's own .env is never
touched; the copy stops before setting up .venv (the token comes first)."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456789:AAEhBP0av28QtfpDWuJZ-XxXxXfVn7_cq5Q"


def checkout_copy(tmp_path: Path) -> Path:
    """run.sh, scripts/ and .env.example, as in a fresh clone."""
    root = tmp_path / "clone"
    shutil.copytree(ROOT / "scripts", root / "scripts")
    for name in ("run.sh", ".env.example"):
        shutil.copy2(ROOT / name, root / name)
    return root


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}


def test_without_a_terminal_run_sh_says_in_one_line_what_is_missing(tmp_path: Path) -> None:
    root = checkout_copy(tmp_path)
    done = subprocess.run(
        ["bash", str(root / "run.sh")],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=30,
        check=False,
    )
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    assert "BOT_TOKEN is not set" in line
    assert ".env" in line
    assert not (root / ".venv").exists()  # stopped before setting anything up
    assert not (root / ".env").exists()


def test_the_example_placeholder_counts_as_missing(tmp_path: Path) -> None:
    root = checkout_copy(tmp_path)
    shutil.copy2(root / ".env.example", root / ".env")
    done = subprocess.run(
        ["bash", str(root / "scripts" / "token.sh")],
        cwd=root,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=30,
        check=False,
    )
    assert done.returncode == 1
    assert "BOT_TOKEN is not set" in done.stderr


def test_in_a_terminal_the_token_is_asked_for_and_written_to_env(tmp_path: Path) -> None:
    root = checkout_copy(tmp_path)
    master, slave = pty.openpty()
    process = subprocess.Popen(
        ["bash", str(root / "scripts" / "token.sh")],
        cwd=root,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=clean_env(),
    )
    os.close(slave)
    shown = b""
    deadline = time.monotonic() + 20
    while b"BOT_TOKEN:" not in shown:
        assert time.monotonic() < deadline, shown
        shown += os.read(master, 1024)
    os.write(master, f"{TOKEN}\n".encode())
    assert process.wait(timeout=20) == 0
    try:
        while chunk := os.read(master, 1024):
            shown += chunk
    except OSError:  # the terminal closed with the script
        pass
    os.close(master)
    assert b"Saved BOT_TOKEN in .env" in shown
    assert TOKEN.encode() not in shown  # typed without echo
    env_file = (root / ".env").read_text(encoding="utf-8")
    assert f"BOT_TOKEN={TOKEN}\n" in env_file
    assert "replace-with-the-token-from-BotFather" not in env_file
    assert "# SEC_USER_AGENT=" in env_file  # the rest of .env.example kept
    assert (root / ".env").stat().st_mode & 0o077 == 0  # only the owner reads it
