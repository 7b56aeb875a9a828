"""Platforms and vendor builds: `platform` and `vendor_distribution` are answers like any other (flag,
answers file, wizard, docs), platform constraints come from data/platforms.toml with sources, and a
vendor build or managed mesh counts only when the team accepts one, named in the reason."""

from __future__ import annotations

import json
import tomllib
from typing import Any

from advisor.answers import wizard
from advisor.catalog.files import bundled_data_dir
from advisor.catalog.load import load_catalog
from advisor.answers.registry import BY_KEY

PLATFORMS = tomllib.loads((bundled_data_dir() / "platforms.toml").read_text(encoding="utf-8"))


def recommend(cli, *args: str) -> dict[str, Any]:
    rc, out, err = cli("recommend", *args, "--format", "json")
    assert rc == 0, err
    return json.loads(out)


def test_the_platform_set_is_the_datas() -> None:
    assert load_catalog().platform_ids == ("generic", "gke-autopilot", "eks-fargate", "openshift", "aks", "eks", "gke")
    assert BY_KEY["platform"].default == "generic"
    assert BY_KEY["vendor_distribution"].default is False
    for plat in PLATFORMS["platforms"]:
        for con in plat.get("constraints", []):
            assert con["source"].startswith("https://") and con["version"], con["id"]


def test_generic_kubernetes_changes_nothing(cli) -> None:
    assert recommend(cli)["options"] == recommend(cli, "--platform", "generic")["options"]


def test_an_unknown_platform_is_one_line_naming_the_choices(cli) -> None:
    rc, out, err = cli("recommend", "--platform", "gke-autopilit")
    assert (rc, out) == (2, "")
    assert err.strip() == (
        "mesh-advisor: --platform: unknown platform 'gke-autopilit'; expected one of "
        "generic, gke-autopilot, eks-fargate, openshift, aks, eks, gke"
    )


def test_answers_file_and_export_carry_both_answers(cli, tmp_path) -> None:
    answers = tmp_path / "team.toml"
    answers.write_text('platform = "openshift"\nvendor_distribution = true\n', encoding="utf-8")
    doc = recommend(cli, "--answers", str(answers))
    assert (doc["answers"]["platform"], doc["answers"]["vendor_distribution"]) == ("openshift", True)
    assert "platform" not in doc["meta"]["defaulted"]


def test_the_wizard_asks_both_from_the_registry() -> None:
    steps = wizard.build_steps(load_catalog(), {})
    keys = [k for s in steps for k in s.keys]
    assert keys.index("latency_sensitivity") < keys.index("platform") < keys.index("vendor_distribution")


def test_linkerds_edge_only_rule_does_not_apply_to_a_team_that_accepts_buoyant(cli) -> None:
    plain = recommend(cli)
    vendor = recommend(cli, "--vendor-distribution")
    edge = [r for r in plain["options"]["linkerd"]["reasons"] if "edge releases" in r["text"]]
    assert [r["delta"] for r in edge] == [-5.0]
    assert [r for r in vendor["options"]["linkerd"]["reasons"] if "edge releases" in r["text"]] == []


def test_a_vendor_level_counts_only_when_accepted_and_names_the_vendor(cli) -> None:
    oss = recommend(cli, "--require", "oss-stable-releases")
    accepted = recommend(cli, "--require", "oss-stable-releases", "--vendor-distribution")
    feat = lambda d: [r for r in d["options"]["linkerd"]["reasons"] if r["text"].startswith("Open-source stable")]  # noqa: E731
    # open source only: partial, 100 x 0.4 = 40, plus the 20-point surcharge of a partly met must-have
    assert [r["delta"] for r in feat(oss)] == [-40.0, -20.0]
    (only,) = feat(accepted)
    assert only["delta"] == 0.0 and "In Buoyant Enterprise for Linkerd (a vendor distribution)" in only["text"]
    assert accepted["options"]["linkerd"]["vendor_builds"] == [
        {"feature": "oss-stable-releases", "vendor": "Buoyant Enterprise for Linkerd"}
    ]


def test_a_blocked_option_says_the_platform_rules_it_out_when_nothing_fits(cli) -> None:
    doc = recommend(cli, "--platform", "eks-fargate", "--require", "vm-workloads,wasm")
    assert doc["recommendation"]["choice"] == "istio-sidecar"
    none = recommend(cli, "--platform", "eks-fargate", "--require", "udp")
    summary = none["recommendation"]["summary"]
    assert none["recommendation"]["choice"] == "none"
    assert "Istio ambient: udp is none, fargate-no-daemonsets is ruled out by the platform" in summary


# ---------------------------------------------------------------- validation


def test_a_constraint_naming_an_undeclared_trait_is_refused(cli, data_dir, rewrite) -> None:
    def typo(doc: dict[str, Any]) -> None:
        plat = next(p for p in doc["platforms"] if p["id"] == "eks-fargate")
        plat["constraints"][0]["targets"] = [{"traits": ["node-agent"], "points": 0.0}]

    rewrite(data_dir / "platforms.toml", typo)
    rc, _, err = cli("data", "validate", str(data_dir))
    assert rc == 2
    at = next(i for i, p in enumerate(PLATFORMS["platforms"]) if p["id"] == "eks-fargate")
    assert (
        f"platforms.toml: platforms.{at}(eks-fargate).constraints.0(fargate-no-daemonsets).targets.0.traits: "
        "trait 'node-agent' is declared by no option"
    ) in err


def test_the_default_platform_must_exist(cli, data_dir, rewrite) -> None:
    rewrite(
        data_dir / "platforms.toml", lambda d: d.update(platforms=[p for p in d["platforms"] if p["id"] != "generic"])
    )
    rc, _, err = cli("data", "validate", str(data_dir))
    assert rc == 2
    assert "platforms.toml: platforms: the default platform 'generic' is missing" in err
