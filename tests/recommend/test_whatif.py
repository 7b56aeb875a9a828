"""`recommend --what-if`: decision boundaries found where they are known by construction, and checked by re-running."""

from __future__ import annotations

import json
import math
import tomllib
from pathlib import Path
from typing import Any

import pytest

from advisor.catalog.models import FIGURE_UNITS
from advisor.answers.registry import BY_KEY
from advisor.engine.whatif import RELATIVE_RESOLUTION, LINEAR_RESOLUTION

# A what-if search runs the scoring about a thousand times.
pytestmark = pytest.mark.slow

HOURS_PER_MONTH = 730  # SPEC "The cost model": monthly_usd = (vCPU x cpu_price + GiB x memory_price) x 730
COST_FIGURES = (
    "cpu_vcpu_per_1000rps",
    "cpu_vcpu_per_instance",
    "memory_mb_per_instance",
    "request_cpu_millicores",
    "request_memory_mib",
)
POINTS_PER_PERCENT = 1.0  # the cost_only data's rules: each percent of the cluster's bill costs 1 point
ORDER = ("linkerd", "istio-sidecar", "istio-ambient")  # the matrix order: a tie goes to the first


def cost_score(usd: float, doc: dict[str, Any]) -> float:
    """The cost category as SPEC says: 100 - points x (usd / the cluster's bill) in percent, at 0.1.
    With no node size the bill is nodes x the reference node (8 vCPU, 32 GiB) x prices x 730 h."""
    a = doc["answers"]
    bill = a["nodes"] * (8 * a["cpu_price"] + 32 * a["memory_price"]) * HOURS_PER_MONTH
    return round(max(0.0, 100.0 - POINTS_PER_PERCENT * 100.0 * usd / bill), 1)


def winner(usd: dict[str, float], doc: dict[str, Any]) -> str:
    """Cost weighs 100%: the highest rounded cost score, a tie to the first in the matrix."""
    return max(usd, key=lambda o: (cost_score(usd[o], doc), -ORDER.index(o)))


def crossing(chosen: Any, lo: float, hi: float, want: str) -> float:
    """The first x above lo (to 1e-9 relative) where chosen(x) == want: scores are rounded one by one,
    so near a crossing two options can tie and part again; scan up in steps of 0.01%, then bisect."""
    x = lo
    while chosen(x) != want:
        lo, x = x, x * 1.0001
        assert x <= hi, f"{want} never chosen below {hi}"
    hi = x
    for _ in range(200):
        mid = (lo + hi) / 2
        if chosen(mid) == want:
            hi = mid
        else:
            lo = mid
        if hi - lo <= 1e-9 * hi:
            break
    return hi


def figure(name: str, value: float) -> dict[str, Any]:
    return {
        "value": value,
        "unit": FIGURE_UNITS[name],
        "source": "test construction",
        "version": "test",
        "kind": "measured",
    }


@pytest.fixture
def cost_only(data_dir: Path, rewrite):
    """A data directory where only cost separates the options, with the given vCPU figures (all else 0).

    Weights: cost 100%, every other category 0, so the cheapest option (by the cost score
    100 - 1 point per percent of the cluster's bill, at 0.1 points) is chosen.
    """

    def build(vcpu: dict[tuple[str, str], float]) -> Path:
        def rules(doc: dict[str, Any]) -> None:
            doc["weights"] = {"features": 0.0, "cost": 1.0, "latency": 0.0, "operability": 0.0, "maturity": 0.0}
            doc["cost_scale"]["points_per_unit"] = POINTS_PER_PERCENT

        def benchmarks(doc: dict[str, Any]) -> None:
            default = doc["default_profile"]
            doc["profiles"] = {default: doc["profiles"][default]}
            figures = doc["profiles"][default].setdefault("figures", {})
            for comp in doc["components"]:
                # only these figures: none that grow with the mesh, no waypoint capacity (one replica each)
                figures[comp["id"]] = {name: figure(name, vcpu.get((comp["id"], name), 0.0)) for name in COST_FIGURES}

        rewrite(data_dir / "rules.toml", rules)
        rewrite(data_dir / "benchmarks.toml", benchmarks)
        return data_dir

    return build


