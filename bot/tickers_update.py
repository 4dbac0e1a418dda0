"""`python -m bot tickers update`: the current SEC ticker table, downloaded into DATA_DIR.

In: the operator's User-Agent for the SEC (SEC_USER_AGENT, "Name contact@example.com") and the
data directory. Out: the path of the table written there (company_tickers_exchange.json), which
`TickerUniverse.load` then prefers over the packaged snapshot. Fails with `TickerTableError`
(the old table stays) when the agent is missing, the SEC cannot be reached or refuses, or the
answer is not a ticker table. The only part of the ticker universe that goes to the network:
the match stage reads tables, it never downloads them.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import httpx

from bot.matching.table import TABLE_NAME, TickerTableError, table_rows

SEC_URL = "https://www.sec.gov/files/company_tickers_exchange.json"


def download_sec_table(user_agent: str, data_dir: Path, url: str = SEC_URL) -> Path:
    """Download the current table from the SEC into DATA_DIR, atomically; return its path.

    The SEC refuses requests without a User-Agent naming the operator ("Name contact@example.com").
    """
    if not user_agent or not user_agent.strip():
        raise TickerTableError(
            "SEC_USER_AGENT is not set: the SEC refuses downloads without it. "
            "Set it to your name and e-mail, e.g. SEC_USER_AGENT='Jane Doe jane@example.com'."
        )
    try:
        response = httpx.get(
            url,
            headers={"User-Agent": user_agent.strip(), "Accept-Encoding": "gzip, deflate"},
            timeout=30.0,
            follow_redirects=True,
        )
    except httpx.HTTPError as exc:
        raise TickerTableError(f"cannot download the ticker table from {url}: {exc}") from exc
    if response.status_code != 200:
        raise TickerTableError(
            f"the SEC answered {response.status_code} for {url}"
            + (" (check SEC_USER_AGENT)" if response.status_code in (401, 403) else "")
        )
    try:
        data = response.json()
    except ValueError as exc:
        raise TickerTableError(f"{url} did not return JSON: {exc}") from exc
    found = table_rows(data)
    if not found:
        raise TickerTableError(f"{url} returned a ticker table without rows")
    data_dir.mkdir(parents=True, exist_ok=True)
    target = data_dir / TABLE_NAME
    fd, tmp = tempfile.mkstemp(dir=data_dir, prefix=".tickers-", suffix=".json")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(response.content)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
