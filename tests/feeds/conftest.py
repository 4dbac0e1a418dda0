"""Fixtures for the feed tests: where the real publishers' documents are."""

from __future__ import annotations

from pathlib import Path

import pytest

# The shared checks (assert_clean) are plain asserts: let pytest explain them when they fail.
pytest.register_assert_rewrite("tests.feeds.documents")


@pytest.fixture(scope="session")
def real_dir(shared_dir: Path) -> Path:
    return shared_dir / "fixtures" / "real"
