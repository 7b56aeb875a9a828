"""`mesh-advisor recommend`: what a person sees, what a script gets, and the rules behind the score."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from advisor.answers.resolve import resolve
from advisor.catalog.models import CATEGORIES
from advisor.catalog.files import bundled_data_dir
from advisor.catalog.load import load_catalog
from advisor.engine.scoring import recommend
from outcomes import run_cli, run_json


# 500 pods: at 2000 the unscoped sidecars' memory (each holds every endpoint) makes Linkerd the choice
DONE_WHEN = ["recommend", "--pods", "500", "--require", "fault-injection", "--risk", "conservative"]


def test_done_when_example_explains_itself_on_screen(capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    rc, out, err = run_cli(*DONE_WHEN)
    # 500 pods on the default 10 nodes is within the kubelet's 110 pods per node: no warning
    assert rc == 0 and err == ""
    # The choice and why: the summary, the blocked option and its source, the reasons with sources.
    assert "Recommendation: Istio sidecar" in out
    assert "Blocked: Istio ambient" in out
    assert "Fault injection is required; Istio ambient: only alpha, and risk is conservative" in out
    # Linkerd's weak spot, with its note: a must-have met only in part blocks a conservative team.
    assert "Blocked: Linkerd" in out
    assert "Fault injection is required; Linkerd: only partly meets it, and risk is conservative" in out
    # sources are numbered in the panels and listed whole below them
    assert re.search(r"^ \[\d+\] https://linkerd\.io/2-edge/features/fault-injection/$", out, re.M)
    assert "risk appetite is conservative: maturity weighs double" in out
    # The cost and latency lines and where the numbers come from.
    assert "Cost and latency the mesh adds" in out
    assert "mesh-advisor data show" in out
    assert "Defaulted answers: nodes=10, namespaces=5" in out


def test_json_document_has_the_spec_fields(capsys) -> None:
    doc = run_json(*DONE_WHEN)
    assert doc["schema_version"] == 1
    assert set(doc["meta"]) >= {"tool", "tool_version", "data_version", "generated_at", "defaulted"}
    assert doc["meta"]["tool"] == "mesh-advisor"
    assert doc["meta"]["generated_at"].endswith("Z")
    assert "pods" not in doc["meta"]["defaulted"] and "hops" in doc["meta"]["defaulted"]
    rec = doc["recommendation"]
    assert rec["choice"] == "istio-sidecar"
    assert rec["ranking"][0] == "istio-sidecar" and rec["ranking"][-1] == "istio-ambient"
    assert rec["confidence"] in ("clear", "close")
    assert rec["summary"].startswith("Istio sidecar scores")
    for oid in load_catalog().option_ids:  # every option the data declares
        opt = doc["options"][oid]
        assert set(opt) >= {"eligible", "score", "blockers", "scores", "cost", "latency", "reasons"}
        assert set(opt["scores"]) == set(CATEGORIES)
        # the spec's fields, and the range of the money (issue 12)
        spread = {"monthly_usd_low", "monthly_usd_high"}
        assert set(opt["cost"]["usage"]) == {"cpu_vcpu", "memory_gib", "monthly_usd"} | spread
        assert set(opt["cost"]["requests"]) == {"cpu_vcpu", "memory_gib", "monthly_usd"} | spread
        usage = opt["cost"]["usage"]
        assert usage["monthly_usd_low"] <= usage["monthly_usd"] <= usage["monthly_usd_high"]
        for comp in opt["cost"]["components"]:
            assert set(comp) >= {
                "name",
                "instances",
                "containers_added",
                "cpu_vcpu",
                "memory_gib",
                "requests_cpu_vcpu",
                "requests_memory_gib",
                "source",
            }
        assert set(opt["latency"]) >= {"per_hop_p50_ms", "per_hop_p90_ms", "per_hop_p99_ms", "end_to_end_p90_ms"}
        for reason in opt["reasons"]:
            assert reason["category"] in CATEGORIES
            assert reason["text"] and reason["source"]
    ambient = doc["options"]["istio-ambient"]
    assert ambient["eligible"] is False
    assert ambient["blockers"][0]["feature"] == "fault-injection"
    assert ambient["blockers"][0]["level"] == "alpha"


def test_the_total_is_the_weighted_mean_shown_in_the_table() -> None:
    doc = run_json(*DONE_WHEN)
    # conservative: maturity 15 x 2 = 30; weights 30, 20, 15, 20, 30 of 115
    assert doc["recommendation"]["weights"]["maturity"] == 0.2609  # 30 / 115
    sidecar = doc["options"]["istio-sidecar"]
    assert sidecar["scores"] == {
        "features": 100.0,
        "cost": 84.6,
        "latency": 86.3,
        "operability": 87.0,
        "maturity": 100.0,
        "migration": 100.0,
    }
    # (30 x 100 + 20 x 84.6 + 15 x 86.3 + 20 x 87.0 + 30 x 100) / 115 = 10726.5 / 115 = 93.3
    assert sidecar["score"] == 93.3


def test_each_category_is_100_plus_its_reasons(capsys) -> None:
    doc = run_json(
        "recommend",
        "--require",
        "fault-injection,mtls",
        "--prefer",
        "traffic-mirroring",
        "--team-experience",
        "none",
        "--pods",
        "800",
    )
    for opt in doc["options"].values():
        for cat in CATEGORIES:
            total = 100 + sum(r["delta"] for r in opt["reasons"] if r["category"] == cat)
            assert opt["scores"][cat] == pytest.approx(min(100, max(0, total)), abs=0.15), cat


def test_feature_points_follow_level_values_and_ask_points(capsys) -> None:
    # Linkerd: fault-injection partial (0.6) required (100 points): -100 x 0.4 = -40, plus the
    # must-have-met-in-part surcharge for a balanced team (level rule required-partial): -20;
    # traffic-mirroring none (0) preferred (30 points): -30 x 1 = -30; features = 100 - 40 - 20 - 30 = 10
    doc = run_json("recommend", "--require", "fault-injection", "--prefer", "traffic-mirroring")
    linkerd = doc["options"]["linkerd"]
    assert linkerd["scores"]["features"] == 10.0
    deltas = {r["text"].split(" (")[0]: r["delta"] for r in linkerd["reasons"] if r["category"] == "features"}
    assert deltas["Fault injection"] == -40.0
    assert deltas["Traffic mirroring"] == -30.0
    assert (
        deltas[
            "Fault injection is a must-have this option only partly meets: the rest is a workaround the team builds and owns"
        ]
        == -20.0
    )
    assert linkerd["eligible"] is True  # preferred, not required: no blocker


def test_asking_for_universally_supported_capabilities_changes_nothing(capsys) -> None:
    base = run_json("recommend", "--require", "fault-injection")
    more = run_json("recommend", "--require", "fault-injection,mtls,l4-authz")
    assert more["recommendation"]["choice"] == base["recommendation"]["choice"]
    for oid in base["options"]:
        assert more["options"][oid]["score"] == base["options"][oid]["score"]


@pytest.mark.parametrize("risk, blocked", [("conservative", True), ("balanced", False), ("early-adopter", False)])
def test_alpha_blocks_only_conservative_teams(capsys, risk: str, blocked: bool) -> None:
    doc = run_json("recommend", "--require", "wasm", "--risk", risk)
    assert doc["options"]["istio-sidecar"]["eligible"] is (not blocked)
    assert doc["options"]["linkerd"]["eligible"] is False  # none always blocks
    assert doc["options"]["linkerd"]["blockers"][0]["source"]


def test_no_option_eligible_is_an_answer_not_a_failure(capsys) -> None:
    rc, out, err = run_cli("recommend", "--require", "wasm,vm-workloads", "--risk", "conservative")
    assert rc == 0
    assert "No option fits every requirement" in out
    doc = run_json("recommend", "--require", "wasm,vm-workloads", "--risk", "conservative")
    assert doc["recommendation"]["choice"] == "none"
    assert all(not o["eligible"] and o["blockers"] for o in doc["options"].values())


def test_toml_and_json_carry_the_same_document(capsys) -> None:
    as_json = run_json(*DONE_WHEN)
    rc, out, _ = run_cli(*DONE_WHEN, "--format", "toml")
    as_toml = tomllib.loads(out)
    for doc in (as_json, as_toml):
        doc["meta"].pop("generated_at")
    assert as_toml == as_json


def test_output_file_round_trips_to_the_same_result(capsys, tmp_path: Path) -> None:
    out_file = tmp_path / "result.toml"
    rc, out, err = run_cli(
        "recommend",
        "--pods",
        "3000",
        "--nodes",
        "60",
        "--l7-ratio",
        "0.1",
        "--require",
        "l7-authz",
        "--mesh-rps",
        "50000",
        "-o",
        str(out_file),
    )
    assert rc == 0 and "Recommendation:" in out and f"Wrote {out_file} (TOML)." in err
    first = tomllib.loads(out_file.read_text())
    again = run_json("recommend", "--answers", str(out_file))
    assert again["answers"] == first["answers"]
    assert again["recommendation"]["choice"] == first["recommendation"]["choice"]
    assert again["recommendation"]["ranking"] == first["recommendation"]["ranking"]
    for oid, opt in first["options"].items():
        assert again["options"][oid]["score"] == opt["score"]
        assert again["options"][oid]["scores"] == opt["scores"]
        assert again["options"][oid]["cost"] == opt["cost"]
        assert again["options"][oid]["latency"] == opt["latency"]
    # Answers never chosen stay defaulted when the export is fed back: five were given as flags.
    given = {"pods", "nodes", "l7_ratio", "require", "mesh_rps"}
    assert first["meta"]["defaulted"] == [k for k in first["answers"] if k not in given]
    assert again["meta"]["defaulted"] == first["meta"]["defaulted"]


def test_existing_output_needs_force_and_is_left_untouched(capsys, tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    target.write_text("keep me")
    rc, out, err = run_cli("recommend", "-o", str(target))
    assert rc == 2 and out == ""
    assert err.strip() == f"mesh-advisor: -o {target}: file exists; pass --force to overwrite it"
    assert target.read_text() == "keep me"
    rc, _, _ = run_cli("recommend", "-o", str(target), "--force", "--format", "json")
    assert rc == 0 and json.loads(target.read_text())["recommendation"]["choice"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]  # no temporary file left behind


def test_output_into_a_missing_directory(capsys, tmp_path: Path) -> None:
    rc, _, err = run_cli("recommend", "-o", str(tmp_path / "nope" / "r.toml"))
    assert rc == 2
    assert f"directory {tmp_path / 'nope'} does not exist" in err
    assert not (tmp_path / "nope").exists()


def test_dash_output_is_stdout(capsys) -> None:
    rc, out, _ = run_cli("recommend", "-o", "-", "--format", "json")
    assert rc == 0 and json.loads(out)["schema_version"] == 1


@pytest.mark.slow
def test_recommend_does_not_import_questionary() -> None:
    code = (
        "import sys; from advisor.__main__ import main; rc = main(['recommend', '--format', 'json']);"
        "sys.stdout.flush(); print('QUESTIONARY' if 'questionary' in sys.modules else 'CLEAN', file=sys.stderr)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stderr.strip().endswith("CLEAN")


# ---------------------------------------------------------------- rules live in data


def _overlay(tmp_path: Path, name: str, extra: str) -> Path:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    text = (bundled_data_dir() / name).read_text()
    (data / name).write_text(text + "\n" + extra)
    return data


def test_a_new_rule_in_data_changes_the_result_without_code(capsys, tmp_path: Path) -> None:
    data = _overlay(
        tmp_path,
        "rules.toml",
        """
