"""Build the packaged ticker snapshot from the SEC table bundled in an edgartools wheel.

In: a downloaded edgartools wheel (`pip download --no-deps edgartools==VERSION -d DIR`), which
carries `edgar/reference/data/company_tickers.parquet` (the SEC's company_tickers_exchange table).
Out: `company_tickers_exchange.json.gz` beside this file, in the SEC's own shape
(`{"fields": [...], "data": [[cik, name, ticker, exchange], ...]}`) plus `source` and `date`.
Needs pyarrow at build time only (`pip install pyarrow`); fails with an exception naming what is
missing. Run: `python bot/matching/data/build_snapshot.py WHEEL DATE` (DATE: the wheel's release
month, e.g. 2026-10).
"""

from __future__ import annotations

import gzip
import importlib
import io
import json
import sys
import zipfile
from pathlib import Path

MEMBER = "edgar/reference/data/company_tickers.parquet"
OUT = Path(__file__).with_name("company_tickers_exchange.json.gz")


def build(wheel: Path, date: str) -> dict[str, object]:
    """Read the parquet table out of the wheel and return it in the SEC's JSON shape."""
    parquet = importlib.import_module("pyarrow.parquet")
    with zipfile.ZipFile(wheel) as zf:
        table = parquet.read_table(io.BytesIO(zf.read(MEMBER))).to_pylist()
    rows = [[int(r["cik"]), r["name"], r["ticker"], r["exchange"]] for r in table]
    return {
        "fields": ["cik", "name", "ticker", "exchange"],
        "data": rows,
        "source": f"{wheel.name}:{MEMBER}",
        "date": date,
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    table = build(Path(argv[0]), argv[1])
    body = json.dumps(table, separators=(",", ":"), ensure_ascii=False).encode()
    # mtime=0 keeps the file byte-for-byte reproducible.
    OUT.write_bytes(gzip.compress(body, compresslevel=9, mtime=0))
    print(f"{OUT}: {len(table['data'])} rows")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
