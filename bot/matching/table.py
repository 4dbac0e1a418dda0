"""The SEC's company-ticker table: reading it from a file, or the snapshot shipped in `data/`.

In: a path to `company_tickers_exchange.json` (or `.json.gz`), or the SEC's older
`company_tickers.json`; or nothing, for the packaged snapshot. Out: the table as the SEC wrote it
(a dict), and its rows (CIK, filed name, ticker, exchange). Fails with `TickerTableError`, whose
message says what is wrong, on a file that cannot be read or is not in the SEC's format.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

TABLE_NAME = "company_tickers_exchange.json"
SNAPSHOT_NAME = "company_tickers_exchange.json.gz"


class TickerTableError(RuntimeError):
    """The SEC table could not be downloaded or read; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Row:
    """One row of the table: a listing (a company with several symbols has several rows)."""

    cik: int
    name: str
    ticker: str
    exchange: str | None


def table_rows(table: Mapping[str, Any] | list[Any]) -> list[Row]:
    """Rows of either SEC table: company_tickers_exchange.json or company_tickers.json."""
    try:
        if isinstance(table, Mapping) and "fields" in table:
            fields = list(table["fields"])
            ic, iname, it = fields.index("cik"), fields.index("name"), fields.index("ticker")
            ie = fields.index("exchange") if "exchange" in fields else None
            return [
                Row(int(r[ic]), str(r[iname]), str(r[it]), r[ie] if ie is not None else None)
                for r in table["data"]
                if r[it]
            ]
        # The older company_tickers.json: {"0": {"cik_str", "ticker", "title"}, ...}
        if isinstance(table, Mapping):
            return [
                Row(int(r["cik_str"]), str(r["title"]), str(r["ticker"]), None)
                for r in table.values()
                if r.get("ticker")
            ]
    except (KeyError, ValueError, TypeError, IndexError) as exc:
        raise TickerTableError(f"the ticker table is not in the SEC's format: {exc!r}") from exc
    raise TickerTableError("the ticker table is not in the SEC's format (no 'fields'/'data')")


def read_table(path: Path) -> dict[str, Any]:
    """Read an SEC ticker table from a .json or .json.gz file."""
    try:
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
        data = json.loads(raw)
    except (OSError, ValueError) as exc:
        raise TickerTableError(f"cannot read the ticker table {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise TickerTableError(f"{path} is not an SEC ticker table")
    table_rows(data)  # validates the shape
    return data


def packaged_table() -> dict[str, Any]:
    """The snapshot of the SEC table shipped in the package (see data/README.md for its date)."""
    raw = resources.files(__package__).joinpath("data", SNAPSHOT_NAME).read_bytes()
    data: dict[str, Any] = json.loads(gzip.decompress(raw))
    return data
