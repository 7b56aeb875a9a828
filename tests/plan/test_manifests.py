"""`plan --manifests DIR`: the objects a move needs, valid against the upstream CRD schemas, in apply order.

Inputs are upstream Bookinfo files (tests/fixtures/scan/upstream/istio/istio/samples/bookinfo/...), the
AuthorizationPolicies of Istio's HTTP authorization task (istio/istio.io, cut), and a Namespace labelled
for injection as the Bookinfo guide does: a sidecar cluster.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from crd_schemas import problems
from outcomes import invoke

FIX = Path(__file__).parent.parent / "fixtures"
UP = FIX / "scan" / "upstream" / "istio"
BOOKINFO = UP / "istio" / "samples" / "bookinfo"
SIDECAR_BOOKINFO = [
    FIX / "plan" / "default-injected.yaml",
    BOOKINFO / "platform/kube/bookinfo.yaml",
    BOOKINFO / "networking/destination-rule-all.yaml",
    BOOKINFO / "networking/virtual-service-reviews-50-v3.yaml",
    UP / "istio.io/content/en/docs/tasks/security/authorization/authz-http/snips.sh.yaml",
]


def _objects_flags(paths) -> list[str]:
    return [a for p in paths for a in ("--objects", str(p))]


def _scan(capsys, tmp_path, paths) -> str:
    out = tmp_path / "scan.toml"
    r = invoke(capsys, "scan", *map(str, paths), "-o", str(out), "--format", "json")
    assert r.rc == 0, r
    return str(out)


def _load_dir(d: Path) -> dict[str, list[dict]]:
    return {p.name: [o for o in yaml.safe_load_all(p.read_text()) if o] for p in sorted(d.glob("*.yaml"))}


def _all(files: dict[str, list[dict]]) -> list[dict]:
    return [o for objs in files.values() for o in objs]


@pytest.mark.slow
def test_bookinfo_sidecar_to_ambient_writes_valid_manifests_in_order(capsys, tmp_path):
    scan = _scan(capsys, tmp_path, SIDECAR_BOOKINFO)
    out = tmp_path / "out"
    r = invoke(
        capsys,
        "plan",
        scan,
        "--to",
        "istio-ambient",
        "--manifests",
        str(out),
        *_objects_flags(SIDECAR_BOOKINFO),
        "--format",
        "json",
    )
    assert r.rc == 0, r
    files = _load_dir(out)
    # apply order is the file order: waypoint, then routes and policies, then the label switch, then the DENY
    assert list(files) == [
        "030-deploy-waypoints-default-waypoints.yaml",
        "040-migrate-policies-default-gamma-routes.yaml",
        "040-migrate-policies-default-targetref-policies.yaml",
        "050-switch-namespaces-ambient-default-ambient-namespace-labels.yaml",
        "060-remove-sidecar-mode-default-waypoint-bypass-deny.yaml",
    ]
    objs = _all(files)
    for o in objs:
        assert problems(o) == [], o
    gw = next(o for o in objs if o["kind"] == "Gateway")
    assert gw["spec"]["gatewayClassName"] == "istio-waypoint"
    hpa = next(o for o in objs if o["kind"] == "HorizontalPodAutoscaler")
    assert hpa["spec"]["behavior"]["scaleDown"]["stabilizationWindowSeconds"] == 300
    assert any(o["kind"] == "PodDisruptionBudget" for o in objs)
    route = next(o for o in objs if o["kind"] == "HTTPRoute" and o["metadata"]["name"] == "reviews")
    assert route["spec"]["parentRefs"] == [{"group": "", "kind": "Service", "name": "reviews"}]
    # virtual-service-reviews-50-v3.yaml: v1 50, v3 50; the Service port 9080 from bookinfo.yaml
    assert route["spec"]["rules"][0]["backendRefs"] == [
        {"name": "reviews-v1", "port": 9080, "weight": 50},
        {"name": "reviews-v3", "port": 9080, "weight": 50},
    ]
    assert route["metadata"]["annotations"]["mesh-advisor.io/replaces"] == "VirtualService default/reviews"
    services = {o["metadata"]["name"]: o for o in objs if o["kind"] == "Service"}
    assert services["reviews-v3"]["spec"]["selector"] == {"app": "reviews", "version": "v3"}
    assert {"reviews-v1", "reviews-v2", "reviews-v3", "details-v1", "ratings-v1"} <= set(services)
    policies = {o["metadata"]["name"]: o for o in objs if o["kind"] == "AuthorizationPolicy"}
    assert policies["reviews-viewer-waypoint"]["spec"]["targetRefs"] == [
        {"group": "", "kind": "Service", "name": "reviews"}
    ]
    assert "selector" not in policies["reviews-viewer-waypoint"]["spec"]
    deny = policies["deny-waypoint-bypass"]["spec"]
    assert deny["action"] == "DENY"
    assert deny["rules"][0]["from"][0]["source"]["notPrincipals"] == ["cluster.local/ns/default/sa/waypoint"]
    ns = files["050-switch-namespaces-ambient-default-ambient-namespace-labels.yaml"][0]
    assert ns["metadata"]["labels"] == {"istio.io/dataplane-mode": "ambient", "istio.io/use-waypoint": "waypoint"}
    readme = (out / "README.md").read_text()
    assert readme.index("030-deploy-waypoints") < readme.index("040-migrate-policies") < readme.index("050-switch")
    assert "kubectl label namespace default istio-injection-" in readme
    assert "istio.io/ingress-use-waypoint=true" in readme  # the DENY would otherwise reject the ingress gateway
    replaces = next(line for line in readme.splitlines() if "replaces: AuthorizationPolicy" in line)
    assert "AuthorizationPolicy default/reviews-viewer" in replaces


@pytest.mark.slow
def test_a_fault_keeps_its_virtual_service_and_says_why(capsys, tmp_path):
    paths = [*SIDECAR_BOOKINFO[:3], BOOKINFO / "networking/virtual-service-ratings-test-delay.yaml"]
    scan = _scan(capsys, tmp_path, paths)
    out = tmp_path / "out"
    r = invoke(
        capsys,
        "plan",
        scan,
        "--to",
        "istio-ambient",
        "--manifests",
        str(out),
        *_objects_flags(paths),
        "--format",
        "json",
    )
    assert r.rc == 0, r
    assert not [o for o in _all(_load_dir(out)) if o["kind"] == "HTTPRoute"]
    readme = (out / "README.md").read_text()
    assert "`VirtualService default/ratings` `spec.http[0].fault`: Gateway API has no fault injection" in readme


@pytest.mark.slow
def test_sidecar_scoping_writes_valid_sidecars(capsys, tmp_path):
    scan = _scan(capsys, tmp_path, SIDECAR_BOOKINFO)
    out = tmp_path / "out2"
    r = invoke(
        capsys,
        "plan",
        scan,
        "--to",
        "istio-sidecar",
        "--sidecar-scoping",
        "--manifests",
        str(out),
        *_objects_flags(SIDECAR_BOOKINFO),
        "--format",
        "json",
    )
    assert r.rc == 0, r
    files = _load_dir(out)
    assert list(files) == ["030-scope-sidecars-default-sidecar-scoping.yaml"]
    (sidecar,) = files["030-scope-sidecars-default-sidecar-scoping.yaml"]
    assert problems(sidecar) == []
    assert sidecar["kind"] == "Sidecar" and sidecar["apiVersion"] == "networking.istio.io/v1"
    assert sidecar["spec"]["egress"] == [{"hosts": ["./*", "istio-system/*"]}]
    import json

    doc = json.loads(r.out)
    assert any("Scoping saves about" in n for n in doc["plan"]["notes"])
    assert any("no traffic graph" in n for n in doc["plan"]["notes"])


@pytest.mark.slow  # the CRD schemas load once per process (about 0.8 s)
def test_the_schema_check_refuses_an_unknown_field():
    route = {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "r"},
        "spec": {"parentRefs": [{"name": "reviews", "kind": "Service", "group": ""}], "rules": [{"retries": 3}]},
    }
    assert any("retries" in p for p in problems(route))
    sidecar = {
        "apiVersion": "networking.istio.io/v1",
        "kind": "Sidecar",
        "metadata": {"name": "s"},
        "spec": {"egress": [{"hosts": "x"}]},
    }
    assert problems(sidecar)


@pytest.mark.slow
def test_an_existing_directory_with_files_needs_force_and_nothing_is_half_written(capsys, tmp_path):
    scan = _scan(capsys, tmp_path, SIDECAR_BOOKINFO)
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.yaml").write_text("keep: me\n")
    args = [
        "plan",
        scan,
        "--to",
        "istio-ambient",
        "--manifests",
        str(out),
        *_objects_flags(SIDECAR_BOOKINFO),
        "--format",
        "json",
    ]
    r = invoke(capsys, *args)
    assert r.rc == 2 and "--force" in r.err and r.err.count("\n") == 1
    assert [p.name for p in out.iterdir()] == ["mine.yaml"]
    r = invoke(capsys, *args, "--force")
    assert r.rc == 0, r
    assert not (out / "mine.yaml").exists() and (out / "README.md").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_manifests_without_objects_is_refused(capsys, tmp_path):
    r = invoke(
        capsys, "plan", "--current-mesh", "istio-sidecar", "--to", "istio-ambient", "--manifests", str(tmp_path / "o")
    )
    assert r.rc == 2 and "--objects" in r.err


@pytest.mark.slow
def test_linkerd_moves_write_valid_objects(capsys, tmp_path):
    # into Linkerd from the Istio Bookinfo cluster: Servers, MeshTLSAuthentication, AuthorizationPolicy, annotation
    scan = _scan(capsys, tmp_path, SIDECAR_BOOKINFO)
    out = tmp_path / "l"
    r = invoke(
        capsys,
        "plan",
        scan,
        "--to",
        "linkerd",
        "--manifests",
        str(out),
        *_objects_flags(SIDECAR_BOOKINFO),
        "--format",
        "json",
    )
    assert r.rc == 0, r
    objs = _all(_load_dir(out))
    kinds = {o["kind"] for o in objs}
    assert {"Server", "MeshTLSAuthentication", "AuthorizationPolicy", "HTTPRoute", "Namespace"} <= kinds
    for o in objs:
        assert problems(o) == [], o
    auth = next(
        o for o in objs if o["kind"] == "MeshTLSAuthentication" and o["metadata"]["name"] == "reviews-viewer-callers"
    )
    assert auth["spec"]["identities"] == ["bookinfo-productpage.default.serviceaccount.identity.linkerd.cluster.local"]
    ns = next(o for o in objs if o["kind"] == "Namespace")
    assert ns["metadata"]["annotations"] == {"linkerd.io/inject": "enabled"}


@pytest.mark.slow
def test_out_of_linkerd_carries_service_profile_timeouts_and_traffic_split_weights(capsys, tmp_path):
    emoji = FIX / "scan" / "upstream" / "BuoyantIO" / "emojivoto" / "training"
    paths = [emoji / "traffic-split/75-25.yml", emoji / "service_profiles/web-service-profile-with-timeout.yml"]
    out = tmp_path / "o"
    r = invoke(
        capsys,
        "plan",
        "--current-mesh",
        "linkerd",
        "--to",
        "istio-ambient",
        "--manifests",
        str(out),
        *_objects_flags(paths),
        "--format",
        "json",
    )
    assert r.rc == 0, r
    objs = _all(_load_dir(out))
    for o in objs:
        assert problems(o) == [], o
    routes = [o for o in objs if o["kind"] == "HTTPRoute"]
    weights = [
        b["weight"] for o in routes for rule in o["spec"]["rules"] for b in rule.get("backendRefs", ()) if "weight" in b
    ]
    timeouts = [rule["timeouts"]["request"] for o in routes for rule in o["spec"]["rules"] if "timeouts" in rule]
    # 75-25.yml: web-svc 250m, web-svc-2 750m (relative weights, as Gateway API reads them)
    assert weights == [250, 750]
    # web-service-profile-with-timeout.yml: GET /api/vote timeout 500ms
    assert timeouts == ["500ms"]


@pytest.mark.slow
def test_waypoints_spread_over_zones_and_size_for_the_load(capsys, tmp_path):
    # three nodes in two zones; 24,000 rps in default, all of it L7 (an inventory, as a scan with Prometheus writes)
    nodes = tmp_path / "nodes.yaml"
    nodes.write_text(
        "".join(
            f"---\napiVersion: v1\nkind: Node\nmetadata:\n  name: n{i}\n  labels: {{topology.kubernetes.io/zone: {z}}}\n"
            for i, z in enumerate(["eu-1a", "eu-1b", "eu-1a"])
        )
    )
    answers = tmp_path / "answers.toml"
    answers.write_text(
        'current_mesh = "istio-sidecar"\nnodes = 3\n[[namespaces]]\nname = "default"\npods = 6\nrps = 24000.0\nl7 = 1.0\n'
    )
    paths = [*SIDECAR_BOOKINFO, nodes]
    out = tmp_path / "out"
    r = invoke(
        capsys,
        "plan",
        str(answers),
        "--to",
        "istio-ambient",
        "--manifests",
        str(out),
        *_objects_flags(paths),
        "--format",
        "json",
    )
    assert r.rc == 0, r
    import json

    (need,) = json.loads(r.out)["waypoints"]
    # 24,000 L7 rps / 8,000 rps per replica (benchmarks.toml waypoint rps_per_replica) = 3 replicas
    assert (need["driven_by"], need["replicas"], need["zones"]) == ("l7-objects", 3, ["eu-1a", "eu-1b"])
    objs = _all(_load_dir(out))
    for o in objs:
        assert problems(o) == [], o
    gw = next(o for o in objs if o["kind"] == "Gateway")
    assert gw["spec"]["infrastructure"]["parametersRef"] == {
        "group": "",
        "kind": "ConfigMap",
        "name": "waypoint-placement",
    }
    cm = next(o for o in objs if o["kind"] == "ConfigMap")
    spread = yaml.safe_load(cm["data"]["deployment"])["spec"]["template"]["spec"]["topologySpreadConstraints"][0]
    assert spread["topologyKey"] == "topology.kubernetes.io/zone"
    hpa = next(o for o in objs if o["kind"] == "HorizontalPodAutoscaler")
    assert hpa["spec"]["minReplicas"] == 3
    pdb = next(o for o in objs if o["kind"] == "PodDisruptionBudget")
    assert pdb["spec"]["minAvailable"] == 2


def test_an_http_share_alone_does_not_get_a_waypoint():
    from advisor.engine.objects import Cluster
    from advisor.engine.waypoints import plan_waypoints

    cluster = Cluster.of([{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "shop"}}])
    (need,) = plan_waypoints(cluster, ["shop"], {"shop": (500.0, 0.9)}, 8000.0, ha=False)
    assert need.driven_by == "traffic-only" and need.replicas == 0
    assert "90% of its traffic is HTTP but no object needs L7: no waypoint" in need.text


@pytest.mark.slow  # the CRD schemas load once per process (about 0.8 s)
def test_a_virtual_service_with_matches_headers_mirror_timeout_and_retries_translates():
    # in the shape of Istio's VirtualService reference examples (istio.io reference/config/networking/virtual-service)
    from advisor.engine.objects import Cluster
    from advisor.engine.translate_routes import virtual_service_routes

    svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "reviews", "namespace": "shop"},
        "spec": {"ports": [{"name": "http", "port": 9080}]},
    }
    vs = {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {"name": "reviews-route", "namespace": "shop"},
        "spec": {
            "hosts": ["reviews.shop.svc.cluster.local"],
            "http": [
                {
                    "match": [{"uri": {"prefix": "/wpcatalog"}, "headers": {"end-user": {"exact": "jason"}}}],
                    "rewrite": {"uri": "/newcatalog"},
                    "headers": {"request": {"set": {"x-version": "v2"}}, "response": {"remove": ["foo"]}},
                    "route": [{"destination": {"host": "reviews", "subset": "v2"}}],
                    "mirror": {"host": "reviews", "subset": "v3"},
                    "mirrorPercentage": {"value": 50.0},
                    "timeout": "1.5s",
                    "retries": {"attempts": 3, "perTryTimeout": "2s"},
                },
                {"route": [{"destination": {"host": "reviews", "subset": "v1"}}]},
            ],
        },
    }
    (route,), gaps = virtual_service_routes(Cluster.of([svc, vs]), vs)
    assert problems(route) == []
    rule = route["spec"]["rules"][0]
    assert rule["matches"] == [
        {
            "path": {"type": "PathPrefix", "value": "/wpcatalog"},
            "headers": [{"type": "Exact", "name": "end-user", "value": "jason"}],
        }
    ]
    kinds = [f["type"] for f in rule["filters"]]
    assert kinds == ["RequestHeaderModifier", "ResponseHeaderModifier", "RequestMirror", "URLRewrite"]
    assert rule["filters"][2]["requestMirror"] == {"backendRef": {"name": "reviews-v3", "port": 9080}, "percent": 50}
    assert rule["timeouts"] == {"request": "1500ms"}  # Gateway API durations have no fractions
    assert rule["backendRefs"] == [{"name": "reviews-v2", "port": 9080}]
    assert route["spec"]["parentRefs"] == [{"group": "", "kind": "Service", "name": "reviews"}]
    assert [g.field for g in gaps] == ["spec.http[0].retries"]


@pytest.mark.slow
def test_linkerd_authorization_becomes_istio_allow_policies(capsys, tmp_path):
    # linkerd/linkerd2 test/integration/viz/policy/testdata/emoji-policy.yaml (upstream copy)
    policy = (
        FIX / "scan" / "upstream" / "linkerd" / "linkerd2" / "test/integration/viz/policy/testdata/emoji-policy.yaml"
    )
    out = tmp_path / "o"
    r = invoke(
        capsys,
        "plan",
        "--current-mesh",
        "linkerd",
        "--to",
        "istio-ambient",
        "--manifests",
        str(out),
        "--objects",
        str(policy),
    )
    assert r.rc == 0, r
    objs = {o["metadata"]["name"]: o for o in _all(_load_dir(out)) if o["kind"] == "AuthorizationPolicy"}
    for o in objs.values():
        assert problems(o) == [], o
    # ServerAuthorization voting-grpc: meshTLS serviceAccounts [web] -> the principal of web in the Server's namespace
    voting = objs["voting-grpc-from-linkerd"]["spec"]
    assert voting["selector"] == {"matchLabels": {"app": "voting-svc"}}
    assert voting["rules"] == [{"from": [{"source": {"principals": ["cluster.local/ns/default/sa/web"]}}]}]
    # a wildcard identity over a namespace (*.linkerd-stat-authz-test.serviceaccount...) -> source.namespaces
    assert objs["emoji-grpc-from-linkerd"]["spec"]["rules"][0]["from"][0]["source"] == {
        "namespaces": ["linkerd-stat-authz-test"]
    }
    readme = (out / "README.md").read_text()
    assert "named port 'grpc'" in readme


def test_a_hostile_namespace_never_names_a_file(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        'apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: "../../etc"}\nspec: {selector: {app: a}, ports: [{port: 80}]}\n'
    )
    out = tmp_path / "sub" / "out"
    out.parent.mkdir()
    r = invoke(
        capsys,
        "plan",
        "--current-mesh",
        "istio-sidecar",
        "--to",
        "linkerd",
        "--manifests",
        str(out),
        "--objects",
        str(bad),
    )
    assert r.rc == 2
    assert r.err.strip() == (
        "mesh-advisor: --objects: namespace '../../etc' is not a Kubernetes namespace name "
        "(a DNS-1123 label: lower-case letters, digits and '-', at most 63 characters)"
    )
    assert list(tmp_path.rglob("*")) == [bad, out.parent]


def test_an_existing_output_file_stops_the_manifests_too(capsys, tmp_path):
    plan = tmp_path / "plan.toml"
    plan.write_text("keep = true\n")
    out = tmp_path / "out"
    r = invoke(
        capsys,
        "plan",
        "--current-mesh",
        "istio-sidecar",
        "--to",
        "linkerd",
        "--manifests",
        str(out),
        "--objects",
        str(SIDECAR_BOOKINFO[1]),
        "-o",
        str(plan),
    )
    assert r.rc == 2 and "--force" in r.err
    assert not out.exists() and plan.read_text() == "keep = true\n"


def test_the_catalog_knows_every_manifest_generator_and_no_other():
    # data validate checks generator names against the catalog's list without importing the engine
    from advisor.catalog.models import MANIFEST_GENERATORS
    from advisor.engine.manifests import GENERATORS

    assert sorted(MANIFEST_GENERATORS) == sorted(GENERATORS)
