"""Who the story is about, measured on a hand-labelled set of real headlines and articles.

In: tests/fixtures/labelled/stories.json (real headlines and leads from financial publishers,
each labelled by hand with the listed companies it is about and its event types; see
tests/fixtures/README.md), heldout.json (more of them, labelled before the bot's first run on
them; the rules were corrected once after it) and the packaged SEC ticker snapshot. For each
set it prints, for the stories with a labelled company: how often that company is detected
at all, how often it is ranked first, precision and recall of the "about" verdict; for the
stories about no listed company: the companies marked "about" (and detected at all) per 10
stories; for every story: the share whose event types are exactly the labelled ones, and
precision and recall per event type.
`--show` lists every story the bot gets wrong. Run: python bench/about.py [--show]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.matching.about import Story, read_story
from bot.matching.events import EVENTS
from bot.matching.tickers import TickerUniverse, packaged_table
from bot.models import Article

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "labelled"
LABELLED = FIXTURES / "stories.json"
HELDOUT = FIXTURES / "heldout.json"


@dataclass(frozen=True)
class Figures:
    stories: int
    with_company: int
    found: float  # labelled company detected at all, per labelled company
    first: float  # first-ranked ticker is a labelled company, per story with one
    precision: float  # "about" verdicts that are labelled companies
    recall: float  # labelled companies marked "about"
    none_stories: int
    none_about_per_10: float  # companies marked "about" per 10 stories about no listed company
    none_detected_per_10: float  # companies detected at all, same stories
    events_exact: float  # stories whose event types are exactly the labelled ones
    event_pr: dict[str, tuple[float, float, int]]  # type -> precision, recall, labelled count
    wrong: list[str]


def load_stories(path: Path = LABELLED) -> list[dict[str, Any]]:
    stories: list[dict[str, Any]] = json.loads(path.read_text("utf-8"))
    return stories


def article_of(story: dict[str, Any]) -> Article:
    return Article(
        key=story["source"],
        entry_id=story["source"],
        title=story["title"],
        url=story["source"],
        text=story["text"],
        published=None,
        source=story["publisher"],
        form=story.get("form"),
        items=tuple(story.get("items", ())),
        ciks=tuple(story.get("ciks", ())),
    )


def measure(stories: list[dict[str, Any]], universe: TickerUniverse) -> Figures:
    found = first = labelled = claimed = right = 0
    with_company = none_stories = none_about = none_detected = exact = 0
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    wrong: list[str] = []
    for story in stories:
        read = read_story(article_of(story), universe)
        truth = set(story["about"])
        if truth:
            with_company += 1
            labelled += len(truth)
            found += len(truth & set(read.tickers))
            first += bool(read.tickers) and read.tickers[0] in truth
            right += len(truth & set(read.about))
        else:
            none_stories += 1
            none_about += len(read.about)
            none_detected += len(read.tickers)
        claimed += len(read.about)
        events = set(story["events"])
        exact += events == set(read.events)
        for e in EVENTS:
            tp[e] += e in events and e in read.events
            fp[e] += e not in events and e in read.events
            fn[e] += e in events and e not in read.events
        if set(read.about) != truth or events != set(read.events):
            wrong.append(_describe(story, read))
    event_pr = {
        e: (tp[e] / max(tp[e] + fp[e], 1), tp[e] / max(tp[e] + fn[e], 1), tp[e] + fn[e])
        for e in EVENTS
    }
    return Figures(
        len(stories),
        with_company,
        found / max(labelled, 1),
        first / max(with_company, 1),
        right / max(claimed, 1),
        right / max(labelled, 1),
        none_stories,
        10 * none_about / max(none_stories, 1),
        10 * none_detected / max(none_stories, 1),
        exact / max(len(stories), 1),
        event_pr,
        wrong,
    )


def _describe(story: dict[str, Any], read: Story) -> str:
    head = story["title"] or story["text"][:90]
    return (
        f"{head[:90]!r}\n    labelled about={story['about']} events={story['events']}\n"
        f"    bot      tickers={list(read.tickers)} about={list(read.about)}"
        f" events={list(read.events)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="list the stories the bot gets wrong")
    args = parser.parse_args()
    universe = TickerUniverse(packaged_table())
    print("== stories.json (the rules were written while looking at these)")
    report(measure(load_stories(), universe), args.show)
    print(
        "\n== heldout.json (labelled before the bot's first run on them;"
        " rules corrected once since)"
    )
    report(measure(load_stories(HELDOUT), universe), args.show)


def report(f: Figures, show: bool) -> None:
    print(f"{f.stories} labelled stories, {f.with_company} about a listed company")
    print(f"about-company detected:     {f.found:6.1%}  (target >= 97%)")
    print(f"about-company ranked first: {f.first:6.1%}  (target >= 95%)")
    print(f"'about' precision:          {f.precision:6.1%}")
    print(f"'about' recall:             {f.recall:6.1%}")
    print(
        f"{f.none_stories} stories about no listed company: {f.none_about_per_10:.2f} companies"
        f" marked 'about' per 10 stories (target <= 1), {f.none_detected_per_10:.2f} detected"
    )
    print(f"event types exactly right:  {f.events_exact:6.1%}")
    for event, (precision, recall, count) in f.event_pr.items():
        if count:
            print(f"  {event:13} precision {precision:6.1%}  recall {recall:6.1%}  ({count})")
    if show:
        print("\n".join(["", *f.wrong]))


if __name__ == "__main__":
    main()
