"""Figures that scale, HA, the node projection, ranges and the sampled robustness, by hand."""

from __future__ import annotations

from dataclasses import asdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.answers.resolve import resolve
from advisor.catalog.load import load_catalog
from advisor.engine.costing import MB_PER_MIB, project
from advisor.engine.robustness import robustness
from advisor.engine.scoring import recommend
from advisor.engine.standing import cluster_bill, cost_points

MB, GIB = 10**6, 2**30
CPU, MEM = 0.031611, 0.004237  # USD per vCPU-hour and GiB-hour (data/pricing.toml default)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def answers(catalog, **flags):
    return resolve(
        catalog, flags={k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in flags.items()}
    ).answers


def comp(catalog, option: str, cid: str, **flags):
    p = project(answers(catalog, **flags), catalog)
    return next(c for c in p.options[option].components if c.id == cid)


# ---------------------------------------------------------------- istiod grows with its proxies


def test_istiod_at_two_sizes(catalog) -> None:
    small = comp(catalog, "istio-sidecar", "istiod", pods=1000)
    # 1000 proxies: within the 2000 the published 1 vCPU / 1.5 GB already holds
    assert small.cpu_vcpu == pytest.approx(1.0)
    assert small.memory_gib == pytest.approx(1500 * MB / GIB)
    big = comp(catalog, "istio-sidecar", "istiod", pods=12_000)
    # 12000 proxies, 10000 above 2000: 1 + 0.000778 x 10000 = 8.78 vCPU; 1500 + 2.161 x 10000 = 23110 MB
    assert big.cpu_vcpu == pytest.approx(8.78)
    assert big.memory_gib == pytest.approx(23_110 * MB / GIB)
    # the range: one-service AKS slopes, 1 + 0.000609 x 10000 = 7.09 vCPU and 1500 + 1.330 x 10000 = 14800 MB
    low_usd = (7.09 * CPU + 14_800 * MB / GIB * MEM) * 730
    assert big.usage_usd_spread.low == pytest.approx(low_usd)
    assert big.usage_usd_spread.high == pytest.approx(big.usage_monthly_usd)


def test_istiod_in_ambient_counts_ztunnels_and_waypoints(catalog) -> None:
    # 3000 nodes -> 3000 ztunnels, plus ceil(0.2 x 5) = 1 waypoint with 1 replica: 3001 proxies, 1001 above 2000;
    # the cluster's 100 workloads are within the 2000 the base holds
    c = comp(catalog, "istio-ambient", "istiod-ambient", nodes=3000)
    assert c.cpu_vcpu == pytest.approx(1 + 0.000778 * 1001)
    assert c.memory_gib == pytest.approx((1500 + 2.116 * 1001) * MB / GIB)


def test_istiod_in_ambient_grows_with_workloads(catalog) -> None:
    # ztunnels receive every workload: 25,000 pods, 23,000 above 2000, x 0.045 MB (ambient multicluster
    # page: 180 MB per 4,000 endpoints) = 1035 MB on top of 1500 MB; 10 ztunnels + 1 waypoint: below 2000
    c = comp(catalog, "istio-ambient", "istiod-ambient", pods=25_000)
    assert c.memory_gib == pytest.approx((1500 + 0.045 * 23_000) * MB / GIB)


def test_istiod_replicas_with_ha_or_pinned(catalog) -> None:
    ha = comp(catalog, "istio-sidecar", "istiod", pods=12_000, control_plane_ha=True)
    # the HPA maximum, 5 replicas: each holds the cluster state (1500 MB + 0.045 MB x 10,000 pods above
    # 2000), and they split the 12,000 connected proxies: 2,400 each, 400 above 2000 x 2.116 MB.
    # Not five copies of the whole: 5 x (1500 + 450 + 846.4) = 13,982 MB, against 5 x 23,110 before
    assert ha.instances == 5
    assert ha.memory_gib == pytest.approx(5 * (1500 + 0.045 * 10_000 + 2.116 * 400) * MB / GIB)
    assert ha.memory_gib < 5 * comp(catalog, "istio-sidecar", "istiod", pods=12_000).memory_gib / 3
    assert ha.cpu_vcpu == pytest.approx(8.78)
    assert (ha.requests_cpu_vcpu, ha.requests_memory_gib) == (pytest.approx(5 * 0.5), pytest.approx(5 * 2.0))
    pinned = comp(catalog, "istio-sidecar", "istiod", istiod_replicas=2)
    assert pinned.instances == 2 and pinned.requests_cpu_vcpu == pytest.approx(1.0)


# ---------------------------------------------------------------- proxies learn about endpoints


