"""`mesh-advisor scan PATH ...`: manifests and dumps in, an answers file with evidence out.

Fixtures under tests/fixtures/scan/ are written in the shapes of upstream samples (each file's
header names the sample and its licence; see tests/README.md).
"""

from __future__ import annotations

import importlib.util
import io
import json
import sys
import tomllib
from pathlib import Path

import pytest

from advisor.scan.sources import read_sources

from advisor.catalog.load import load_catalog
from advisor.answers.registry import BY_KEY
from advisor.scan import files as scan_files_module
from advisor.scan.signals import bundled_signals, load_signals

FIX = Path(__file__).parent.parent / "fixtures" / "scan"
REPO = Path(__file__).parent.parent.parent


def gen_cluster():
    spec = importlib.util.spec_from_file_location("gen_cluster", REPO / "bench" / "gen_cluster.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def scan_json(cli, *args: str) -> dict:
    rc, out, err = cli("scan", *args, "--format", "json")
    assert rc == 0, err
    return json.loads(out)


def namespaces(doc: dict) -> dict[str, dict]:
    return {n["name"]: n for n in doc["scan"]["namespaces"]}


def findings(doc: dict, signal: str) -> list[dict]:
    return [f for f in doc["scan"]["findings"] if f["signal"] == signal]


# ---------------------------------------------------------------- what is found


def test_bookinfo_directory_istio_sidecar_capabilities_with_evidence(cli):
    doc = scan_json(cli, str(FIX / "bookinfo"))
    assert doc["meta"]["source"] == "files" and doc["meta"]["files"] == 2
    ns = namespaces(doc)["bookinfo"]
    # details 1 + ratings 1 + reviews v1 1 + v2 2 + v3 1 + productpage 1 = 7 pods from replicas
    assert ns["pods"] == 7
    assert ns["meshed_by"] == "istio-sidecar"  # the Namespace's istio-injection=enabled
    # four Services, each one port named "http": 4 of 4 ports are L7
    assert ns["l7"] == 1.0 and ns["l7_basis"] == "estimated"
    assert doc["answers"]["current_mesh"] == "istio-sidecar"
    assert doc["answers"]["in_use"] == [
        "mtls",
        "l4-authz",
        "l7-authz",
        "header-routing",
        "traffic-splitting",
        "retries-timeouts",
        "fault-injection",
    ]
    (delay,) = findings(doc, "vs-fault-delay")
    assert delay == {
        "signal": "vs-fault-delay",
        "kind": "VirtualService",
        "namespace": "bookinfo",
        "name": "ratings",
        "field": "spec.http[0].fault.delay",
        "capability": "fault-injection",
        "file": str(FIX / "bookinfo" / "networking.yaml"),
    }
    (weighted,) = findings(doc, "vs-weighted-route")
    assert (weighted["name"], weighted["field"]) == ("reviews", "spec.http[0].route")
    # the GET-only policy needs L7; the principals-only one is L4 and is not also called L7
    assert [f["name"] for f in findings(doc, "authz-l7")] == ["productpage-viewer"]
    assert [f["name"] for f in findings(doc, "authz-l4")] == ["ratings-from-reviews"]
    assert findings(doc, "dr-subsets")[0]["field"] == "spec.subsets"
    caps = {c["id"]: c for c in doc["scan"]["capabilities"]}
    assert caps["fault-injection"]["evidence"] == [
        {
            "kind": "VirtualService",
            "namespace": "bookinfo",
            "name": "ratings",
            "field": "spec.http[0].fault.delay",
            "file": str(FIX / "bookinfo" / "networking.yaml"),
            "signal": "vs-fault-delay",
            "scope": "mesh",
        }
    ]
    # in use is evidence, never a must-have: the scan writes no `require`
    assert caps["fault-injection"]["scope"] == "mesh" and "require" not in doc["answers"]
    assert doc["scan"]["complete"] is True and doc["scan"]["warnings"] == []


def test_emojivoto_is_linkerd_with_policy_signals(cli):
    doc = scan_json(cli, str(FIX / "emojivoto.yml"))
    ns = namespaces(doc)["emojivoto"]
    assert (ns["pods"], ns["meshed_by"]) == (4, "linkerd")  # emoji, voting, web, vote-bot: 1 replica each
    # ports: emoji grpc+prom, voting grpc+prom, web http -> 3 of 5 L7
    assert ns["l7"] == 0.6
    assert doc["answers"]["in_use"] == ["l4-authz", "l7-authz", "rate-limiting"]
    # The Server-targeted policy is L4; the HTTPRoute-targeted one is L7 and only L7.
    assert [f["name"] for f in findings(doc, "linkerd-authorization-policy")] == ["voting-grpc"]
    assert [f["name"] for f in findings(doc, "linkerd-authz-route")] == ["web-route-authn"]
    assert findings(doc, "linkerd-server")[0]["detail"] == "gRPC"
    assert findings(doc, "linkerd-httproute")[0]["name"] == "web-route"


def test_helm_rendered_output_with_empty_documents_hpa_daemonset(cli):
    doc = scan_json(cli, str(FIX / "boutique-helm.yaml"))
    ns = namespaces(doc)["boutique"]
    # cartservice (no replicas field) 1 + redis-cart 1 + frontend max(2, HPA min 3) = 3
    # + log-agent DaemonSet 1 (no nodes in the input) = 6; with the HPA at its max 10: 13.
    # The CronJob's pods come and go: not counted.
    assert ns["pods"] == 6 and ns["pods_range"] == [6, 13]
    assert ns["meshed_by"] == "none"
    # ports grpc, tcp-redis, http: 2 of 3 are L7
    assert ns["l7"] == 0.667
    assert any("DaemonSet boutique/log-agent" in w for w in doc["scan"]["warnings"])
    assert doc["answers"]["in_use"] == ["header-routing", "traffic-splitting", "traffic-mirroring", "gateway-api"]
    assert findings(doc, "httproute-mirror")[0]["field"] == "spec.rules[0].filters[0].type"
    assert findings(doc, "httproute-extension-ref")[0]["detail"] == "LuaFilter"
    assert findings(doc, "httproute-header-modifier")[0]["field"] == "spec.rules[0].filters[1].type"


def test_istio_policies_and_extensions(cli):
    doc = scan_json(cli, str(FIX / "istio-policies.yaml"))
    got = set(doc["answers"]["in_use"])
    assert got == {
        "mtls",
        "l7-authz",
        "jwt-auth",
        "ext-authz",
        "spire",
        "egress-control",
        "circuit-breaking",
        "rate-limiting",
        "vm-workloads",
        "wasm",
        "locality-lb",
        "session-affinity",
    }
    # EnvoyFilter: the finding names what it patches; the rate-limit filter is the capability
    (ef,) = findings(doc, "envoy-filter")
    assert ef["detail"] == "envoy.filters.http.local_ratelimit, envoy.filters.http.lua"
    assert findings(doc, "envoy-filter-rate-limit")[0]["field"] == "spec.configPatches[0].patch.value.name"
    assert findings(doc, "envoy-filter-lua")[0]["field"] == "spec.configPatches[1].patch.value.name"
    # a port-level DISABLE under a STRICT default: both are reported (DISABLE blocks ambient)
    assert findings(doc, "peer-auth-disable")[0]["field"] == 'spec.portLevelMtls["8080"].mode'
    assert findings(doc, "peer-auth-strict")[0]["field"] == "spec.mtls.mode"
    # CUSTOM with paths: ext-authz, and the path match is L7 too
    assert findings(doc, "authz-custom")[0]["detail"] == "sample-ext-authz-grpc"
    assert [f["name"] for f in findings(doc, "authz-l7")] == ["ext-authz"] and not findings(doc, "authz-l4")
    assert findings(doc, "request-authentication")[0]["detail"] == "testing@secure.istio.io"
    assert findings(doc, "sidecar-resource")[0]["detail"] == "REGISTRY_ONLY"
    assert findings(doc, "spire")[0]["name"] == "istio" and findings(doc, "spire")[0]["namespace"] == ""


def test_kubectl_dump_counts_pods_as_they_are_and_reads_nodes(tmp_path, cli):
    dump = tmp_path / "cluster.json"
    gen_cluster().write(300, str(dump))
    doc = scan_json(cli, str(dump))
    # 300 pods in 6 namespaces of 50: team-0000..0005 (istio x6 by the generator's rotation)
    ns = namespaces(doc)
    assert sorted(ns) == [f"team-{i:04d}" for i in range(6)]
    assert all(n["meshed_by"] == "istio-sidecar" and n["pods"] == 50 for n in ns.values())
    # 300 // 30 = 10 nodes, alternating m6i.2xlarge (7.91 vCPU) and m6i.4xlarge (15.89 vCPU)
    assert doc["answers"]["nodes"] == 10
    nodes = doc["scan"]["nodes"]
    assert nodes["vcpu_allocatable_mean"] == pytest.approx((5 * 7.91 + 5 * 15.89) / 10)
    assert nodes["zones"] == {"us-east-1a": 4, "us-east-1b": 3, "us-east-1c": 3}
    assert doc["scan"]["platform"]["id"] == "eks"
    assert doc["answers"]["platform"] == "eks"  # issue 11's answer, from the nodes' eks.amazonaws.com/nodegroup label
    # pod findings are one per namespace and signal, with the count they stand for
    status = findings(doc, "pod-istio-status")
    assert len(status) == 6 and all(f["count"] == 50 for f in status)
    assert status[0]["field"] == 'metadata.annotations["sidecar.istio.io/status"]'


@pytest.mark.slow
def test_native_sidecar_and_completed_pods(tmp_path, cli):
    gen = gen_cluster()
    dump = tmp_path / "cluster.json"
    gen.write(500, str(dump))  # namespaces 8 (unmeshed, with one Completed pod) and 9 (Linkerd native sidecars)
    doc = scan_json(cli, str(dump))
    ns = namespaces(doc)
    assert ns["team-0009"]["meshed_by"] == "linkerd" and ns["team-0009"]["meshed_pods"] == 50
    assert findings(doc, "pod-linkerd-native-sidecar")[0]["field"].startswith("spec.initContainers[0].name")
    assert ns["team-0008"]["pods"] == 49 and ns["team-0008"]["meshed_by"] == "none"
    assert "1 completed pods (Succeeded or Failed) are not counted" in doc["scan"]["warnings"]
    assert doc["scan"]["totals"]["current_mesh"] == "istio-sidecar"  # 400 sidecar pods against 50 Linkerd
    assert any(
        w.startswith("more than one mesh in use: istio-sidecar (400 pods), linkerd (50 pods)")
        for w in doc["scan"]["warnings"]
    )


def test_streamed_json_equals_whole_json_at_any_chunk_size(tmp_path, monkeypatch):
    """The streaming reader must see exactly what json.load sees, wherever the chunks are cut."""
    gen = gen_cluster()
    dump = tmp_path / "c.json"
    gen.write(10, str(dump))
    expected = json.loads(dump.read_text())["items"]
    for chunk in (333, 4096, 1 << 24):
        monkeypatch.setattr(scan_files_module, "CHUNK_BYTES", chunk)
        report = scan_files_module.FileReport()
        got = [obj for obj, _ in read_sources([str(dump)], None, report)]
        assert got == expected, chunk


def test_typed_api_list_items_get_their_kind(tmp_path, cli):
    # the API's own PodList (as curl or `kubectl get --raw` return it): items carry no kind
    raw = {
        "kind": "PodList",
        "apiVersion": "v1",
        "metadata": {},
        "items": [
            {
                "metadata": {"name": "a", "namespace": "shop", "annotations": {"sidecar.istio.io/status": "{}"}},
                "spec": {"containers": []},
                "status": {"phase": "Running"},
            },
        ],
    }
    path = tmp_path / "pods.json"
    path.write_text(json.dumps(raw))
    doc = scan_json(cli, str(path))
    assert namespaces(doc)["shop"]["meshed_by"] == "istio-sidecar"


def test_stdin(cli, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO((FIX / "emojivoto.yml").read_bytes())))
    doc = scan_json(cli, "-")
    assert namespaces(doc)["emojivoto"]["pods"] == 4


