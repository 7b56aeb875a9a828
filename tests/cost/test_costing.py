"""The cost model (SPEC "The cost model"): the issue's worked example by hand, and its properties."""

from __future__ import annotations

import math
from dataclasses import asdict
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.answers.resolve import Answers, resolve
from advisor.catalog.load import load_catalog
from advisor.engine.costing import HOURS_PER_MONTH, monthly_usd, project, waypoint_namespaces

GIB = 2**30  # bytes in a GiB; published memory figures are decimal MB (10**6 bytes)
MB = 10**6
CPU_PRICE = 0.031611  # USD per vCPU-hour, OpenCost default (data/pricing.toml)
MEMORY_PRICE = 0.004237  # USD per GiB-hour, same source

# The default profile's figures (data/benchmarks.toml, profile istio-1.24), written out so the
# arithmetic below can be checked by hand. test_figures_are_the_bundled_ones keeps them honest.
FIGURES = {
    "linkerd-proxy": {
        "cpu_vcpu_per_1000rps": 0.1075,
        "memory_mb_per_instance": 10.1,
        "request_cpu_millicores": 0,
        "request_memory_mib": 0,
    },
    "linkerd-control-plane": {
        "cpu_vcpu_per_instance": 0.082,
        "memory_mb_per_instance": 365,
        "request_cpu_millicores": 0,
        "request_memory_mib": 0,
    },
    "istio-proxy": {
        "cpu_vcpu_per_1000rps": 0.20,
        "memory_mb_per_instance": 60,
        "request_cpu_millicores": 100,
        "request_memory_mib": 128,
        "memory_mb_agent_per_instance": 25,
        "memory_mb_per_service_port_in_view": 0.157,
        "memory_mb_per_endpoint_in_view": 0.003,
        "memory_limit_mib": 1024,
    },
    "istiod": {
        "cpu_vcpu_per_instance": 1.0,
        "memory_mb_per_instance": 1500,
        "request_cpu_millicores": 500,
        "request_memory_mib": 2048,
    },
    "ztunnel": {
        "cpu_vcpu_per_1000rps": 0.06,
        "memory_mb_per_instance": 12,
        "request_cpu_millicores": 200,
        "request_memory_mib": 512,
    },
    # no measured istio-cni usage is published: only its chart requests (usage shown as unknown)
    "istio-cni": {"request_cpu_millicores": 100, "request_memory_mib": 100},
    "waypoint": {
        "cpu_vcpu_per_1000rps": 0.25,
        "memory_mb_per_instance": 60,
        "request_cpu_millicores": 100,
        "request_memory_mib": 128,
        "rps_per_replica": 8000,
    },
    "istiod-ambient": {
        "cpu_vcpu_per_instance": 1.0,
        "memory_mb_per_instance": 1500,
        "request_cpu_millicores": 500,
        "request_memory_mib": 2048,
    },
}
LATENCY = {
    "linkerd": {"per_hop_p50_ms": 0.116, "per_hop_p90_ms": 0.134, "per_hop_p99_ms": 0.176},
    "istio-sidecar": {"per_hop_p50_ms": 0.192, "per_hop_p90_ms": 0.228, "per_hop_p99_ms": 0.298},
    "istio-ambient": {
        "per_hop_p50_ms": 0.158,
        "per_hop_p90_ms": 0.17,
        "per_hop_p99_ms": 0.20,
        "l7_per_hop_p50_ms": 0.254,
        "l7_per_hop_p90_ms": 0.284,
        "l7_per_hop_p99_ms": 0.349,
    },
}

EXAMPLE = {"pods": "1000", "nodes": "50", "namespaces": "10", "mesh_rps": "500000", "hops": "3"}


def approx(x: float) -> object:
    return pytest.approx(x, rel=1e-12, abs=1e-12)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def answers_for(catalog, **flags: object) -> Answers:
    return resolve(catalog, flags={k: str(v) for k, v in flags.items()}).answers


def components(projection, option: str) -> dict:
    return {c.id: c for c in projection.options[option].components}