def test_envoy_memory_with_and_without_scoping(catalog) -> None:
    # 100 pods in 5 namespaces, Services derived: 100 x 0.5 = 50 ports, plus istiod's 4. Unscoped, every
    # proxy holds all of them and all 100 endpoints: 60 + 25 (pilot-agent) + 0.157 x 54 + 0.003 x 100 = 93.778 MB
    unscoped = comp(catalog, "istio-sidecar", "istio-proxy", pods=100, namespaces=5)
    assert unscoped.memory_gib == pytest.approx(100 * 93.778 * MB / GIB)
    # scoped: its namespace's 20 pods x 0.5 = 10 ports + istiod's 4, and 20 endpoints:
    # 60 + 25 + 0.157 x 14 + 0.003 x 20 = 87.258 MB
    scoped = comp(catalog, "istio-sidecar", "istio-proxy", pods=100, namespaces=5, sidecar_scoping=True)
    assert scoped.memory_gib == pytest.approx(100 * 87.258 * MB / GIB)
    assert not unscoped.capped and not scoped.capped


def test_envoy_memory_stops_at_the_chart_limit(catalog) -> None:
    # 20,000 pods unscoped, 10,000 derived Service ports + istiod's 4: 60 + 25 + 0.157 x 10,004 + 0.003 x 20,000
    # = 1715.6 MB, above the 1024 MiB limit (1073.74 MB): capped there, and said on the component
    c = comp(catalog, "istio-sidecar", "istio-proxy", pods=20_000)
    assert c.capped and c.limit_reached
    assert c.memory_gib == pytest.approx(20_000 * 1024 * MB_PER_MIB * MB / GIB)
    assert "20,000 of 20,000 would need up to 1,636 MiB each" in c.limit_note  # 1715.6 / 1.048576
    assert "OOM-killed" in c.limit_note and "scope the proxies" in c.limit_note


def test_ztunnel_memory_at_two_cluster_sizes(catalog) -> None:
    small = comp(catalog, "istio-ambient", "ztunnel", pods=1000, nodes=10)
    assert small.memory_gib == pytest.approx(10 * 12 * MB / GIB)  # 1000 pods: within the benchmark's 2000
    # 202,000 pods in the cluster: 12 MB + 0.003 MB x 200,000 = 612 MB per node
    big = comp(catalog, "istio-ambient", "ztunnel", pods=1000, nodes=10, cluster_pods=202_000)
    assert big.memory_gib == pytest.approx(10 * 612 * MB / GIB)


# ---------------------------------------------------------------- HA


def test_linkerd_ha_by_hand(catalog) -> None:
    p = project(answers(catalog, pods=1000, control_plane_ha=True), catalog)
    parts = {c.id: c for c in p.options["linkerd"].components}
    proxy, cp = parts["linkerd-proxy"], parts["linkerd-control-plane"]
    # values-ha.yaml proxy requests: 1000 x 100m = 100 vCPU, 1000 x 20 MiB = 19.53 GiB
    assert proxy.requests_cpu_vcpu == pytest.approx(100.0)
    assert proxy.requests_memory_gib == pytest.approx(1000 * 20 / 1024)
    # controllerReplicas 3; per replica 700m and 220 MiB (four controllers and three pod proxies)
    assert (cp.instances, cp.containers_added) == (3, 24)
    assert cp.requests_cpu_vcpu == pytest.approx(3 * 0.7)
    assert cp.requests_memory_gib == pytest.approx(3 * 220 / 1024)
    # each replica caches every endpoint: 365 + 0.045 x 1000 = 410 MB
    assert cp.memory_gib == pytest.approx(3 * 410 * MB / GIB)
    # the default install reserves nothing
    plain = project(answers(catalog, pods=1000), catalog)
    assert plain.options["linkerd"].requests.monthly_usd == 0


def test_waypoints_keep_two_replicas_with_ha(catalog) -> None:
    # ceil(0.2 x 5) = 1 waypoint carrying 200 rps: 1 replica, 2 with HA
    assert comp(catalog, "istio-ambient", "waypoint").instances == 1
    assert comp(catalog, "istio-ambient", "waypoint", control_plane_ha=True).instances == 2


# ---------------------------------------------------------------- nodes


