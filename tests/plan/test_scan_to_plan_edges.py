"""Scan → answers → plan on shapes real manifests have: objects without a namespace, the mesh's own
namespaces, pods that opt out, and mesh resources with no meshed workload."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

# A Linkerd control plane (its pods run linkerd-proxy, as `linkerd install` renders them), an
# extension namespace with its own policy, and an application namespace where one Deployment of
# three opts out. Shapes from linkerd/linkerd2 cli/cmd/testdata/install_ha_output.golden and
# viz/cmd/testdata/install_default.golden (Apache-2.0), cut to the fields the scan reads.
LINKERD_CLUSTER = """
apiVersion: v1
kind: Namespace
metadata: {name: linkerd}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: linkerd-destination, namespace: linkerd}
spec:
  replicas: 3
  template:
    metadata: {annotations: {linkerd.io/inject: enabled}}
    spec: {containers: [{name: destination}, {name: linkerd-proxy}]}
---
apiVersion: v1
kind: Namespace
metadata: {name: linkerd-viz, annotations: {linkerd.io/inject: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: linkerd-viz}
spec:
  replicas: 1
  template:
    spec: {containers: [{name: web}]}
---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: admin, namespace: linkerd-viz}
spec: {podSelector: {matchLabels: {component: web}}, port: admin-http}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 4
  template:
    spec: {containers: [{name: web}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: legacy, namespace: shop}
spec:
  replicas: 2
  template:
    metadata: {annotations: {linkerd.io/inject: disabled}}
    spec: {containers: [{name: legacy}]}
"""

# Bookinfo as `kubectl apply -f samples/bookinfo/platform/kube/bookinfo.yaml` into the default
# namespace: no metadata.namespace anywhere (istio/istio samples/bookinfo, Apache-2.0, cut).
NO_NAMESPACE = """
apiVersion: v1
kind: Namespace
metadata: {name: default, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews-v1}
spec:
  replicas: 2
  template:
    spec: {containers: [{name: reviews}]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - match: [{headers: {end-user: {exact: jason}}}]
    route: [{destination: {host: reviews, subset: v2}}]
  - route: [{destination: {host: reviews, subset: v1}}]
---
apiVersion: networking.istio.io/v1
kind: EnvoyFilter
metadata: {name: lua}
spec:
  configPatches: [{applyTo: HTTP_FILTER, patch: {operation: INSERT_BEFORE, value: {name: envoy.filters.http.lua}}}]
"""


def _scan(cli, tmp_path: Path, text: str) -> tuple[Path, dict]:
    manifest = tmp_path / "manifests.yaml"
    manifest.write_text(text, encoding="utf-8")
    out = tmp_path / "cluster.toml"
    rc, _, err = cli("scan", str(manifest), "-o", str(out))
    assert rc == 0, err
    return out, tomllib.loads(out.read_text(encoding="utf-8"))


def _plan(cli, cluster: Path, target: str) -> dict:
    rc, out, err = cli("plan", str(cluster), "--to", target, "--format", "json")
    assert rc == 0, err
    return json.loads(out)


def test_the_mesh_s_own_namespaces_are_neither_costed_nor_moved(cli, tmp_path) -> None:
    cluster, doc = _scan(cli, tmp_path, LINKERD_CLUSTER)
    assert doc["answers"]["current_mesh"] == "linkerd"
    inventory = {n["name"]: n for n in doc["answers"]["namespaces"]}
    # the control plane (3 pods) and the viz extension (1) run meshed, but they are the mesh
    assert inventory["linkerd"]["meshed"] is False and inventory["linkerd-viz"]["meshed"] is False
    assert inventory["shop"]["meshed"] is True
    plan = _plan(cli, cluster, "istio-sidecar")
    assert [n["name"] for n in plan["plan"]["namespaces"]] == ["shop"]


def test_pods_that_opt_out_are_not_counted_as_meshed(cli, tmp_path) -> None:
    _, doc = _scan(cli, tmp_path, LINKERD_CLUSTER)
    shop = next(n for n in doc["answers"]["namespaces"] if n["name"] == "shop")
    assert shop["pods"] == 4  # web's 4 replicas; legacy's 2 opt out (linkerd.io/inject: disabled)
    assert doc["answers"]["cluster_pods"] == 3 + 1 + 4 + 2  # every pod still counts for the cluster
    scan_shop = next(n for n in doc["scan"]["namespaces"] if n["name"] == "shop")
    assert (scan_shop["pods"], scan_shop["meshed_pods"]) == (6, 4)


def test_objects_without_a_namespace_are_where_their_pods_are(cli, tmp_path) -> None:
    cluster, doc = _scan(cli, tmp_path, NO_NAMESPACE)
    found = {(f["signal"], f["namespace"]) for f in doc["scan"]["findings"]}
    assert ("vs-header-match", "default") in found and ("envoy-filter", "default") in found
    plan = _plan(cli, cluster, "istio-ambient")
    (default,) = plan["plan"]["namespaces"]
    assert default["name"] == "default" and default["pods"] == 2
    # the VirtualService and the EnvoyFilter are this namespace's to rework or resolve, not nobody's
    assert default["objects"] >= 2


def test_a_scan_with_mesh_resources_but_no_meshed_workload_says_so(cli, tmp_path) -> None:
    text = NO_NAMESPACE.replace("labels: {istio-injection: enabled}", "labels: {}")
    cluster, doc = _scan(cli, tmp_path, text)
    assert doc["answers"]["current_mesh"] == "none"
    assert (
        "no meshed workloads, yet 2 mesh or routing objects (EnvoyFilter, VirtualService): current_mesh is "
        "none; if a mesh serves them, set current_mesh (--current-mesh on recommend and plan)"
    ) in doc["scan"]["warnings"]
    notes = _plan(cli, cluster, "linkerd")["plan"]["notes"]
    # why a first install was assumed, and how to say otherwise
    assert (
        "No current mesh: the scan found no meshed workloads (no injection label, ambient label or proxy "
        "container), so this is planned as a first install; it did find 2 mesh or routing objects (EnvoyFilter, "
        "VirtualService), which a first install does not translate. If a mesh serves them, give --current-mesh "
        "OPTION (linkerd, istio-sidecar, istio-ambient) or set current_mesh in the answers file to plan that move."
    ) in notes


def test_cluster_scoped_kinds_must_be_a_list_of_kind_names(cli, tmp_path) -> None:
    from advisor.catalog.files import bundled_data_dir

    data = tmp_path / "data"
    data.mkdir()
    text = (bundled_data_dir() / "signals.toml").read_text(encoding="utf-8")
    start = text.index("cluster_scoped_kinds = [")
    end = text.index("]", start) + 1
    (data / "signals.toml").write_text(text[:start] + 'cluster_scoped_kinds = "Node"' + text[end:], encoding="utf-8")
    rc, _, err = cli("data", "validate", str(data))
    assert rc == 2 and "cluster_scoped_kinds: expected a list of text" in err


def test_an_object_given_twice_counts_once_and_its_evidence_is_the_union(cli, tmp_path) -> None:
    """Bookinfo's networking directory holds alternative versions of the same VirtualService
    (virtual-service-reviews-50-v3.yaml, -v3.yaml, ...): a cluster holds one, but a repository of
    alternatives uses what any of them uses (SPEC: the union, each finding naming its file)."""
    (tmp_path / "a-reviews-fault.yaml").write_text(
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews, namespace: shop}\n"
        "spec: {hosts: [reviews], http: [{fault: {delay: {percentage: {value: 100}, fixedDelay: 7s}}, "
        "route: [{destination: {host: reviews}}]}]}\n",
        encoding="utf-8",
    )
    (tmp_path / "b-reviews-plain.yaml").write_text(
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews, namespace: shop}\n"
        "spec: {hosts: [reviews], http: [{route: [{destination: {host: reviews}}]}]}\n",
        encoding="utf-8",
    )
    rc, out, err = cli("scan", str(tmp_path), "--format", "json")
    assert rc == 0, err
    doc = json.loads(out)
    found = [(f["signal"], Path(f["file"]).name) for f in doc["scan"]["findings"]]
    assert sorted(found) == [("virtual-service", "a-reviews-fault.yaml"), ("vs-fault-delay", "a-reviews-fault.yaml")]
    assert "fault-injection" in doc["answers"]["in_use"]
    assert any(
        w.startswith("1 object is given more than once: VirtualService shop/reviews (2 times); a cluster holds one")
        for w in doc["scan"]["warnings"]
    )


# An ambient namespace whose traffic split is a Gateway API HTTPRoute (istio/istio
# samples/bookinfo/gateway-api/route-reviews-90-10.yaml and the ambient getting-started shapes,
# Apache-2.0, cut): no VirtualService anywhere.
AMBIENT_HTTPROUTE = """
apiVersion: v1
kind: Namespace
metadata: {name: bookinfo, labels: {istio.io/dataplane-mode: ambient}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews-v1, namespace: bookinfo}
spec: {replicas: 2, template: {spec: {containers: [{name: reviews}]}}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: reviews, namespace: bookinfo}
spec:
  parentRefs: [{group: "", kind: Service, name: reviews, port: 9080}]
  rules:
  - backendRefs: [{name: reviews-v1, port: 9080, weight: 90}, {name: reviews-v2, port: 9080, weight: 10}]
"""


def test_a_capability_the_scan_explains_raises_only_the_items_its_objects_match(cli, tmp_path) -> None:
    cluster, doc = _scan(cli, tmp_path, AMBIENT_HTTPROUTE)
    assert "traffic-splitting" in doc["answers"]["in_use"]  # from the HTTPRoute's weights
    plan = _plan(cli, cluster, "linkerd")
    ids = [i["id"] for i in plan["rework"]]
    assert "istio-routes-to-linkerd" not in ids  # there is no VirtualService to rewrite
    assert "istio-httproute-keeps" in ids
    # asked for beyond the scan, the capability still raises the item from the answers
    rc, out, err = cli("plan", str(cluster), "--to", "linkerd", "--require", "header-routing", "--format", "json")
    assert rc == 0, err
    item = next(i for i in json.loads(out)["rework"] if i["id"] == "istio-routes-to-linkerd")
    assert item["basis"] == "answers" and item["objects"] == []


def test_an_argo_rollout_s_pods_are_counted_like_a_deployment_s(cli, tmp_path) -> None:
    """argoproj/argo-rollouts examples/rollout-canary.yaml (Apache-2.0), in an injected namespace."""
    text = """
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: rollouts-demo, namespace: shop}
spec:
  replicas: 4
  strategy: {canary: {steps: [{setWeight: 20}, {pause: {}}]}}
  selector: {matchLabels: {app: rollouts-demo}}
  template:
    metadata: {labels: {app: rollouts-demo}}
    spec: {containers: [{name: rollouts-demo, image: "argoproj/rollouts-demo:blue"}]}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: by-reference, namespace: shop}
