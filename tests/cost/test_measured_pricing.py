"""Today's mesh priced from [[scan.measured]] rows: which rows are which component (from the data),
and how proxies and control planes scale (a rows-in, numbers-out check without Prometheus)."""

from __future__ import annotations

import pytest

from advisor.answers.resolve import resolve
from advisor.catalog.load import load_catalog
from advisor.engine.costing import project

MIB, GIB = 2**20, 2**30


def row(namespace: str, container: str, mib: float, vcpu: float, instances: int) -> dict:
    return {
        "namespace": namespace,
        "container": container,
        "memory_mib_mean": mib,
        "memory_mib_p95": mib,
        "cpu_vcpu_mean": vcpu,
        "samples": 60 * instances,
        "instances": instances,
        "window": "1h",
        "query": "container_memory_working_set_bytes ...",
    }


@pytest.fixture(scope="module")
def linkerd_today():
    catalog = load_catalog()
    rows = [
        row("shop", "linkerd-proxy", 15.0, 0.01, 10),  # the data plane: 10 proxies at 15 MiB
        row("linkerd", "linkerd-proxy", 20.0, 0.002, 3),  # the control plane's own proxies (3 pods)
        row("linkerd", "destination", 100.0, 0.02, 1),
        row("linkerd", "identity", 30.0, 0.001, 1),
        row("shop", "app", 500.0, 1.0, 10),  # not the mesh's: no component names it
    ]
    scan = {"current_mesh": "linkerd", "pods": 10, "namespaces": 1, "measured": rows}
    answers = resolve(catalog, scan_values=scan, scan_label="cluster.toml").answers
    return {c.id: c for c in project(answers, catalog).options["linkerd"].components}


def test_proxies_are_priced_per_container_times_the_model_instances(linkerd_today) -> None:
    proxy = linkerd_today["linkerd-proxy"]
    # the control plane's proxies (namespace linkerd) are the control plane's: 15 MiB, not (150 + 60) / 13
    assert proxy.measured.memory_mib_each == pytest.approx(15.0)
    assert proxy.memory_gib == pytest.approx(10 * 15 * MIB / GIB)  # 10 pods x 15 MiB
    assert proxy.cpu_vcpu == pytest.approx(10 * 0.01)
    assert proxy.measured.kind == "measured-in-cluster"


def test_a_control_plane_is_priced_as_measured(linkerd_today) -> None:
    cp = linkerd_today["linkerd-control-plane"]
    # its containers as the cluster runs them: 3 x 20 + 100 + 30 = 190 MiB, 3 x 0.002 + 0.02 + 0.001 vCPU
    assert cp.memory_gib == pytest.approx(190 * MIB / GIB)
    assert cp.cpu_vcpu == pytest.approx(0.027)
    # beside the model's 365 MB + 0.045 MB x 10 endpoints = 365.45 MB: the ratio measured / model
    assert cp.measured.model_memory_gib == pytest.approx(365.45e6 / GIB)
    assert cp.measured.memory_ratio == pytest.approx((190 * MIB) / 365.45e6)
