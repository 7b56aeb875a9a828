"""Issue 23's hostile inputs for the scan: each ends in exit 2 with one line naming the object and
the field (or a warning where reading on is safe), never an internal error; and what the scan
writes is what recommend reads back."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from outcomes import strict_json

FIX = Path(__file__).parent.parent / "fixtures" / "scan"


def write(tmp_path: Path, obj: dict, name: str = "m.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(obj))
    return path


def one_line_error(cli, *args: str) -> str:
    rc, out, err = cli(*args)
    assert rc == 2, (rc, err)
    assert out == "" and err.count("\n") == 1 and err.startswith("mesh-advisor: ") and "internal error" not in err
    return err


OBJECTS = [
    (
        {"apiVersion": "v1", "kind": "Node", "metadata": [1]},
        "Node: metadata is a list; expected a mapping",
    ),
    (
        {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {"name": "rs", "namespace": "shop", "ownerReferences": 5},
            "spec": {"template": {"spec": {"containers": []}}},
        },
        "ReplicaSet shop/rs: metadata.ownerReferences is the number 5; expected a list",
    ),
    (
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"ports": 5}},
        "Service shop/web: spec.ports is the number 5; expected a list",
    ),
    (
        {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "web", "namespace": "shop"}, "subsets": 5},
        "Endpoints shop/web: subsets is the number 5; expected a list",
    ),
    (
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"replicas": "300", "template": {"spec": {"containers": []}}},
        },
        "Deployment shop/web: spec.replicas is the text '300'; expected a whole number from 0",
    ),
    (
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"replicas": -5, "template": {"spec": {"containers": []}}},
        },
        "Deployment shop/web: spec.replicas is the number -5; expected a whole number from 0",
    ),
    (
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"replicas": True, "template": {"spec": {"containers": []}}},
        },
        "Deployment shop/web: spec.replicas is true (true/false); expected a whole number from 0",
    ),
    (
        {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "minReplicas": -3, "maxReplicas": 5},
        },
        "HorizontalPodAutoscaler shop/web: spec.minReplicas is the number -3",
    ),
    (
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop", "labels": [1]}},
        "Pod shop/p: metadata.labels is a list; expected a mapping",
    ),
]


@pytest.mark.parametrize("obj, message", OBJECTS, ids=[f"{o['kind']}-{i}" for i, (o, _) in enumerate(OBJECTS)])
def test_objects_of_shapes_the_api_never_gives_exit_2_naming_the_field(cli, tmp_path, obj, message) -> None:
    path = write(tmp_path, obj)
    err = one_line_error(cli, "scan", str(path))
    assert f"{path}: {message}" in err, err


def test_a_whole_float_replica_count_is_that_many_pods(cli, tmp_path) -> None:
    obj = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"replicas": 3.0, "template": {"spec": {"containers": []}}},
    }
    rc, out, err = cli("scan", str(write(tmp_path, obj)), "--format", "json")
    assert rc == 0, err
    assert json.loads(out)["scan"]["totals"]["pods"] == 3


def test_a_node_of_1e400_vcpu_is_left_out_not_written_as_infinity(cli, tmp_path) -> None:
    nodes = {
        "apiVersion": "v1",
        "kind": "List",
        "items": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "a"},
                "status": {"allocatable": {"cpu": "1e400", "memory": "16Gi"}},
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "b"},
                "status": {"allocatable": {"cpu": "4", "memory": "16Gi"}},
            },
        ],
    }
    out_file = tmp_path / "cluster.toml"
    rc, _, err = cli("scan", str(write(tmp_path, nodes)), "-o", str(out_file))
    assert rc == 0, err
    doc = tomllib.loads(out_file.read_text())
    assert doc["answers"]["node_vcpu"] == 4.0  # only node b's 4 vCPU
    assert any("1 node allocatable value beyond any machine" in w for w in doc["scan"]["warnings"])
    rc, out, err = cli("recommend", str(out_file), "--format", "json")
    assert rc == 0, err
    strict_json(out)  # RFC 8259: no Infinity, no NaN


SIGNALS = [
    (lambda d: d.__setitem__("signals", 5), "signals: expected [[signals]] tables"),
    (lambda d: d.__setitem__("l7_ports", 5), "l7_ports: expected a table with app_protocols and name_protocols"),
    (lambda d: d["l7_ports"].__setitem__("app_protocols", [1]), "l7_ports.app_protocols: expected a list of text"),
]


@pytest.mark.parametrize("change, message", SIGNALS, ids=["signals", "l7_ports", "app_protocols"])
def test_bad_signals_toml_values_exit_2_in_scan_and_in_data_validate(cli, data_dir, rewrite, change, message) -> None:
    from advisor.catalog.files import bundled_data_dir

    (data_dir / "signals.toml").write_bytes((bundled_data_dir() / "signals.toml").read_bytes())
    rewrite(data_dir / "signals.toml", change)
    rc, _, err = cli("data", "validate", str(data_dir))
    assert rc == 2 and "signals.toml" in err and "internal error" not in err, err
    rc, _, err = cli("scan", str(FIX / "bookinfo"), "--data-dir", str(data_dir))
    assert rc == 2 and message in err and "internal error" not in err, err


def test_a_lone_surrogate_in_a_key_of_a_compared_result_exits_2(cli, tmp_path) -> None:
    rc, out, err = cli("recommend", "--format", "json")
    assert rc == 0, err
    good = tmp_path / "a.json"
    good.write_text(out)
    bad = tmp_path / "b.json"
    doc = json.loads(out)
    doc["answers"]["\ud800"] = 5
    bad.write_text(json.dumps(doc))  # json escapes it: \ud800, which reads back as a lone surrogate
    err = one_line_error(cli, "compare", str(good), str(bad), "--format", "json")
    assert "answers.?: a key that is not valid Unicode (a lone surrogate)" in err


def test_hide_names_hides_details_files_and_names(cli) -> None:
    policies = FIX / "istio-policies.yaml"
    rc, out, err = cli("scan", str(FIX / "bookinfo"), str(policies), "--hide-names", "--format", "json")
    assert rc == 0, err
    text = json.dumps(json.loads(out)["scan"]) + json.dumps(json.loads(out)["answers"])
    for leak in ("bookinfo", "reviews", "ratings", "productpage", "istio-policies", "https://", "www."):
        assert leak not in text, leak


def many_namespaces(n: int) -> dict:
    items: list[dict] = []
    for i in range(n):
        ns = f"team-{i:05d}"
        items.append(
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": ns, "labels": {"istio-injection": "enabled"}},
            }
        )
        items.append(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "web-0", "namespace": ns},
                "spec": {"containers": [{"name": "web", "image": "w"}, {"name": "istio-proxy", "image": "p"}]},
                "status": {"phase": "Running"},
            }
        )
        items.append(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": "web", "namespace": ns},
                "spec": {"ports": [{"name": "http", "port": 80}]},
            }
        )
    return {"apiVersion": "v1", "kind": "List", "items": items}


@pytest.mark.slow
def test_a_9000_namespace_scan_feeds_recommend_and_plan(cli, tmp_path) -> None:
    # Once refused by both as "larger than the 4 MiB limit" (about 8,000 namespaces and up).
    dump = write(tmp_path, many_namespaces(9000), "dump.json")
    scan = tmp_path / "cluster.toml"
    rc, _, err = cli("scan", str(dump), "-o", str(scan), "--format", "toml")
    assert rc == 0, err
    assert scan.stat().st_size > 4 * 1024 * 1024
    rc, out, err = cli("recommend", str(scan), "--format", "json")
    assert rc == 0, err
    answers = json.loads(out)["answers"]
    assert len(answers["namespaces"]) == 9000 and answers["cluster_pods"] == 9000  # one pod in each
    rc, out, err = cli("plan", str(scan), "--to", "istio-ambient", "--format", "json")
    assert rc == 0, err
    switch = next(p for p in json.loads(out)["phases"] if p["id"] == "switch-namespaces-ambient")
    assert len(switch["steps"]) == 9000  # each namespace, one at a time


def _outside_code(markdown: str) -> str:
    import re

    return re.sub(r"(`+)(?:(?!\1).)*?\1", "", markdown)


def test_names_from_a_cluster_cannot_link_or_mention_in_markdown(cli, tmp_path) -> None:
    repo = tmp_path / "repo@ops.example.com"
    repo.mkdir()
    (repo / "m.yaml").write_text(
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: www.example.com, labels: {istio-injection: enabled}}\n---\n"
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: www.example.com}\n"
        "spec: {replicas: 2, template: {spec: {containers: [{name: web, image: w}]}}}\n---\n"
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: www.evil.example, namespace: www.example.com}\n"
        "spec: {hosts: [a], http: [{fault: {abort: {httpStatus: 500}}, route: [{destination: {host: a}}]}]}\n---\n"
        "apiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata: {name: jwt, namespace: www.example.com}\n"
        "spec: {jwtRules: [{issuer: 'https://login.evil.example/@admin'}]}\n"
    )
    rc, out, err = cli("scan", str(repo), "--format", "markdown")
    assert rc == 0, err
    plain = _outside_code(out)
    for word in ("www.", "https://", "@"):
        assert word not in plain, (word, plain)
    assert "`www.example.com`" in out  # still there, as code
    assert "<br>" not in out and "<" not in plain.replace("\\<", "")
    scan = tmp_path / "cluster.toml"
    rc, _, err = cli("scan", str(repo), "-o", str(scan), "--format", "toml")
    rc, out, err = cli("plan", str(scan), "--to", "istio-ambient", "--format", "markdown")
    assert rc == 0, err
    plain = _outside_code(out)
    assert "www.example.com" not in plain and "www.evil.example" not in plain


def test_a_huge_single_yaml_document_is_refused_with_how_to_split_it(cli, tmp_path, monkeypatch) -> None:
    from advisor.scan import files

    monkeypatch.setattr(files, "MAX_YAML_DOCUMENT_BYTES", 4096)  # the same path as 8 MiB, at test size
    items = "".join(f"- apiVersion: v1\n  kind: Namespace\n  metadata: {{name: ns-{i}}}\n" for i in range(200))
    path = tmp_path / "dump.yaml"
    path.write_text("apiVersion: v1\nkind: List\nitems:\n" + items)
    err = one_line_error(cli, "scan", str(path))
    assert f"{path}: line 1: one YAML document larger than 0 MiB" in err and "kubectl get ... -o json" in err
    # the same objects, one per document, are read
    path.write_text("".join(f"---\napiVersion: v1\nkind: Namespace\nmetadata: {{name: ns-{i}}}\n" for i in range(200)))
    rc, out, err = cli("scan", str(path), "--format", "json")
    assert rc == 0 and json.loads(out)["scan"]["totals"]["namespaces"] == 200, err


@pytest.mark.slow
@pytest.mark.parametrize(
    "objects, limit_s",
    [
        # 16,000 copies of one VirtualService: each copy once rebuilt the findings list (39.7 s)
        ([{"kind": "dup"}] * 16_000, 15.0),
        # one EnvoyFilter with 80,000 configPatches: its filter names were de-duplicated in a list (105 s)
        ([{"kind": "envoyfilter", "patches": 80_000}], 30.0),
    ],
    ids=["duplicates", "envoyfilter-patches"],
)
def test_duplicates_and_patch_lists_take_linear_time(cli, tmp_path, objects, limit_s) -> None:
    import time

    if objects[0]["kind"] == "dup":
        vs = {
            "apiVersion": "networking.istio.io/v1",
            "kind": "VirtualService",
            "metadata": {"name": "r", "namespace": "s"},
            "spec": {"hosts": ["r"], "http": [{"route": [{"destination": {"host": "r"}, "weight": 50}]}]},
        }
        doc = {"apiVersion": "v1", "kind": "List", "items": [vs] * len(objects)}
    else:
        patches = [
            {"applyTo": "HTTP_FILTER", "patch": {"operation": "INSERT_BEFORE", "value": {"name": f"envoy.lua.{i}"}}}
            for i in range(objects[0]["patches"])
        ]
        doc = {
            "apiVersion": "networking.istio.io/v1alpha3",
            "kind": "EnvoyFilter",
            "metadata": {"name": "ef", "namespace": "s"},
            "spec": {"configPatches": patches},
        }
    path = write(tmp_path, doc)
    start = time.perf_counter()
    rc, out, err = cli("scan", str(path), "--format", "json")
    took = time.perf_counter() - start
    assert rc == 0, err
    assert took < limit_s, f"{took:.1f} s"