def test_figures_are_the_bundled_ones(catalog) -> None:
    profile = catalog.profiles[catalog.benchmarks.default_profile]
    assert catalog.benchmarks.default_profile == "istio-1.24"
    cni = profile.figures["istio-cni"]
    assert cni.cpu_vcpu_per_instance is None and cni.memory_mb_per_instance is None
    for cid, figs in FIGURES.items():
        for name, value in figs.items():
            assert getattr(profile.figures[cid], name).value == value, (cid, name)
    for oid, figs in LATENCY.items():
        for name, value in figs.items():
            assert getattr(profile.latency[oid], name).value == value, (oid, name)
    assert catalog.default_prices() == (CPU_PRICE, MEMORY_PRICE)


# ---------------------------------------------------------------- worked example, l7_ratio 0


@pytest.fixture(scope="module")
def example(catalog):
    return project(answers_for(catalog, **EXAMPLE, l7_ratio="0"), catalog)


def test_linkerd_by_hand(example) -> None:
    comps = components(example, "linkerd")
    proxy = comps["linkerd-proxy"]
    # one proxy per pod; each request passes two proxies: 2 x 500000 = 1,000,000 rps handled
    assert (proxy.instances, proxy.containers_added, proxy.handled_rps) == (1000, 1000, 1_000_000)
    assert proxy.cpu_vcpu == approx(0.1075 * 1_000_000 / 1000)  # 107.5 vCPU
    assert proxy.cpu_vcpu == approx(107.5)
    assert proxy.memory_gib == approx(1000 * 10.1 * MB / GIB)  # 10.1e9 bytes = 9.406 GiB
    assert proxy.memory_gib == pytest.approx(9.4064, abs=1e-4)
    # Linkerd's chart sets no proxy requests by default
    assert (proxy.requests_cpu_vcpu, proxy.requests_memory_gib) == (0, 0)

    cp = comps["linkerd-control-plane"]
    # destination (4 containers) + identity (2) + proxy-injector (2) = 8 containers, one install
    assert (cp.instances, cp.containers_added, cp.handled_rps) == (1, 8, 0)
    assert cp.cpu_vcpu == approx(0.082)
    # 365 MB measured + the destination's cache of every endpoint: 0.045 MB x 1000 pods = 410 MB
    assert cp.memory_gib == approx((365 + 0.045 * 1000) * MB / GIB)
    assert (cp.requests_cpu_vcpu, cp.requests_memory_gib) == (0, 0)

    option = example.options["linkerd"]
    assert option.usage.cpu_vcpu == approx(107.5 + 0.082)
    assert option.usage.memory_gib == approx((1000 * 10.1 + 410) * MB / GIB)
    assert option.containers_added == 1000 + 8
    assert option.requests.monthly_usd == 0


def test_istio_sidecar_by_hand(example) -> None:
    comps = components(example, "istio-sidecar")
    proxy = comps["istio-proxy"]
    assert (proxy.instances, proxy.containers_added, proxy.handled_rps) == (1000, 1000, 1_000_000)
    assert proxy.cpu_vcpu == approx(0.20 * 1_000_000 / 1000)  # 1000 x 0.20 = 200 vCPU
    assert proxy.cpu_vcpu == approx(200.0)
    # without Sidecar scoping each proxy holds the cluster's Service ports and endpoints; Services not
    # answered: 1000 pods x 0.5 services per pod x 1 port = 500 ports, plus istiod's 4 (its Service).
    # Envoy 60 MB + pilot-agent 25 MB + 0.157 MB x 504 ports + 0.003 MB x 1000 endpoints = 167.128 MB
    assert proxy.memory_gib == approx(1000 * (60 + 25 + 0.157 * 504 + 0.003 * 1000) * MB / GIB)
    assert proxy.memory_gib == pytest.approx(155.650, abs=1e-3)  # 167.128e9 bytes
    assert proxy.requests_cpu_vcpu == approx(1000 * 100 / 1000)  # 1000 x 100m = 100 vCPU
    assert proxy.requests_memory_gib == approx(1000 * 128 / 1024)  # 1000 x 128 MiB = 125 GiB
    assert proxy.requests_memory_gib == approx(125.0)

    istiod = comps["istiod"]
    assert (istiod.instances, istiod.containers_added, istiod.handled_rps) == (1, 1, 0)
    assert istiod.cpu_vcpu == approx(1.0)
    assert istiod.memory_gib == approx(1500 * MB / GIB)  # 1.397 GiB
    assert istiod.requests_cpu_vcpu == approx(500 / 1000)  # 500m
    assert istiod.requests_memory_gib == approx(2048 / 1024)  # 2048 MiB = 2 GiB

    option = example.options["istio-sidecar"]
    assert option.usage.cpu_vcpu == approx(200 + 1.0)
    assert option.usage.memory_gib == approx((167_128 + 1500) * MB / GIB)
    assert option.requests.cpu_vcpu == approx(100 + 0.5)
    assert option.requests.memory_gib == approx(125 + 2)
    assert option.containers_added == 1000 + 1
    # monthly_usd = (vCPU x cpu_price + GiB x memory_price) x 730
    assert option.usage.monthly_usd == approx((201 * 0.031611 + (168_628 * MB / GIB) * 0.004237) * 730)
    assert option.usage.monthly_usd == pytest.approx(5124.03, abs=0.01)
    assert option.requests.monthly_usd == approx((100.5 * 0.031611 + 127 * 0.004237) * 730)
    assert option.requests.monthly_usd == pytest.approx(2711.95, abs=0.01)


