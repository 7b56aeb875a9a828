"""The inventory answer (SPEC "Inventory"): per-namespace costing, by hand, its properties and its bad input."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.answers.resolve import resolve
from advisor.catalog.load import load_catalog
from advisor.engine.costing import project
from advisor.errors import AnswerError
from advisor.answers.inventory import summary_lines
from outcomes import run_cli, run_json

MB, GIB = 10**6, 2**30
FAST = settings(max_examples=40, deadline=None)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def answers_from(catalog, table: dict, **flags):
    return resolve(
        catalog, flags={k: str(v) for k, v in flags.items()}, file_values=table, file_label="inv.toml"
    ).answers


def comps(projection, option: str) -> dict:
    return {c.id: c for c in projection.options[option].components}


def thirty_namespaces() -> dict:
    """30 namespaces of 10 pods; 3 need L7 and carry 60% of the traffic (40,500 of 67,500 rps)."""
    namespaces = [{"name": f"ns-{i:02d}", "pods": 10, "rps": 1000, "l7": False} for i in range(27)]
    namespaces += [
        {"name": "checkout", "pods": 10, "rps": 20_000, "l7": True},
        {"name": "search", "pods": 10, "rps": 12_000, "l7": 0.5},
        {"name": "cart", "pods": 10, "rps": 8_500, "l7": True},
    ]
    return {"nodes": 12, "namespaces": namespaces}


def test_three_of_thirty_namespaces_need_l7_by_hand(catalog) -> None:
    a = answers_from(catalog, thirty_namespaces())
    # the flat answers are derived: 300 pods, 30 namespaces, 27 x 1000 + 20000 + 12000 + 8500 = 67,500 rps
    assert (a.pods, a.namespaces, a.mesh_rps) == (300, 30, 67_500)
    # L7 traffic: 20000 + 0.5 x 12000 + 8500 = 34,500 of 67,500 rps
    assert a.l7_ratio == pytest.approx(34_500 / 67_500)
    wp = comps(project(a, catalog), "istio-ambient")["waypoint"]
    # exactly the 3 L7 namespaces get a waypoint; replicas from each one's L7 load at 8000 rps per
    # replica (2 vCPU limit / 0.25 vCPU per 1000 rps): ceil(20000/8000) = 3, ceil(6000/8000) = 1,
    # ceil(8500/8000) = 2 -> 6 replicas
    assert (wp.instances, wp.containers_added) == (6, 6)
    assert wp.handled_rps == pytest.approx(34_500)  # each L7 request passes one waypoint
    assert wp.cpu_vcpu == pytest.approx(0.25 * 34.5)  # 8.625 vCPU: CPU follows the load, not the replicas
    # memory per replica: a waypoint holds its own namespace's Services only: 10 pods x 0.5 = 5 derived
    # ports and 10 endpoints: 60 + 25 + 0.157 x 5 + 0.003 x 10 = 85.815 MB
    assert wp.memory_gib == pytest.approx(6 * (60 + 25 + 0.157 * 5 + 0.003 * 10) * MB / GIB)
    assert wp.requests_cpu_vcpu == pytest.approx(6 * 0.1)  # 6 x 100m
    # sidecars only in meshed namespaces: all 300 pods here
    assert comps(project(a, catalog), "istio-sidecar")["istio-proxy"].instances == 300


def test_a_flat_answer_split_the_same_way_would_give_a_different_waypoint_count(catalog) -> None:
    # The flat form of the same cluster: ceil(0.5111 x 30) = 16 waypoints, the L7 share spread
    # evenly -- the inventory says 3, which is why it exists.
    flat = answers_from(catalog, {}, pods=300, namespaces=30, mesh_rps=67_500, l7_ratio=34_500 / 67_500, nodes=12)
    wp = comps(project(flat, catalog), "istio-ambient")["waypoint"]
    assert wp.instances == 16


def test_unmeshed_namespaces_get_no_sidecars_and_no_waypoint(catalog) -> None:
    table = {
        "nodes": 4,
        "namespaces": [
            {"name": "shop", "pods": 40, "rps": 900, "l7": True},
            {"name": "batch", "pods": 60, "rps": 100, "l7": True, "meshed": False},
        ],
    }
    a = answers_from(catalog, table)
    assert (a.pods, a.namespaces, a.mesh_rps, a.l7_ratio) == (40, 1, 900, 1.0)
    p = project(a, catalog)
    assert comps(p, "linkerd")["linkerd-proxy"].instances == 40
    assert comps(p, "linkerd")["linkerd-proxy"].handled_rps == 2 * 900
    assert comps(p, "istio-ambient")["waypoint"].instances == 1
    # ztunnel still learns every pod of the cluster (100), meshed or not: below the 2000 the base holds
    assert a.derived()["cluster_pods"] == 100


def test_ztunnel_runs_on_the_nodes_of_meshed_namespaces(catalog) -> None:
    table = {"nodes": 50, "namespaces": [{"name": "a", "pods": 10, "nodes": 3}, {"name": "b", "pods": 5, "nodes": 2}]}
    zt = comps(project(answers_from(catalog, table), catalog), "istio-ambient")["ztunnel"]
    assert zt.instances == 5  # 3 + 2 nodes (an upper bound when namespaces share nodes), not all 50
    # one namespace without nodes: it may be anywhere, so every node runs a ztunnel
    table["namespaces"].append({"name": "c", "pods": 1})
    zt = comps(project(answers_from(catalog, table), catalog), "istio-ambient")["ztunnel"]
    assert zt.instances == 50


def test_without_rps_the_mesh_rps_is_split_by_pods(catalog) -> None:
    table = {"mesh_rps": 3000, "namespaces": [{"name": "a", "pods": 10, "l7": True}, {"name": "b", "pods": 20}]}
    a = answers_from(catalog, table)
    # a carries 10/30 of 3000 = 1000 rps, all of it L7
    assert a.l7_ratio == pytest.approx(1000 / 3000)
    assert comps(project(a, catalog), "istio-ambient")["waypoint"].handled_rps == pytest.approx(1000)


# ---------------------------------------------------------------- the summary the wizard shows


def summary(catalog, table: dict) -> list[str]:
    a = answers_from(catalog, table)
    return summary_lines(a.inventory, a.mesh_rps, "team.toml", a.nodes)


def test_summary_of_three_of_thirty_namespaces_needing_l7_by_hand(catalog) -> None:
    table = thirty_namespaces()
    table["namespaces"].append({"name": "batch", "pods": 50, "meshed": False})
    assert summary(catalog, table) == [
        "The inventory in team.toml gives the counts, so they are not asked:",
        "  namespaces: 30 meshed of 31 listed",  # batch is listed, not meshed
        "  pods: 300 meshed of 350 listed",  # 30 x 10 meshed; + batch's 50
        "  east-west: 67,500 rps (the meshed namespaces' sum)",  # 27 x 1,000 + 20,000 + 12,000 + 8,500
        "  L7: 3 of 30 meshed namespaces need it (checkout, search, cart)",
        # they carry 20,000 + 12,000 + 8,500 = 40,500 of 67,500 rps = 60%; the L7 traffic is
        # 20,000 + 0.5 x 12,000 + 8,500 = 34,500 of 67,500 = 51.1%
        "      they carry 40,500 of 67,500 rps (60%); the L7 share of the traffic is 51%",
    ]


def test_summary_without_rps_names_a_few_and_counts_the_rest(catalog) -> None:
    # 5 L7 namespaces of 1 pod and 1 namespace of 95 pods, no rps: the traffic is split by pods
    namespaces = [{"name": f"l7-{i}", "pods": 1, "l7": True, "nodes": 1} for i in range(5)]
    namespaces.append({"name": "bulk", "pods": 95})
    lines = summary(catalog, {"nodes": 20, "namespaces": namespaces})
    assert lines[3] == "  east-west rps: not in the inventory (mesh_rps gives it, split among the namespaces by pods)"
    assert lines[4] == "  L7: 5 of 6 meshed namespaces need it (l7-0, l7-1, l7-2 and 2 more)"
    # 5 of 100 pods = 5.0% (a decimal below 10%, so a small share never reads as 0%)
    assert lines[5] == (
        "      they hold 5 of 100 pods (5.0%), and the traffic is split by pods: the L7 share of the traffic is 5.0%"
    )
    # bulk gives no nodes, so it may be on any of the 20
    assert (
        lines[6]
        == "  nodes: 5 of 6 meshed namespaces give theirs (5); the other may run on any node, so every node counts"
    )
    assert len(lines) == 7


def test_summary_of_an_inventory_without_l7_or_traffic(catalog) -> None:
    lines = summary(catalog, {"namespaces": [{"name": "a", "pods": 3, "rps": 0, "nodes": 2}]})
    assert lines[1:] == [
        "  namespaces: 1 meshed of 1 listed",
        "  pods: 3 meshed of 3 listed",
        "  east-west: 0 rps (the meshed namespaces' sum)",
        "  L7: no meshed namespace needs it (L7 share 0%)",
        "  nodes: the meshed namespaces run on at most 2 nodes (the sum of theirs)",
    ]


# ---------------------------------------------------------------- the uniform special case


def _numbers(doc, path=""):
    """Every number in a document, by path (for comparing two documents' figures)."""
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _numbers(v, f"{path}.{k}")
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _numbers(v, f"{path}[{i}]")
    elif isinstance(doc, (int, float)) and not isinstance(doc, bool):
        yield path, doc


# namespaces whose L7 share k/n is an exact decimal, so ceil(r x n) is exactly k in the flat form
EXACT_N = [1, 2, 4, 5, 8, 10, 16, 20, 25, 40, 50]


@FAST
@given(
    n=st.sampled_from(EXACT_N),
    k_share=st.floats(0, 1),
    pods=st.integers(0, 400),
    rps=st.integers(0, 20_000),
    nodes=st.integers(1, 60),
    scoped=st.booleans(),
    ha=st.booleans(),
)
@pytest.mark.slow
def test_flat_answers_equal_the_uniform_inventory(catalog, n, k_share, pods, rps, nodes, scoped, ha) -> None:
    from advisor.output.documents import option_cost_doc

    k = round(k_share * n)
    pods = max(pods, 1)
    flags = {"nodes": nodes, "sidecar_scoping": str(scoped).lower(), "control_plane_ha": str(ha).lower()}
    flat = answers_from(catalog, {}, pods=pods * n, namespaces=n, mesh_rps=rps * n, l7_ratio=k / n, **flags)
    uniform = answers_from(
        catalog,
        {"namespaces": [{"name": f"n{i}", "pods": pods, "rps": rps, "l7": i < k} for i in range(n)]},
        **flags,
    )
    assert (uniform.pods, uniform.namespaces, uniform.mesh_rps) == (flat.pods, flat.namespaces, flat.mesh_rps)
    one, other = project(flat, catalog), project(uniform, catalog)
    for oid in one.options:
        a = dict(_numbers(option_cost_doc(one.options[oid])))
        b = dict(_numbers(option_cost_doc(other.options[oid])))
        assert a.keys() == b.keys()
        for key in a:
            assert a[key] == pytest.approx(b[key], rel=1e-9, abs=0.011), (oid, key)


# ---------------------------------------------------------------- cost never falls as the cluster grows

NAMESPACE = st.fixed_dictionaries(
    {
        "pods": st.integers(0, 500),
        "rps": st.floats(0, 50_000, allow_nan=False),
        "l7": st.one_of(st.booleans(), st.floats(0, 1)),
    }
)


def _inventory(entries: list[dict]) -> dict:
    return {"nodes": 40, "namespaces": [{"name": f"n{i}", **e} for i, e in enumerate(entries)]}


def _costs(catalog, table: dict) -> dict[tuple[str, str], float]:
    p = project(answers_from(catalog, table), catalog)
    out = {}
    for oid, oc in p.options.items():
        out[(oid, "usage")] = oc.usage.monthly_usd
        out[(oid, "requests")] = oc.requests.monthly_usd
    return out


def _never_lower(before: dict, after: dict) -> None:
    for key in before:
        assert after[key] >= before[key] - 1e-6 * max(1.0, before[key]), key


@FAST
@given(entries=st.lists(NAMESPACE, min_size=1, max_size=12), extra=NAMESPACE)
def test_cost_never_falls_when_a_namespace_is_added(catalog, entries, extra) -> None:
    entries[0] = {**entries[0], "pods": max(1, entries[0]["pods"])}
    _never_lower(_costs(catalog, _inventory(entries)), _costs(catalog, _inventory([*entries, extra])))


@FAST
@given(
    entries=st.lists(NAMESPACE, min_size=1, max_size=12),
    which=st.integers(0, 11),
    more_pods=st.integers(0, 5000),
    more_rps=st.floats(0, 1e5),
)
@pytest.mark.slow
def test_cost_never_falls_when_pods_or_rps_grow(catalog, entries, which, more_pods, more_rps) -> None:
    entries[0] = {**entries[0], "pods": max(1, entries[0]["pods"])}
    i = which % len(entries)
    grown = [dict(e) for e in entries]
    grown[i]["pods"] += more_pods
    grown[i]["rps"] += more_rps
    _never_lower(_costs(catalog, _inventory(entries)), _costs(catalog, _inventory(grown)))


# ---------------------------------------------------------------- the file round trip and the scan shape


def test_an_export_reads_back_as_the_same_inventory(tmp_path: Path, capsys) -> None:
    src = tmp_path / "inv.toml"
    src.write_text(tomli_w.dumps(thirty_namespaces()), encoding="utf-8")
    first = run_json("cost", str(src))
    assert first["inventory"]["pods"] == 300 and first["inventory"]["l7_namespaces"] == 3
    assert isinstance(first["answers"]["namespaces"], list) and "pods" not in first["answers"]
    export = tmp_path / "export.json"
    export.write_text(json.dumps(first), encoding="utf-8")
    second = run_json("cost", str(export))
    assert second["options"] == first["options"] and second["answers"] == first["answers"]


def test_the_scan_shape_loads(tmp_path: Path, capsys) -> None:
    # what `scan` writes: [answers] with [[answers.namespaces]] name/pods/rps/l7/meshed
    doc = {
        "schema_version": 1,
        "answers": {
            "nodes": 3,
            "node_vcpu": 3.92,
            "node_memory_gib": 14.5,
            "require": [],
            "namespaces": [
                {"name": "default", "pods": 6, "rps": 12.5, "l7": 0.4, "meshed": True},
                {"name": "kube-system", "pods": 9, "meshed": False},
            ],
        },
        "scan": {"namespaces": [{"name": "default", "pods": 6, "meshed_by": "none"}]},
    }
    path = tmp_path / "scan.toml"
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    out = run_json("recommend", str(path))
    # kube-system gave no rps beside one that did: it carries none
    assert out["inventory"]["pods"] == 6 and out["inventory"]["mesh_rps"] == 12.5
    assert out["inventory"]["cluster_pods"] == 15


# ---------------------------------------------------------------- bad input: one message, exit 2


def _entries(n: int, **override) -> list[dict]:
    return [{"name": f"n{i}", "pods": 1, **(override if i == n - 1 else {})} for i in range(n)]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            {"namespaces": _entries(18, pods=-3)},
            "namespaces[17].pods: expected a whole number ≥ 0 (at most 100,000,000), got -3",
        ),
        ({"namespaces": _entries(18, pods="many")}, "namespaces[17].pods: expected a whole number ≥ 0, got 'many'"),
        (
            {"namespaces": _entries(3, name="n0")},
            "namespaces[2].name: namespace 'n0' is listed twice (also namespaces[0])",
        ),
        (
            {"namespaces": _entries(2, l7=1.5)},
            "namespaces[1].l7: expected true, false or an L7 share of the namespace's traffic from 0 to 1, got 1.5",
        ),
        (
            {"cluster_pods": 2, "namespaces": _entries(3)},
            "namespaces: their pods sum to 3, more than cluster_pods (2) says the whole cluster runs",
        ),
        (
            {"nodes": 2, "namespaces": _entries(2, nodes=5)},
            "namespaces[1].nodes: 5 nodes, more than the cluster's nodes (2)",
        ),
        ({"pods": 10, "namespaces": _entries(2)}, "pods given beside a [[namespaces]] inventory"),
        ({"l7_ratio": 0.5, "namespaces": _entries(2)}, "l7_ratio given beside a [[namespaces]] inventory"),
        ({"namespaces": [{"name": "a", "pods": 1, "color": "red"}]}, "namespaces[0]: unknown key 'color'"),
        ({"namespaces": [{"name": "a", "pods": 0}]}, "the meshed namespaces hold no pods"),
        ({"namespaces": []}, "an inventory needs at least one [[namespaces]] entry"),
    ],
)
def test_bad_inventories_exit_2_with_one_message(tmp_path: Path, capsys, table: dict, message: str) -> None:
    path = tmp_path / "inv.json"
    path.write_text(json.dumps(table), encoding="utf-8")
    out = tmp_path / "out.json"
    rc, _, err = run_cli("recommend", str(path), "-o", str(out))
    assert rc == 2
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()  # nothing written