def what_if_json(cli, *args: str) -> dict[str, Any]:
    rc, out, err = cli("recommend", *args, "--what-if", "--format", "json")
    assert rc == 0, err
    return json.loads(out)


def finding(doc: dict[str, Any], key: str, direction: str | None = None) -> dict[str, Any]:
    hits = [f for f in doc["what_if"] if f["key"] == key and (direction is None or f.get("direction") == direction)]
    assert len(hits) == 1, [f["text"] for f in doc["what_if"]]
    return hits[0]


def choice_and_scores(cli, *args: str) -> tuple[str, dict[str, float]]:
    rc, out, err = cli("recommend", *args, "--format", "json")
    assert rc == 0, err
    doc = json.loads(out)
    return doc["recommendation"]["choice"], {o: v["score"] for o, v in doc["options"].items()}


# ---------------------------------------------------------------- thresholds known by construction


def test_pods_threshold_is_where_linkerd_per_pod_cost_overtakes_ambient_fixed_cost(cli, cost_only) -> None:
    # Linkerd costs 0.013 vCPU per pod; ambient a fixed 2 vCPU; sidecar is dearer than both at any size.
    per_pod_vcpu, ambient_vcpu = 0.013, 2.0
    data = cost_only(
        {
            ("linkerd-proxy", "cpu_vcpu_per_instance"): per_pod_vcpu,
            ("istiod-ambient", "cpu_vcpu_per_instance"): ambient_vcpu,
            ("istio-proxy", "cpu_vcpu_per_instance"): 0.05,
            ("istiod", "cpu_vcpu_per_instance"): 5.0,
        }
    )
    doc = what_if_json(cli, "--data-dir", str(data))
    price = doc["answers"]["cpu_price"]
    ambient_usd = ambient_vcpu * price * HOURS_PER_MONTH
    # Ambient is chosen once Linkerd's rounded cost score falls below ambient's (sidecar: dearer)
    expected_pods = next(
        p
        for p in range(100, 1000)
        if winner({"linkerd": per_pod_vcpu * p * price * HOURS_PER_MONTH, "istio-ambient": ambient_usd}, doc)
        == "istio-ambient"
    )

    assert doc["recommendation"]["choice"] == "linkerd"
    found = finding(doc, "pods")
    assert found["direction"] == "up" and found["kind"] == "threshold"
    assert found["to"] == expected_pods  # whole numbers are searched exactly
    assert found["choice"] == "istio-ambient"
    assert "until" not in found  # ambient stays cheaper all the way up
    assert found["text"] == f"istio-ambient would be chosen at pods ≥ {expected_pods:,} (now 100)"
    # Near the pure cost crossing (2 / 0.013 = 153.8 pods); the rounding band is the only gap.
    # (the rounding band: 0.05 points = 0.05% of the $2,836 bill = $1.42, about 4.7 pods at $0.30 each)
    assert abs(expected_pods - ambient_vcpu / per_pod_vcpu) < 4.7

    # Re-running recommend either side of the threshold agrees, and the lead is the one reported.
    below, _ = choice_and_scores(cli, "--data-dir", str(data), "--pods", str(expected_pods - 1))
    at, scores = choice_and_scores(cli, "--data-dir", str(data), "--pods", str(expected_pods))
    assert (below, at) == ("linkerd", "istio-ambient")
    assert found["margin"] == pytest.approx(scores["istio-ambient"] - scores["linkerd"], abs=1e-9)
    assert found["runner_up"] == "linkerd"


