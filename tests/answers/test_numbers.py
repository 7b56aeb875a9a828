"""Extreme answers give finite, sensible numbers everywhere: no NaN, no infinity, no negative cost.

1 pod on 1 node, 10 million requests per second, a million pods, an L7 share of exactly 0 and
exactly 1, prices of 0, and every answer at its registry minimum or maximum, through
`recommend` and `cost` (JSON walked number by number, and the tables drawn), and sweeps that
run across those values.
"""

from __future__ import annotations

import re

import pytest
from outcomes import check_document, invoke, numbers, only_warnings, plain_terminal, strict_json  # noqa: F401

from advisor.catalog.load import load_catalog
from advisor.answers.registry import BY_KEY, NUMERIC_KEYS

pytestmark = pytest.mark.usefixtures("plain_terminal")

CATALOG = load_catalog()
COMPONENTS = {c.id: c for c in CATALOG.benchmarks.components}


def bound(key: str, which: str) -> str:
    q = BY_KEY[key]
    value = q.minimum if which == "min" else q.maximum
    return str(int(value)) if q.kind == "int" or float(value).is_integer() else repr(value)


def at_bounds(which: str) -> list[str]:
    return [arg for key in NUMERIC_KEYS for arg in (BY_KEY[key].flag, bound(key, which))]


EXTREMES: dict[str, list[str]] = {
    "one pod on one node": ["--pods", "1", "--nodes", "1", "--namespaces", "1", "--hops", "1"],
    "ten million rps": ["--mesh-rps", "10000000"],
    "a million pods": ["--pods", "1000000", "--nodes", "10000", "--namespaces", "1000"],
    "no traffic": ["--mesh-rps", "0"],
    "l7 share exactly 0": ["--l7-ratio", "0"],
    "l7 share exactly 1": ["--l7-ratio", "1"],
    "prices of 0": ["--cpu-price", "0", "--memory-price", "0"],
    "tiny prices": ["--cpu-price", "1e-12", "--memory-price", "1e-12"],
    "more nodes than pods": ["--pods", "1", "--nodes", "100000000"],
    "registry minima": at_bounds("min"),
    "registry maxima": at_bounds("max"),
    "registry maxima, requests basis": [*at_bounds("max"), "--cost-basis", "requests", "--cost-sensitivity", "high"],
    "registry maxima, everything required": [*at_bounds("max"), "--require", ",".join(CATALOG.feature_ids)],
}


def run_json(capsys, *args: str) -> dict:
    outcome = invoke(capsys, *args, "--format", "json")
    assert outcome.rc == 0, str(outcome)
    return strict_json(outcome.out)


def instances(doc: dict) -> dict[str, dict[str, int]]:
    return {o: {c["id"]: c["instances"] for c in opt["cost"]["components"]} for o, opt in doc["options"].items()}


# Pinned by hand (each line's arithmetic beside it), not recomputed from the code's own formula.
@pytest.mark.parametrize(
    "args, option, component, count",
    [
        # one proxy per pod
        (["--pods", "1000000", "--nodes", "10000", "--namespaces", "1000"], "istio-sidecar", "istio-proxy", 1_000_000),
        # one ztunnel per node
        (["--pods", "1000000", "--nodes", "10000", "--namespaces", "1000"], "istio-ambient", "ztunnel", 10_000),
        # ceil(0.2 x 1000) = 200 L7 namespaces, each 1000 rps x 0.2 / 200 = 1 rps: one replica each
        (["--pods", "1000000", "--nodes", "10000", "--namespaces", "1000"], "istio-ambient", "waypoint", 200),
        # ceil(0.2 x 5) = 1 L7 namespace carrying 10,000,000 x 0.2 = 2,000,000 rps / 8,000 per replica = 250
        (["--mesh-rps", "10000000"], "istio-ambient", "waypoint", 250),
        # no L7 share, no waypoint
        (["--l7-ratio", "0"], "istio-ambient", "waypoint", 0),
    ],
)
def test_component_counts_at_the_extremes(capsys, args, option, component, count) -> None:
    assert instances(run_json(capsys, "cost", *args))[option][component] == count