def test_output_file_is_an_answers_file_recommend_reads(tmp_path, cli):
    out = tmp_path / "cluster.toml"
    rc, _, err = cli("scan", str(FIX), "-o", str(out))
    assert rc == 0, err
    doc = tomllib.loads(out.read_text())
    assert doc["scan"]["complete"] is True and doc["meta"]["source"] == "files"
    rc, stdout, err = cli("recommend", str(out), "--format", "json")
    assert rc == 0, err
    rec = json.loads(stdout)
    assert rec["answers"]["in_use"] == doc["answers"]["in_use"]
    assert "traffic-mirroring" in rec["answers"]["in_use"]
    # bookinfo's 7 sidecar pods outnumber emojivoto's 4 Linkerd ones: the decision starts from Istio sidecar
    assert rec["answers"]["current_mesh"] == doc["answers"]["current_mesh"] == "istio-sidecar"


def test_markdown_and_table_views(cli):
    rc, out, err = cli("scan", str(FIX / "bookinfo"), "--format", "md")
    assert rc == 0, err
    assert "| fault-injection | vs-fault-delay | VirtualService bookinfo/ratings spec.http\\[0\\].fault.delay |" in out
    rc, out, err = cli("scan", str(FIX / "bookinfo"))
    assert rc == 0, err
    assert "fault-injection" in out and "istio-sidecar" in out


