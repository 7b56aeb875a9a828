"""Every score explains itself in one line per category: what moved it and by how much, so a
reader can redo the arithmetic (JSON `explain`, and the table view's "How each score adds up")."""

from __future__ import annotations

import json
import re
from typing import Any

from advisor.catalog.models import CATEGORIES

ARGS = ["--require", "fault-injection", "--prefer", "traffic-mirroring", "--pods", "600"]


def recommend(cli, *args: str) -> dict[str, Any]:
    rc, out, err = cli("recommend", *args, "--format", "json")
    assert rc == 0, err
    return json.loads(out)


def test_each_option_has_one_line_per_category(cli) -> None:
    doc = recommend(cli, *ARGS)
    for oid, opt in doc["options"].items():
        assert list(opt["explain"]) == list(CATEGORIES), oid
        for cat, line in opt["explain"].items():
            assert line.startswith(f"{cat} {opt['scores'][cat]:.1f} = "), (oid, line)
            assert "\n" not in line


def test_judgement_lines_name_every_reason_with_its_points(cli) -> None:
    linkerd = recommend(cli, *ARGS)["options"]["linkerd"]["explain"]
    # 100 - 40 (partial, required) - 20 (must-have surcharge) - 30 (mirroring none, preferred) = 10
    assert linkerd["features"] == (
        "features 10.0 = 100 − 40.0 fault-injection (required, partial) − 20.0 required-partial (fault-injection) "
        "− 30.0 traffic-mirroring (preferred, none)"
    )
    assert linkerd["operability"] == "operability 92.0 = 100 − 8.0 many-pods-sidecar-ops"
    assert linkerd["maturity"] == "maturity 95.0 = 100 − 5.0 linkerd-edge-only"
    sidecar = recommend(cli, *ARGS)["options"]["istio-sidecar"]["explain"]
    assert sidecar["maturity"] == "maturity 100.0 = 100 (envoy-sidecar-proven: nothing taken off)"


def test_the_cost_and_latency_lines_redo_the_arithmetic(cli) -> None:
    doc = recommend(cli, *ARGS)
    for opt in doc["options"].values():
        # "cost 98.2 = 100 − 2 × 0.89% of the cluster's bill ($25.30 usage ÷ $2,836.17)"
        line = opt["explain"]["cost"]
        per, pct = map(float, re.search(r"= 100 − ([\d.]+) × ([\d.]+)% of the cluster's bill", line).groups())
        usd, bill = map(float, re.findall(r"\$([\d.]+)", line.replace(",", "")))
        assert abs(100 * usd / bill - pct) <= 0.005, line
        # then any other cost term: "− 10.0 partial-must-have" (a must-have met in part counts as 5% of the bill)
        tail = line.split(")", 1)[1]
        extra = sum((-1 if sign == "−" else 1) * float(v) for sign, v in re.findall(r" ([−+]) ([\d.]+) ", tail))
        assert abs(max(0.0, 100 - per * pct + extra) - opt["scores"]["cost"]) <= 0.06, line
        # "latency 92.0 = 100 − 20 × 0.400 ms p90 end to end"
        line = opt["explain"]["latency"]
        per, ms = map(float, re.search(r"= 100 − ([\d.]+) × ([\d.]+) ms", line).groups())
        assert abs(max(0.0, 100 - per * ms) - opt["scores"]["latency"]) <= 0.06, line


def test_a_score_kept_within_bounds_says_so(cli) -> None:
    # Linkerd lacks most of these: the features arithmetic goes below 0 and the score stays at 0.
    doc = recommend(
        cli, "--prefer", "traffic-mirroring,wasm,ingress-gateway,jwt-auth,ext-authz,session-affinity,dns-proxy,udp"
    )
    line = doc["options"]["linkerd"]["explain"]["features"]
    assert line.startswith("features 0.0 = 100 − 30.0 ")
    assert line.endswith(", kept within 0–100")


def test_the_table_view_prints_the_lines(monkeypatch, cli) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    rc, out, err = cli("recommend", *ARGS)
    assert (rc, err) == (0, "")
    assert "How each score adds up" in out
    assert (
        "features 10.0 = 100 − 40.0 fault-injection (required, partial) − 20.0 required-partial (fault-injection)"
        in out
    )
    assert re.search(r"Linkerd\s+total [\d.]+ = 30% × 10\.0 \+ 20% × [\d.]+", out)


def test_the_migration_line_names_each_move_cost_and_shows_only_when_weighed(monkeypatch, cli) -> None:
    doc = recommend(cli, "--current-mesh", "linkerd")
    line = doc["options"]["istio-sidecar"]["explain"]["migration"]
    terms = [float(x) for x in __import__("re").findall(r"− ([\d.]+) ", line)]
    assert line.startswith(f"migration {doc['options']['istio-sidecar']['scores']['migration']:.1f} = 100 − ")
    assert round(100 - sum(terms), 1) == doc["options"]["istio-sidecar"]["scores"]["migration"]
    assert (
        doc["options"]["linkerd"]["explain"]["migration"]
        == "migration 100.0 = 100 (no move, or nothing the move costs)"
    )
    monkeypatch.setenv("COLUMNS", "250")
    _, out, _ = cli("recommend")  # no current mesh: migration weighs nothing and is not listed
    assert "migration 100.0" not in out.split("How each score adds up")[1].split("Why ")[0]
