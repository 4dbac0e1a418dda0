"""The command line: `python -m bot run | scan | tickers update`.

In: argv and the settings from the environment. Out: the running bot, or alerts printed by
`scan`, or a fresh SEC ticker table. Exit status: 0 when all went well, 1 when a source or an
action failed (with a message on stderr, the other sources still scanned), 2 for usage errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from bot.settings import Settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="Investor alerts for Telegram from news feeds."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("run", help="start the bot (long polling)")

    scan = commands.add_parser(
        "scan", help="run fetch, parse, match and render once over URLs or files; print alerts"
    )
    scan.add_argument("sources", nargs="+", metavar="SOURCE", help="feed URL or local file")
    scan.add_argument("--ticker", action="append", default=[], metavar="T", help="watch T")
    scan.add_argument("--keyword", action="append", default=[], metavar="K", help="query K")
    scan.add_argument("--json", action="store_true", help="one JSON object per line")

    tickers = commands.add_parser("tickers", help="the SEC ticker table")
    tickers_commands = tickers.add_subparsers(dest="action", required=True, metavar="ACTION")
    tickers_commands.add_parser("update", help="download the current table from the SEC")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        print(f"invalid settings:\n{exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # httpx logs every request URL at INFO, and the Bot API's URLs carry the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if args.command == "run":
        from bot.app import run

        run(settings)
        return 0
    if args.command == "scan":
        from bot.scan import ScanUsageError, scan

        try:
            return asyncio.run(
                scan(
                    settings,
                    args.sources,
                    tickers=args.ticker,
                    keywords=args.keyword,
                    as_json=args.json,
                    out=sys.stdout,
                )
            )
        except ScanUsageError as exc:
            print(f"python -m bot scan: {exc}", file=sys.stderr)
            return 2
    if args.command == "tickers":
        return _tickers_update(settings)
    return 2


def _tickers_update(settings: Settings) -> int:
    from bot.matching.tickers import TickerUniverse, download_sec_table

    if not settings.sec_user_agent:
        print(
            "SEC_USER_AGENT is not set: the SEC requires a User-Agent naming you and an e-mail "
            'address, e.g. SEC_USER_AGENT="Jane Doe jane@example.com"',
            file=sys.stderr,
        )
        return 1
    try:
        path: Path = download_sec_table(settings.sec_user_agent, settings.data_dir)
        universe = TickerUniverse.load(None, settings.data_dir)
    except Exception as exc:  # any failure is reported; the old table stays
        print(f"could not update the ticker table: {exc}", file=sys.stderr)
        return 1
    print(json.dumps({"path": str(path), "companies": len(universe)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
