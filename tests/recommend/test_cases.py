"""Scenario cases as data: every folder in tests/cases/ is run, and what a user sees is held to its files.

A case folder holds `args` (the command line, as a shell would split it, run from inside the folder),
usually `answers.toml` (which `args` names), `expect.toml` (what the outcome must be, in a person's
terms: the choice, who is eligible, what blocks whom, reasons with their points) and the expected
output in every format: `expected.txt` (the default table at 100 columns, no colour),
`expected.json`, `expected.toml` and `expected.md`, plus `expected.stderr` when the run warns.
A new case is a new folder. After an intended change, rewrite the expected files with

    MESH_ADVISOR_REGENERATE=1 python -m pytest tests/recommend/test_cases.py

and review the diff (black's tests/data/cases and infracost's testdata folders are the model).
"""

from __future__ import annotations

import os
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest

from outcomes import EPOCH, run_cli

CASES_DIR = Path(__file__).resolve().parent.parent / "cases"
CASES = sorted(p for p in CASES_DIR.iterdir() if (p / "args").is_file())
REGENERATE = os.environ.get("MESH_ADVISOR_REGENERATE", "") not in ("", "0")
# format -> expected file; "table" is the default view, what a person sees first
FORMATS = {"table": "expected.txt", "json": "expected.json", "toml": "expected.toml", "markdown": "expected.md"}
ENVIRON = {"SOURCE_DATE_EPOCH": EPOCH, "NO_COLOR": "1", "TERM": "dumb"}


def run_case(case: Path, fmt: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    monkeypatch.chdir(case)  # args name answers.toml, and records show the command as given
    args = shlex.split((case / "args").read_text(encoding="utf-8"))
    outcome = run_cli(*args, "--format", fmt, columns=100, environ=ENVIRON)
    assert outcome.rc == 0, str(outcome)
    return outcome.out, outcome.err


def check(path: Path, text: str) -> None:
    if REGENERATE:
        if text:
            path.write_text(text, encoding="utf-8")
        elif path.exists():
            path.unlink()
    expected = path.read_text(encoding="utf-8") if path.exists() else ""
    assert text == expected, (
        f"{path.relative_to(CASES_DIR.parent)} differs; after an intended change: "
        "MESH_ADVISOR_REGENERATE=1 python -m pytest tests/recommend/test_cases.py (then review the diff)"
    )


def _marked(case: Path) -> Any:
    # a what-if search scores about a thousand variants: over the fast loop's half a second
    slow = "--what-if" in (case / "args").read_text(encoding="utf-8")
    return pytest.param(case, id=case.name, marks=[pytest.mark.slow] if slow else [])


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", [_marked(c) for c in CASES])
def test_case_output(case: Path, fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    out, err = run_case(case, fmt, monkeypatch)
    check(case / FORMATS[fmt], out)
    if fmt == "table":
        check(case / "expected.stderr", err)


def _expect(case: Path) -> dict[str, Any]:
    path = case / "expect.toml"
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


WITH_EXPECT = [c for c in CASES if (c / "expect.toml").exists()]


@pytest.mark.parametrize("case", WITH_EXPECT, ids=[c.name for c in WITH_EXPECT])
def test_case_outcome(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The outcome a person would state: read from the case's expected.json, as a script would."""
    import json

    expect = _expect(case)
    doc = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    rec = doc["recommendation"]
    assert rec["choice"] == expect["choice"], rec["summary"]
    for option, eligible in expect["eligible"].items():
        assert doc["options"][option]["eligible"] is eligible, (option, doc["options"][option]["blockers"])
    for option, features in expect.get("blocked_by", {}).items():
        assert [b["feature"] for b in doc["options"][option]["blockers"]] == features
    if "confidence" in expect:
        assert rec["confidence"] == expect["confidence"]
    for fragment in expect.get("summary_contains", []):
        assert fragment in rec["summary"]
    # [reasons] option = [[category, points, "text fragment"], ...]: a reason that took (or gave)
    # exactly those points in that category, its text containing the fragment.
    for option, wanted in expect.get("reasons", {}).items():
        got = [(r["category"], round(r["delta"], 6), r["text"]) for r in doc["options"][option]["reasons"]]
        for category, points, fragment in wanted:
            assert any(c == category and d == points and fragment in t for c, d, t in got), (option, fragment, got)
    for option, wanted in expect.get("no_reason_contains", {}).items():
        texts = [r["text"] for r in doc["options"][option]["reasons"]]
        for fragment in wanted:
            assert not any(fragment in t for t in texts), (option, fragment)
    # Every answer in the case was used as given, none defaulted.
    answers = tomllib.loads((case / "answers.toml").read_text(encoding="utf-8"))
    for key, value in answers.items():
        assert doc["answers"][key] == value
        assert key not in doc["meta"]["defaulted"]


def test_the_cases_cover_every_option_and_the_blocked_case() -> None:
    from advisor.catalog.load import load_catalog

    choices = {_expect(c)["choice"] for c in WITH_EXPECT}
    assert choices == {*load_catalog().option_ids, "none"}  # every option the data declares


def test_each_case_expects_every_format() -> None:
    missing = [f"{c.name}/{name}" for c in CASES for name in FORMATS.values() if not (c / name).exists()]
    assert missing == []