def test_istio_ambient_without_l7_by_hand(example) -> None:
    comps = components(example, "istio-ambient")
    zt = comps["ztunnel"]
    # one ztunnel per node; every request passes two ztunnels: the same 1,000,000 traversals
    assert (zt.instances, zt.containers_added, zt.handled_rps) == (50, 50, 1_000_000)
    assert zt.cpu_vcpu == approx(0.06 * 1_000_000 / 1000)  # 1000 x 0.06 = 60 vCPU
    assert zt.memory_gib == approx(50 * 12 * MB / GIB)  # 50 x 12 MB = 0.559 GiB
    assert zt.requests_cpu_vcpu == approx(50 * 200 / 1000)  # 50 x 200m = 10 vCPU
    assert zt.requests_memory_gib == approx(50 * 512 / 1024)  # 50 x 512 MiB = 25 GiB

    cni = comps["istio-cni"]
    assert (cni.instances, cni.containers_added, cni.handled_rps) == (50, 50, 0)
    # no published measurement: usage unknown (0 in the sums, flagged), never its request
    assert (cni.cpu_vcpu, cni.memory_gib, cni.usage_known) == (0, 0, False)
    assert cni.requests_cpu_vcpu == approx(50 * 100 / 1000)  # 50 x 100m = 5 vCPU
    assert cni.requests_memory_gib == approx(50 * 100 / 1024)

    wp = comps["waypoint"]
    # l7_ratio 0: no namespace needs L7, so no waypoint and nothing it would cost
    assert (wp.instances, wp.containers_added, wp.handled_rps) == (0, 0, 0)
    assert (wp.cpu_vcpu, wp.memory_gib, wp.requests_cpu_vcpu, wp.requests_memory_gib) == (0, 0, 0, 0)

    istiod = comps["istiod-ambient"]
    assert (istiod.instances, istiod.containers_added) == (1, 1)
    assert istiod.cpu_vcpu == approx(1.0)
    assert istiod.memory_gib == approx(1500 * MB / GIB)
    assert (istiod.requests_cpu_vcpu, istiod.requests_memory_gib) == (approx(0.5), approx(2.0))

    option = example.options["istio-ambient"]
    assert option.usage.cpu_vcpu == approx(60 + 0 + 0 + 1)
    assert option.usage.memory_gib == approx((50 * 12 + 1500) * MB / GIB)
    assert option.requests.cpu_vcpu == approx(10 + 5 + 0 + 0.5)
    assert option.requests.memory_gib == approx(25 + 50 * 100 / 1024 + 2)
    assert option.containers_added == 50 + 50 + 0 + 1
    assert option.usage.monthly_usd == approx((61 * 0.031611 + option.usage.memory_gib * 0.004237) * 730)