def test_a_flag_beside_an_inventory_is_an_error(tmp_path: Path, capsys) -> None:
    path = tmp_path / "inv.json"
    path.write_text(json.dumps({"namespaces": _entries(2)}), encoding="utf-8")
    rc, _, err = run_cli("cost", str(path), "--pods", "5")
    assert rc == 2 and "--pods: " in err


@pytest.mark.slow
def test_a_million_namespaces_is_refused_before_any_work(catalog) -> None:
    entries = [{"name": f"n{i}", "pods": 1} for i in range(10**6)]
    with pytest.raises(AnswerError, match=r"namespaces: 1,000,000 entries; at most 100,000"):
        resolve(catalog, file_values={"namespaces": entries}, file_label="big.json")


def test_counts_with_inventory_round_trip_through_the_flat_keys(catalog) -> None:
    a = answers_from(catalog, thirty_namespaces())
    exported = a.as_dict()
    assert "pods" not in exported and "l7_ratio" not in exported and "mesh_rps" not in exported
    again = answers_from(catalog, {k: v for k, v in exported.items() if v is not None})
    assert again == a
    assert math.isclose(again.l7_ratio, a.l7_ratio)


def test_a_sanity_warning_on_an_inventory_names_its_derived_numbers(catalog) -> None:
    # 3 namespaces of 400 pods on 10 nodes: the inventory derives pods = 1,200, so
    # 1,200 / 10 = 120 pods per node, above the kubelet's default maximum of 110
    from advisor.engine.sanity import sanity_warnings

    table = {"nodes": 10, "namespaces": [{"name": f"ns-{i}", "pods": 400} for i in range(3)]}
    (warning,) = sanity_warnings(answers_from(catalog, table), catalog)
    assert warning.startswith("120 pods per node (pods 1,200 / nodes 10)"), warning
    assert "{" not in warning  # every placeholder filled, none left as written