def test_hide_names_is_stable_and_leaks_no_name(cli):
    first = scan_json(cli, str(FIX / "bookinfo"), "--hide-names")
    second = scan_json(cli, str(FIX / "bookinfo"), "--hide-names")
    assert first["scan"]["findings"] == second["scan"]["findings"]
    text = json.dumps({k: first[k] for k in ("answers", "scan")})
    for name in ("bookinfo", "ratings", "reviews", "productpage-viewer"):
        assert name not in text
    (delay,) = findings(first, "vs-fault-delay")
    assert (
        delay["namespace"].startswith("h-")
        and delay["name"].startswith("h-")
        and delay["field"] == "spec.http[0].fault.delay"
    )
    assert first["meta"]["hide_names"] is True


# ---------------------------------------------------------------- the signals are data


def test_every_signal_capability_is_a_feature_and_protocol_ids_exist():
    catalog = load_catalog(None)
    signals = bundled_signals(catalog.feature_ids)  # raises if a capability is unknown
    ids = set(signals.by_id())
    protocol = (
        "virtual-service vs-fault-delay vs-fault-abort vs-mirror vs-weighted-route vs-header-match vs-retries "
        "vs-timeout vs-delegate destination-rule dr-subsets envoy-filter wasm-plugin workload-entry workload-group "
        "linkerd-external-workload istio-remote-secret linkerd-link authz-l7 authz-custom authz-l4 "
        "request-authentication peer-auth-disable peer-auth-permissive peer-auth-strict sidecar-resource "
        "service-entry spire linkerd-server linkerd-authorization-policy linkerd-httproute linkerd-rate-limit "
        "httproute httproute-weighted httproute-mirror httproute-header-modifier httproute-extension-ref "
        "httproute-header-match grpcroute"
    ).split()
    assert sorted(set(protocol) - ids) == []


