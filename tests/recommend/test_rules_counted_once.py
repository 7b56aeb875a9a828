"""Rules target traits or options, each fact is counted once, and every option is judged by at least
one operability and one maturity rule (data validate refuses the data otherwise)."""

from __future__ import annotations

import json
import tomllib
from typing import Any

import pytest

from advisor.catalog.files import bundled_data_dir

RULES = tomllib.loads((bundled_data_dir() / "rules.toml").read_text(encoding="utf-8"))
FEATURES = tomllib.loads((bundled_data_dir() / "features.toml").read_text(encoding="utf-8"))


def recommend(cli, *args: str) -> dict[str, Any]:
    rc, out, err = cli("recommend", *args, "--format", "json")
    assert rc == 0, err
    return json.loads(out)


def reasons(doc: dict[str, Any], option: str, category: str) -> list[tuple[float, str]]:
    return [(r["delta"], r["text"]) for r in doc["options"][option]["reasons"] if r["category"] == category]


def rule_text(rule_id: str) -> str:
    return next(r["text"] for r in RULES["rules"] if r["id"] == rule_id)


# ---------------------------------------------------------------- facts counted once


@pytest.mark.parametrize(("risk", "points"), [("conservative", -20.0), ("balanced", -10.0), ("early-adopter", -5.0)])
def test_ambients_young_data_plane_is_one_reason_per_risk_appetite(cli, risk, points) -> None:
    doc = recommend(cli, "--risk", risk)
    young = [(d, t) for d, t in reasons(doc, "istio-ambient", "maturity") if "GA only in" in t]
    assert [d for d, _ in young] == [points]  # one rule, its points scaled by the team's appetite


def test_ztunnel_canary_is_counted_by_the_cell_when_the_capability_is_asked(cli) -> None:
    plain = recommend(cli)
    assert (-5.0, rule_text("ambient-node-upgrades")) in reasons(plain, "istio-ambient", "operability")
    asked = recommend(cli, "--prefer", "mesh-canary-upgrade")
    assert rule_text("ambient-node-upgrades") not in [t for _, t in reasons(asked, "istio-ambient", "operability")]
    # the cell counts it instead: partial, 30 x (1 - 0.6) = 12 features points
    assert [round(d, 6) for d, t in reasons(asked, "istio-ambient", "features") if t.startswith("Canary upgrade")] == [
        -12.0
    ]


def test_linkerds_release_model_is_counted_by_the_cell_when_it_is_asked(cli) -> None:
    plain = recommend(cli)
    assert [d for d, t in reasons(plain, "linkerd", "maturity") if "edge releases" in t] == [-5.0]
    asked = recommend(cli, "--require", "oss-stable-releases")
    assert [t for _, t in reasons(asked, "linkerd", "maturity") if "edge" in t] == []
    # required at partial: 100 x (1 - 0.6) = 40 features points for the level, and the 20-point
    # surcharge of a must-have met only in part (balanced team): in features, none in maturity
    assert [round(d, 6) for d, t in reasons(asked, "linkerd", "features") if t.startswith("Open-source stable")] == [
        -40.0,
        -20.0,
    ]


def test_the_restart_burden_costs_every_sidecar_mesh_the_same(cli) -> None:
    doc = recommend(cli, "--pods", "600")
    text = rule_text("many-pods-sidecar-ops")
    linkerd = [d for d, t in reasons(doc, "linkerd", "operability") if t == text]
    sidecar = [d for d, t in reasons(doc, "istio-sidecar", "operability") if t == text]
    assert linkerd == sidecar == [-8.0]
    assert text not in [t for _, t in reasons(doc, "istio-ambient", "operability")]


def test_ambients_envoy_waypoints_count_when_most_traffic_needs_l7(cli) -> None:
    text = rule_text("no-envoy-experience-waypoints")
    high = recommend(cli, "--l7-ratio", "0.8")
    assert [d for d, t in reasons(high, "istio-ambient", "operability") if t == text] == [-5.0]
    low = recommend(cli, "--l7-ratio", "0.2")
    assert text not in [t for _, t in reasons(low, "istio-ambient", "operability")]
    expert = recommend(cli, "--l7-ratio", "0.8", "--envoy-experience")
    assert text not in [t for _, t in reasons(expert, "istio-ambient", "operability")]


def test_a_missing_ingress_gateway_is_counted_by_its_cell_only(cli) -> None:
    doc = recommend(cli, "--prefer", "ingress-gateway")
    linkerd = doc["options"]["linkerd"]["reasons"]
    about_ingress = [r for r in linkerd if "ingress" in r["text"].lower()]
    assert [(r["category"], round(r["delta"], 6)) for r in about_ingress] == [("features", -30.0)]


def test_every_rule_keeps_its_source_and_targets_something() -> None:
    for rule in RULES["rules"]:
        assert rule["source"].startswith("https://"), rule["id"]
        assert rule.get("adjust") or rule.get("targets"), rule["id"]


# ---------------------------------------------------------------- coverage and trait checks


def add_option(doc: dict[str, Any], oid: str, traits: list[str]) -> None:
    doc["options"].append(
        {"id": oid, "name": "Cilium", "version": "1.18", "description": "eBPF mesh", "traits": traits}
    )
    for feat in doc["features"]:
        feat["cells"][oid] = dict(feat["cells"]["linkerd"])


def test_every_bundled_option_is_covered_by_an_operability_and_a_maturity_rule() -> None:
    from advisor.catalog.load import load_catalog

    catalog = load_catalog()
    for opt in catalog.features.options:
        for category in ("operability", "maturity"):
            covering = [r.id for r in catalog.rules.rules if r.category == category and r.points_for(opt) is not None]
            assert covering, (opt.id, category)


def test_data_validate_refuses_an_option_no_rule_covers(cli, data_dir, rewrite) -> None:
    rewrite(data_dir / "features.toml", lambda d: add_option(d, "cilium", ["node-proxy", "ebpf"]))
    rc, _, err = cli("data", "validate", str(data_dir))
    assert rc == 2
    assert (
        "rules.toml: rules: no maturity rule covers option 'cilium' (traits: node-proxy, ebpf); "
        "add one that targets it or its traits (0 points if there is nothing to take off, with the reason and a source)"
    ) in err
    # Operability is covered: "the team runs Envoy; this mesh's proxy is not Envoy" targets it by its traits.
    assert "no operability rule covers option 'cilium'" not in err


def test_a_target_naming_an_undeclared_trait_is_refused(cli, data_dir, rewrite) -> None:
    def typo(doc: dict[str, Any]) -> None:
        rule = next(r for r in doc["rules"] if r["id"] == "many-pods-sidecar-ops")
        rule["targets"] = [{"traits": ["side-car"], "points": -8.0}]

    rewrite(data_dir / "rules.toml", typo)
    rc, _, err = cli("data", "validate", str(data_dir))
    assert rc == 2
    at = next(i for i, r in enumerate(RULES["rules"]) if r["id"] == "many-pods-sidecar-ops")
    assert (
        f"rules.toml: rules.{at}(many-pods-sidecar-ops).targets.0.traits: trait 'side-car' is declared by no option"
        in err
    )
