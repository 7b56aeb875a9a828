"""Traffic from a real Prometheus: a TSDB backfilled with promtool from OpenMetrics, served on loopback.

Debian's `prometheus` package provides both binaries (.ci/run installs it). In CI (CI=true) a
missing binary fails these tests instead of skipping them.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

FIX = Path(__file__).parent.parent / "fixtures" / "scan"
PROMETHEUS = shutil.which("prometheus")
PROMTOOL = shutil.which("promtool")
if not (PROMETHEUS and PROMTOOL):
    if os.environ.get("CI", "").lower() == "true":
        raise RuntimeError("prometheus/promtool missing: CI must `apt-get install -y prometheus`")
    pytest.skip("prometheus and promtool not installed (apt-get install prometheus)", allow_module_level=True)

pytestmark = pytest.mark.slow

# Per-second rates the series below grow at (counters: value = rate x seconds since the start).
RATES = [
    # (OpenMetrics family, labels, rate per second)
    ("istio_requests", 'reporter="destination",destination_workload_namespace="bookinfo",response_code="200"', 9.0),
    ("istio_requests", 'reporter="destination",destination_workload_namespace="bookinfo",response_code="503"', 1.0),
    (
        "istio_requests",
        'reporter="source",destination_workload_namespace="bookinfo",response_code="200"',
        10.0,
    ),  # the client side: not counted again
    ("istio_tcp_connections_opened", 'reporter="destination",destination_workload_namespace="boutique"', 2.0),
    ("request", 'direction="inbound",namespace="emojivoto"', 30.0),
    ("request", 'direction="outbound",namespace="emojivoto"', 30.0),
    ("tcp_open", 'direction="inbound",namespace="emojivoto"', 1.0),
]


def openmetrics(now: float, hours: float = 3, step: int = 60) -> str:
    # Samples run past "now" so the query window is covered at both ends and rate() needs no
    # extrapolation: the rates come back exactly as written (a query at now sees samples <= now).
    start = int(now - hours * 3600)
    end = int(now + 1800)
    families: dict[str, list[str]] = {}
    for family, labels, rate in RATES:
        lines = families.setdefault(family, [])
        for ts in range(start, end, step):
            lines.append(f"{family}_total{{{labels}}} {rate * (ts - start):.1f} {ts}")
    out = []
    for family, lines in families.items():
        out.append(f"# TYPE {family} counter")
        out.extend(lines)
    out.append("# EOF")
    return "\n".join(out) + "\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(tmp: Path, backfill: str | None):
    data = tmp / "data"
    data.mkdir()
    if backfill is not None:
        (tmp / "metrics.om").write_text(backfill)
        subprocess.run(
            [PROMTOOL, "tsdb", "create-blocks-from", "openmetrics", str(tmp / "metrics.om"), str(data)],
            check=True,
            capture_output=True,
            timeout=120,
        )
    config = tmp / "prometheus.yml"
    config.write_text("global:\n  scrape_interval: 1h\nscrape_configs: []\n")  # nothing to scrape, nothing to reach
    port = free_port()
    proc = subprocess.Popen(
        [
            PROMETHEUS,
            f"--config.file={config}",
            f"--storage.tsdb.path={data}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--storage.tsdb.retention.time=30d",
            "--log.level=warn",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=tmp,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/-/ready", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"prometheus did not start: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}"
                )
            time.sleep(0.05)
        yield url
    finally:  # stop it: no test leaves a server behind
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory):
    yield from serve(tmp_path_factory.mktemp("prom"), openmetrics(time.time()))


@pytest.fixture(scope="module")
def empty_prometheus(tmp_path_factory):
    yield from serve(tmp_path_factory.mktemp("prom-empty"), None)


def test_traffic_per_namespace_from_istio_and_linkerd_metrics(prometheus, cli):
    rc, out, err = cli("scan", str(FIX), "--prometheus", prometheus, "--window", "1h", "--format", "json")
    assert rc == 0, err
    doc = json.loads(out)
    ns = {n["name"]: n for n in doc["scan"]["namespaces"]}
    # bookinfo: 9 + 1 requests/s reported by the destination (the source-side 10/s is the same traffic)
    assert ns["bookinfo"]["rps"] == pytest.approx(10.0, rel=0.01)
    assert ns["bookinfo"]["l7"] == 1.0 and ns["bookinfo"]["l7_basis"] == "metrics"
    # boutique: 2 new TCP connections/s and no HTTP requests: L7 share 0
    assert ns["boutique"]["rps"] == pytest.approx(2.0, rel=0.01) and ns["boutique"]["l7"] == 0.0
    # emojivoto (Linkerd): 30 inbound requests/s + 1 connection/s = 31; share 30 / 31 = 0.968
    assert ns["emojivoto"]["rps"] == pytest.approx(31.0, rel=0.01)
    assert ns["emojivoto"]["l7"] == pytest.approx(0.968, abs=0.001)
    # With a mesh today (istio-sidecar: 7 pods against Linkerd's 4), the meshed namespaces are the
    # ones a mesh covers, bookinfo and emojivoto: 10 + 31 = 41 requests/s, each counted once.
    answers = doc["answers"]
    if isinstance(answers.get("namespaces"), list):
        assert {n["name"]: n.get("rps") for n in answers["namespaces"]}["emojivoto"] == pytest.approx(31.0, rel=0.01)
    else:
        assert answers["mesh_rps"] == pytest.approx(41.0, rel=0.01)


def test_no_mesh_metrics_is_a_warning(empty_prometheus, cli, tmp_path):
    rc, out, err = cli("scan", str(FIX / "bookinfo"), "--prometheus", empty_prometheus, "--format", "json")
    assert rc == 0, err
    doc = json.loads(out)
    assert any("has no Istio or Linkerd traffic metrics" in w for w in doc["scan"]["warnings"])
    assert doc["scan"]["namespaces"][0]["l7_basis"] == "estimated"


def test_prometheus_unreachable_or_erroring(cli, tmp_path, prometheus):
    out = tmp_path / "x.toml"
    rc, _, err = cli("scan", str(FIX), "--prometheus", f"http://127.0.0.1:{free_port()}", "-o", str(out))
    assert rc == 2 and "cannot reach Prometheus" in err and err.count("\n") == 1 and not out.exists()
    rc, _, err = cli("scan", str(FIX), "--prometheus", "ftp://example", "-o", str(out))
    assert rc == 2 and "--prometheus: expected an http:// or https:// URL" in err
    # a path that is not the API: Prometheus answers 404 with text
    rc, _, err = cli("scan", str(FIX), "--prometheus", prometheus + "/nope", "-o", str(out))
    assert rc == 2 and "Prometheus answered 404" in err and not out.exists()
    rc, _, err = cli("scan", str(FIX), "--window", "5", "--prometheus", prometheus)
    assert rc == 2 and "--window: expected a duration" in err
