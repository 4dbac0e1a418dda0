"""The command line: `python -m bot run | scan | tickers update`.

In: argv and the settings from the environment. Out: the running bot, or alerts printed by
`scan`, or a fresh SEC ticker table. Exit status: 0 when all went well, 1 when a source or an
action failed (with a message on stderr, the other sources still scanned) or the bot cannot
start (one line on stderr saying what is wrong and what to do), 2 for usage errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import cast

from pydantic import ValidationError

from bot.observability.logs import configure_logging
from bot.settings import Settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="Investor alerts for Telegram from news feeds."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="start the bot")
    run.add_argument(
        "--role",
        choices=["all", "web", "worker"],
        default="all",
        help="all: everything in one process (long polling); web: receive updates by webhook; "
        "worker: poll feeds, match and deliver (default: all)",
    )

    scan = commands.add_parser(
        "scan", help="run fetch, parse, match and render once over URLs or files; print alerts"
    )
    scan.add_argument("sources", nargs="+", metavar="SOURCE", help="feed URL or local file")
    scan.add_argument("--ticker", action="append", default=[], metavar="T", help="watch T")
    scan.add_argument("--keyword", action="append", default=[], metavar="K", help="query K")
    scan.add_argument("--json", action="store_true", help="one JSON object per line")

    commands.add_parser(
        "feeds",
        help="each feed's health: last success and error, error count, next poll, WebSub hub",
    )

    tickers = commands.add_parser("tickers", help="the SEC ticker table")
    tickers_commands = tickers.add_subparsers(dest="action", required=True, metavar="ACTION")
    tickers_commands.add_parser("update", help="download the current table from the SEC")

    db = commands.add_parser("db", help="the database")
    db_commands = db.add_subparsers(dest="action", required=True, metavar="ACTION")
    copy = db_commands.add_parser(
        "copy", help="copy every table into an empty database (e.g. SQLite -> PostgreSQL)"
    )
    copy.add_argument("target", metavar="TARGET_URL", help="e.g. postgresql://user@host/db")
    copy.add_argument(
        "--from",
        dest="source",
        metavar="SOURCE_URL",
        help="the database to copy (default: DATABASE_URL, else the SQLite file in DATA_DIR)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("PTB_TIMEDELTA", "1")  # RetryAfter.retry_after as a timedelta
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        print(f"invalid settings:\n{exc}", file=sys.stderr)
        return 2
    token = settings.bot_token.get_secret_value() if settings.bot_token else ""
    configure_logging(settings.log_level, as_json=settings.log_format == "json", secrets=[token])
    if args.command == "run":
        return _run(settings, args.role)
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
    if args.command == "feeds":
        return _feeds_health(settings)
    if args.command == "tickers":
        return _tickers_update(settings)
    if args.command == "db":
        return _db_copy(settings, args.source, args.target)
    return 2


def _run(settings: Settings, role: str) -> int:
    """Start the bot; a reason it cannot start is one line on stderr, a bug a (redacted)
    traceback in the log."""
    from bot.app import Role, run
    from bot.startup import StartupError

    try:
        run(settings, cast(Role, role))
    except StartupError as exc:
        print(f"cannot start: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # Ctrl-C while waiting for Telegram
        return 130
    except Exception:
        # Through logging, not Python's own traceback print: the token is redacted there.
        logging.getLogger("bot").exception("the bot stopped on an unexpected error")
        return 1
    return 0


def _feeds_health(settings: Settings) -> int:
    from bot.clock import utc_now
    from bot.feeds.catalogue import CatalogueError, load_catalogue
    from bot.feeds.health import format_health
    from bot.startup import StartupError
    from bot.storage.db import migrate, open_engine
    from bot.storage.store import Store

    try:
        engine = open_engine(settings.database)
        migrate(engine)
    except StartupError as exc:
        print(f"python -m bot feeds: {exc}", file=sys.stderr)
        return 1
    try:
        store = Store(engine)
        try:
            store.feeds.sync_catalogue(load_catalogue(settings.feeds_file, settings.poll_interval))
        except CatalogueError as exc:
            print(f"feed catalogue: {exc}", file=sys.stderr)
            return 1
        now = utc_now()
        health = store.feeds.feed_health(now=now)
        print(format_health(health, now, hubs=store.websub.views()))
    finally:
        engine.dispose()
    return 0


def _tickers_update(settings: Settings) -> int:
    from bot.matching.tickers import TickerUniverse
    from bot.tickers_update import download_sec_table

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


def _db_copy(settings: Settings, source: str | None, target: str) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.startup import StartupError
    from bot.storage.copy import CopyError, copy_database

    try:
        report = copy_database(source or settings.database, target)
    except (CopyError, StartupError, SQLAlchemyError, ValueError) as exc:
        print(f"could not copy the database: {exc}", file=sys.stderr)
        return 1
    print(json.dumps({"copied": report.rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
