"""The current mesh in the decision: staying costs nothing to switch, moving costs what the move takes."""

from __future__ import annotations


import json

import pytest

from advisor.answers.resolve import resolve
from advisor.catalog.models import CATEGORIES
from advisor.catalog.load import load_catalog
from advisor.engine.scoring import recommend

CATALOG = load_catalog()
SIDECAR_TEAM = ["--pods", "1500", "--team-experience", "expert", "--envoy-experience"]


def _recommend(cli, *args: str) -> dict:
    rc, out, err = cli("recommend", *args, "--format", "json")
    assert rc == 0, err
    return json.loads(out)


def _score(**answers):
    flags = {k: (str(v) if not isinstance(v, (bool, list)) else v) for k, v in answers.items()}
    return recommend(resolve(CATALOG, flags=flags).answers, CATALOG)


CATALOG_RULES = {r.id: r for r in CATALOG.rules.rules}


@pytest.mark.parametrize("current", CATALOG.option_ids)
def test_the_current_mesh_changes_the_ranking_only_through_sourced_migration_reasons(current: str) -> None:
    answers = {"pods": 1500, "team_experience": "expert", "envoy_experience": True, "require": ["mtls", "l7-authz"]}
    before = _score(**answers)
    after = _score(**answers, current_mesh=current)
    for oid, opt in after.options.items():
        # every other category is untouched but one: the mesh the team runs is not a new thing to
        # learn (rules with spares_current), so the current option's operability can only rise
        kept = [c for c in CATEGORIES if c != "migration" and not (oid == current and c == "operability")]
        assert {c: opt.scores[c] for c in kept} == {c: before.options[oid].scores[c] for c in kept}
        assert opt.scores["operability"] >= before.options[oid].scores["operability"]
        moved = [r for r in opt.reasons if r.category == "migration"]
        assert all(r.delta < 0 and r.source.startswith("https://") for r in moved)
        assert opt.scores["migration"] == round(100 + sum(r.delta for r in moved), 1)
        spared = {r.label for r in before.options[oid].reasons} - {r.label for r in opt.reasons}
        assert all(CATALOG_RULES[label].spares_current for label in spared) and (oid == current or not spared)
    # staying costs nothing to switch
    assert after.options[current].scores["migration"] == 100.0
    assert not [r for r in after.options[current].reasons if r.category == "migration"]
    # without a current mesh the move is not weighed at all
    assert before.weights["migration"] == 0.0 and after.weights["migration"] > 0
    # the ranking is the old categories re-weighted plus the migration score, nothing else
    for oid, opt in after.options.items():
        expected = sum(after.weights[c] * opt.scores[c] for c in CATEGORIES)
        assert opt.score == pytest.approx(expected, abs=0.051)


def test_a_sidecar_team_is_no_longer_told_to_move_to_linkerd_for_a_few_points(cli) -> None:
    # Without a current mesh Linkerd is a close second (94.7 against ambient 95.3; sidecar 75.5, whose
    # 1,500 unscoped proxies each hold every endpoint: half the cluster's bill or more, cost 0).
    ranking = _recommend(cli, *SIDECAR_TEAM)["recommendation"]["ranking"]
    assert ranking == ["istio-ambient", "linkerd", "istio-sidecar"]
    doc = _recommend(cli, *SIDECAR_TEAM, "--current-mesh", "istio-sidecar")
    opts = doc["options"]
    # Linkerd: re-injection -10, at 1,500 pods -10, two meshes side by side -20, translate -10, retrain -10
    assert opts["linkerd"]["scores"]["migration"] == 40.0
    # ambient: two restarts -5, at scale -5, two modes side by side -8, retrain -3
    assert opts["istio-ambient"]["scores"]["migration"] == 79.0
    assert opts["istio-sidecar"]["scores"]["migration"] == 100.0
    # weights: features 30, cost 20, latency 15, operability 20 x 0.75 (expert) = 15, maturity 15, migration 30 = 125
    # sidecar: (30x100 + 20x34.1 + 15x86.3 + 15x92 + 15x100 + 30x100) / 125 = 86.9 (its 1,500 unscoped
    # proxies at 60 + 25 + 0.157 x 754 + 0.003 x 1,500 = 207.9 MB each, not at their 1 GiB limit)
    # ambient: (30x100 + 20x97.7 + 15x88.4 + 15x95 + 15x90 + 30x79) / 125 = 91.4
    assert (opts["istio-sidecar"]["score"], opts["istio-ambient"]["score"]) == (86.9, 91.4)
    assert doc["recommendation"]["choice"] == "istio-ambient"
    summary = doc["recommendation"]["summary"]
    assert summary.startswith("Move from Istio sidecar to Istio ambient: it scores 91/100 counting the move")
    assert "mesh-advisor plan --to istio-ambient" in summary


