"""Golden scenarios: each tests/scenarios/*.toml is an answers file plus the expected outcome."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from advisor.__main__ import main

SCENARIOS = sorted((Path(__file__).parent.parent / "scenarios").glob("*.toml"))


def run_json(capsys, *args: str) -> dict:
    rc = main(list(args))
    out = capsys.readouterr()
    assert rc == 0, out.err
    return json.loads(out.out)


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario(path: Path, capsys) -> None:
    scenario = tomllib.loads(path.read_text())
    expect = scenario["expect"]
    # The scenario file is fed as it is: its [answers] table is read like a full export's.
    doc = run_json(capsys, "recommend", str(path), "--format", "json")
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
    # [expect.reasons] option = [[category, points, "text fragment"], ...]: a reason that took (or
    # gave) exactly those points in that category, its text containing the fragment.
    for option, wanted in expect.get("reasons", {}).items():
        got = [(r["category"], round(r["delta"], 6), r["text"]) for r in doc["options"][option]["reasons"]]
        for category, points, fragment in wanted:
            assert any(c == category and d == points and fragment in t for c, d, t in got), (option, fragment, got)
    for option, wanted in expect.get("no_reason_contains", {}).items():
        texts = [r["text"] for r in doc["options"][option]["reasons"]]
        for fragment in wanted:
            assert not any(fragment in t for t in texts), (option, fragment)
    # Every answer in the scenario was used as given, none defaulted.
    for key, value in scenario["answers"].items():
        assert doc["answers"][key] == value
        assert key not in doc["meta"]["defaulted"]


def test_scenarios_cover_every_option_and_the_blocked_case() -> None:
    from advisor.catalog.load import load_catalog

    choices = {tomllib.loads(p.read_text())["expect"]["choice"] for p in SCENARIOS}
    assert choices == {*load_catalog().option_ids, "none"}  # every option the data declares