[[rules]]
id = "house-policy"
category = "operability"
when = { answers = { pods = { min = 50 } } }
adjust = { linkerd = -60.0 }
text = "House policy: no Rust proxies"
source = "https://example.com/policy"
""",
    )
    before = run_json("recommend")
    after = run_json("recommend", "--data-dir", str(data))
    assert before["recommendation"]["choice"] == "linkerd"
    assert after["recommendation"]["choice"] != "linkerd"
    texts = [r["text"] for r in after["options"]["linkerd"]["reasons"]]
    assert "House policy: no Rust proxies" in texts
    assert after["meta"]["data_version"].startswith(before["meta"]["data_version"] + "+local.")


def test_a_new_feature_in_data_can_be_required_without_code(capsys, tmp_path: Path) -> None:
    data = _overlay(
        tmp_path,
        "features.toml",
        """
[[features]]
id = "spiffe-federation"
group = "security"
name = "SPIFFE federation"
description = "Trust workloads from another SPIFFE trust domain"
[features.cells.linkerd]
level = "none"
note = "test cell"
version = "2.20"
source = "https://example.com/a"
[features.cells.istio-sidecar]
level = "full"
note = "test cell"
version = "1.30"
source = "https://example.com/b"
[features.cells.istio-ambient]
level = "none"
note = "test cell"
version = "1.30"
source = "https://example.com/c"
""",
    )
    doc = run_json("recommend", "--data-dir", str(data), "--require", "spiffe-federation")
    assert doc["recommendation"]["choice"] == "istio-sidecar"
    assert [o for o, v in doc["options"].items() if not v["eligible"]] == ["linkerd", "istio-ambient"]


def test_rules_can_warn_in_the_summary() -> None:
    catalog = load_catalog()
    answers = resolve(
        catalog,
        flags={
            "pods": "3000",
            "nodes": "60",
            "namespaces": "30",
            "mesh_rps": "800000",
            "l7_ratio": "0.1",
            "risk": "conservative",
            "cost_sensitivity": "high",
        },
    ).answers
    rec = recommend(answers, catalog)
    assert rec.choice == "istio-ambient"
    assert rec.options["istio-ambient"].warnings
    assert "Warning: For a conservative environment" in rec.summary


def test_close_when_top_two_within_the_margin() -> None:
    catalog = load_catalog()
    margin = catalog.rules.close_margin
    for flags in ({"pods": "2000", "require": ["l7-authz"], "risk": "conservative"}, {}):
        rec = recommend(resolve(catalog, flags=flags).answers, catalog)
        eligible = [o for o in rec.ranking if rec.options[o].eligible]
        gap = rec.options[eligible[0]].score - rec.options[eligible[1]].score
        assert rec.confidence == ("close" if gap <= margin else "clear")


def test_copy_of_bundled_data_dir_validates(tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(bundled_data_dir(), copy)
    assert load_catalog(copy).option_ids == ("linkerd", "istio-sidecar", "istio-ambient")