def test_a_new_signal_is_a_data_edit(tmp_path):
    from advisor.scan.infer import Scanner
    from advisor.scan.result import build

    data = (REPO / "data" / "signals.toml").read_text()
    data += """
[[signals]]
id = "vs-cors-test"
kind = "VirtualService"
groups = ["networking.istio.io"]
match = [{ path = "spec.http[].corsPolicy.allowOrigins", min_items = 1 }]
capability = "header-routing"
text = "test"
source = "test"
version = "test"
"""
    path = tmp_path / "signals.toml"
    path.write_text(data)
    catalog = load_catalog(None)
    scanner = Scanner(load_signals(path, catalog.feature_ids))
    scanner.add(
        {
            "apiVersion": "networking.istio.io/v1",
            "kind": "VirtualService",
            "metadata": {"name": "web", "namespace": "a"},
            "spec": {"http": [{"route": []}, {"corsPolicy": {"allowOrigins": [{"exact": "x"}]}}]},
        }
    )
    result = build(scanner, meta={}, feature_ids=catalog.feature_ids, answer_keys=BY_KEY, warnings=[], complete=True)
    (f,) = [f for f in result.findings if f["signal"] == "vs-cors-test"]
    assert f["field"] == "spec.http[1].corsPolicy.allowOrigins"