spec:
  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: web}
"""
    _, doc = _scan(cli, tmp_path, text)
    shop = next(n for n in doc["scan"]["namespaces"] if n["name"] == "shop")
    assert (shop["pods"], shop["meshed_by"], shop["meshed_pods"]) == (4, "istio-sidecar", 4)


def test_the_documented_clusterrole_grants_every_api_group_the_live_scan_lists() -> None:
    import re

    from advisor.catalog.files import bundled_data_dir

    readme = (Path(__file__).parent.parent.parent / "docs/how-to/read-only-clusterrole.md").read_text(encoding="utf-8")
    role = readme[readme.index("kind: ClusterRole") : readme.index("```", readme.index("kind: ClusterRole"))]
    granted = {g.strip() for line in re.findall(r"apiGroups: \[(.*)\]", role) for g in line.split(",")}
    signals = tomllib.loads((bundled_data_dir() / "signals.toml").read_text(encoding="utf-8"))
    listed = {r["group"] for r in signals["resources"]}
    assert listed - granted == set()


def test_a_mesh_that_labels_only_empty_namespaces_is_not_a_second_mesh_in_use(cli, tmp_path) -> None:
    text = (
        AMBIENT_HTTPROUTE
        + """
---
apiVersion: v1
kind: Namespace
metadata: {name: later, labels: {istio-injection: enabled}}
"""
    )
    _, doc = _scan(cli, tmp_path, text)
    assert doc["answers"]["current_mesh"] == "istio-ambient"
    assert not any("more than one mesh" in w for w in doc["scan"]["warnings"])


def test_a_sidecar_injection_label_outranks_use_waypoint_and_linkerd_can_be_turned_off(cli, tmp_path) -> None:
    """Istio's precedence (istio.io/latest/docs/ambient/usage/add-workloads/): sidecar injection
    wins over ambient labels, use-waypoint included; linkerd.io/inject: disabled opts a namespace out."""
    text = """
