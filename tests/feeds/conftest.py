"""Setup for the feed tests (the documents themselves come from tests/conftest.py)."""

from __future__ import annotations

import pytest

# The shared checks (assert_clean) are plain asserts: let pytest explain them when they fail.
pytest.register_assert_rewrite("tests.feeds.documents")