def test_bad_signal_data_is_reported_whole(tmp_path):
    from advisor.errors import DataError

    path = tmp_path / "signals.toml"
    path.write_text("""
[[signals]]
id = "x"
kind = "Pod"
groups = [""]
match = [{ path = "spec..x" }]
text = "t"
source = "s"
version = "v"

[[signals]]
id = "y"
kind = "Pod"
groups = [""]
match = [{ path = "spec.x" }]
capability = "no-such-feature"
text = "t"
source = "s"
version = "v"
""")
    with pytest.raises(DataError) as info:
        load_signals(path, load_catalog(None).feature_ids)
    lines = info.value.lines()
    assert lines[0].endswith("2 problems:")
    assert "cannot read path" in lines[1] and "no-such-feature" in lines[2]


# ---------------------------------------------------------------- bad input: one line, exit 2, nothing written


BILLION_LAUGHS = """apiVersion: v1
kind: ConfigMap
metadata: {name: lol}
data:
  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
  d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
  e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
  f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
  g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
  h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
  i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


@pytest.mark.parametrize(
    "name, content, message",
    [
        (
            "x.json",
            b'{"foo": 1}',
            "x.json: not a Kubernetes object (an object without apiVersion and kind); expected objects with apiVersion and kind",
        ),
        (
            "ns.yaml",
            b"apiVersion: v1\nkind: Namespace\nmetadata: {name: off}\n",  # YAML 1.1: unquoted off is false
            "ns.yaml: Namespace metadata.name is false, not text; YAML reads unquoted off/on/no/yes as "
            "true/false and digits as numbers: quote it (kubectl refuses it too)",
        ),
        (
            "x.json",
            b'{"kind": "WorkloadGroup", "metadata": {"name": "a"}}',  # the message names only what is missing
            "x.json: not a Kubernetes object (an object without apiVersion); expected objects with apiVersion and kind",
        ),
        (
            "x.json",
            b'{"apiVersion": "v1", "items": [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"',
            "x.json: line 1 column ",
        ),
        (
            "x.yaml",
            b"apiVersion: v1\nkind: Pod\nmetadata:\n\tname: a\n",
            "x.yaml: line 4 column 1: YAML syntax error: a tab character; YAML indents with spaces only",
        ),
        (
            "x.yaml",
            b"\x7fELF\x02\x01\x01\x00\x00\x00",
            "x.yaml: a binary file; expected Kubernetes objects as JSON or YAML text",
        ),
        (
            "x.yaml",
            BILLION_LAUGHS.encode(),
            "x.yaml: document 1: YAML aliases expand to more than 1,000,000 values; refusing it (an alias bomb is never expanded)",
        ),
        (
            "x.yaml",
            b"apiVersion: v1\nkind: List\nitems: &x [*x]\n",
            "x.yaml: document 1: a recursive YAML alias; refusing it",
        ),
        ("x.yaml", b"- just\n- a list\n", "x.yaml: not a Kubernetes object (a list)"),
        (
            "x.yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n",
            "(this looks like an unrendered Helm template: run `helm template` and scan its output)",
        ),
        ("x.json", b"", "x.json: empty; expected Kubernetes objects as JSON or YAML"),
        (
            "x.json",
            b'{"kind": "List", "apiVersion": "v1", "items": [1, 2]}',
            "x.json: items[0]: not a Kubernetes object",
        ),
    ],
)
def test_bad_files_one_line_exit_2_nothing_written(tmp_path, cli, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    out = tmp_path / "out.toml"
    rc, stdout, err = cli("scan", str(path), "-o", str(out))
    assert rc == 2
    assert message in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not out.exists()


def test_truncated_json_says_so(tmp_path, cli):
    path = tmp_path / "dump.json"
    gen_cluster().write(20, str(path))
    path.write_bytes(path.read_bytes()[:-5000])
    rc, _, err = cli("scan", str(path))
    assert rc == 2 and "truncated" in err and err.count("\n") == 1


def test_missing_and_unreadable_paths(tmp_path, cli):
    rc, _, err = cli("scan", str(tmp_path / "nope.yaml"))
    assert rc == 2 and "nope.yaml: no such file or directory" in err
    rc, _, err = cli("scan", "/proc/self/mem")  # opens, but reading fails (EIO), even as root
    assert rc == 2 and err.startswith("mesh-advisor: /proc/self/mem: cannot read: ")


def test_directory_skips_other_yaml_but_refuses_empty_of_objects(tmp_path, cli):
    (tmp_path / "config.yaml").write_text("replicas: 3\n")
    (tmp_path / "data.json").write_text('{"ratings": [1, 2]}\n')
    rc, _, err = cli("scan", str(tmp_path))
    assert rc == 2 and "no Kubernetes objects found (read 0 files; skipped 2 that are not)" in err, err
    (tmp_path / "ns.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n")
    doc = scan_json(cli, str(tmp_path))
    (summary,) = [w for w in doc["scan"]["warnings"] if w.startswith("skipped")]
    assert summary.startswith("skipped 2 YAML/JSON files that are not manifests (no Kubernetes objects: ")


def test_many_small_aliases_are_refused(tmp_path, cli):
    items = "\n".join("  - *p" for _ in range(101))
    path = tmp_path / "x.yaml"
    path.write_text(f"apiVersion: v1\nkind: List\nextra: &p {{a: 1}}\nitems:\n{items}\n")
    rc, _, err = cli("scan", str(path))
    assert rc == 2 and "more than 100 YAML aliases; refusing it" in err


def test_a_few_aliases_are_fine(tmp_path, cli):
    path = tmp_path / "x.yaml"
    path.write_text(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: &l {istio-injection: enabled}\n  annotations: *l\n"
    )
    doc = scan_json(cli, str(path))
    assert namespaces(doc)["shop"]["meshed_by"] == "istio-sidecar"


def test_huge_yaml_is_refused_clearly(tmp_path, cli, monkeypatch):
    monkeypatch.setattr(scan_files_module, "MAX_YAML_BYTES", 1000)
    path = tmp_path / "big.yaml"
    path.write_text(
        "apiVersion: v1\nkind: List\nitems:\n" + "- {apiVersion: v1, kind: Pod, metadata: {name: a}}\n" * 100
    )
    rc, _, err = cli("scan", str(path))
    assert rc == 2 and "YAML larger than 0 MiB is not read" in err and "-o json" in err


def test_unknown_output_extension_fails_before_scanning(tmp_path, cli):
    rc, _, err = cli("scan", str(FIX / "bookinfo"), "-o", str(tmp_path / "out.yaml"))
    assert rc == 2 and "cannot tell the format from the extension" in err


def test_live_flags_with_files_are_refused(cli):
    rc, _, err = cli("scan", str(FIX / "bookinfo"), "--context", "prod")
    assert rc == 2 and "--context: only for a live scan" in err


def test_the_samples_directory_scans_and_recommends(tmp_path, cli):
    """README's first scan command, on the repository's samples/ directory."""
    out = tmp_path / "cluster.toml"
    rc, _, err = cli("scan", str(REPO / "samples"), "-o", str(out))
    assert rc == 0, err
    rc, stdout, err = cli("recommend", str(out), "--format", "json")
    assert rc == 0, err
    doc = json.loads(stdout)
    assert doc["meta"]["origins"]["in_use"] == "scan" and "fault-injection" in doc["answers"]["in_use"]


def test_inventory_answers_when_the_registry_takes_them():
    """With issue 12's registry (`namespaces` may be a [[namespaces]] inventory) the scan writes the
    inventory instead of the flat totals; a stand-in registry entry shows the switch."""
    from dataclasses import replace

    from advisor.scan.infer import Scanner
    from advisor.scan.result import build
    from advisor.scan.files import FileReport
    from advisor.scan.sources import read_sources

    catalog = load_catalog(None)
    scanner = Scanner(bundled_signals(catalog.feature_ids))
    for obj, _ in read_sources([str(FIX / "bookinfo"), str(FIX / "boutique-helm.yaml")], None, FileReport()):
        scanner.add(obj)
    keys = dict(BY_KEY)
    keys["namespaces"] = replace(BY_KEY["namespaces"], kind="text")  # anything but a plain count
    keys["cluster_pods"] = BY_KEY["pods"]
    answers = build(
        scanner, meta={}, feature_ids=catalog.feature_ids, answer_keys=keys, warnings=[], complete=True
    ).answers
    # bookinfo is meshed (istio-sidecar); with a mesh today, boutique is what it does not cover
    assert answers["namespaces"] == [
        {"name": "bookinfo", "pods": 7, "l7": 1.0, "meshed": True, "services": 4, "service_ports": 4},
        {"name": "boutique", "pods": 6, "l7": 0.667, "meshed": False, "services": 3, "service_ports": 3},
    ]
    assert "pods" not in answers and "l7_ratio" not in answers
    assert answers["cluster_pods"] == 13  # 7 + 6
