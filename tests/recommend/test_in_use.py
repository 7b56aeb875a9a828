"""What a scan finds in use is evidence, never a must-have (issue 22): Bookinfo's manifests, and the
upstream copies of Istio's samples, write `in_use` and no `require`, and rule nothing out."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

FIXTURES = Path(__file__).parent.parent / "fixtures" / "scan"
BOOKINFO = [FIXTURES / "bookinfo", FIXTURES / "upstream" / "istio" / "istio" / "samples" / "bookinfo"]


def test_a_bookinfo_scan_writes_in_use_and_rules_nothing_out(cli, tmp_path: Path) -> None:
    out = tmp_path / "cluster.toml"
    rc, _, err = cli("scan", *map(str, BOOKINFO), "-o", str(out))
    assert rc == 0, err
    answers = tomllib.loads(out.read_text())["answers"]
    assert "require" not in answers
    # the VirtualServices' routing, splits, retries and fault; the rate limit patches only the ingress
    # gateway (configPatches context GATEWAY) and the ingress Gateway is served by an ingress: neither
    # is a mesh capability in use
    assert {"header-routing", "traffic-splitting", "fault-injection"} <= set(answers["in_use"])
    assert not {"rate-limiting", "ingress-gateway"} & set(answers["in_use"])
    caps = {c["id"]: c for c in tomllib.loads(out.read_text())["scan"]["capabilities"]}
    assert caps["rate-limiting"]["scope"] == "gateway" and caps["ingress-gateway"]["scope"] == "gateway"

    rc, text, err = cli("recommend", str(out), "--format", "json")
    assert rc == 0, err
    doc = json.loads(text)
    assert all(o["eligible"] for o in doc["options"].values())
    assert doc["answers"]["require"] == []
    # weighed like preferences, and said so
    linkerd = [r["text"] for r in doc["options"]["linkerd"]["reasons"]]
    assert any(t.startswith("Fault injection (in use (scan)): partial") for t in linkerd)


def test_a_service_entry_alone_is_not_egress_control(cli, tmp_path: Path) -> None:
    manifest = tmp_path / "se.yaml"
    manifest.write_text(
        "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: ext\n  namespace: default\n"
        "spec:\n  hosts: [api.example.com]\n  ports: [{number: 443, name: tls, protocol: TLS}]\n"
        "  resolution: DNS\n"
    )
    rc, text, err = cli("scan", str(manifest), "--format", "json")
    assert rc == 0, err
    doc = json.loads(text)
    assert "egress-control" not in doc["answers"].get("in_use", [])
    # with REGISTRY_ONLY, the mesh does control egress
    manifest.write_text(
        manifest.read_text()
        + "---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: default\n  namespace: default\n"
        "spec:\n  outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n"
    )
    rc, text, err = cli("scan", str(manifest), "--format", "json")
    doc = json.loads(text)
    assert "egress-control" in doc["answers"]["in_use"]
    caps = {c["id"]: c for c in doc["scan"]["capabilities"]}
    assert caps["egress-control"]["scope"] == "egress"
