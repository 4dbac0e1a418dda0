"""Names and symbols as people write them: the SEC's spelling of a symbol, cleaned filed names."""

from __future__ import annotations

import pytest

from bot.matching.names import clean_name, normalize_symbol


@pytest.mark.parametrize(
    ("symbol", "expected"),
    [("brk.b", "BRK-B"), ("BRK/B", "BRK-B"), ("BRK-B", "BRK-B"), ("$amzn", "AMZN"), (" f ", "F")],
    ids=["dot", "slash", "dash", "cashtag", "spaces"],
)
def test_normalize_symbol(symbol: str, expected: str) -> None:
    assert normalize_symbol(symbol) == expected


@pytest.mark.parametrize(
    ("filed", "clean"),
    [
        ("AMAZON COM INC", "Amazon.com"),
        ("NVIDIA CORP", "Nvidia"),
        ("Tesla, Inc.", "Tesla"),
        ("BANK OF AMERICA CORP /DE/", "Bank of America"),
        ("ELI LILLY & Co", "Eli Lilly"),
        ("TOYOTA MOTOR CORP/", "Toyota Motor"),
        ("NOVO NORDISK A S", "Novo Nordisk"),
        ("VERTEX PHARMACEUTICALS INC / MA", "Vertex Pharmaceuticals"),
        ("Shell plc", "Shell"),
        ("ADVANCED MICRO DEVICES INC", "Advanced Micro Devices"),
    ],
    ids=lambda v: v if isinstance(v, str) and v.isupper() else None,
)
def test_clean_name(filed: str, clean: str) -> None:
    assert clean_name(filed) == clean
