"""Answer sources as one ordered chain: flags > answers file > scan > typed > defaults, each answer's origin recorded."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
import tomli_w

FIX = Path(__file__).parent.parent / "fixtures" / "scan"


@pytest.fixture
def scanned(tmp_path, cli) -> Path:
    out = tmp_path / "cluster.toml"
    rc, _, err = cli("scan", str(FIX / "bookinfo"), "-o", str(out))
    assert rc == 0, err
    return out


def recommend_json(cli, *args: str) -> dict:
    rc, out, err = cli("recommend", *args, "--format", "json")
    assert rc == 0, err
    return json.loads(out)


def test_a_scan_is_the_scan_source_and_every_answer_records_its_origin(scanned, cli):
    doc = recommend_json(cli, str(scanned))
    origins = doc["meta"]["origins"]
    scan_answers = tomllib.loads(scanned.read_text())["answers"]
    for key in scan_answers:
        assert origins[key] == "scan", key
    assert origins["risk"] == "default" and "risk" in doc["meta"]["defaulted"]
    assert doc["answers"]["in_use"] == scan_answers["in_use"] and doc["answers"]["require"] == []
    # answers left absent (none, e.g. istiod_replicas) are neither in [answers] nor listed as defaulted
    assert set(doc["meta"]["defaulted"]) == {k for k, v in origins.items() if v == "default" and k in doc["answers"]}


def test_answers_file_outranks_the_scan_and_flags_outrank_both(scanned, tmp_path, cli):
    team = tmp_path / "team.toml"
    team.write_text(tomli_w.dumps({"risk": "conservative", "require": ["mtls"], "team_experience": "expert"}))
    doc = recommend_json(cli, str(scanned), "--answers", str(team), "--team-experience", "none")
    origins = doc["meta"]["origins"]
    assert (origins["risk"], doc["answers"]["risk"]) == ("file", "conservative")
    assert (origins["require"], doc["answers"]["require"]) == ("file", ["mtls"])  # the file's list replaces the scan's
    assert (origins["team_experience"], doc["answers"]["team_experience"]) == ("flag", "none")
    # the scan writes a [[namespaces]] inventory: pods is derived from it (and shown under [inventory])
    assert origins["pods"] == "scan" and doc["inventory"]["pods"] == 7
    # the order of the two files on the command line does not matter: the scan is known by its [scan] table
    again = recommend_json(cli, str(team), "--answers", str(scanned))
    assert again["meta"]["origins"] == {**origins, "team_experience": "file"}


def test_a_bad_value_in_a_scan_goes_through_the_same_validation(scanned, cli):
    doc = tomllib.loads(scanned.read_text())
    doc["answers"]["namespaces"][0]["pods"] = -1
    scanned.write_text(tomli_w.dumps(doc))
    rc, _, err = cli("recommend", str(scanned))
    assert rc == 2 and f"{scanned}: [answers]: namespaces[0].pods: expected a whole number ≥ 0" in err


def test_two_scans_or_two_answers_files_are_refused(scanned, tmp_path, cli):
    other = tmp_path / "other.toml"
    other.write_text(scanned.read_text())
    rc, _, err = cli("recommend", str(scanned), "--answers", str(other))
    assert rc == 2 and "two scans given" in err
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text("pods = 5\n")
    b.write_text("pods = 6\n")
    rc, _, err = cli("recommend", str(a), "--answers", str(b))
    assert rc == 2 and "two answers files given" in err


def test_the_wizard_does_not_ask_what_the_scan_answered(scanned, monkeypatch):
    from advisor.answers import wizard
    from advisor.answers.resolve import load_answer_sources
    from advisor.catalog.load import load_catalog

    asked_for: dict = {}

    class Stop(Exception):
        pass

    def capture(catalog, given, width=100):
        asked_for.update(given)
        raise Stop

    monkeypatch.setattr(wizard, "build_steps", capture)
    file_values, label, scan_values, scan_label = load_answer_sources([str(scanned)])
    assert file_values == {} and sum(ns["pods"] for ns in scan_values["namespaces"] if ns.get("meshed", True)) == 7

    class Console:
        width = 100

    with pytest.raises(Stop):
        wizard.ask_answers(
            load_catalog(None), Console(), {}, file_values, label, scan_values=scan_values, scan_label=scan_label
        )
    # every answer the scan gave is treated as given: not asked
    assert set(scan_values) <= set(asked_for)
    assert {"pods", "namespaces", "l7_ratio"} <= set(asked_for)  # the inventory gives the counts
    # but not the traffic: without metrics no namespace has rps, and the inventory splits mesh_rps by pods
    assert not any("rps" in ns for ns in scan_values["namespaces"]) and "mesh_rps" not in asked_for
    assert "risk" not in asked_for and "team_experience" not in asked_for
