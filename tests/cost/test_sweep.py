"""`cost --sweep KEY=START:STOP[:STEPS]`: parsing, limits, the chart, the series and the crossovers."""

from __future__ import annotations

import json
from dataclasses import asdict
import tomllib

import pytest

from advisor.answers.resolve import resolve
from advisor.catalog.load import load_catalog
from advisor.engine.sweep import MAX_POINTS, find_crossovers, parse_sweep, run_sweep, sweep_values
from outcomes import run_cli

GIB = 2**30
MB = 10**6
CPU_PRICE, MEMORY_PRICE = 0.031611, 0.004237  # the default prices (data/pricing.toml)


def sweep_doc(capsys, *args: str, fmt: str = "json") -> dict:
    rc, out, err = run_cli("cost", *args, "--format", fmt)
    assert rc == 0, err
    return (json.loads(out) if fmt == "json" else tomllib.loads(out))["sweep"]


# Crossovers at the default answers (10 nodes, 5 namespaces, 1000 rps, L7 share 0.2), by hand.
# Monthly usage cost is (vCPU x CPU_PRICE + GiB x MEMORY_PRICE) x 730; the 730 cancels out.
#   Linkerd:  vCPU 0.1075 x 2000/1000 + 0.082 = 0.297;   bytes pods x 10.1 MB + 365 MB + 0.045 MB x pods
#             (the destination controller caches every endpoint)
#   sidecar:  vCPU 0.20 x 2000/1000 + 1.0 = 1.4;  each proxy 60 + 25 + 0.157 x pods/2 ports + 0.003 x pods,
#             unscoped (every Service and endpoint), so it is never cheaper than ambient here
#   ambient:  vCPU 0.06 x 2 + 0.25 x 0.2 + 1.0 = 1.17 (ztunnels, one waypoint, istiod; istio-cni's
#             usage is unknown: 0); bytes 10 x 12 MB + 85 MB (waypoint Envoy + pilot-agent) + 1500 MB =
#             1705 MB, plus the waypoint's own namespace (pods/5): 0.157 MB x pods/10 ports + 0.003 MB x
#             pods/5 endpoints = 0.0163 MB a pod, and above 2000 pods 10 ztunnels x 0.003 + istiod 0.045 MB a pod
AMBIENT_VCPU, AMBIENT_MB = 0.06 * 2 + 0.25 * 0.2 + 1.0, 10 * 12 + 85 + 1500
WAYPOINT_MB_PER_POD = 0.157 * 0.5 / 5 + 0.003 / 5


def ambient_mb(pods: float) -> float:
    return AMBIENT_MB + WAYPOINT_MB_PER_POD * pods + (10 * 0.003 + 0.045) * max(0.0, pods - 2000)


def pods_where_equal(vcpu: float, fixed_mb: float, mb_per_pod: float) -> float:
    """Pods (below 2000) at which an option of vcpu + (fixed_mb + pods x mb_per_pod) costs as much as ambient."""
    cpu_gap_usd = (AMBIENT_VCPU - vcpu) * CPU_PRICE
    return (cpu_gap_usd / MEMORY_PRICE * GIB / MB + AMBIENT_MB - fixed_mb) / (mb_per_pod - WAYPOINT_MB_PER_POD)


LINKERD_CROSSES_AMBIENT = pods_where_equal(0.1075 * 2 + 0.082, 365, 10.1 + 0.045)  # about 823 pods


def test_hand_computed_crossovers_are_where_expected() -> None:
    assert 820 < LINKERD_CROSSES_AMBIENT < 826


