"""Benchmark of the choice filter: what a ticker's choice (reach, sources, events) adds to
matching one story.

In: the labelled set's stories (tests/fixtures/labelled/stories.json: real headlines and
articles, publishers named there) and the packaged SEC ticker snapshot. Builds --chats chats,
each watching --per-chat tickers drawn from the companies these stories name (so most stories
have ticker hits; half the chats "about", the default, a quarter "any", a quarter with an event
rule and a source off). Prints, per story and for one core: detection and the index alone (the
match path before the filter), the same through `Matcher.alerts` (the filter included: at most
one `rank_companies` per story, only when a hit needs it), the ratio, and how many ticker hits the
filter kept. Run: python bench/choice.py [--chats 20000] [--per-chat 4] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.matching.detect import detect_tickers
from bot.matching.events import classify
from bot.matching.index import MatchIndex
from bot.matching.tickers import TickerUniverse, packaged_table
from bot.models import Article, Choice, EventRule, Kind, Reach, SourceKind, Subscription
from bot.poll.alerts import Matcher

ROOT = Path(__file__).resolve().parents[1]
CHOICES = (
    Choice(),
    Choice(),
    Choice(reach=Reach.ANY),
    Choice(
        sources_off=frozenset({SourceKind.PRESS}),
        event_rule=EventRule.EXCEPT,
        events=("legal", "solicitation"),
    ),
)


def stories() -> list[Article]:
    labelled = json.loads((ROOT / "tests/fixtures/labelled/stories.json").read_text("utf-8"))
    found = []
    for n, s in enumerate(labelled):
        article = Article(str(n), str(n), s["title"], "", s["text"], None, s["publisher"])
        found.append(Article(**{**_fields(article), "events": classify(article)}))
    return found


def _fields(article: Article) -> dict[str, object]:
    return {f: getattr(article, f) for f in Article.__dataclass_fields__}


def per_story(articles: list[Article], run: object, rounds: int) -> tuple[float, int]:
    """Best of `rounds`: seconds per story, and the hits seen in one round."""
    assert callable(run)
    best, hits = float("inf"), 0
    for _ in range(rounds):
        start = time.perf_counter()
        hits = sum(len(a.hits) for article in articles for a in run(article))
        best = min(best, (time.perf_counter() - start) / len(articles))
    return best, hits


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chats", type=int, default=20_000)
    parser.add_argument("--per-chat", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    universe = TickerUniverse(packaged_table())
    articles = stories()
    named = sorted({m.symbol for a in articles for m in detect_tickers(a, universe).values()})
    rng = random.Random(16)
    index = MatchIndex(universe)
    number = 0
    for chat in range(args.chats):
        for symbol in rng.sample(named, min(args.per_chat, len(named))):
            number += 1
            index.add(Subscription(number, chat, Kind.TICKER, symbol, rng.choice(CHOICES)))
    matcher = Matcher(universe, index)

    def before(article: Article) -> list:  # type: ignore[type-arg]
        return index.match(article, detect_tickers(article, universe))

    print(f"{len(articles)} stories, {args.chats} chats x {args.per_chat} tickers ({number})")
    base, base_hits = per_story(articles, before, args.rounds)
    after, after_hits = per_story(articles, matcher.alerts, args.rounds)
    print(f"detect + index (no filter): {base * 1e3:8.3f} ms/story, {base_hits} hits")
    print(f"Matcher.alerts (filtered):  {after * 1e3:8.3f} ms/story, {after_hits} hits kept")
    print(f"ratio filtered/unfiltered:  {after / base:8.2f}")
    print(f"hits kept by the choices:   {after_hits / max(base_hits, 1):8.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
