"""Managed offerings and platform prices are data (issue 22): `data validate` checks what they name."""

from __future__ import annotations

from typing import Any


def test_offerings_and_price_presets_name_what_exists(cli, data_dir, rewrite) -> None:
    def broken(doc: dict[str, Any]) -> None:
        doc["offerings"][0]["platforms"] = ["akz"]
        next(p for p in doc["platforms"] if p["id"] == "eks-fargate")["price_preset"] = "nope"
        next(p for p in doc["platforms"] if p["id"] == "openshift")["constraints"][0]["unless_offering"] = ["ossm"]

    rewrite(data_dir / "platforms.toml", broken)
    rc, out, err = cli("data", "validate", str(data_dir))
    assert rc == 2
    assert "offerings.0(aks-istio-add-on).platforms: unknown platform 'akz'" in err
    assert "platforms(eks-fargate).price_preset: unknown preset 'nope'" in err
    assert "unless_offering: unknown offering 'ossm'" in err


def test_request_billed_platforms_default_to_requests_at_their_prices(cli) -> None:
    import json

    rc, out, err = cli("recommend", "--platform", "eks-fargate", "--format", "json")
    assert rc == 0, err
    doc = json.loads(out)
    # Fargate bills pod requests: $0.000011244 per vCPU-second x 3,600 = $0.04048 per vCPU-hour
    assert (doc["answers"]["cost_basis"], doc["answers"]["cpu_price"]) == ("requests", 0.04048)
    assert doc["meta"]["origins"]["cost_basis"] == doc["meta"]["origins"]["cpu_price"] == "implied"
    # said otherwise, it is taken as said
    rc, out, _ = cli("recommend", "--platform", "eks-fargate", "--cost-basis", "usage", "--format", "json")
    assert json.loads(out)["answers"]["cost_basis"] == "usage"


def test_a_variant_row_names_another_feature(cli, data_dir, rewrite) -> None:
    def broken(doc: dict[str, Any]) -> None:
        next(f for f in doc["features"] if f["id"] == "primary-remote")["variant_of"] = "multiclustr"

    rewrite(data_dir / "features.toml", broken)
    rc, _, err = cli("data", "validate", str(data_dir))
    assert rc == 2
    assert "(primary-remote).variant_of: expected another feature's id, got 'multiclustr'" in err