def test_latency_by_hand_without_l7(example) -> None:
    for oid, per_hop in (
        ("linkerd", (0.116, 0.134, 0.176)),
        ("istio-sidecar", (0.192, 0.228, 0.298)),
        ("istio-ambient", (0.158, 0.17, 0.20)),
    ):
        lt = example.options[oid].latency
        assert (lt.per_hop_p50_ms, lt.per_hop_p90_ms, lt.per_hop_p99_ms) == tuple(approx(x) for x in per_hop)
        # end to end = per hop x 3 hops
        assert (lt.end_to_end_p50_ms, lt.end_to_end_p90_ms, lt.end_to_end_p99_ms) == tuple(
            approx(3 * x) for x in per_hop
        )


# ---------------------------------------------------------------- worked example, l7_ratio 0.5


@pytest.fixture(scope="module")
def example_l7(catalog):
    return project(answers_for(catalog, **EXAMPLE, l7_ratio="0.5"), catalog)


def test_waypoints_by_hand(example_l7, example) -> None:
    wp = components(example_l7, "istio-ambient")["waypoint"]
    # ceil(0.5 x 10 namespaces) = 5 waypoint namespaces; the L7 share 0.5 x 500000 = 250000 rps passes
    # one of them: 50000 rps each, at 8000 rps per replica ceil(50000 / 8000) = 7 replicas each, 35 in all
    assert (wp.instances, wp.containers_added, wp.handled_rps) == (35, 35, 250_000)
    assert wp.cpu_vcpu == approx(0.25 * 250_000 / 1000)  # 250 x 0.25 = 62.5 vCPU
    assert wp.cpu_vcpu == approx(62.5)
    # a waypoint is told about its own namespace's Services only: 100 pods x 0.5 = 50 ports, 100
    # endpoints. 60 + 25 + 0.157 x 50 + 0.003 x 100 = 93.15 MB per replica
    assert wp.memory_gib == approx(35 * (60 + 25 + 0.157 * 50 + 0.003 * 100) * MB / GIB)
    assert wp.requests_cpu_vcpu == approx(35 * 100 / 1000)  # 35 x 100m
    assert wp.requests_memory_gib == approx(35 * 128 / 1024)  # 35 x 128 MiB = 4.375 GiB

    ambient = example_l7.options["istio-ambient"]
    assert ambient.usage.cpu_vcpu == approx(60 + 0 + 62.5 + 1)
    assert ambient.requests.cpu_vcpu == approx(10 + 5 + 3.5 + 0.5)
    assert ambient.containers_added == 50 + 50 + 35 + 1
    assert ambient.usage.monthly_usd == approx((123.5 * 0.031611 + ambient.usage.memory_gib * 0.004237) * 730)
    # the L7 share changes nothing for the sidecar meshes: their proxies do L7 anyway
    for oid in ("linkerd", "istio-sidecar"):
        with_l7, without = example_l7.options[oid], example.options[oid]
        assert asdict(with_l7)["components"] == asdict(without)["components"]
        assert (asdict(with_l7.usage), asdict(with_l7.requests)) == (asdict(without.usage), asdict(without.requests))
        assert with_l7.latency.per_hop_p90_ms == without.latency.per_hop_p90_ms


def test_ambient_latency_blends_by_the_l7_share(example_l7) -> None:
    lt = example_l7.options["istio-ambient"].latency
    # half the requests take the L4 path (two ztunnels), half the waypoint path
    assert lt.per_hop_p50_ms == approx(0.5 * 0.158 + 0.5 * 0.254)  # 0.206
    assert lt.per_hop_p90_ms == approx(0.5 * 0.17 + 0.5 * 0.284)  # 0.227
    assert lt.per_hop_p99_ms == approx(0.5 * 0.20 + 0.5 * 0.349)  # 0.2745
    assert lt.end_to_end_p90_ms == approx(3 * 0.227)


# ---------------------------------------------------------------- properties

SCALE = {
    "pods": st.integers(1, 200_000),
    "nodes": st.integers(1, 5_000),
    "namespaces": st.integers(1, 2_000),
    "mesh_rps": st.floats(0, 5e6, allow_nan=False),
    "l7_ratio": st.floats(0, 1, allow_nan=False),
    "hops": st.integers(1, 50),
}
FAST = settings(max_examples=60, deadline=None)


