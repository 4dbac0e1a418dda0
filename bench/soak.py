"""The exactly-once soak at a larger size than CI runs (tests/delivery/test_soak.py).

The real bot (`python -m bot run`, SQLite) delivers CHATS x STORIES alerts and DIGESTS hourly
digests through the fake Bot API, which answers 429s (retry_after 1 s), proxies' 502s before and
after delivery, slow answers (0.3 s) and lost answers (delivered, then the connection dropped) at
random, and is killed with SIGKILL KILLS times during the fan-out. Prints what arrived (lost and
duplicated stories: both must be 0), the faults drawn and the time, and the ratio of that time to
a baseline measured in the same run: the same fan-out with a well-behaved Bot API and no kill.

    python bench/soak.py [--chats 1000] [--stories 3] [--digests 100] [--kills 3] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.matching.tickers import packaged_table
from tests.delivery.soak import Soak, SoakResult, run_soak
from tests.fakes.telegram_api import Chaos


def once(soak: Soak) -> SoakResult:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        tickers = work / "company_tickers_exchange.json"
        table = packaged_table()
        tickers.write_text(json.dumps({"fields": table["fields"], "data": table["data"]}))
        return run_soak(soak, work, f"sqlite:///{work / 'bot.sqlite3'}", tickers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument("--stories", type=int, default=3)
    parser.add_argument("--digests", type=int, default=100)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    soak = Soak(
        chats=args.chats,
        stories=args.stories,
        digest_chats=args.digests,
        kills=args.kills,
        chaos=replace(Soak().chaos, seed=args.seed),
        timeout=600.0,
    )
    result = once(soak)
    print(
        f"soak: {soak.chats} chats x {soak.stories} stories + {soak.digest_chats} digests "
        f"= {soak.messages} messages, {soak.kills} SIGKILLs"
    )
    print(f"  faults drawn: {dict(sorted(result.chaos_counts.items()))}")
    print(f"  answers lost after delivery: {result.lost_answers}")
    print(f"  stories lost: {result.lost}, stories duplicated: {result.duplicates}")
    print(f"  drained in {result.seconds:.1f} s")
    if not args.no_baseline:
        clean = once(replace(soak, kills=0, chaos=Chaos()))
        print(f"  baseline (good Bot API, no kill): {clean.seconds:.1f} s")
        print(f"  ratio: {result.seconds / clean.seconds:.2f}x the baseline")
    if result.lost or result.duplicates:
        sys.exit(1)


if __name__ == "__main__":
    main()