@pytest.mark.parametrize("steps", [12, 500])
def test_sweep_finds_the_hand_computed_crossovers(capsys, steps) -> None:
    sweep = sweep_doc(capsys, "--sweep", f"pods=100:10000:{steps}")
    grid = (10000 - 100) / (steps - 1)
    found = {(c["cheaper_below"], c["cheaper_above"]): c["at"] for c in sweep["crossovers"]}
    # the old "sidecar becomes cheaper than ambient" crossing came from istio-cni's request used as
    # its usage; with that unknown, only Linkerd and ambient cross
    assert set(found) == {("linkerd", "istio-ambient")}
    # both sides are straight lines in pods below 2000, so interpolating between grid points is
    # exact; the contract is only "within the grid resolution"
    assert abs(found[("linkerd", "istio-ambient")] - LINKERD_CROSSES_AMBIENT) < grid
    assert found[("linkerd", "istio-ambient")] == pytest.approx(LINKERD_CROSSES_AMBIENT, abs=0.01)


def test_json_and_toml_carry_the_series(capsys) -> None:
    for fmt in ("json", "toml"):
        sweep = sweep_doc(capsys, "--sweep", "pods=100:10000:12", fmt=fmt)
        assert sweep["key"] == "pods" and sweep["basis"] == "usage"
        assert sweep["values"] == [100, 1000, 1900, 2800, 3700, 4600, 5500, 6400, 7300, 8200, 9100, 10000]
        for series in (sweep["monthly_usd"], sweep["usage_monthly_usd"], sweep["requests_monthly_usd"]):
            assert set(series) == set(load_catalog().option_ids)
            assert all(len(points) == 12 for points in series.values())
        assert sweep["monthly_usd"] == sweep["usage_monthly_usd"]
        ambient = sweep["monthly_usd"]["istio-ambient"]
        # below the waypoint's memory limit (1024 MiB: 60 + 0.195 x pods reaches it at 5198 pods)
        expected = [
            (AMBIENT_VCPU * CPU_PRICE + ambient_mb(p) * MB / GIB * MEMORY_PRICE) * 730 for p in sweep["values"][:6]
        ]
        assert ambient[:6] == [pytest.approx(x, abs=0.005) for x in expected]
        assert len(sweep["crossovers"]) == 1


def test_each_point_is_the_single_scenario(capsys) -> None:
    sweep = sweep_doc(capsys, "--sweep", "nodes=5:50:4", "--pods", "300")
    for nodes, linkerd, ambient in zip(
        sweep["values"], sweep["monthly_usd"]["linkerd"], sweep["monthly_usd"]["istio-ambient"]
    ):
        rc, out, _ = run_cli("cost", "--pods", "300", "--nodes", str(nodes), "--format", "json")
        single = json.loads(out)["options"]
        assert single["linkerd"]["cost"]["usage"]["monthly_usd"] == linkerd
        assert single["istio-ambient"]["cost"]["usage"]["monthly_usd"] == ambient


def test_requests_basis_sweeps_requests(capsys) -> None:
    sweep = sweep_doc(capsys, "--sweep", "pods=100:1000:4", "--cost-basis", "requests")
    assert sweep["basis"] == "requests"
    assert sweep["monthly_usd"] == sweep["requests_monthly_usd"]
    assert sweep["monthly_usd"]["linkerd"] == [0.0] * 4  # Linkerd's chart requests nothing by default


def test_float_keys_sweep_evenly(capsys) -> None:
    sweep = sweep_doc(capsys, "--sweep", "l7_ratio=0:1:5")
    assert sweep["values"] == [0.0, 0.25, 0.5, 0.75, 1.0]
    ambient = sweep["monthly_usd"]["istio-ambient"]
    assert ambient == sorted(ambient) and ambient[0] < ambient[-1]  # more L7 share, more waypoint cost


