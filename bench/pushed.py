"""Benchmark of publish-to-alert for pushed stories (WebSub), run by bench/latency.py.

In: how many stories to push. Out: the seconds from the moment a hub on 127.0.0.1 delivers
each story to the moment the fake Telegram Bot API receives its alert, the whole pipeline
running as users run it: `python -m bot run` in its own process (default settings, SQLite),
subscribed through WebSub to a feed that advertises the hub, a chat watching AMZN. Each push
carries one new story, at a random moment (0.5 to 2 s after the last alert) so that the
bot's 1 s poll tick is met at every phase. Target (issue 18): within 5 s.
Run alone: python bench/pushed.py [--stories 20]
"""

from __future__ import annotations

import argparse
import email.utils
import random
import socket
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.bot_process import BotProcess
from tests.fakes.feed_server import FeedServer
from tests.fakes.telegram_api import FakeBotAPI
from tests.fakes.websub_hub import FakeHub

CHAT = 4242


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _document(hub: str, topic: str, items: str = "") -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">'
        f'<channel><atom:link rel="hub" href="{hub}"/><atom:link rel="self" href="{topic}"/>'
        f"<title>Wire</title><link>https://wire.example.com/</link>{items}</channel></rss>"
    ).encode()


def _story(n: int) -> str:
    now = email.utils.format_datetime(datetime.now(UTC))
    return (
        f"<item><guid>push-{n}</guid><link>https://wire.example.com/amzn/{n}</link>"
        f"<title>Amazon.com (AMZN) update number {n} on its Trainium chips</title>"
        "<description>Amazon.com, Inc. (NASDAQ: AMZN) said its AI chips ship in volume."
        f"</description><pubDate>{now}</pubDate></item>"
    )


def measure(stories: int = 20, seed: int = 7) -> list[float]:
    """Push `stories` stories one after another; each one's publish-to-alert seconds."""
    rng = random.Random(seed)
    port = _free_port()
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeBotAPI() as telegram,
        FeedServer() as feeds,
        FakeHub() as hub,
    ):
        topic = feeds.url("/wire.rss")
        feeds.set("/wire.rss", _document(hub.url, topic), etag='"e0"')
        catalogue = Path(tmp) / "feeds.toml"
        catalogue.write_text(f'[[feeds]]\nname = "Wire"\nurl = "{topic}"\n')
        env = {
            "BOT_TOKEN": telegram.token,
            "TELEGRAM_API_URL": telegram.url,
            "DATA_DIR": str(Path(tmp) / "data"),
            "FEEDS_FILE": str(catalogue),
            "WEBHOOK_URL": f"http://127.0.0.1:{port}",
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
        }
        waits = []
        with BotProcess(env, Path(tmp), name="pushed"):
            telegram.wait_for(lambda: telegram.commands is not None, timeout=60)
            telegram.user_sends("/watch AMZN", chat_id=CHAT, user_id=CHAT)
            telegram.wait_for_sent(1, chat_id=CHAT, timeout=30)
            hub.wait_for(lambda: hub.verified(topic), timeout=60)
            for n in range(stories):
                time.sleep(rng.uniform(0.5, 2.0))
                body = _document(hub.url, topic, _story(n))
                began = time.monotonic()
                assert hub.publish(topic, body) == [202]
                telegram.wait_for_sent(n + 2, chat_id=CHAT, timeout=30)
                waits.append(time.monotonic() - began)
        return waits


def report(waits: list[float]) -> None:
    ordered = sorted(waits)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    print(
        f"\npushed stories (WebSub, hub on 127.0.0.1 -> alert at the fake Bot API): "
        f"{len(waits)} stories, median {statistics.median(waits):.2f} s, p95 {p95:.2f} s, "
        f"max {max(waits):.2f} s (target: within 5 s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=20)
    args = parser.parse_args()
    report(measure(args.stories))


if __name__ == "__main__":
    main()
