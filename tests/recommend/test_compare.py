"""`mesh-advisor compare A B`: two saved results, what differs between them, and bad input."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from test_whatif import HOURS_PER_MONTH, cost_only  # noqa: F401 (cost_only is a fixture)

PER_POD_VCPU, AMBIENT_VCPU = 0.013, 2.0


@pytest.fixture
def two_results(cli, cost_only, tmp_path: Path) -> tuple[Path, Path, Path]:
    """A (TOML) at 100 pods and B (JSON) at 400 pods, on data where only cost separates the options."""
    data = cost_only(
        {
            ("linkerd-proxy", "cpu_vcpu_per_instance"): PER_POD_VCPU,
            ("istiod-ambient", "cpu_vcpu_per_instance"): AMBIENT_VCPU,
            ("istio-proxy", "cpu_vcpu_per_instance"): 0.05,
            ("istiod", "cpu_vcpu_per_instance"): 5.0,
        }
    )
    a, b = tmp_path / "a.toml", tmp_path / "b.json"
    assert cli("recommend", "--data-dir", str(data), "--pods", "100", "-o", str(a))[0] == 0
    assert cli("recommend", "--data-dir", str(data), "--pods", "400", "-o", str(b))[0] == 0
    return a, b, data


def compare_json(cli, *args: str) -> tuple[dict[str, Any], str]:
    rc, out, err = cli("compare", *args, "--format", "json")
    assert rc == 0, err
    return json.loads(out), err


def load(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else tomllib.loads(text)


@pytest.mark.slow
def test_one_differing_answer_changes_the_choice(cli, two_results) -> None:
    a, b, _ = two_results
    doc, err = compare_json(cli, str(a), str(b))
    assert err == ""
    assert doc["answers_changed"] == [{"key": "pods", "a": 100, "b": 400}]
    assert doc["choice"] == {"a": "linkerd", "b": "istio-ambient", "changed": True}
    assert doc["summary"] == "The choice changed from linkerd to istio-ambient; 1 answer differs (pods)."
    assert doc["warnings"] == []

    # Money: Linkerd's 0.013 vCPU per pod over 300 more pods; ambient's fixed 2 vCPU does not move.
    price = load(a)["answers"]["cpu_price"]
    linkerd = doc["options"]["linkerd"]
    assert linkerd["monthly_usd"]["usage"]["delta"] == pytest.approx(
        300 * PER_POD_VCPU * price * HOURS_PER_MONTH, abs=0.011
    )
    assert doc["options"]["istio-ambient"]["monthly_usd"]["usage"]["delta"] == 0
    # Scores: B - A, as the two files say.
    for oid, o in doc["options"].items():
        sa, sb = load(a)["options"][oid]["score"], load(b)["options"][oid]["score"]
        assert o["score"] == {"a": sa, "b": sb, "delta": pytest.approx(sb - sa, abs=1e-9)}
    # Linkerd's cost grows as a share of the cluster's bill: its cost reason is replaced; ambient's
    # fixed cost (and so its cost reason) does not move, and no other option's words change it.
    gone = [r["text"] for r in linkerd["reasons"]["disappeared"]]
    came = [r["text"] for r in linkerd["reasons"]["appeared"]]
    assert any("of the cluster's compute bill" in t for t in gone)
    assert any("of the cluster's compute bill" in t for t in came)
    ambient = doc["options"]["istio-ambient"]["reasons"]
    assert not any("of the cluster's compute bill" in r["text"] for r in ambient["appeared"])


def test_table_names_the_change(cli, two_results, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    a, b, _ = two_results
    rc, out, err = cli("compare", str(a), str(b))
    assert rc == 0, err
    assert "The choice changed from linkerd to istio-ambient; 1 answer differs (pods)." in out
    assert "Answers that differ" in out
    row = next(line for line in out.splitlines() if line.strip().startswith("pods"))
    assert row.split() == ["pods", "100", "400"]
    assert "Reasons that changed: Linkerd" in out
    assert "− disappeared cost" in out


def test_toml_rendering_matches_json(cli, two_results) -> None:
    a, b, _ = two_results
    doc, _ = compare_json(cli, str(a), str(b))
    rc, out, err = cli("compare", str(a), str(b), "--format", "toml")
    assert rc == 0, err
    again = tomllib.loads(out)
    for key in ("answers_changed", "choice", "options", "summary"):
        assert again[key] == doc[key]


def test_same_result_twice_changes_nothing(cli, two_results) -> None:
    a, _, _ = two_results
    doc, _ = compare_json(cli, str(a), str(a))
    assert doc["answers_changed"] == [] and doc["choice"]["changed"] is False
    for o in doc["options"].values():
        assert o["score"]["delta"] == 0 and o["reasons"] == {"appeared": [], "disappeared": [], "changed": []}
    assert doc["summary"].startswith("The choice is the same (linkerd); its score moved by +0.0 points")


def test_capability_lists_compare_as_sets(cli, tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert cli("recommend", "--require", "mtls,tracing", "-o", str(a))[0] == 0
    assert cli("recommend", "--require", "tracing,mtls", "-o", str(b))[0] == 0
    doc, _ = compare_json(cli, str(a), str(b))
    assert doc["answers_changed"] == []


def test_different_data_versions_are_compared_with_a_warning(cli, two_results, tmp_path: Path) -> None:
    a, b, _ = two_results
    older = load(b)
    older["meta"]["data_version"] = "2025.01.01"
    c = tmp_path / "older.toml"
    c.write_text(tomli_w.dumps(older), encoding="utf-8")
    doc, err = compare_json(cli, str(a), str(c))
    now = load(a)["meta"]["data_version"]
    assert err.strip().splitlines() == [
        f"mesh-advisor: warning: A and B were made with different data versions ({now} and 2025.01.01): "
        "differences may come from the data, not only from the answers"
    ]
    assert doc["warnings"] == [err.strip().removeprefix("mesh-advisor: warning: ")]
    assert doc["b"]["data_version"] == "2025.01.01"
    assert doc["choice"]["changed"] is True  # still compared


def test_writes_the_comparison_to_a_file(cli, two_results, tmp_path: Path) -> None:
    a, b, _ = two_results
    target = tmp_path / "diff.json"
    rc, _, err = cli("compare", str(a), str(b), "-o", str(target))
    assert rc == 0 and f"Wrote {target} (JSON)." in err
    assert json.loads(target.read_text())["choice"]["changed"] is True


# ---------------------------------------------------------------- bad input: one line, exit 2


def one_error_line(cli, *args: str) -> str:
    rc, out, err = cli("compare", *args)
    assert rc == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_missing_file(cli, two_results, tmp_path: Path) -> None:
    a, _, _ = two_results
    missing = tmp_path / "nope.toml"
    assert one_error_line(cli, str(a), str(missing)).startswith(f"mesh-advisor: {missing}: file not found;")


@pytest.mark.slow
def test_answers_file_is_not_a_result(cli, two_results, tmp_path: Path) -> None:
    a, _, _ = two_results
    answers = tmp_path / "answers.toml"
    answers.write_text("pods = 300\n", encoding="utf-8")
    line = one_error_line(cli, str(answers), str(a))
    assert line.startswith(f"mesh-advisor: {answers}: not a recommendation result: schema_version is missing;")
    assert "mesh-advisor recommend -o FILE" in line


@pytest.mark.slow
def test_result_missing_a_key_names_it(cli, two_results, tmp_path: Path) -> None:
    a, b, _ = two_results
    broken = load(b)
    del broken["options"]["linkerd"]["cost"]["usage"]
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    line = one_error_line(cli, str(a), str(path))
    assert f"{path}: not a recommendation result: options.linkerd.cost.usage is missing" in line


@pytest.mark.slow
def test_cost_export_is_not_a_recommendation(cli, two_results, tmp_path: Path) -> None:
    a, _, _ = two_results
    cost = tmp_path / "cost.toml"
    assert cli("cost", "-o", str(cost))[0] == 0
    assert "a cost projection, not a recommendation result" in one_error_line(cli, str(a), str(cost))


def test_newer_schema_version_asks_for_an_upgrade(cli, two_results, tmp_path: Path) -> None:
    a, _, _ = two_results
    newer = load(a)
    newer["schema_version"] = 99
    path = tmp_path / "newer.toml"
    path.write_text(tomli_w.dumps(newer), encoding="utf-8")
    line = one_error_line(cli, str(path), str(a))
    assert (
        line
        == f"mesh-advisor: {path}: written by a newer mesh-advisor (schema_version 99; this version reads 1); upgrade mesh-advisor"
    )


@pytest.mark.slow
def test_syntax_error(cli, two_results, tmp_path: Path) -> None:
    a, _, _ = two_results
    path = tmp_path / "broken.toml"
    path.write_text("[recommendation\n", encoding="utf-8")
    assert f"{path}: TOML syntax error" in one_error_line(cli, str(a), str(path))


def test_a_data_version_with_control_characters_is_shown_escaped(cli, two_results, tmp_path: Path) -> None:
    a, _, _ = two_results
    odd = load(a)
    odd["meta"]["data_version"] = "\x1b[31mred"
    path = tmp_path / "odd.toml"
    path.write_text(tomli_w.dumps(odd), encoding="utf-8")
    _, err = compare_json(cli, str(a), str(path))
    assert "\x1b" not in err and "\\x1b[31mred" in err