def test_mesh_rps_threshold_is_found_within_the_stated_resolution(cli, cost_only) -> None:
    # Linkerd's proxies cost 0.25 vCPU per 1000 rps each, two per request; ambient a fixed 2 vCPU.
    per_krps_vcpu, ambient_vcpu = 0.25, 2.0
    data = cost_only(
        {
            ("linkerd-proxy", "cpu_vcpu_per_1000rps"): per_krps_vcpu,
            ("istiod-ambient", "cpu_vcpu_per_instance"): ambient_vcpu,
            ("istio-proxy", "cpu_vcpu_per_1000rps"): 0.5,
            ("istiod", "cpu_vcpu_per_instance"): 5.0,
        }
    )
    doc = what_if_json(cli, "--data-dir", str(data))
    price = doc["answers"]["cpu_price"]
    ambient_usd = ambient_vcpu * price * HOURS_PER_MONTH

    def chosen(rps: float) -> str:
        # Every request passes two Linkerd proxies: vCPU = 0.25 x 2R / 1000.
        linkerd_usd = per_krps_vcpu * 2 * rps / 1000 * price * HOURS_PER_MONTH
        return winner({"linkerd": linkerd_usd, "istio-ambient": ambient_usd}, doc)

    expected_rps = crossing(chosen, 1000.0, 100_000.0, "istio-ambient")

    found = finding(doc, "mesh_rps")
    assert found["choice"] == "istio-ambient" and found["direction"] == "up"
    # On the changed side of the boundary, no further than the bisection's resolution.
    assert expected_rps <= found["to"] <= expected_rps * (1 + RELATIVE_RESOLUTION)
    assert "bisection" in doc["what_if_search"]["method"]

    at, _ = choice_and_scores(cli, "--data-dir", str(data), "--mesh-rps", str(found["to"]))
    before, _ = choice_and_scores(
        cli, "--data-dir", str(data), "--mesh-rps", str(expected_rps * (1 - RELATIVE_RESOLUTION))
    )
    assert (before, at) == ("linkerd", "istio-ambient")


def test_l7_ratio_threshold_on_the_linear_grid(cli, cost_only) -> None:
    # Ambient: 0.2 vCPU fixed plus waypoints at 1 vCPU per 1000 L7 rps; Linkerd: a fixed 0.805 vCPU
    # (which puts the boundary mid-way between two 0.01 grid points, so only bisection finds it).
    data = cost_only(
        {
            ("istiod-ambient", "cpu_vcpu_per_instance"): 0.2,
            ("waypoint", "cpu_vcpu_per_1000rps"): 1.0,
            ("linkerd-control-plane", "cpu_vcpu_per_instance"): 0.805,
            ("istiod", "cpu_vcpu_per_instance"): 5.0,
        }
    )
    doc = what_if_json(cli, "--data-dir", str(data))
    assert doc["recommendation"]["choice"] == "istio-ambient"
    k = doc["answers"]["cpu_price"] * HOURS_PER_MONTH  # USD per vCPU-month
    rps = doc["answers"]["mesh_rps"]
    linkerd_usd = 0.805 * k

    def chosen(ratio: float) -> str:
        # ambient: 0.2 vCPU plus waypoints at 1 vCPU per 1000 L7 rps; Linkerd wins ties (matrix order)
        return winner({"linkerd": linkerd_usd, "istio-ambient": (0.2 + ratio * rps / 1000) * k}, doc)

    expected_ratio = crossing(chosen, 0.2, 1.0, "linkerd")

    found = finding(doc, "l7_ratio")
    assert found["choice"] == "linkerd" and found["direction"] == "up"
    # bisection to 0.001, then rounded away from the old choice to a value that pastes back as a flag
    assert 0 <= found["to"] - expected_ratio <= 2 * LINEAR_RESOLUTION
    assert found["text"].startswith(f"linkerd would be chosen at l7_ratio ≥ {found['to']}")
    assert choice_and_scores(cli, "--data-dir", str(data), "--l7-ratio", str(found["to"]))[0] == "linkerd"


