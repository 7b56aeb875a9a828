"""Scanning real repositories: upstream Bookinfo with its sources, Online Boutique's Kustomize root,
Helm charts, symlinked directories, and objects defined in several files.

The upstream trees under tests/fixtures/scan/upstream/ are exact copies (provenance in tests/README.md).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from kube_fixture import find_kubectl

UP = Path(__file__).parent.parent / "fixtures" / "scan" / "upstream"
BOOKINFO = UP / "istio/istio/samples/bookinfo"
BOUTIQUE = UP / "GoogleCloudPlatform/microservices-demo/kustomize"


def scan_json(cli, *args: str) -> dict:
    rc, out, err = cli("scan", *args, "--format", "json")
    assert rc == 0, err
    return json.loads(out)


def test_upstream_bookinfo_with_its_sources_scans_and_finds_what_its_alternatives_use(cli):
    doc = scan_json(cli, str(BOOKINFO))
    used = doc["answers"]["in_use"]
    assert {"traffic-splitting", "fault-injection", "mtls"} <= set(used)
    warnings = doc["scan"]["warnings"]
    (skipped,) = [w for w in warnings if w.startswith("skipped ")]
    # ratings_data.json (data), package.json, swagger.yaml (OpenAPI) are not manifests; README.md,
    # izzy.png and the HTML templates are not YAML or JSON at all
    assert "src/mongodb/ratings_data.json" in skipped and "swagger.yaml" in skipped
    assert "6 other files (not .yaml, .yml or .json" in skipped
    # the platform files define the same Deployments again and again: each counts once
    assert any("Deployment default/details-v1 (5 times, counted as in " in w for w in warnings)
    # the alternatives' evidence is a union, each finding naming its file: ratings' abort and delay
    # come from two variants of VirtualService ratings
    caps = {c["id"]: c for c in doc["scan"]["capabilities"]}
    faults = [(e["name"], e["field"], Path(e["file"]).name) for e in caps["fault-injection"]["evidence"]]
    assert ("ratings", "spec.http[0].fault.abort", "virtual-service-ratings-test-abort.yaml") in faults
    assert ("ratings", "spec.http[0].fault.delay", "virtual-service-ratings-test-delay.yaml") in faults
    split = {(e["kind"], Path(e["file"]).name) for e in caps["traffic-splitting"]["evidence"]}
    assert ("VirtualService", "virtual-service-reviews-50-v3.yaml") in split
    mtls = {Path(e["file"]).name for e in caps["mtls"]["evidence"]}
    assert mtls == {"destination-rule-all-mtls.yaml"}


def test_bookinfo_workloads_count_once_however_many_files_define_them(cli):
    doc = scan_json(cli, str(BOOKINFO / "platform/kube"))
    # bookinfo.yaml: details, ratings, reviews v1-v3, productpage = 6 Deployments; the other files add
    # details-v2, ratings-v2, ratings-v2-mysql(-vm), mongodb, mysqldb, reviews-v2 again...
    ns = {n["name"]: n for n in doc["scan"]["namespaces"]}
    names = {f["name"] for f in doc["scan"]["findings"]}  # no pods: no mesh signals on them
    assert ns["default"]["pods"] == 12, (ns, names)


def test_online_boutique_kustomize_renders_to_its_12_deployments(cli):
    if find_kubectl() is None and os.environ.get("CI", "").lower() != "true":
        pytest.skip("kubectl not installed")
    env_path = os.environ["PATH"]
    kubectl = find_kubectl()
    assert kubectl is not None
    os.environ["PATH"] = str(Path(kubectl).parent) + os.pathsep + env_path
    try:
        doc = scan_json(cli, str(BOUTIQUE))
    finally:
        os.environ["PATH"] = env_path
    assert doc["meta"]["rendered"] == [f"{BOUTIQUE} (kubectl kustomize)"]
    # 12 Deployments at 1 replica each; the components (service-mesh-istio, shopping-assistant, ...)
    # are kind: Component and count only where a kustomization enables them: none here
    assert doc["scan"]["totals"]["pods"] == 12
    assert doc["answers"]["in_use"] == [] and doc["scan"]["capabilities"] == []
    assert doc["scan"]["totals"]["current_mesh"] == "none"


def test_without_kubectl_a_kustomize_root_is_a_warning_with_the_command(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    repo = tmp_path / "repo"
    shutil.copytree(BOUTIQUE, repo / "kustomize")
    (repo / "ns.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n")
    doc = scan_json(cli, str(repo))
    assert (
        f"{repo}/kustomize: a Kustomize build root, not read: kubectl is not on PATH; "
        f"render it yourself: kubectl kustomize {repo}/kustomize | mesh-advisor scan -"
    ) in doc["scan"]["warnings"]
    rc, _, err = cli("scan", str(repo / "kustomize"))
    assert rc == 2 and "no Kubernetes objects found" in err and "kubectl kustomize" in err


def test_a_helm_chart_without_helm_is_skipped_with_the_command(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    chart = tmp_path / "charts" / "shop"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: shop\nversion: 1.0.0\n")
    (chart / "values.yaml").write_text("replicas: 3\n")
    # quoted actions parse as YAML: read as a file, this would be a real-looking Deployment
    (chart / "templates" / "deploy.yaml").write_text(
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: "{{ .Release.Name }}"\n'
        'spec:\n  replicas: 3\n  template: {spec: {containers: [{name: a, image: "{{ .Values.image }}"}]}}\n'
    )
    (tmp_path / "charts" / "ns.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n")
    doc = scan_json(cli, str(tmp_path / "charts"))
    assert doc["scan"]["totals"]["pods"] == 0
    assert any(
        w.startswith(f"{chart}: a Helm chart, not read: helm is not on PATH; render it yourself: helm template")
        for w in doc["scan"]["warnings"]
    )


def test_a_lone_templates_directory_with_helm_actions_is_skipped(cli, tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "svc.yaml").write_text(
        'apiVersion: v1\nkind: Service\nmetadata:\n  name: "{{ include \\"shop.fullname\\" . }}"\n'
    )
    (tmp_path / "ns.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n")
    doc = scan_json(cli, str(tmp_path))
    assert doc["scan"]["totals"]["services"] == 0
    assert any("an unrendered Helm template: " in w for w in doc["scan"]["warnings"])


def test_symlinked_directories_are_followed_once_and_loops_end(cli, tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "ns.yaml").write_text(
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {istio-injection: enabled}}\n"
    )
    (real / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: shop}\n"
        "spec: {containers: [{name: a, image: a}, {name: istio-proxy, image: p}]}\n"
    )
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "linked").symlink_to(real, target_is_directory=True)
    (real / "loop").symlink_to(repo, target_is_directory=True)  # repo -> linked -> loop -> repo
    doc = scan_json(cli, str(repo))
    assert doc["scan"]["totals"]["current_mesh"] == "istio-sidecar"
    assert doc["scan"]["totals"]["pods"] == 1  # read once, though reachable twice


def test_hide_names_hides_paths_in_findings_warnings_and_meta(cli):
    doc = scan_json(cli, str(BOOKINFO), str(BOUTIQUE), "--hide-names")
    text = json.dumps(doc)
    for leak in ("bookinfo", "microservices", "ratings_data", "kustomize", "swagger", "reviews"):
        assert leak not in text, leak