def scenario(catalog, draw_values: dict) -> Answers:
    return answers_for(catalog).replace(**draw_values)


@FAST
@given(base=st.fixed_dictionaries(SCALE), more=st.integers(1, 100_000))
def test_more_pods_never_lowers_a_sidecar_cost(catalog, base, more) -> None:
    a = scenario(catalog, base)
    low, high = project(a, catalog), project(a.replace(pods=a.pods + more), catalog)
    for oid in ("linkerd", "istio-sidecar"):
        for view in ("usage", "requests"):
            lo, hi = getattr(low.options[oid], view), getattr(high.options[oid], view)
            assert hi.cpu_vcpu >= lo.cpu_vcpu and hi.memory_gib >= lo.memory_gib
            assert hi.monthly_usd >= lo.monthly_usd
        assert high.options[oid].containers_added == low.options[oid].containers_added + more


@FAST
@given(base=st.fixed_dictionaries(SCALE), other_pods=st.integers(1, 10_000_000))
def test_ambient_cost_does_not_follow_pods(catalog, base, other_pods) -> None:
    # ztunnel and istiod learn about the cluster's pods, meshed or not: with those fixed, how many of
    # them are meshed changes nothing for them (a waypoint follows its own namespace's Services)
    a = scenario(catalog, {**base, "cluster_pods": 10_000_000})
    one, other = project(a, catalog), project(a.replace(pods=other_pods), catalog)
    for cid in ("ztunnel", "istiod-ambient"):
        assert asdict(components(one, "istio-ambient")[cid]) == asdict(components(other, "istio-ambient")[cid])


@FAST
@given(base=st.fixed_dictionaries(SCALE))
def test_no_l7_share_means_no_waypoints(catalog, base) -> None:
    wp = components(project(scenario(catalog, {**base, "l7_ratio": 0.0}), catalog), "istio-ambient")["waypoint"]
    assert (wp.instances, wp.containers_added, wp.handled_rps, wp.cpu_vcpu, wp.memory_gib) == (0, 0, 0, 0, 0)
    assert (wp.requests_cpu_vcpu, wp.requests_memory_gib, wp.usage_monthly_usd) == (0, 0, 0)


@FAST
@given(
    ratio=st.one_of(
        st.decimals(min_value="0.0001", max_value="1", places=4).map(str),
        st.floats(min_value=1e-9, max_value=1, allow_nan=False).map(repr),
    ),
    namespaces=st.integers(1, 5_000),
)
def test_waypoint_count_is_ceil_of_share_times_namespaces(ratio, namespaces) -> None:
    r = float(ratio)
    expected = math.ceil(Fraction(repr(r)) * namespaces)  # exact arithmetic on the number as written
    assert waypoint_namespaces(r, namespaces) == expected >= 1


@pytest.mark.parametrize(
    ("ratio", "namespaces", "count"),
    [
        (0.7, 10, 7),  # 0.7 x 10 is 7 exactly, not 8
        (0.1, 30, 3),  # 0.1 * 30 is 3.0000000000000004 in floats
        (0.68, 175, 119),  # 119.00000000000001 in floats
        (0.70000000001, 10, 8),  # a real fraction above 7 still needs an 8th waypoint
        (0.01, 5, 1),  # any L7 share needs at least one waypoint
        (1.0, 10, 10),
        (0.0, 10, 0),
    ],
)
def test_waypoint_count_edges(ratio, namespaces, count) -> None:
    assert waypoint_namespaces(ratio, namespaces) == count


