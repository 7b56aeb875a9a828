"""Sidecar scoping from the traffic graph: a real Prometheus (backfilled with promtool) says which namespace
calls which; `scan --prometheus` records it, and `plan --sidecar-scoping --manifests` scopes each Sidecar to it."""

from __future__ import annotations

import time
import tomllib
from pathlib import Path

import pytest
import yaml

from crd_schemas import problems
from outcomes import invoke
from scan.test_scan_prometheus import serve  # skips (or, in CI, fails) without prometheus and promtool

pytestmark = pytest.mark.slow

# frontend calls catalogue and itself; catalogue calls nobody. Counters grow at these rates per second.
EDGES = [("frontend", "catalogue", 5.0), ("frontend", "frontend", 1.0)]
CLUSTER = """
apiVersion: v1
kind: Namespace
metadata: {name: frontend, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: catalogue, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: frontend}
spec: {replicas: 2, template: {spec: {containers: [{name: web}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: items, namespace: catalogue}
spec: {replicas: 2, template: {spec: {containers: [{name: items}]}}}
"""


def _openmetrics(now: float) -> str:
    start, end = int(now - 3 * 3600), int(now + 1800)
    lines = ["# TYPE istio_requests counter"]
    for src, dst, rate in EDGES:
        labels = f'reporter="destination",source_workload_namespace="{src}",destination_service_namespace="{dst}",destination_workload_namespace="{dst}"'
        lines += [f"istio_requests_total{{{labels}}} {rate * (ts - start):.1f} {ts}" for ts in range(start, end, 60)]
    return "\n".join([*lines, "# EOF"]) + "\n"


@pytest.fixture(scope="module")
def graph_prometheus(tmp_path_factory):
    yield from serve(tmp_path_factory.mktemp("prom-edges"), _openmetrics(time.time()))


def test_sidecars_are_scoped_to_the_namespaces_each_one_calls(capsys, tmp_path, graph_prometheus):
    cluster = tmp_path / "cluster.yaml"
    cluster.write_text(CLUSTER)
    scan = tmp_path / "scan.toml"
    r = invoke(capsys, "scan", str(cluster), "--prometheus", graph_prometheus, "--window", "1h", "-o", str(scan))
    assert r.rc == 0, r
    edges = tomllib.loads(scan.read_text())["scan"]["edges"]
    assert [(e["source_namespace"], e["destination_namespace"]) for e in edges] == [
        ("frontend", "catalogue"),
        ("frontend", "frontend"),
    ]
    out = tmp_path / "out"
    r = invoke(
        capsys,
        "plan",
        str(scan),
        "--to",
        "istio-sidecar",
        "--sidecar-scoping",
        "--manifests",
        str(out),
        "--objects",
        str(cluster),
        "--format",
        "json",
    )
    assert r.rc == 0, r
    sidecars = {p.name: yaml.safe_load(p.read_text().split("\n", 1)[1]) for p in Path(out).glob("*.yaml")}
    front = sidecars["030-scope-sidecars-frontend-sidecar-scoping.yaml"]
    assert front["spec"]["egress"] == [{"hosts": ["./*", "catalogue/*", "istio-system/*"]}]
    assert problems(front) == []
    # catalogue calls nobody in the graph: its own namespace and istio-system, the default
    back = sidecars["030-scope-sidecars-catalogue-sidecar-scoping.yaml"]
    assert back["spec"]["egress"] == [{"hosts": ["./*", "istio-system/*"]}]