def test_staying_is_an_answer_the_summary_names(cli) -> None:
    doc = _recommend(cli, "--pods", "300", "--current-mesh", "linkerd")
    assert doc["recommendation"]["choice"] == "linkerd"
    assert doc["recommendation"]["summary"].startswith("Stay on Linkerd: it scores")
    assert doc["answers"]["current_mesh"] == "linkerd"


def test_current_mesh_from_an_answers_file_and_its_errors(cli, tmp_path) -> None:
    path = tmp_path / "a.toml"
    path.write_text('current_mesh = "istio-ambient"\n', encoding="utf-8")
    assert _recommend(cli, str(path))["answers"]["current_mesh"] == "istio-ambient"
    rc, out, err = cli("recommend", "--current-mesh", "istio-sidecars")
    assert (rc, out) == (2, "")
    assert err.strip() == (
        "mesh-advisor: --current-mesh: unknown mesh 'istio-sidecars' (did you mean istio-sidecar?); "
        "expected none or one of linkerd, istio-sidecar, istio-ambient"
    )


def test_the_cost_projection_shows_the_move_apart_from_the_steady_state(cli) -> None:
    rc, out, err = cli("cost", "--pods", "1500", "--current-mesh", "istio-sidecar", "--format", "json")
    assert rc == 0, err
    opts = json.loads(out)["options"]
    assert "transition" not in opts["istio-sidecar"]["cost"]  # staying: nothing runs twice
    ambient = opts["istio-ambient"]["cost"]
    move = ambient["transition"]
    assert move["from"] == "istio-sidecar" and move["replaced"] == ["istiod"]
    sidecar = {c["id"]: c["monthly_usd"] for c in opts["istio-sidecar"]["cost"]["components"]}
    # During the move: every sidecar, plus ambient at full size; one istiod (the ambient one) serves both.
    expected = sidecar["istio-proxy"] + ambient["usage"]["monthly_usd"]
    assert move["usage"]["monthly_usd"] == pytest.approx(expected, abs=0.02)
    assert move["usage"]["monthly_usd"] > ambient["usage"]["monthly_usd"]
    # Linkerd shares nothing with Istio: both whole meshes run while namespaces move
    linkerd = opts["linkerd"]["cost"]
    both = opts["istio-sidecar"]["cost"]["usage"]["monthly_usd"] + linkerd["usage"]["monthly_usd"]
    assert linkerd["transition"]["usage"]["monthly_usd"] == pytest.approx(both, abs=0.02)

    rc, out, _ = cli("cost", "--pods", "1500", "--current-mesh", "istio-sidecar")
    assert rc == 0
    assert "Moving from Istio sidecar" in out and "During the move" in out


def test_no_current_mesh_shows_no_migration_column(cli) -> None:
    rc, out, _ = cli("recommend", "--pods", "300")
    assert rc == 0 and "migration" not in out
    rc, out, _ = cli("recommend", "--pods", "300", "--current-mesh", "istio-sidecar")
    assert rc == 0 and "migration" in out


def test_a_team_running_istio_runs_envoy_unless_it_says_otherwise(cli) -> None:
    doc = _recommend(cli, "--current-mesh", "istio-sidecar")
    assert doc["answers"]["envoy_experience"] is True
    assert doc["meta"]["origins"]["envoy_experience"] == "implied"
    assert "envoy_experience" not in doc["meta"]["defaulted"]
    labels = [r["text"] for r in doc["options"]["istio-sidecar"]["reasons"]]
    assert not any("Debugging Envoy sidecars" in t for t in labels)
    # said otherwise, it is taken as said
    told = _recommend(cli, "--current-mesh", "istio-sidecar", "--no-envoy-experience")
    assert told["answers"]["envoy_experience"] is False
    assert told["meta"]["origins"]["envoy_experience"] == "flag"


def test_a_linkerd_team_is_not_told_linkerd2_proxy_is_a_new_proxy_to_learn(cli) -> None:
    doc = _recommend(cli, "--current-mesh", "linkerd", "--envoy-experience")
    texts = [r["text"] for r in doc["options"]["linkerd"]["reasons"] if r["category"] == "operability"]
    assert not any("a new proxy to learn" in t for t in texts)
    # the same team judging a move elsewhere still meets what it does not know
    fresh = _recommend(cli, "--envoy-experience")
    assert any("a new proxy to learn" in r["text"] for r in fresh["options"]["linkerd"]["reasons"])
