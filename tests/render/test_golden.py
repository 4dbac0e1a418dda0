"""Golden tests: whole alert messages compared with tests/render/golden/*.html.

Run with UPDATE_GOLDEN=1 to rewrite the files after a deliberate change, then read the diff.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.models import Alert
from bot.render.digest import render_digest
from bot.render.html import visible_length
from bot.render.message import render_alert
from bot.settings import DEFAULT_DISCLAIMER
from tests.fakes.telegram_html import telegram_html_errors
from tests.render import cases

GOLDEN = Path(__file__).parent / "golden"

CASES: list[tuple[str, Callable[[Path], Alert], dict[str, object]]] = [
    ("seed_article", cases.seed_alert, {}),
    ("edgar_8k", cases.edgar_alert, {}),
    ("press_release_nyse", lambda _: cases.press_release_alert(), {}),
    ("title_only", cases.title_only_alert, {}),
    ("multi_source", cases.multi_source_alert, {}),
    (
        "cut",
        cases.cut_alert,
        {"summary_length": 3000, "disclaimer": cases.LONG_DISCLAIMER},
    ),
]


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / f"{name}.html"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}; run with UPDATE_GOLDEN=1 and review it"
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(("name", "build", "options"), CASES, ids=[c[0] for c in CASES])
def test_alert_matches_golden(
    name: str, build: Callable[[Path], Alert], options: dict[str, object], fixtures_dir: Path
) -> None:
    disclaimer = str(options.get("disclaimer", DEFAULT_DISCLAIMER))
    summary_length = int(str(options.get("summary_length", 500)))
    rendered = render_alert(
        build(fixtures_dir), disclaimer=disclaimer, summary_length=summary_length
    )
    assert telegram_html_errors(rendered.text) == []
    assert rendered.text.endswith(f"<i>{disclaimer}</i>")
    check_golden(name, rendered.text)


def test_cut_case_is_cut_before_the_disclaimer(fixtures_dir: Path) -> None:
    rendered = render_alert(
        cases.cut_alert(fixtures_dir), disclaimer=cases.LONG_DISCLAIMER, summary_length=3000
    )
    body, _, tail = rendered.text.rpartition("\n\n")
    assert tail == f"<i>{cases.LONG_DISCLAIMER}</i>"
    assert "…" in body.rpartition("\n\nWhy:")[0][-5:]  # the summary ends cut, the why line stays
    assert 4000 < visible_length(rendered.text) <= 4096


def test_digest_matches_golden(fixtures_dir: Path) -> None:
    alerts = [build(fixtures_dir) for _, build, _ in CASES[:5]]
    (message,) = render_digest(alerts, disclaimer=DEFAULT_DISCLAIMER, title="Your digest")
    assert telegram_html_errors(message) == []
    check_golden("digest", message)