def test_money_is_usage_at_the_prices_for_730_hours(capsys) -> None:
    doc = run_json(capsys, "cost", "--l7-ratio", "0")
    usage = doc["options"]["linkerd"]["cost"]["usage"]
    assert (usage["cpu_vcpu"], usage["memory_gib"]) == (0.297, 1.2848)
    # (0.297 vCPU x $0.031611 + 1.2848 GiB x $0.004237) x 730 h = (0.009388 + 0.005444) x 730 = $10.83
    assert usage["monthly_usd"] == 10.83


@pytest.mark.parametrize("case", EXTREMES)
@pytest.mark.parametrize("command", ["recommend", "cost"])
def test_extreme_answers_give_finite_sensible_documents(capsys, command, case) -> None:
    doc = run_json(capsys, command, *EXTREMES[case])
    check_document(doc, command)  # every number finite, no negative cost, usage, count or latency
    answers = doc["answers"]
    for opt in doc["options"].values():
        for c in opt["cost"]["components"]:
            assert c["containers_added"] == c["instances"] * COMPONENTS[c["id"]].containers_per_instance
            assert c["handled_rps"] <= answers["mesh_rps"] * COMPONENTS[c["id"]].traversals + 0.01
        lat = opt["latency"]
        assert lat["end_to_end_p90_ms"] == pytest.approx(lat["per_hop_p90_ms"] * answers["hops"], rel=1e-3, abs=1e-3)
        assert lat["per_hop_p50_ms"] <= lat["per_hop_p90_ms"] <= lat["per_hop_p99_ms"]
    if answers["cpu_price"] == 0 and answers["memory_price"] == 0:
        assert {v for p, v in numbers(doc["options"]) if p.endswith("monthly_usd")} == {0}
    if command == "recommend":
        rec = doc["recommendation"]
        for opt in doc["options"].values():
            assert all(0 <= s <= 100 for s in opt["scores"].values())
        if rec["choice"] != "none":
            assert doc["options"][rec["choice"]]["eligible"]
        assert not re.search(r"\b(nan|inf|infinity)\b", rec["summary"], re.IGNORECASE)


def test_l7_share_of_0_runs_no_waypoints_and_1_runs_one_per_namespace(capsys) -> None:
    def waypoints(l7: str) -> tuple[int, dict]:
        doc = run_json(capsys, "cost", "--l7-ratio", l7, "--namespaces", "7")
        comps = doc["options"]["istio-ambient"]["cost"]["components"]
        return sum(c["instances"] for c in comps if c["scaling"] == "per-l7-namespace"), doc["options"]["istio-ambient"]

    none, at_zero = waypoints("0")
    every, at_one = waypoints("1")
    assert none == 0 and every == 7
    # at 0 the ambient latency is the L4 path alone; at 1 it is the waypoint path alone
    figures = CATALOG.profiles[CATALOG.benchmarks.default_profile].latency["istio-ambient"]
    assert at_zero["latency"]["per_hop_p90_ms"] == pytest.approx(figures.per_hop_p90_ms.value)
    assert at_one["latency"]["per_hop_p90_ms"] == pytest.approx(figures.l7_per_hop_p90_ms.value)


def test_ten_million_rps_is_carried_by_the_proxies_twice(capsys) -> None:
    doc = run_json(capsys, "cost", "--mesh-rps", "10000000")
    for oid in ("linkerd", "istio-sidecar"):
        proxies = [c for c in doc["options"][oid]["cost"]["components"] if c["scaling"] == "per-pod"]
        assert sum(c["handled_rps"] for c in proxies) == 20_000_000


def test_a_million_pods_add_a_million_sidecars(capsys) -> None:
    doc = run_json(capsys, "cost", "--pods", "1000000")
    for oid in ("linkerd", "istio-sidecar"):
        sidecars = [c for c in doc["options"][oid]["cost"]["components"] if c["scaling"] == "per-pod"]
        assert sum(c["containers_added"] for c in sidecars) == 1_000_000


