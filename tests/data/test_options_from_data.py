"""The meshes come from the data: a data directory that adds an exact copy of Istio sidecar under a
new id (same traits, cells, components, figures, signals; named wherever the original is) scores, costs and latencies
exactly like Istio sidecar in every command, and a fourth option renders at 60 columns."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from mesh_edits import copy_option

COPY = "envoy-mesh"  # an Envoy sidecar mesh on Istio's APIs, e.g. a vendor Istio distribution
COPY_NAME = "Envoy Mesh"


def add_copy_of_istio_sidecar(data_dir: Path) -> None:
    # Every file that names Istio sidecar names the copy too (its cells, components, figures,
    # membership signals and precedence, migration selectors): what `data validate` asks of a new mesh.
    copy_option(data_dir, "istio-sidecar", COPY, COPY_NAME)


@pytest.fixture
def four(data_dir: Path) -> Path:
    add_copy_of_istio_sidecar(data_dir)
    return data_dir


def as_json(cli, *args: str) -> dict[str, Any]:
    rc, out, err = cli(*args, "--format", "json")
    assert rc == 0, err
    return json.loads(out)


SCENARIOS = [
    [],
    ["--pods", "3000", "--nodes", "60", "--mesh-rps", "20000", "--l7-ratio", "0.8"],
    ["--require", "fault-injection,traffic-mirroring", "--risk", "conservative", "--team-experience", "none"],
    ["--prefer", "wasm,rate-limiting", "--envoy-experience", "--risk", "early-adopter", "--cost-basis", "requests"],
]


def cost_of(entry: dict[str, Any]) -> dict[str, Any]:
    """An option's cost with component ids left out (the copy's components are renamed)."""
    cost = copy.deepcopy(entry["cost"])
    for comp in cost.get("components", []):
        comp.pop("id", None)
    return cost


def without_ids(reasons: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    # Cost and latency reasons name the best option; a tie with the copy may name either.
    return [(r["category"], round(r["delta"], 6), r["text"].replace(COPY_NAME, "Istio sidecar")) for r in reasons]


@pytest.mark.parametrize("args", SCENARIOS, ids=["defaults", "large-l7", "conservative-required", "early-prefer"])
@pytest.mark.slow
def test_recommend_scores_the_copy_exactly_like_the_original(cli, four, args) -> None:
    doc = as_json(cli, "recommend", "--data-dir", str(four), *args)
    original, clone = doc["options"]["istio-sidecar"], doc["options"][COPY]
    for key in ("eligible", "score", "scores", "latency"):
        assert clone[key] == original[key], key
    assert cost_of(clone) == cost_of(original)
    assert [b["feature"] for b in clone["blockers"]] == [b["feature"] for b in original["blockers"]]
    assert without_ids(clone["reasons"]) == without_ids(original["reasons"])
    # the other options score as they do without the copy
    bundled = as_json(cli, "recommend", *args)
    for oid in ("linkerd", "istio-ambient"):
        assert doc["options"][oid]["scores"] == bundled["options"][oid]["scores"], oid


@pytest.mark.slow
def test_cost_sweep_and_what_if_treat_the_copy_like_the_original(cli, four) -> None:
    cost = as_json(cli, "cost", "--data-dir", str(four), "--pods", "800", "--sweep", "pods=100:5000:6")
    assert cost_of(cost["options"][COPY]) == cost_of(cost["options"]["istio-sidecar"])
    assert cost["options"][COPY]["latency"] == cost["options"]["istio-sidecar"]["latency"]
    for key in ("monthly_usd", "usage_monthly_usd", "requests_monthly_usd"):
        assert cost["sweep"][key][COPY] == cost["sweep"][key]["istio-sidecar"], key
    what_if = as_json(cli, "recommend", "--data-dir", str(four), "--what-if")
    assert what_if["options"][COPY]["scores"] == what_if["options"]["istio-sidecar"]["scores"]
    matrix = as_json(cli, "matrix", "--data-dir", str(four))
    for feat in matrix["features"]:
        assert feat["cells"][COPY] == feat["cells"]["istio-sidecar"], feat["id"]


def test_data_validate_accepts_the_four_option_directory(cli, four) -> None:
    rc, out, err = cli("data", "validate", str(four))
    assert (rc, err) == (0, ""), err
    assert "OK" in out


@pytest.mark.parametrize(
    "args",
    [
        ["recommend"],
        ["recommend", "--what-if"],
        ["cost"],
        ["cost", "--sweep", "pods=100:5000:6"],
        ["matrix", "--feature", "mtls,udp"],
    ],
    ids=["recommend", "what-if", "cost", "sweep", "matrix"],
)
@pytest.mark.slow
def test_a_fourth_option_renders_at_60_columns(monkeypatch, cli, four, args) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    rc, out, err = cli(*args[:1], "--data-dir", str(four), *args[1:])
    assert (rc, err) == (0, ""), err
    flat = " ".join(out.split())
    words = set(flat.split())
    for name in ("Linkerd", "Istio sidecar", "Istio ambient", COPY_NAME):
        # a narrow table wraps a name inside its header cell, so look for each of its words
        assert set(name.split()) <= words, name
    assert "…" not in out, "\n".join(line for line in out.splitlines() if "…" in line)
    # every line fits but a source, printed whole on its own line so the URL can be clicked or copied
    assert max(len(line) for line in out.splitlines() if not re.match(r"^ \[\d+\] ", line)) <= 60
    if args[1:2] == ["--sweep"]:
        assert re.search(r"\bE Envoy Mesh\b", flat)  # the copy's chart mark, derived from its name
