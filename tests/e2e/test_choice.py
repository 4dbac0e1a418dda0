"""Each chat gets the stories its tickers' choices take, end to end.

Three real stories arrive after the chats subscribed: the example article (about Amazon's
Trainium chips, naming Nvidia in passing) on a news feed, a law-firm solicitation about Anavex
(stocklosslawyertn.com, from the labelled set) on a press wire, and an Ultragenyx 8-K reporting
results (SEC EDGAR) on a filings feed. One chat keeps the defaults or narrows its choice, the
other takes any mention and every source and event. Real parts: `python -m bot run` in its own
process, the fake Bot API and a feed server on 127.0.0.1, a real database.
"""

from __future__ import annotations

import email.utils
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

from tests.e2e.bot_process import BotProcess
from tests.e2e.test_end_to_end import EMPTY_CHANNEL, bot_env, dated_now, servers, wait_for_polls
from tests.fakes.feed_server import FeedServer
from tests.fakes.telegram_api import FakeBotAPI

__all__ = ["servers"]  # the fixture, imported for the test below

FIXTURES = Path(__file__).parent.parent / "fixtures"
NARROW, WIDE = 515151, 626262
PATHS = ["/a.rss", "/b.rss", "/c.atom"]


def solicitation_rss() -> str:
    """The labelled set's Anavex solicitation as a press wire's RSS item, published now."""
    stories = json.loads((FIXTURES / "labelled" / "stories.json").read_text(encoding="utf-8"))
    story = next(s for s in stories if s["title"].startswith("If you suffered losses in Anavex"))
    now = email.utils.format_datetime(datetime.now(UTC))
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        "<title>Press Wire</title><link>https://wire.example/</link><description>x</description>"
        f"<item><title>{escape(story['title'])}</title><link>{escape(story['source'])}</link>"
        f"<guid>anavex-1</guid><pubDate>{now}</pubDate>"
        f"<description>{escape(story['text'])}</description></item></channel></rss>"
    )


def filing_atom() -> bytes:
    """Ultragenyx's EDGAR feed cut to its 8-K of item 2.02 (results), filed now."""
    raw = (FIXTURES / "real" / "sec_edgar_company_atom_ultragenyx_8k.xml").read_bytes()
    text = raw.decode("iso-8859-1")
    head, _, rest = text.partition("<entry>")
    entries = ["<entry>" + e for e in rest.split("<entry>")]
    (results,) = [e for e in entries if "items 2.02, 2.05" in e]
    results = results.split("</entry>")[0] + "</entry>"
    now = datetime.now(UTC).isoformat(timespec="seconds")
    start = results.index("<updated>") + len("<updated>")
    results = results[:start] + now + results[results.index("</updated>") :]
    return f"{head}{results}\n</feed>\n".encode("iso-8859-1")


def ask(telegram: FakeBotAPI, chat: int, commands: list[str]) -> None:
    for command in commands:
        before = len(telegram.sent(chat_id=chat))
        telegram.user_sends(command, chat_id=chat, user_id=chat)
        telegram.wait_for_sent(before + 1, chat_id=chat)


def test_each_chat_gets_what_its_choice_takes(
    tmp_path: Path,
    servers: tuple[FakeBotAPI, FeedServer],
    database_url: str,
    sec_table_path: Path,
    seed_article_path: Path,
) -> None:
    telegram, feeds = servers
    feeds.set("/a.rss", EMPTY_CHANNEL.format(title="Deep News"), etag='"a0"')
    feeds.set("/b.rss", EMPTY_CHANNEL.format(title="Press Wire"), etag='"b0"')
    feeds.set("/c.atom", EMPTY_CHANNEL.format(title="EDGAR"), etag='"c0"')
    env = bot_env(tmp_path, telegram, feeds, database_url, sec_table_path)
    Path(env["FEEDS_FILE"]).write_text(
        f'[[feeds]]\nname = "Deep News"\nurl = "{feeds.url("/a.rss")}"\n\n'
        f'[[feeds]]\nname = "Press Wire"\nurl = "{feeds.url("/b.rss")}"\nsource = "press"\n\n'
        f'[[feeds]]\nname = "SEC EDGAR"\nurl = "{feeds.url("/c.atom")}"\nsource = "filings"\n',
        encoding="utf-8",
    )
    with BotProcess(env, tmp_path):
        telegram.wait_for(lambda: telegram.commands is not None, timeout=30)
        wait_for_polls(feeds, PATHS, 1)  # the first fetch is a baseline
        ask(
            telegram,
            NARROW,
            [
                "/watch NVDA",  # about: the example article is not about Nvidia
                "/watch AMZN",  # it is about Amazon
                "/watch AVXL",
                "/events AVXL -legal",  # no lawsuits, no law-firm solicitations
                "/watch RARE",
                "/sources RARE -filings",
            ],
        )
        ask(telegram, WIDE, ["/watch NVDA any", "/watch AVXL", "/watch RARE"])

        feeds.set("/a.rss", dated_now(seed_article_path.read_bytes()), etag='"a1"')
        feeds.set("/b.rss", solicitation_rss(), etag='"b1"')
        feeds.set("/c.atom", filing_atom(), etag='"c1"')
        wide = telegram.wait_for_sent(3 + 3, chat_id=WIDE, timeout=30)[3:]
        wait_for_polls(feeds, PATHS, 2)
        time.sleep(1.0)  # a last chance for the narrow chat's alerts, were any queued
        narrow = telegram.sent(chat_id=NARROW)[6:]

    by_story = {
        key: next(m["text"] for m in wide if key in m["text"])
        for key in ("Trainium", "Anavex", "Ultragenyx")
    }
    assert "$NVDA" in by_story["Trainium"]  # any mention: the passing one too
    assert by_story["Anavex"].startswith("📢 Law-firm solicitation · <b>$AVXL</b>")
    assert by_story["Ultragenyx"].startswith("📊 Earnings · <b>$RARE</b>")
    # The narrow chat: only the example article, for Amazon alone.
    assert [m["text"].split("\n")[0] for m in narrow] == ["<b>$AMZN</b> · Deep News"]