def test_a_window_says_where_the_new_choice_stops(cli, cost_only) -> None:
    # vCPU at x thousand rps (two proxy traversals per request): Linkerd 0.8x, ambient 1 + 0.5x,
    # sidecar 3 + 0.2x. Linkerd is cheapest at first, ambient in the middle, sidecar beyond.
    data = cost_only(
        {
            ("linkerd-proxy", "cpu_vcpu_per_1000rps"): 0.4,
            ("istiod-ambient", "cpu_vcpu_per_instance"): 1.0,
            ("ztunnel", "cpu_vcpu_per_1000rps"): 0.25,
            ("istiod", "cpu_vcpu_per_instance"): 3.0,
            ("istio-proxy", "cpu_vcpu_per_1000rps"): 0.1,
        }
    )
    doc = what_if_json(cli, "--data-dir", str(data))
    k = doc["answers"]["cpu_price"] * HOURS_PER_MONTH

    vcpu = {"linkerd": (0.0, 0.8), "istio-ambient": (1.0, 0.5), "istio-sidecar": (3.0, 0.2)}

    def chosen(rps: float) -> str:
        x = rps / 1000
        return winner({o: (fixed + per_x * x) * k for o, (fixed, per_x) in vcpu.items()}, doc)

    start_rps = crossing(chosen, 1000.0, 10_000.0, "istio-ambient")
    # past the window: sidecar takes over (it is before ambient in the matrix, so it wins ties)
    stop_rps = crossing(chosen, start_rps, 100_000.0, "istio-sidecar")

    found = finding(doc, "mesh_rps")
    assert found["choice"] == "istio-ambient"
    assert start_rps <= found["to"] <= start_rps * (1 + RELATIVE_RESOLUTION)
    assert stop_rps * (1 - RELATIVE_RESOLUTION) <= found["until"] <= stop_rps
    assert found["text"] == (
        f"istio-ambient would be chosen at mesh_rps from {found['to']:,g} to {found['until']:,g} (now 1,000)"
    )
    after, _ = choice_and_scores(cli, "--data-dir", str(data), "--mesh-rps", str(stop_rps * (1 + RELATIVE_RESOLUTION)))
    assert after == "istio-sidecar"


def test_nothing_in_range_changes_the_choice(cli, cost_only, rewrite) -> None:
    # Every capability fully supported everywhere, Linkerd free in both views: nothing can beat it.
    data = cost_only(
        {
            ("istiod", "cpu_vcpu_per_instance"): 1.0,
            ("istiod-ambient", "cpu_vcpu_per_instance"): 1.0,
            ("istiod", "request_cpu_millicores"): 500.0,
            ("istiod-ambient", "request_cpu_millicores"): 500.0,
        }
    )

    def all_full(doc: dict[str, Any]) -> None:
        for feat in doc["features"]:
            for cell in feat["cells"].values():
                cell["level"] = "full"
                for key in ("vendor", "vendor_level", "vendor_note", "vendor_source"):
                    cell.pop(key, None)  # a vendor build no better than open source is refused

    rewrite(data / "features.toml", all_full)
    doc = what_if_json(cli, "--data-dir", str(data))
    assert doc["recommendation"]["choice"] == "linkerd"
    assert doc["what_if"] == []
    assert doc["what_if_search"]["ranges"]["pods"] == {
        "low": 1,
        "high": 100_000,
        "note": "searched up to 1,000x the current value",
    }

    rc, out, err = cli("recommend", "--data-dir", str(data), "--what-if")
    assert rc == 0, err
    assert "No single change within the searched ranges changes the choice" in " ".join(out.split())


# ---------------------------------------------------------------- every finding holds when applied


def as_flags(answers: dict[str, Any]) -> list[str]:
    args: list[str] = []
    for key, value in answers.items():
        q = BY_KEY[key]
        if q.kind == "features":
            args += [part for fid in value for part in (q.flag, fid)]
        elif q.kind == "bool":
            args.append(q.flag if value else q.negative_flag)
        else:
            args += [q.flag, str(value)]
    return args


def test_every_finding_gives_its_choice_and_lead_when_applied(cli) -> None:
    # 2,000 pods: near enough to the boundaries that choices (not only numbers and capabilities)
    # flip the answer, now that Linkerd's partial fault injection costs a must-have's surcharge.
    base = {"require": ["fault-injection"], "pods": 2000}
    doc = what_if_json(cli, *as_flags(base))
    now = doc["recommendation"]["choice"]
    assert doc["what_if"], "the bundled data should have boundaries near this answer"
    kinds = {f["kind"] for f in doc["what_if"]}
    assert {"alternative", "capability"} <= kinds
    for f in doc["what_if"]:
        choice, scores = choice_and_scores(cli, *as_flags({**base, **f["changes"]}))
        assert choice == f["choice"] != now, f["text"]
        if f["runner_up"] != "none":
            assert f["margin"] == pytest.approx(scores[choice] - scores[f["runner_up"]], abs=1e-9), f["text"]