@FAST
@given(
    base=st.fixed_dictionaries(SCALE),
    cpu_price=st.floats(0, 10, allow_nan=False),
    memory_price=st.floats(0, 10, allow_nan=False),
)
@pytest.mark.slow
def test_money_is_linear_in_both_prices(catalog, base, cpu_price, memory_price) -> None:
    a = scenario(catalog, base)
    priced = project(a.replace(cpu_price=cpu_price, memory_price=memory_price), catalog)
    per_cpu = project(a.replace(cpu_price=1.0, memory_price=0.0), catalog)
    per_gib = project(a.replace(cpu_price=0.0, memory_price=1.0), catalog)
    for oid, oc in priced.options.items():
        for view in ("usage", "requests"):
            v = getattr(oc, view)
            expected = (
                cpu_price * getattr(per_cpu.options[oid], view).monthly_usd
                + memory_price * getattr(per_gib.options[oid], view).monthly_usd
            )
            assert v.monthly_usd == pytest.approx(expected, rel=1e-9, abs=1e-9)
            assert v.monthly_usd == pytest.approx(
                (v.cpu_vcpu * cpu_price + v.memory_gib * memory_price) * HOURS_PER_MONTH, rel=1e-9, abs=1e-9
            )
        for c in oc.components:
            assert c.usage_monthly_usd == pytest.approx(
                monthly_usd(c.cpu_vcpu, c.memory_gib, cpu_price, memory_price), rel=1e-12, abs=1e-12
            )


@FAST
@given(
    base=st.fixed_dictionaries(SCALE),
    profile=st.sampled_from(["istio-1.24", "istio-1.22-page", "linkerd-measured-memory"]),
)
@pytest.mark.slow
def test_every_number_traces_to_a_sourced_figure(catalog, base, profile) -> None:
    a = scenario(catalog, {**base, "benchmark_profile": profile})
    resolved_profile = catalog.profiles[profile]
    for oid, oc in project(a, catalog).options.items():
        for c in oc.components:
            figs = c.figures
            for name, fig in figs.items():
                assert fig.source.strip() and fig.version.strip() and fig.unit.strip()
                assert fig.kind in ("measured", "derived", "default-request", "published-claim")
                # the data's figure, not a copy (services_per_pod: the [workload] figure, while Services are derived)
                data = catalog.benchmarks.workload if name == "services_per_pod" else None
                assert (data[name] if data else getattr(resolved_profile.figures[c.id], name)) is fig
            assert c.sources == tuple(dict.fromkeys(f.source for f in figs.values()))

            def value(name: str) -> float:
                return figs[name].value if name in figs else 0.0  # noqa: B023 - used within this iteration

            # recompute the component's numbers from the figures it lists, and nothing else
            above = max(0.0, oc_proxies(oc) - figs["cpu_vcpu_per_proxy"].above) if "cpu_vcpu_per_proxy" in figs else 0.0
            linear = (
                value("cpu_vcpu_per_1000rps") * c.handled_rps / 1000
                + value("cpu_vcpu_per_instance") * c.instances
                + value("cpu_vcpu_per_proxy") * above
            )
            if "cpu_vcpu_limit_per_instance" in figs:  # a control plane stops at its measured saturation
                saturated = figs["cpu_vcpu_limit_per_instance"].value * c.instances
                assert c.cpu_vcpu == pytest.approx(min(linear, saturated), rel=1e-12, abs=1e-12)
                assert c.limit_reached == (linear > saturated or c.limit_reached)
            else:
                assert c.cpu_vcpu == pytest.approx(linear, rel=1e-12, abs=1e-12)
            growing = (
                "memory_mb_per_endpoint_in_view",
                "memory_mb_per_proxy",
                "memory_mb_per_cluster_pod",
                "memory_mb_per_endpoint",
                "memory_mb_per_service_port_in_view",
                "memory_mb_agent_per_instance",
            )
            if not any(k in figs for k in growing):
                assert c.memory_gib == pytest.approx(
                    value("memory_mb_per_instance") * MB / GIB * c.instances, rel=1e-12, abs=1e-12
                )
            else:  # figures that grow: never below the base
                assert c.memory_gib >= value("memory_mb_per_instance") * MB / GIB * c.instances * (1 - 1e-12)
            assert c.requests_cpu_vcpu == pytest.approx(
                value("request_cpu_millicores") / 1000 * c.instances, rel=1e-12, abs=1e-12
            )
            assert c.requests_memory_gib == pytest.approx(
                value("request_memory_mib") / 1024 * c.instances, rel=1e-12, abs=1e-12
            )
            assert "request_cpu_millicores" in figs and "request_memory_mib" in figs
            assert c.usage_known == ("memory_mb_per_instance" in figs)
        for name, fig in oc.latency.figures.items():
            assert fig.source.strip()
            assert getattr(resolved_profile.latency[oid], name) is fig