@pytest.mark.parametrize("case", ["registry minima", "registry maxima", "prices of 0", "one pod on one node"])
@pytest.mark.parametrize("command", ["recommend", "cost"])
def test_extreme_answers_draw_their_tables(capsys, command, case) -> None:
    outcome = invoke(capsys, command, *EXTREMES[case])
    assert outcome.rc == 0 and only_warnings(outcome.err), str(outcome)
    assert not re.search(r"\b(nan|inf|infinity)\b", outcome.out, re.IGNORECASE)
    assert "-$" not in outcome.out and "$-" not in outcome.out


SWEEPS = [
    ("pods=1:100000000:500", []),
    ("pods=1:100000000:500", ["--cpu-price", "0", "--memory-price", "0"]),
    ("nodes=1:100000000:60", ["--pods", "1"]),
    ("namespaces=1:100000000:60", ["--l7-ratio", "1"]),
    ("mesh_rps=0:1000000000000:500", []),
    ("mesh_rps=0:10000000:3", at_bounds("max")),
    ("l7_ratio=0:1:500", ["--namespaces", "100000000"]),
    ("hops=1:1000:500", []),
]


@pytest.mark.parametrize("sweep, extra", SWEEPS, ids=[s for s, _ in SWEEPS])
@pytest.mark.slow
def test_sweeps_across_the_extremes_stay_finite_and_ordered(capsys, sweep, extra) -> None:
    doc = run_json(capsys, "cost", *extra, "--sweep", sweep)
    check_document(doc, "cost")
    key = doc["sweep"]["key"]
    values = doc["sweep"]["values"]
    assert values[0] == float(sweep.split("=")[1].split(":")[0]) and values == sorted(values)
    for basis in ("usage_monthly_usd", "requests_monthly_usd"):
        for oid, series in doc["sweep"][basis].items():
            assert len(series) == len(values) and min(series) >= 0
            if key in ("pods", "nodes", "namespaces", "mesh_rps"):
                # more of anything never costs less
                assert all(b >= a - 0.01 for a, b in zip(series, series[1:])), (oid, basis)
            if key == "hops":
                assert len(set(series)) == 1, "hops change latency, not money"
    for crossing in doc["sweep"]["crossovers"]:
        assert values[0] <= crossing["at"] <= values[-1]
    outcome = invoke(capsys, "cost", *extra, "--sweep", sweep)
    assert outcome.rc == 0 and not re.search(r"\b(nan|inf)\b", outcome.out, re.IGNORECASE), str(outcome)


@pytest.mark.slow
@pytest.mark.parametrize("case", ["registry minima", "registry maxima", "prices of 0"])
def test_what_if_at_the_extremes_stays_finite(capsys, case) -> None:
    doc = run_json(capsys, "recommend", "--what-if", *EXTREMES[case])
    check_document(doc, "recommend")
    for finding in doc["what_if"]:
        assert finding["text"] and not re.search(r"\b(nan|inf)\b", finding["text"], re.IGNORECASE)
    outcome = invoke(capsys, "recommend", "--what-if", *EXTREMES[case])
    assert outcome.rc == 0 and not re.search(r"\b(nan|inf)\b", outcome.out, re.IGNORECASE), str(outcome)


def test_regression_zero_prices_everywhere_give_zero_money_not_a_division_error(capsys) -> None:
    # every option costs $0: the cost score's "relative to the best" and the chart's y axis divide by it
    doc = run_json(capsys, "recommend", "--cpu-price", "0", "--memory-price", "0", "--cost-sensitivity", "high")
    assert {o["scores"]["cost"] for o in doc["options"].values()} == {100.0}
    outcome = invoke(capsys, "cost", "--cpu-price", "0", "--memory-price", "0", "--sweep", "pods=1:1000:5")
    assert outcome.rc == 0 and "$0" in outcome.out, str(outcome)