def test_dropping_a_requirement_is_a_finding_in_plain_words(cli) -> None:
    doc = what_if_json(cli, "--require", "fault-injection")
    without, _ = choice_and_scores(cli)
    dropped = [
        f
        for f in doc["what_if"]
        if f["kind"] == "capability" and f["key"] == "fault-injection" and f["to"] == "not needed"
    ]
    assert doc["recommendation"]["choice"] != without  # the bundled data: requiring it changes the answer
    assert len(dropped) == 1
    f = dropped[0]
    assert (f["from"], f["choice"], f["distance"]) == ("required", without, 2)
    assert f["text"] == f"{without} would be chosen if fault-injection were not required"
    assert f["changes"] == {"require": [], "prefer": []}


def test_findings_are_ranked_by_size_of_change(cli) -> None:
    doc = what_if_json(cli, "--pods", "2000", "--l7-ratio", "0.5")
    distances = [f["distance"] for f in doc["what_if"]]
    assert distances == sorted(distances)
    for f in doc["what_if"]:
        if f["kind"] == "threshold" and f["to"] > 0:
            # symmetric: |log2(to / from)|, so halving and doubling are the same size (1 step)
            assert f["distance"] == pytest.approx(abs(math.log2(f["to"] / f["from"])), rel=1e-4)


def test_the_size_of_a_change_is_symmetric_and_on_the_scale_of_steps() -> None:
    from advisor.engine.whatif import _relative_change as size

    assert size("nodes", 10, 20) == size("nodes", 10, 5) == 1.0  # doubling and halving: one step
    # 60 nodes -> 2 is -97%, which a relative change caps below 1; as a log ratio it is log2(30) = 4.91,
    # bigger than one step of a choice or a capability (1)
    assert size("nodes", 60, 2) == pytest.approx(math.log2(30)) and size("nodes", 60, 2) > 1
    # from 0, measured against the default: l7_ratio 0 -> 0.2 (default 0.2) is log2(1 + 1) = 1
    assert size("l7_ratio", 0.0, 0.2) == pytest.approx(1.0)


# ---------------------------------------------------------------- renderings and flags


def test_table_shows_the_top_findings_and_how_they_were_found(cli, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    rc, out, err = cli("recommend", "--require", "fault-injection", "--what-if-limit", "2")
    assert rc == 0, err
    assert "What would change the answer" in out
    assert "2 of " in out and "--what-if-limit N shows more" in out
    assert "bisection to 0.1% of the value" in out and "evaluations" in out
    rows = [line for line in out.splitlines() if " would be chosen " in line]
    assert len(rows) == 2
    doc = what_if_json(cli, "--require", "fault-injection")
    assert doc["what_if"][0]["text"] in rows[0]


def test_toml_carries_the_same_findings_as_json(cli) -> None:
    doc = what_if_json(cli, "--pods", "2000", "--l7-ratio", "0.5")
    rc, out, err = cli("recommend", "--pods", "2000", "--l7-ratio", "0.5", "--what-if", "--format", "toml")
    assert rc == 0, err
    assert tomllib.loads(out)["what_if"] == doc["what_if"]


def test_without_what_if_the_document_has_no_findings(cli) -> None:
    rc, out, _ = cli("recommend", "--format", "json")
    assert rc == 0 and "what_if" not in json.loads(out)


@pytest.mark.parametrize("bad", ["0", "-3", "two", "1.5", ""])
def test_what_if_limit_must_be_a_whole_number_of_at_least_one(cli, bad: str) -> None:
    rc, out, err = cli("recommend", "--what-if-limit", bad)
    assert rc == 2 and out == ""
    assert err.strip().splitlines() == [f"mesh-advisor: --what-if-limit: expected a whole number ≥ 1, got {bad!r}"]
