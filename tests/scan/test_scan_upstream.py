"""`mesh-advisor scan` (and `plan`) on real upstream manifests: Istio, Linkerd, emojivoto, Online Boutique.

Every file under tests/fixtures/scan/upstream/<owner>/<repo>/<path> is a copy of the upstream file at the
commit tests/README.md names (or, where it says so, a cut of one). Each test pins what a user sees for
one fix to the data (signals.toml, migrations.toml) or to the scan that reads it.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from test_scan_files import findings, namespaces, scan_json

UP = Path(__file__).parent.parent / "fixtures" / "scan" / "upstream"
ISTIO = UP / "istio" / "istio"
LINKERD = UP / "linkerd" / "linkerd2"
EMOJIVOTO = UP / "BuoyantIO" / "emojivoto"
BOUTIQUE = UP / "GoogleCloudPlatform" / "microservices-demo" / "release"


def signal_ids(doc: dict) -> set[str]:
    return {f["signal"] for f in doc["scan"]["findings"]}


# ---------------------------------------------------------------- 1. gateway pods are not sidecars


def test_istio_gateway_and_waypoint_pods_are_not_counted_as_sidecar_workloads(cli):
    doc = scan_json(
        cli,
        # injected by `istioctl kube-inject` with the gateway template (namespace unset: default)
        str(ISTIO / "pkg/kube/inject/testdata/inject/gateway.yaml.injected"),
        # what istiod deploys for a Gateway API Gateway: class istio-waypoint and class istio
        str(ISTIO / "pilot/pkg/config/kube/gatewaycommon/testdata/deployment/waypoint.yaml"),
        str(ISTIO / "pilot/pkg/config/kube/gatewaycommon/testdata/deployment/simple.yaml"),
        # an ambient namespace with one captured pod (ambient.istio.io/redirection: enabled)
        str(ISTIO / "pkg/config/analysis/analyzers/testdata/sidecar-default-selector.yaml"),
    )
    ns = namespaces(doc)
    # three gateway pods (one each): their istio-proxy is the gateway, so no mesh counts them
    assert (ns["default"]["pods"], ns["default"]["meshed_by"], ns["default"]["meshed_pods"]) == (3, "none", 0)
    assert (ns["ns-ambient"]["meshed_by"], ns["ns-ambient"]["meshed_pods"]) == ("istio-ambient", 1)
    # the ambient pod is the only meshed one: the cluster reads as ambient, not as sidecars
    assert doc["answers"]["current_mesh"] == "istio-ambient"
    assert not {"pod-istio-proxy", "pod-istio-status", "pod-istio-inject-label"} & signal_ids(doc)
    (gw,) = findings(doc, "pod-istio-gateway")
    assert gw["count"] == 3 and gw["kind"] == "Deployment"


# ---------------------------------------------------------------- 2. injection precedence


def test_namespace_injection_precedence_follows_istio(cli):
    doc = scan_json(
        cli,
        str(ISTIO / "pkg/config/analysis/analyzers/testdata/injection.yaml"),
        str(ISTIO / "pkg/config/analysis/analyzers/testdata/sidecar-default-selector.yaml"),
    )
    ns = namespaces(doc)
    # istio-injection=disabled with istio.io/rev: not injected (the rev webhook needs istio-injection absent)
    assert ns["not-conflict-ns-2"]["meshed_by"] == "none"
    assert "not-conflict-ns-2" not in {f["namespace"] for f in findings(doc, "ns-istio-rev")}
    # istio-injection=enabled (or istio.io/rev) with dataplane-mode=ambient: sidecar injection wins
    for name in ("multi-ns-2", "multi-ns-3", "ns-not-ambient", "ns-not-ambient-rev"):
        assert ns[name]["meshed_by"] == "istio-sidecar", name
    assert sorted(f["namespace"] for f in findings(doc, "ns-istio-ambient")) == [
        "ambient",
        "not-conflict-ns-1",
        "ns-ambient",
    ]
    # disabled injection does not stop ambient
    assert ns["not-conflict-ns-1"]["meshed_by"] == "istio-ambient"


# ---------------------------------------------------------------- 3. Gateway API Gateways


def test_gateway_api_gateways_istio_class_and_waypoints(cli):
    app = ISTIO / "samples/ambient-argo/application"
    doc = scan_json(
        cli,
        str(app / "details-waypoint.yaml"),
        str(app / "reviews-waypoint.yaml"),
        str(app / "ingress-gateway.yaml"),
        str(ISTIO / "samples/bookinfo/gateway-api/bookinfo-gateway.yaml"),
    )
    waypoints = findings(doc, "gateway-api-istio-waypoint")
    assert sorted(f["name"] for f in waypoints) == ["bookinfo-details", "bookinfo-reviews"]
    assert all(f["field"] == "spec.gatewayClassName" and "capability" not in f for f in waypoints)
    ingress = findings(doc, "gateway-api-istio-gateway")
    # ingress-gateway.yaml and bookinfo-gateway.yaml both define Gateway bookinfo-gateway (no
    # namespace: applied to default): one object, counted once, with a warning
    assert [(f["namespace"], f["name"]) for f in ingress] == [("default", "bookinfo-gateway")]
    assert any("Gateway default/bookinfo-gateway (2 times" in w for w in doc["scan"]["warnings"])
    # an ingress Gateway is served by an ingress (the target's can take it over): gateway-scoped
    # evidence, not a mesh capability in use
    assert "ingress-gateway" not in doc["answers"]["in_use"]
    caps = {c["id"]: c for c in doc["scan"]["capabilities"]}
    assert caps["ingress-gateway"]["scope"] == "gateway"
    assert caps["ingress-gateway"]["signals"] == ["gateway-api-istio-gateway"]


# ---------------------------------------------------------------- 4. resources and fields the scan missed


def test_linkerd_server_authorization_service_profiles_and_smi_traffic_split(cli):
    doc = scan_json(
        cli,
        str(LINKERD / "test/integration/viz/policy/testdata/emoji-policy.yaml"),
        str(EMOJIVOTO / "training/service-profiles/web-service-profile-with-retry-budget.yml"),
        str(EMOJIVOTO / "training/service_profiles/web-service-profile-with-timeout.yml"),
        str(EMOJIVOTO / "training/traffic-split/75-25.yml"),
    )
    authz = findings(doc, "linkerd-server-authorization")
    assert [(f["name"], f["detail"], f["capability"]) for f in authz] == [
        ("emoji-grpc", "emoji-grpc", "l4-authz"),
        ("voting-grpc", "voting-grpc", "l4-authz"),
        ("web-public", "web-http", "l4-authz"),
    ]
    # the two training files are two versions of one ServiceProfile: the evidence is their union,
    # each finding naming its file
    retries = findings(doc, "linkerd-service-profile-retries")
    assert [(f["field"], Path(f["file"]).name) for f in retries] == [
        ("spec.routes[0].isRetryable", "web-service-profile-with-retry-budget.yml"),
        ("spec.routes[1].isRetryable", "web-service-profile-with-timeout.yml"),
    ]
    (timeout,) = findings(doc, "linkerd-service-profile-timeout")
    assert timeout["field"] == "spec.routes[1].timeout"
    assert any(
        "ServiceProfile emojivoto/web-svc.emojivoto.svc.cluster.local (2 times" in w for w in doc["scan"]["warnings"]
    )
    budget = scan_json(cli, str(EMOJIVOTO / "training/service-profiles/web-service-profile-with-retry-budget.yml"))
    retries = findings(budget, "linkerd-service-profile-retries")
    assert [f["field"] for f in retries] == ["spec.routes[0].isRetryable"]  # one finding per object: the first field
    (split,) = findings(doc, "smi-traffic-split")
    assert (split["namespace"], split["name"], split["detail"]) == ("emojivoto", "web-svc-ts", "web-apex")
    assert set(doc["answers"]["in_use"]) == {"l4-authz", "traffic-splitting", "retries-timeouts"}


def test_linkerd_plan_to_istio_reworks_the_new_linkerd_objects(cli, tmp_path):
    out = tmp_path / "cluster.toml"
    rc, _, err = cli(
        "scan",
        str(LINKERD / "test/integration/viz/policy/testdata/emoji-policy.yaml"),
        str(EMOJIVOTO / "training/service_profiles/web-service-profile-with-timeout.yml"),
        str(EMOJIVOTO / "training/traffic-split/75-25.yml"),
        "-o",
        str(out),
    )
    assert rc == 0, err
    rc, stdout, err = cli("plan", str(out), "--current-mesh", "linkerd", "--to", "istio-sidecar", "--format", "json")
    assert rc == 0, err
    plan = json.loads(stdout)
    rework = {r["id"]: r for r in plan["rework"]}
    assert "ServerAuthorization default/web-public" in {  # no namespace in the file: default
        f"{o['kind']} {o['namespace']}/{o['name']}" for o in rework["linkerd-policy-to-istio"]["objects"]
    }
    assert [o["name"] for o in rework["linkerd-service-profile-to-istio"]["objects"]] == [
        "web-svc.emojivoto.svc.cluster.local"
    ]
    assert [o["name"] for o in rework["smi-traffic-split-to-httproute"]["objects"]] == ["web-svc-ts"]
    assert plan["unrecognised"] == []


def test_the_live_scan_lists_gateway_api_gateways_and_the_new_kinds():
    from advisor.catalog.load import load_catalog
    from advisor.scan.signals import bundled_signals

    resources = set(bundled_signals(load_catalog(None).feature_ids).resources)
    assert {
        ("Gateway", "gateway.networking.k8s.io", "gateways"),
        ("ServerAuthorization", "policy.linkerd.io", "serverauthorizations"),
        ("ServiceProfile", "linkerd.io", "serviceprofiles"),
        ("TrafficSplit", "split.smi-spec.io", "trafficsplits"),
    } <= resources


def test_spire_through_istio_injection_templates(cli):
    doc = scan_json(
        cli,
        str(ISTIO / "samples/security/spire/curl-spire.yaml"),
        str(ISTIO / "pkg/kube/inject/testdata/inject/gateway-spire.yaml.injected"),
    )
    # curl (the spiffe.io/spire-managed-identity label) and the gateway (inject.istio.io/templates
    # gateway,spire): pod findings are one per namespace, with the count they stand for
    (spire,) = findings(doc, "spire-istio-template")
    assert (spire["namespace"], spire["count"]) == ("default", 2)
    assert "spire" in doc["answers"]["in_use"]


def test_spire_pods_block_a_move_to_ambient(cli, tmp_path):
    out = tmp_path / "cluster.toml"
    rc, _, err = cli("scan", str(ISTIO / "samples/security/spire/curl-spire.yaml"), "-o", str(out))
    assert rc == 0, err
    rc, stdout, err = cli(
        "plan", str(out), "--current-mesh", "istio-sidecar", "--to", "istio-ambient", "--format", "json"
    )
    assert rc == 0, err
    blockers = {b["id"]: b for b in json.loads(stdout)["blockers"]}
    assert [o["name"] for o in blockers["ambient-spire"]["objects"]] == ["curl"]


def test_virtual_service_without_headers_is_header_routing(cli):
    doc = scan_json(cli, str(ISTIO / "tests/integration/pilot/common/routing.go.without-headers.yaml"))
    (match,) = findings(doc, "vs-header-match")
    assert match["field"] == "spec.http[0].match[0].withoutHeaders"
    assert set(doc["answers"]["in_use"]) == {"header-routing", "fault-injection"}


def test_destination_rule_port_level_connection_pool_and_istio_mutual(cli):
    doc = scan_json(
        cli,
        str(ISTIO / "samples/multicluster/expose-istiod-https.yaml"),
        str(ISTIO / "samples/bookinfo/networking/destination-rule-all-mtls.yaml"),
    )
    (pool,) = findings(doc, "dr-outlier-detection")
    assert (pool["name"], pool["field"]) == ("istiod-dr", "spec.trafficPolicy.portLevelSettings[0].connectionPool")
    mutual = findings(doc, "dr-tls-istio-mutual")
    assert sorted(f["name"] for f in mutual) == ["details", "productpage", "ratings", "reviews"]
    assert all(f["field"] == "spec.trafficPolicy.tls.mode" for f in mutual)
    assert {"circuit-breaking", "mtls"} <= set(doc["answers"]["in_use"])


def test_envoy_filter_wasm_through_ecds(cli):
    doc = scan_json(cli, str(ISTIO / "pilot/pkg/xds/testdata/ecds.yaml"))
    (wasm,) = findings(doc, "envoy-filter-wasm")
    assert wasm["field"] == "spec.configPatches[0].patch.value.typed_config.type_url"
    assert doc["answers"]["in_use"] == ["wasm"]


# ---------------------------------------------------------------- 5. a first install cites its own mesh


def _first_install_plan(cli, tmp_path, target: str) -> tuple[dict, str]:
    out = tmp_path / "boutique.toml"
    rc, _, err = cli("scan", str(BOUTIQUE), "-o", str(out))
    assert rc == 0, err
    assert tomllib.loads(out.read_text())["answers"]["current_mesh"] == "none"
    rc, stdout, err = cli("plan", str(out), "--to", target, "--format", "json")
    assert rc == 0, err
    rc, text, err = cli("plan", str(out), "--to", target)
    assert rc == 0, err
    return json.loads(stdout), text


def test_first_install_of_linkerd_cites_linkerd(cli, tmp_path):
    plan, text = _first_install_plan(cli, tmp_path, "linkerd")
    assert plan["plan"]["move"]["source"].startswith("https://linkerd.io/")
    assert [(p["title"], p["source"].split("/")[2]) for p in plan["phases"]] == [
        ("Install the mesh", "linkerd.io"),
        ("Switch namespaces one at a time", "linkerd.io"),
    ]
    sources = text[text.index("Sources:") :]
    assert "istio.io/latest/docs/setup/getting-started" not in sources


def test_first_install_of_istio_ambient_cites_istio_ambient(cli, tmp_path):
    plan, text = _first_install_plan(cli, tmp_path, "istio-ambient")
    assert plan["plan"]["move"]["source"] == "https://istio.io/latest/docs/ambient/getting-started/"
    assert [(p["title"], p["source"]) for p in plan["phases"]] == [
        ("Install the mesh", "https://istio.io/latest/docs/ambient/getting-started/"),
        (
            "Deploy waypoints where L7 is needed",
            "https://istio.io/latest/docs/ambient/migrate/install-ambient-components/",
        ),
        ("Switch namespaces one at a time", "https://istio.io/latest/docs/ambient/usage/add-workloads/"),
    ]
    assert "linkerd.io" not in text[text.index("Sources:") :]


def test_first_install_of_istio_sidecar_cites_istio(cli, tmp_path):
    plan, text = _first_install_plan(cli, tmp_path, "istio-sidecar")
    assert plan["plan"]["move"]["id"] == "first-install"
    assert [p["source"] for p in plan["phases"]] == [
        "https://istio.io/latest/docs/setup/getting-started/",
        "https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/",
    ]
    assert "linkerd.io/2-edge/tasks/adding-your-service" not in text


def test_a_gateway_s_envoy_filter_and_wasm_plugin_are_no_waypoint_concern(cli, tmp_path):
    """Bookinfo's rate-limit EnvoyFilters and Istio's WasmPlugin example select the ingress gateway
    (`istio: ingressgateway`): gateways stay Envoy deployments in ambient, so a move to ambient
    neither blocks on them nor re-attaches them to waypoints; a move to Linkerd still blocks."""
    out = tmp_path / "cluster.toml"
    rc, _, err = cli(
        "scan",
        str(ISTIO / "samples/bookinfo/policy/productpage_envoy_ratelimit.yaml"),
        str(ISTIO / "pkg/test/datasets/validation/dataset/extensions-v1alpha1-WasmPlugin.yaml"),
        "-o",
        str(out),
    )
    assert rc == 0, err

    def plan(target: str) -> dict:
        rc, stdout, err = cli("plan", str(out), "--current-mesh", "istio-sidecar", "--to", target, "--format", "json")
        assert rc == 0, err
        return json.loads(stdout)

    ambient = plan("istio-ambient")
    raised = {i["id"] for section in ("blockers", "rework", "gaps") for i in ambient[section]}
    assert not raised & {"ambient-envoyfilter-waypoint", "wasm-to-waypoint", "policy-targets-missing-waypoint"}
    linkerd = plan("linkerd")
    blockers = {b["id"]: b for b in linkerd["blockers"]}
    assert sorted(o["name"] for o in blockers["linkerd-envoyfilter"]["objects"]) == [
        "filter-ratelimit",
        "filter-ratelimit-svc",
    ]
    assert [o["name"] for o in blockers["linkerd-wasm"]["objects"]] == ["valid"]
