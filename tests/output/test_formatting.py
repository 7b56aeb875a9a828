"""The shared formatters: money, counts, values as typed and read, clipping (no rich needed)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from advisor import humanize as f


@pytest.mark.parametrize(
    "usd, shown",
    [(0, "$0"), (0.5, "$0.50"), (99.994, "$99.99"), (100, "$100"), (1234.5, "$1,234"), (2_150_000, "$2,150,000")],
)
def test_money_shows_cents_only_below_100_dollars(usd: float, shown: str) -> None:
    assert f.money(usd) == shown


def test_short_forms_for_huge_figures() -> None:
    assert f.short_money(2_150_000) == "$2.15M"
    assert f.short_number(3e12) == "3.00T"
    assert f.short_number(1234) == "1,234"
    assert f.short_number(12.345) == "12.35"


@pytest.mark.parametrize(
    "value, typed, readable",
    [
        (2000, "2000", "2,000"),
        (2000.0, "2000", "2,000"),
        (0.0316, "0.0316", "0.0316"),
        (True, "true", "true"),
        (("mtls", "wasm"), "mtls,wasm", "mtls, wasm"),
    ],
)
def test_values_as_typed_and_as_read(value: object, typed: str, readable: str) -> None:
    assert f.typed(value) == typed
    assert f.readable(value) == readable


def test_clip_keeps_short_text_and_cuts_long_text_to_the_limit() -> None:
    assert f.clip("short", 10) == "short"
    assert f.clip("x" * 100, 10) == "x" * 7 + "..."
    assert f.clip("x" * 100, 10, "…") == "x" * 9 + "…"
    assert f.quoted("9" * 100) == repr("9" * 57 + "...")
    assert f.quoted([1, 2]) == "list"


def test_percent_points_and_signed_changes() -> None:
    assert f.percent(0.42) == "42%"
    assert f.signed_percent(-0.97) == "-97%"
    assert f.points(3.14) == "+3.1" and f.points(-0.01) == "0.0"


def test_formatting_imports_no_rich() -> None:
    code = "import sys, advisor.humanize; sys.exit('rich' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
