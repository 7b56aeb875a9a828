"""The cost category weighs what the mesh adds against the cluster's compute bill (issue 22)."""

from __future__ import annotations

import json


def test_the_issue_22_memory_price_example_moves_the_right_way(cli) -> None:
    # 5,000 pods on 100 nodes, mTLS and fault injection required. Istio sidecar's cost is almost all
    # memory (unscoped Envoys, each told about 2,504 derived Service ports and 5,000 endpoints: 493 MB):
    # as memory gets dearer its lead over Linkerd can only shrink, and once it adds close to half the
    # cluster's bill Linkerd is chosen. (Against the cheapest option, the old score moved the other way:
    # raising the price made the sidecar overtake Linkerd.) Issue 21's model holds Envoy at what it is
    # told about, so the issue's 2,000-pod example no longer reaches half the bill: the size moved.
    margins = []
    for price in ("0.004237", "0.008", "0.016", "0.03"):
        rc, out, err = cli(
            "recommend", "--pods", "5000", "--nodes", "100", "--require", "mtls,fault-injection",
            "--memory-price", price, "--format", "json",
        )  # fmt: skip
        assert rc == 0, err
        opts = json.loads(out)["options"]
        margins.append(round(opts["istio-sidecar"]["score"] - opts["linkerd"]["score"], 1))
    # Linkerd meets fault injection only in part: its cost category carries 5% of the bill (10 points,
    # 2.0 of the total at the cost weight), so its 76.2/76.0 is 2 points under its old 78.2/78.0
    assert margins == [9.0, 4.6, 0.0, -0.7]  # 85.2 - 76.2, 80.8 - 76.2, 76.0 - 76.0, 75.3 - 76.0


def test_the_reason_names_the_bill_and_a_defaulted_node(cli) -> None:
    rc, out, err = cli("recommend", "--format", "json")
    assert rc == 0, err
    doc = json.loads(out)
    bill = doc["recommendation"]["cluster_bill"]
    # 10 nodes x (8 vCPU x $0.031611 + 32 GiB x $0.004237) x 730 h = $2,835.85
    assert (bill["nodes"], bill["node_vcpu"], bill["node_memory_gib"], bill["node_defaulted"]) == (10, 8.0, 32.0, True)
    assert bill["monthly_usd"] == 2835.85
    (cost,) = [r for r in doc["options"]["istio-sidecar"]["reasons"] if r["category"] == "cost"]
    assert "of the cluster's compute bill of $2,836/month" in cost["text"]
    assert "node size not given: the reference node" in cost["text"]
    # given the node size, it is the answer's, not defaulted
    rc, out, _ = cli("recommend", "--node-vcpu", "16", "--node-memory-gib", "64", "--format", "json")
    assert json.loads(out)["recommendation"]["cluster_bill"]["node_defaulted"] is False