apiVersion: v1
kind: Namespace
metadata: {name: both, labels: {istio-injection: enabled, istio.io/use-waypoint: waypoint}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: both}
spec: {replicas: 2, template: {spec: {containers: [{name: web}]}}}
---
apiVersion: v1
kind: Namespace
metadata: {name: batch, annotations: {linkerd.io/inject: disabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: job, namespace: batch}
spec: {replicas: 1, template: {spec: {containers: [{name: job}]}}}
"""
    _, doc = _scan(cli, tmp_path, text)
    by_name = {n["name"]: n for n in doc["scan"]["namespaces"]}
    assert (by_name["both"]["meshed_by"], by_name["both"]["meshed_pods"]) == ("istio-sidecar", 2)
    assert by_name["both"].get("l7") != True  # noqa: E712 - no waypoint serves sidecar pods
    assert (by_name["batch"]["meshed_by"], by_name["batch"]["meshed_pods"]) == ("none", 0)
    assert any(f["signal"] == "ns-linkerd-inject-off" for f in doc["scan"]["findings"])


def test_a_signal_added_in_a_data_directory_is_read_by_scan_and_plan(cli, tmp_path) -> None:
    """Adding a signal is a data edit: a data directory's signals.toml replaces the bundled one for
    scan (and data validate checks it), and plan knows its ids."""
    from advisor.catalog.files import bundled_data_dir

    data = tmp_path / "data"
    data.mkdir()
    text = (bundled_data_dir() / "signals.toml").read_text(encoding="utf-8")
    text += """
[[signals]]
id = "kuma-traffic-permission"
kind = "MeshTrafficPermission"
groups = ["kuma.io"]
match = [{ path = "spec.from" }]
capability = "l4-authz"
text = "Kuma's traffic permission: which services may reach this one"
source = "https://kuma.io/docs/2.9/policies/meshtrafficpermission/"
version = "Kuma 2.9"
"""
    (data / "signals.toml").write_text(text, encoding="utf-8")
    rc, _, err = cli("data", "validate", str(data))
    assert rc == 0, err
    manifest = tmp_path / "kuma.yaml"
    manifest.write_text(
        "apiVersion: kuma.io/v1alpha1\nkind: MeshTrafficPermission\nmetadata: {name: allow-web, namespace: shop}\n"
        "spec: {targetRef: {kind: Mesh}, from: [{targetRef: {kind: Mesh}, default: {action: Allow}}]}\n"
        "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {istio-injection: enabled}}\n"
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\n"
        "spec: {replicas: 1, template: {spec: {containers: [{name: web}]}}}\n",
        encoding="utf-8",
    )
    out = tmp_path / "cluster.toml"
    rc, _, err = cli("scan", str(manifest), "--data-dir", str(data), "-o", str(out))
    assert rc == 0, err
    doc = tomllib.loads(out.read_text(encoding="utf-8"))
    assert [f["signal"] for f in doc["scan"]["findings"] if f["kind"] == "MeshTrafficPermission"] == [
        "kuma-traffic-permission"
    ]
    assert "l4-authz" in doc["answers"]["in_use"]
    # without the directory the bundled signals know nothing of it
    rc, out_json, err = cli("scan", str(manifest), "--format", "json")
    assert rc == 0 and "kuma-traffic-permission" not in out_json
    # plan, with the same directory, knows the id (not "unrecognised")
    rc, plan_json, err = cli("plan", str(out), "--to", "istio-ambient", "--data-dir", str(data), "--format", "json")
    assert rc == 0, err
    assert json.loads(plan_json)["unrecognised"] == []
    rc, plan_json, err = cli("plan", str(out), "--to", "istio-ambient", "--format", "json")
    assert [u["signal"] for u in json.loads(plan_json)["unrecognised"]] == ["kuma-traffic-permission"]