def test_extra_nodes_by_hand(catalog) -> None:
    a = answers(catalog, pods=1000, nodes=10, node_vcpu=8, node_memory_gib=32)
    p = project(a, catalog)
    node_usd = (8 * CPU + 32 * MEM) * 730  # 283.58 per node-month at the per-resource prices
    side = p.options["istio-sidecar"].nodes
    # requests 1000 x 100m + 500m = 100.5 vCPU and 125 + 2 = 127 GiB: max(ceil(100.5 / 8), ceil(127 / 32)) = 13 nodes
    assert side.extra_nodes == 13
    assert side.node_monthly_usd == pytest.approx(node_usd)
    assert side.monthly_usd == pytest.approx(13 * node_usd)
    assert side.share_of_cluster == pytest.approx(13 / 10)
    amb = p.options["istio-ambient"].nodes
    # per node: ztunnel 200m/512Mi + istio-cni 100m/100Mi = 0.3 vCPU / 0.5977 GiB on each of 10 nodes, plus
    # waypoint 0.1/0.125 and istiod 0.5/2: 3.6 vCPU over 7.7 free per node -> 1 node (memory 8.1 over 31.4 -> 1)
    assert amb.extra_nodes == 1
    # Linkerd's default chart reserves nothing: no extra node
    assert p.options["linkerd"].nodes.extra_nodes == 0


def test_a_given_node_price_is_used(catalog) -> None:
    p = project(answers(catalog, pods=1000, nodes=10, node_vcpu=8, node_memory_gib=32, node_monthly_usd=400), catalog)
    assert p.options["istio-sidecar"].nodes.monthly_usd == pytest.approx(13 * 400)
    assert p.cluster_monthly_usd == pytest.approx(10 * 400)


def test_no_node_size_no_projection(catalog) -> None:
    p = project(answers(catalog), catalog)
    assert all(oc.nodes is None for oc in p.options.values())


def test_the_cost_category_measures_against_the_cluster_bill(catalog) -> None:
    small = answers(catalog, nodes=5, node_vcpu=8, node_memory_gib=32)
    node_usd = (8 * CPU + 32 * MEM) * 730  # 8 vCPU and 32 GiB at the default prices, 730 h
    assert cluster_bill(small, catalog).monthly_usd == pytest.approx(5 * node_usd)
    assert cluster_bill(small, catalog).defaulted is False
    # unknown node size: the reference node (pricing.toml: n2-standard-8, 8 vCPU, 32 GiB), marked defaulted
    plain = cluster_bill(answers(catalog), catalog)
    assert plain.defaulted is True and plain.monthly_usd == pytest.approx(10 * node_usd)
    # 2 points per percent of the bill: $283.62 of a $2,836.17 bill is 10% -> 20 points off
    assert cost_points(0.1 * plain.monthly_usd, plain, catalog) == pytest.approx(-20.0)


# ---------------------------------------------------------------- ranges and sampling

SCALE = {
    "pods": st.integers(1, 100_000),
    "nodes": st.integers(1, 3_000),
    "namespaces": st.integers(1, 500),
    "mesh_rps": st.floats(0, 1e6, allow_nan=False),
    "l7_ratio": st.floats(0, 1, allow_nan=False),
    "sidecar_scoping": st.booleans(),
    "control_plane_ha": st.booleans(),
}


@settings(max_examples=40, deadline=None)
@given(base=st.fixed_dictionaries(SCALE))
def test_ranges_always_bracket_the_expected_value(catalog, base) -> None:
    a = answers(catalog).replace(**base)
    for oc in project(a, catalog).options.values():
        s = oc.usd_spread("usage")
        assert s.low <= s.expected <= s.high
        assert s.expected == pytest.approx(oc.usage.monthly_usd)
        for c in oc.components:
            cs = c.usage_usd_spread
            assert cs.low <= cs.expected * (1 + 1e-12) and cs.expected <= cs.high * (1 + 1e-12)
        lt = oc.latency
        assert lt.end_to_end_p90_spread.low <= lt.end_to_end_p90_ms <= lt.end_to_end_p90_spread.high
        for p, spread in lt.per_hop_spread.items():
            assert spread.low <= spread.expected <= spread.high


def test_sampling_is_stable_under_a_fixed_seed(catalog) -> None:
    a = answers(catalog, pods=3000, nodes=40, mesh_rps=50_000)
    rec = recommend(a, catalog)
    one, two = robustness(a, catalog, rec), robustness(a, catalog, rec)
    assert asdict(one) == asdict(two)
    assert sum(one.cheapest.values()) == pytest.approx(1.0)
    assert sum(one.chosen.values()) == pytest.approx(1.0)
    # these answers sit near the Linkerd / ambient cost boundary: both win some draws
    assert 0 < one.cheapest["linkerd"] < 1 and 0 < one.cheapest["istio-ambient"] < 1
    assert one.text.startswith("Istio ambient is cheapest (usage) in ") and "of 2,000 draws" in one.text