def oc_proxies(oc) -> float:
    """Proxies a control plane serves: the option's data-plane and node-agent instances carrying traffic."""
    from advisor.catalog.load import load_catalog as _load

    kinds = {c.id: c for c in _load().benchmarks.components}
    return float(sum(c.instances for c in oc.components if c.role != "control-plane" and kinds[c.id].traffic != "none"))


@FAST
@given(base=st.fixed_dictionaries(SCALE))
def test_latency_blend_lies_between_the_two_paths_and_scales_with_hops(catalog, base) -> None:
    a = scenario(catalog, base)
    profile = catalog.profiles[a.benchmark_profile]
    for oid, oc in project(a, catalog).options.items():
        lt, figs = oc.latency, profile.latency[oid]
        for p in (50, 90, 99):
            per_hop = getattr(lt, f"per_hop_p{p}_ms")
            base_ms = getattr(figs, f"per_hop_p{p}_ms").value
            l7 = getattr(figs, f"l7_per_hop_p{p}_ms")
            if l7 is None:
                assert per_hop == base_ms
            else:
                low, high = sorted((base_ms, l7.value))
                assert low - 1e-12 <= per_hop <= high + 1e-12
                assert per_hop == pytest.approx((1 - a.l7_ratio) * base_ms + a.l7_ratio * l7.value)
            assert getattr(lt, f"end_to_end_p{p}_ms") == pytest.approx(per_hop * a.hops, rel=1e-12)


@FAST
@given(
    base=st.fixed_dictionaries(
        SCALE,
        optional={
            "cost_basis": st.sampled_from(["usage", "requests"]),
            "control_plane_ha": st.booleans(),
            "cpu_price": st.floats(0.001, 1.0, allow_nan=False),
            "current_mesh": st.sampled_from(["none", "linkerd", "istio-sidecar", "istio-ambient"]),
            "require": st.lists(
                st.sampled_from(["mtls", "header-routing", "multicluster", "fault-injection"]), unique=True
            ),
        },
    )
)
def test_what_ifs_lean_evaluation_gives_the_full_scores_and_choice(catalog, base) -> None:
    # what-if scores hundreds of variants with recommend(explain=False), which skips the words and
    # the figure ranges: the choice, the ranking and every score must be the full recommend's
    from advisor.engine.scoring import recommend

    a = scenario(catalog, {**base, "require": tuple(base.get("require", ()))})
    full, lean = recommend(a, catalog), recommend(a, catalog, explain=False)
    assert (lean.choice, lean.ranking, lean.confidence) == (full.choice, full.ranking, full.confidence)
    for oid, score in full.options.items():
        assert (lean.options[oid].score, lean.options[oid].scores, lean.options[oid].eligible) == (
            score.score,
            score.scores,
            score.eligible,
        )
        assert asdict(lean.projection.options[oid].view(a.cost_basis)) == asdict(
            full.projection.options[oid].view(a.cost_basis)
        )
    assert full.summary and not lean.summary  # the lean one really is the lean path


@FAST
@given(
    base=st.fixed_dictionaries(SCALE, optional={"node_vcpu": st.floats(1, 256), "node_memory_gib": st.floats(1, 1024)}),
    cpu_price=st.floats(0, 10, allow_nan=False),
    memory_price=st.floats(0, 10, allow_nan=False),
)
def test_repricing_the_views_equals_projecting_at_the_new_prices(catalog, base, cpu_price, memory_price) -> None:
    # what-if reprices one projection for every price it tries: resources never depend on prices,
    # so the money it recomputes must be exactly what a projection at those prices gives
    from advisor.engine.costing import reprice

    a = scenario(catalog, base)
    moved = a.replace(cpu_price=cpu_price, memory_price=memory_price)
    assert asdict(reprice(project(a, catalog, detail=False), moved)) == asdict(project(moved, catalog, detail=False))
    with pytest.raises(ValueError, match="views-only"):
        reprice(project(a, catalog), moved)  # a full projection's components would keep old money
