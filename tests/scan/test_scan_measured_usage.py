"""Today's mesh as the cluster measures it: cAdvisor series in a real Prometheus (backfilled with
promtool, as tests/scan/test_scan_prometheus.py does), read by `scan --prometheus`, priced by
`cost` / `recommend` / `plan` with kind "measured-in-cluster" beside the model."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from scan.test_scan_prometheus import FIX, serve  # the same real-Prometheus harness (skips without it)

pytestmark = pytest.mark.slow

MIB = 1024 * 1024
# (family, labels, gauge value or counter rate, kind): a cluster whose sidecars use 180 MiB each.
SERIES = [
    *(
        (
            "container_memory_working_set_bytes",
            f'namespace="bookinfo",container="istio-proxy",pod="productpage-{i}"',
            180 * MIB,
            "gauge",
        )
        for i in range(3)
    ),
    *(
        (
            "container_cpu_usage_seconds_total",
            f'namespace="bookinfo",container="istio-proxy",pod="productpage-{i}"',
            0.05,
            "counter",
        )
        for i in range(3)
    ),
    (
        "container_memory_working_set_bytes",
        'namespace="istio-system",container="discovery",pod="istiod-0"',
        600 * MIB,
        "gauge",
    ),
    (
        "container_cpu_usage_seconds_total",
        'namespace="istio-system",container="discovery",pod="istiod-0"',
        0.2,
        "counter",
    ),
    # an application container: not the mesh's, never read
    (
        "container_memory_working_set_bytes",
        'namespace="bookinfo",container="productpage",pod="productpage-0"',
        900 * MIB,
        "gauge",
    ),
]


def cadvisor(now: float, hours: float = 3, step: int = 60) -> str:
    start, end = int(now - hours * 3600), int(now + 1800)
    families: dict[str, tuple[str, list[str]]] = {}
    for family, labels, value, kind in SERIES:
        name = family.removesuffix("_total") if kind == "counter" else family
        _, lines = families.setdefault(name, (kind, []))
        for ts in range(start, end, step):
            v = value * (ts - start) if kind == "counter" else value
            lines.append(f"{family}{{{labels}}} {v:.1f} {ts}")
    out = []
    for name, (kind, lines) in families.items():
        out.append(f"# TYPE {name} {kind}")
        out.extend(lines)
    out.append("# EOF")
    return "\n".join(out) + "\n"


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory):
    yield from serve(tmp_path_factory.mktemp("prom-usage"), cadvisor(time.time()))


@pytest.fixture(scope="module")
def scanned(prometheus, tmp_path_factory) -> Path:
    from advisor.__main__ import main

    out = tmp_path_factory.mktemp("scan") / "cluster.json"
    rc = main(["scan", str(FIX), "--prometheus", prometheus, "--window", "1h", "-o", str(out)])
    assert rc == 0
    return out


def test_scan_writes_what_the_mesh_containers_use(scanned):
    doc = json.loads(scanned.read_text())
    rows = {(m["namespace"], m["container"]): m for m in doc["scan"]["measured"]}
    proxy = rows[("bookinfo", "istio-proxy")]
    assert proxy["memory_mib_mean"] == pytest.approx(180.0)  # 180 MiB in every sample
    assert proxy["memory_mib_p95"] == pytest.approx(180.0)
    assert proxy["cpu_vcpu_mean"] == pytest.approx(0.05, rel=0.01)  # the counter grows 0.05 s per second
    assert proxy["instances"] == 3 and proxy["window"] == "1h"
    assert proxy["samples"] >= 3 * 60  # 3 pods x a sample a minute over the hour
    assert "container_memory_working_set_bytes" in proxy["query"]
    assert rows[("istio-system", "discovery")]["memory_mib_mean"] == pytest.approx(600.0)
    assert ("bookinfo", "productpage") not in rows  # an application container is not the mesh's


def test_cost_prices_today_at_the_measured_180_mib(scanned, cli):
    rc, out, err = cli("cost", str(scanned), "--format", "json")
    assert rc == 0, err
    doc = json.loads(out)
    sidecar = doc["options"]["istio-sidecar"]["cost"]
    assert sidecar["priced_from"] == "measured-in-cluster"
    proxy = next(c for c in sidecar["components"] if c["id"] == "istio-proxy")
    assert proxy["memory_mib_each"] == pytest.approx(180.0)
    assert proxy["measured"]["kind"] == "measured-in-cluster"
    assert proxy["measured"]["memory_mib_each"] == pytest.approx(180.0)
    # model beside it: the ratio is measured / model memory
    model_mib_each = proxy["measured"]["model_memory_gib"] * 1024 / proxy["instances"]
    assert proxy["measured"]["memory_ratio"] == pytest.approx(180.0 / model_mib_each, rel=1e-3)
    assert "container_memory_working_set_bytes" in proxy["measured"]["source"]
    # the target options stay on published figures
    assert "priced_from" not in doc["options"]["istio-ambient"]["cost"]


def test_cost_table_says_measured_in_this_cluster(scanned, cli):
    rc, out, err = cli("cost", str(scanned))
    assert rc == 0, err
    assert "istio-proxy measured in this cluster at 180 MiB per container" in " ".join(out.split())


def test_recommend_and_plan_price_today_from_the_measure(scanned, cli):
    rc, out, err = cli("recommend", str(scanned), "--format", "json")
    assert rc == 0, err
    proxy = next(
        c for c in json.loads(out)["options"]["istio-sidecar"]["cost"]["components"] if c["id"] == "istio-proxy"
    )
    assert proxy["memory_mib_each"] == pytest.approx(180.0)
    rc, out, err = cli("plan", str(scanned), "--to", "istio-ambient", "--format", "json")
    assert rc == 0, err
    plan = json.loads(out)
    assert plan["cost"]["today"]["priced_from"] == "measured-in-cluster"
    assert any("measured in this cluster: 180 MiB per container" in i["text"] for i in plan["cost"]["items"])


def test_a_missing_metric_is_a_warning_naming_the_query(tmp_path_factory, cli):
    for url in serve(tmp_path_factory.mktemp("prom-none"), None):
        rc, out, err = cli("scan", str(FIX), "--prometheus", url, "--window", "1h", "--format", "json")
        assert rc == 0, err
        doc = json.loads(out)
        assert "measured" not in doc["scan"]
        assert any("container_memory_working_set_bytes" in w and "not measured" in w for w in doc["scan"]["warnings"])


def test_relabelled_series_are_read_with_the_label_flags(tmp_path_factory, cli):
    relabelled = cadvisor(time.time()).replace('namespace="', 'kube_namespace="').replace('container="', 'ctr="')
    for url in serve(tmp_path_factory.mktemp("prom-relabel"), relabelled):
        args = ("scan", str(FIX), "--prometheus", url, "--window", "1h", "--format", "json")
        rc, out, err = cli(*args, "--namespace-label", "kube_namespace", "--container-label", "ctr")
        assert rc == 0, err
        rows = {(m["namespace"], m["container"]) for m in json.loads(out)["scan"]["measured"]}
        assert ("bookinfo", "istio-proxy") in rows
        rc, out, err = cli(*args, "--container-label", "no such label!")
        assert rc == 2 and "--container-label" in err and "label name" in err


def test_scan_table_shows_what_the_mesh_containers_use(prometheus, cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    rc, out, err = cli("scan", str(FIX), "--prometheus", prometheus, "--window", "1h")
    assert rc == 0, err
    assert "What the mesh's containers use (cAdvisor, over 1h)" in out
    row = next(line for line in out.splitlines() if "bookinfo" in line and "istio-proxy" in line)
    assert row.split()[2:] == ["3", "180.0", "180.0", "0.050"]  # 3 containers at 180 MiB, 0.05 vCPU each


def test_scan_markdown_lists_the_measured_containers(scanned, cli):
    rc, out, err = cli("scan", str(FIX), "--format", "md")  # files alone: nothing measured, no section
    assert rc == 0, err
    assert "What the mesh's containers use" not in out
    from advisor.output.markdown.scan import scan_markdown

    class Result:  # the scan document read back, as the renderer receives it
        def to_document(self):
            return json.loads(scanned.read_text())

    text = scan_markdown(Result())
    assert "| bookinfo | istio-proxy | 3 | 180.0 | 180.0 | 0.050 |" in text


def test_a_bad_measured_row_is_one_line_naming_the_file_and_field(scanned, cli, tmp_path):
    doc = json.loads(scanned.read_text())
    doc["scan"]["measured"][0]["memory_mib_mean"] = "lots"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    rc, out, err = cli("cost", str(bad))
    assert (rc, out) == (2, "")
    assert err.strip() == f"mesh-advisor: {bad}: scan.measured[0].memory_mib_mean: expected a number ≥ 0, got 'lots'"