def test_requests_have_no_range_so_the_cheapest_never_moves(catalog) -> None:
    a = answers(catalog, pods=3000, nodes=40, mesh_rps=50_000, cost_basis="requests")
    r = robustness(a, catalog, recommend(a, catalog))
    assert r.cheapest["linkerd"] == 1.0  # Linkerd's default chart reserves nothing


# ---------------------------------------------------------------- the sampling's exact short cut

SAMPLED = {
    "pods": st.integers(1, 200_000),
    "nodes": st.integers(1, 5_000),
    "namespaces": st.integers(1, 2_000),
    "mesh_rps": st.integers(0, 5_000_000),
    "l7_ratio": st.integers(0, 100).map(lambda pct: pct / 100),
    "hops": st.integers(1, 20),
    "cost_basis": st.sampled_from(["usage", "requests"]),
    "control_plane_ha": st.booleans(),
    "cost_sensitivity": st.sampled_from(["low", "medium", "high"]),
    "latency_sensitivity": st.sampled_from(["low", "medium", "high"]),
    "require": st.sampled_from(["", "mtls", "mtls,header-routing", "wasm"]),
}


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(flags=st.fixed_dictionaries(SAMPLED))
def test_the_short_cut_gives_the_sampled_shares(catalog, flags) -> None:
    """When the figures' lows and highs already decide every draw, robustness skips drawing: the
    shares must be exactly what the 2,000 draws give."""
    a = answers(catalog, **{k: v for k, v in flags.items() if v != ""})
    rec = recommend(a, catalog)
    assert asdict(robustness(a, catalog, rec)) == asdict(robustness(a, catalog, rec, short_cut=False))


@pytest.mark.parametrize(
    ("flags", "winner"),
    [
        ({"pods": 200, "nodes": 20}, "linkerd"),
        ({"pods": 20_000, "nodes": 40, "mesh_rps": 10_000, "cost_sensitivity": "high"}, "istio-ambient"),
    ],
)
def test_a_clear_choice_is_decided_without_drawing(catalog, monkeypatch, flags, winner) -> None:
    import advisor.engine.robustness as module

    a = answers(catalog, **flags)
    rec = recommend(a, catalog)
    sampled = robustness(a, catalog, rec, short_cut=False)
    assert sampled.cheapest[winner] == 1.0 and sampled.chosen[winner] == 1.0

    def no_draws(*args, **kwargs):
        raise AssertionError("drew figures although the bounds decide every draw")

    monkeypatch.setattr(module, "_draws", no_draws)
    assert asdict(robustness(a, catalog, rec)) == asdict(sampled)


def test_a_close_call_is_still_drawn(catalog, monkeypatch) -> None:
    import advisor.engine.robustness as module

    a = answers(catalog, pods=3000, nodes=40, mesh_rps=50_000)  # the Linkerd / ambient boundary above
    calls = []
    real = module._draws
    monkeypatch.setattr(module, "_draws", lambda *args: calls.append(1) or real(*args))
    r = robustness(a, catalog, recommend(a, catalog))
    assert calls == [1] and 0 < r.cheapest["linkerd"] < 1


def test_an_ha_requests_cost_reason_names_the_ha_values_as_its_source(catalog) -> None:
    """With control_plane_ha on the requests basis, the largest part is priced from values-ha.yaml;
    the reason cites that file, not a benchmark profile that has nothing to do with it."""
    a = answers(catalog, pods=20, nodes=3, cost_basis="requests", control_plane_ha=True)
    rec = recommend(a, catalog)
    (reason,) = [r for r in rec.options["linkerd"].reasons if r.category == "cost"]
    assert "largest part: linkerd control plane (destination, identity, proxy-injector), 52%" in reason.text
    assert (
        reason.source
        == "linkerd/linkerd2:charts/linkerd-control-plane/values-ha.yaml@05b44ad0d693f5bda58f13f322eb1dc2d322424d"
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_short_cut_and_the_pruned_options_give_the_sampled_shares_on_an_inventory(catalog, seed) -> None:
    """Per-namespace inventories (close calls among them) through the same bounds and pruning."""
    import random

    rng = random.Random(seed)
    namespaces = [
        {
            "name": f"team-{i}",
            "pods": rng.randint(1, 400),
            "rps": float(rng.randint(0, 2_000)),
            "l7": rng.choice([True, False, round(rng.random(), 2)]),
            "meshed": rng.random() < 0.9,
        }
        for i in range(rng.randint(1, 60))
    ]
    a = resolve(catalog, file_values={"nodes": rng.randint(1, 200), "namespaces": namespaces}, file_label="t").answers
    rec = recommend(a, catalog)
    assert asdict(robustness(a, catalog, rec)) == asdict(robustness(a, catalog, rec, short_cut=False))
