"""`mesh-advisor check`: migration hazards with severity, rule, objects, text, fix and source; exit 3 at --fail-on."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from outcomes import invoke, plain_terminal  # noqa: F401 (fixture)

FIX = Path(__file__).parent.parent / "fixtures"
HALF = FIX / "check" / "half-migrated.yaml"
LINKERD = FIX / "check" / "linkerd-half-moved.yaml"
SARIF_SCHEMA = Path(__file__).parent.parent / "schemas" / "sarif" / "sarif-schema-2.1.0.json"


def _rules(out: str) -> dict[str, list[dict]]:
    doc = json.loads(out)
    found: dict[str, list[dict]] = {}
    for f in doc["findings"]:
        found.setdefault(f["rule"], []).append(f)
    return found


def test_half_migrated_namespace_names_the_deny_all_and_the_unenforced_policy(capsys):
    r = invoke(capsys, "check", str(HALF), "--format", "json")
    assert r.rc == 3, r
    found = _rules(r.out)
    (deny_all,) = found["l7-policy-selector-in-ambient"]
    assert deny_all["severity"] == "error"
    assert deny_all["objects"][0] == {"kind": "AuthorizationPolicy", "namespace": "bookinfo", "name": "reviews-viewer"}
    assert "DENY for all traffic" in deny_all["text"]
    assert deny_all["source"] == "https://istio.io/latest/docs/ambient/usage/l7-features/"
    (unenforced,) = found["policy-targets-missing-waypoint"]
    assert unenforced["objects"][0]["name"] == "ratings-viewer"
    assert "silently unenforced" in unenforced["text"]
    assert unenforced["detail"] == "targetRefs Gateway bookinfo/waypoint: no such Gateway"
    assert unenforced["source"] == "https://github.com/istio/istio/issues/57315"
    (bypass,) = found["waypoint-bypass-deny-with-sidecar-callers"]
    assert bypass["detail"] == "rejected callers on sidecars: cluster.local/ns/frontend/sa/web"
    assert set(found) == {
        "l7-policy-selector-in-ambient",
        "policy-targets-missing-waypoint",
        "use-waypoint-missing",
        "waypoint-bypass-deny-with-sidecar-callers",
        "virtual-service-and-httproute-one-host",
        "injection-and-ambient-label",
        "envoy-extension-in-ambient",
        "peer-authentication-disable-in-ambient",
        "sidecar-callers-bypass-waypoint",
    }
    doc = json.loads(r.out)
    # 4 errors (deny-all, unenforced, missing waypoint label, bypass DENY), 4 warnings, 1 info
    assert doc["check"]["counts"] == {"error": 4, "warning": 4, "info": 1}
    assert doc["check"]["exit_code"] == 3


def test_the_table_names_each_rule_whole(capsys, plain_terminal):
    r = invoke(capsys, "check", str(HALF))
    assert r.rc == 3
    assert "ERROR   l7-policy-selector-in-ambient" in r.out
    assert "objects: AuthorizationPolicy bookinfo/reviews-viewer, Namespace bookinfo" in r.out


def test_linkerd_moves_both_ways(capsys):
    r = invoke(capsys, "check", str(LINKERD), "--format", "json")
    assert r.rc == 3, r
    found = _rules(r.out)
    assert found["linkerd-and-istio-inject"][0]["objects"] == [
        {"kind": "Namespace", "namespace": "", "name": "emojivoto"}
    ]
    assert found["istio-policy-in-linkerd-namespace"][0]["objects"][0]["name"] == "web-viewer"
    assert found["linkerd-config-outside-linkerd"][0]["objects"][0]["kind"] == "ServiceProfile"
    assert found["linkerd-server-without-authorization"][0]["objects"] == [
        {"kind": "Server", "namespace": "web", "name": "web-http"}
    ]
    assert found["linkerd-policy-targets-missing-server"][0]["detail"] == "targetRef Server web/web-grpc: not found"


def test_fail_on_sets_the_bar(capsys, tmp_path):
    warn_only = tmp_path / "w.yaml"
    # only a warning: a Namespace with both labels
    warn_only.write_text(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labels: {istio-injection: enabled, istio.io/dataplane-mode: ambient}\n"
    )
    assert invoke(capsys, "check", str(warn_only)).rc == 0
    assert invoke(capsys, "check", str(warn_only), "--fail-on", "warning").rc == 3
    assert invoke(capsys, "check", str(warn_only), "--fail-on", "info").rc == 3
    bad = invoke(capsys, "check", str(warn_only), "--fail-on", "fatal")
    assert bad.rc == 2 and "--fail-on: expected one of info, warning, error" in bad.err


def test_clean_manifests_exit_0(capsys):
    r = invoke(capsys, "check", str(FIX / "scan" / "bookinfo"))
    assert r.rc == 0, r
    assert "No migration hazards" in r.out


def test_bad_input_exits_2(capsys, tmp_path):
    assert invoke(capsys, "check", str(tmp_path / "missing.yaml")).rc == 2
    (tmp_path / "x.yaml").write_text("a: [\n")
    r = invoke(capsys, "check", str(tmp_path / "x.yaml"))
    assert r.rc == 2 and "Traceback" not in r.err


def test_sarif_is_sarif_2_1_0(capsys, tmp_path):
    out = tmp_path / "check.sarif"
    r = invoke(capsys, "check", str(HALF), "-o", str(out))
    assert r.rc == 3, r
    log = json.loads(out.read_text())
    schema = json.loads(SARIF_SCHEMA.read_text())
    jsonschema.Draft4Validator(schema).validate(log)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert "l7-policy-selector-in-ambient" in rules
    result = next(x for x in run["results"] if x["ruleId"] == "l7-policy-selector-in-ambient")
    assert result["level"] == "error"
    assert rules[result["ruleIndex"]] == result["ruleId"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("half-migrated.yaml")
    info = next(x for x in run["results"] if x["ruleId"] == "sidecar-callers-bypass-waypoint")
    assert info["level"] == "note"


def test_the_sarif_schema_check_can_fail():
    schema = json.loads(SARIF_SCHEMA.read_text())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate({"version": "2.1.0", "runs": [{"results": []}]})


def test_hazard_rules_are_data_and_a_bad_rules_file_is_refused(capsys, tmp_path):
    (tmp_path / "hazards.toml").write_text('data_version = "x"\n[[hazards]]\nid = "nope"\nseverity = "loud"\n')
    r = invoke(capsys, "check", str(HALF), "--data-dir", str(tmp_path))
    assert r.rc == 2
    assert "severity: expected one of info, warning, error" in r.err
    assert "no detector has this id" in r.err
    r = invoke(capsys, "data", "validate", str(tmp_path))
    assert r.rc == 2 and "hazards.toml: " in r.err