def test_table_view_shows_the_chart_and_names_the_crossovers(capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    rc, out, err = run_cli("cost", "--sweep", "pods=100:10000:12")
    assert rc == 0, err
    assert "Monthly cost (usage) against pods" in out
    assert "┤" in out and "└" in out  # the chart's axes
    assert "L Linkerd" in out and "S Istio sidecar" in out and "A Istio ambient" in out  # its legend
    assert "Istio ambient becomes cheaper than Linkerd at pods ≈ 823" in out
    assert "cheaper than Istio sidecar" not in out
    assert max(len(line) for line in out.splitlines()) <= 100


def test_narrow_chart_fits(capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    rc, out, _ = run_cli("cost", "--sweep", "mesh_rps=0:1000000:40")
    assert rc == 0
    assert max(len(line) for line in out.splitlines()) <= 60
    assert "…" not in out


def test_at_most_500_points(capsys) -> None:
    sweep = sweep_doc(capsys, "--sweep", f"mesh_rps=0:1000000:{MAX_POINTS}")
    assert len(sweep["values"]) == MAX_POINTS == 500
    rc, _, err = run_cli("cost", "--sweep", "mesh_rps=0:1000000:501")
    assert rc == 2 and "at most 500 points" in err


def test_whole_number_keys_never_repeat_a_point() -> None:
    values = sweep_values(parse_sweep("pods=1:5:500"))
    assert values == (1.0, 2.0, 3.0, 4.0, 5.0)


def test_default_steps_are_12() -> None:
    spec = parse_sweep("nodes=10:120")
    assert (spec.key, spec.start, spec.stop, spec.steps) == ("nodes", 10, 120, 12)
    assert parse_sweep("mesh-rps=0:10").key == "mesh_rps"  # the flag spelling works too


@pytest.mark.parametrize(
    ("sweep", "says"),
    [
        ("pods=10:1", "START (10) must be below STOP (1)"),
        ("pods=10:10", "must be below"),
        ("cpu_price=1:2", "unknown key 'cpu_price'; expected one of pods, nodes, namespaces, mesh_rps, l7_ratio, hops"),
        ("pods=100:1000:501", "STEPS must be from 2 to 500"),
        ("pods=100:1000:1", "STEPS must be from 2 to 500"),
        ("pods=ten:100", "pods: expected a whole number"),
        ("l7_ratio=0:x", "l7_ratio: expected a number"),
        ("pods=1:100:many", "STEPS must be a whole number"),
        ("pods=1.5:10", "pods: expected a whole number"),
        ("l7_ratio=0:1.5", "l7_ratio: expected a number from 0 to 1"),
        ("pods=0:100", "pods: expected a whole number from 1"),
        ("pods100:1000", "expected KEY=START:STOP[:STEPS]"),
        ("pods=100", "expected KEY=START:STOP[:STEPS]"),
        ("pods=1:2:3:4", "expected KEY=START:STOP[:STEPS]"),
        ("", "expected KEY=START:STOP[:STEPS]"),
    ],
)
def test_bad_sweeps_exit_2_with_one_clear_line(capsys, sweep, says) -> None:
    rc, out, err = run_cli("cost", "--sweep", sweep)
    assert rc == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("mesh-advisor: --sweep") and says in lines[0]


def test_crossovers_interpolate_between_grid_points() -> None:
    # a is cheaper until x = 2.5 (a: 1, 2, 3; b: 2.5, 2.5, 2.5 -> gaps -1.5, -0.5, +0.5)
    found = find_crossovers((0.0, 1.0, 2.0), {"a": [1.0, 2.0, 3.0], "b": [2.5, 2.5, 2.5]})
    assert [(c.cheaper_below, c.cheaper_above, c.at) for c in found] == [("a", "b", 1.5)]
    # touching without crossing is no crossover
    assert find_crossovers((0.0, 1.0, 2.0), {"a": [1.0, 2.0, 1.0], "b": [2.0, 2.0, 2.0]}) == []


def test_run_sweep_is_pure() -> None:
    catalog = load_catalog()
    answers = resolve(catalog).answers
    first = run_sweep(answers, catalog, parse_sweep("hops=1:10:10"))
    again = run_sweep(answers, catalog, parse_sweep("hops=1:10:10"))
    assert asdict(first) == asdict(again)
    assert first.crossovers == ()  # hops changes latency, not money