def test_services_per_namespace_drive_what_proxies_hold(catalog) -> None:
    table = {
        "nodes": 4,
        "namespaces": [
            {"name": "shop", "pods": 40, "services": 12, "service_ports": 20, "l7": True},
            {"name": "batch", "pods": 60, "services": 30},  # ports not given: 1 per Service
        ],
    }
    a = answers_from(catalog, table)
    assert "services" not in resolve(catalog, file_values=table, file_label="inv.toml").defaulted
    p = project(a, catalog)
    # unscoped, a sidecar holds every namespace's ports: 20 + 30 = 50, istiod's 4, and 100 endpoints:
    # 60 + 25 + 0.157 x 54 + 0.003 x 100 = 93.778 MB
    proxy = comps(p, "istio-sidecar")["istio-proxy"]
    assert proxy.memory_gib == pytest.approx(100 * 93.778 * MB / GIB)
    # shop's waypoint holds shop's 20 ports and 40 endpoints: 60 + 25 + 0.157 x 20 + 0.003 x 40 = 88.26 MB
    assert comps(p, "istio-ambient")["waypoint"].memory_gib == pytest.approx(88.26 * MB / GIB)
    # scoped: each namespace's own ports + istiod's 4: shop 60 + 25 + 0.157 x 24 + 0.003 x 40 = 88.888 MB,
    # batch 60 + 25 + 0.157 x 34 + 0.003 x 60 = 90.518 MB
    scoped = comps(project(a.replace(sidecar_scoping=True), catalog), "istio-sidecar")["istio-proxy"]
    assert scoped.memory_gib == pytest.approx((40 * 88.888 + 60 * 90.518) * MB / GIB)


def test_bad_services_entry_names_the_field(catalog) -> None:
    table = {"nodes": 4, "namespaces": [{"name": "shop", "pods": 4, "services": -1}]}
    with pytest.raises(Exception, match=r"namespaces\[0\]\.services: expected a whole number"):
        answers_from(catalog, table)
