"""Answer resolution: flag > answers file > typed > default, and every way an answer can be wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor.answers.resolve import load_answers_file, resolve
from advisor.catalog.load import load_catalog
from advisor.errors import AnswerError
from outcomes import run_cli


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_precedence_flag_over_file_over_typed_over_default(catalog) -> None:
    resolved = resolve(
        catalog,
        flags={"pods": "10", "nodes": None},
        file_values={"pods": 20, "nodes": 30},
        typed={"pods": "40", "nodes": "50", "namespaces": "60"},
    )
    a = resolved.answers
    assert (a.pods, a.nodes, a.namespaces, a.hops) == (10, 30, 60, 3)
    assert resolved.origin["pods"] == "flag"
    assert resolved.origin["nodes"] == "file"
    assert resolved.origin["namespaces"] == "typed"
    assert resolved.origin["hops"] == "default"
    assert "hops" in resolved.defaulted and "pods" not in resolved.defaulted


def test_price_and_profile_defaults_come_from_the_data(catalog) -> None:
    a = resolve(catalog).answers
    assert (a.cpu_price, a.memory_price) == (0.031611, 0.004237)
    assert a.benchmark_profile == "istio-1.24"


def test_an_empty_list_in_a_file_counts_as_given(catalog) -> None:
    resolved = resolve(catalog, file_values={"require": []})
    assert resolved.answers.require == ()
    assert "require" not in resolved.defaulted


def test_unknown_feature_suggests_the_closest_ids(catalog) -> None:
    with pytest.raises(AnswerError) as exc:
        resolve(catalog, flags={"require": ["fault-injektion"]})
    assert "--require: unknown feature id 'fault-injektion' (did you mean fault-injection?)" in exc.value.message
    assert "valid ids: mtls" in exc.value.message


def test_required_and_preferred_at_once_is_an_error(catalog) -> None:
    with pytest.raises(AnswerError) as exc:
        resolve(catalog, flags={"require": ["wasm"], "prefer": ["wasm,mtls"]})
    assert "wasm: a capability cannot be both required and preferred" in exc.value.message


def test_several_problems_are_reported_together(catalog) -> None:
    with pytest.raises(AnswerError) as exc:
        resolve(catalog, flags={"pods": "0", "risk": "yolo"})
    assert exc.value.message == "2 problems with the answers:"
    assert exc.value.problems[0].startswith("--pods: expected a whole number")
    assert exc.value.problems[1].startswith("--risk: expected one of")


def test_file_errors_name_the_file_and_key(catalog, tmp_path: Path) -> None:
    path = tmp_path / "a.toml"
    path.write_text("pods = -3\n")
    values, label = load_answers_file(path)
    with pytest.raises(AnswerError) as exc:
        resolve(catalog, file_values=values, file_label=label)
    assert exc.value.message == f"{path}: pods: expected a whole number from 1 to 100,000,000, got -3"


@pytest.mark.parametrize(
    "content, suffix, message",
    [
        ("pods = \n", ".toml", "TOML syntax error"),
        ('{"pods": }', ".json", "JSON syntax error"),
        ('{"pods": NaN}', ".json", "NaN is not a valid answer value"),
        ("podz = 3\n", ".toml", "unknown key 'podz' (did you mean pods?)"),
        ("pods = 3\nfoo = 1\nbar = 2\n", ".toml", "unknown keys 'foo', 'bar'"),
        ("[answers]\npods = 0\n", ".toml", "[answers]: pods: expected a whole number"),
        ("schema_version = 9\n[answers]\npods = 3\n", ".toml", "written by a newer mesh-advisor (schema_version 9"),
        ('pods = "lots"\n', ".toml", "pods: expected a whole number from 1 to 100,000,000, got 'lots'"),
        ('require = "nope"\n', ".toml", "unknown feature id 'nope'"),
        ("[1, 2]", ".json", "expected a table of answers at the top level"),
    ],
)
def test_bad_answers_files_exit_2_with_one_message(
    capsys, tmp_path: Path, content: str, suffix: str, message: str
) -> None:
    path = tmp_path / f"answers{suffix}"
    path.write_text(content)
    rc, out, err = run_cli("recommend", "--answers", str(path), "--format", "json")
    assert rc == 2
    assert out == ""
    assert message in err
    assert "Traceback" not in err


def test_binary_junk_and_missing_file(capsys, tmp_path: Path) -> None:
    junk = tmp_path / "junk.toml"
    junk.write_bytes(b"\xff\xfe\x00\x81")
    rc, _, err = run_cli("recommend", str(junk))
    assert (rc, err.strip()) == (2, f"mesh-advisor: {junk}: not UTF-8 text; expected a TOML or JSON answers file")
    rc, _, err = run_cli("recommend", "--answers", str(tmp_path / "missing.toml"))
    assert (rc, err.strip()) == (2, f"mesh-advisor: {tmp_path / 'missing.toml'}: answers file not found")


def test_json_answers_file_and_positional_equivalent(capsys, tmp_path: Path) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"pods": 1234, "require": ["mtls"], "envoy_experience": True}))
    rc, out, _ = run_cli("recommend", str(path), "--format", "json")
    assert rc == 0
    answers = json.loads(out)["answers"]
    assert (answers["pods"], answers["require"], answers["envoy_experience"]) == (1234, ["mtls"], True)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--pods", "0"], "mesh-advisor: --pods: expected a whole number from 1 to 100,000,000, got '0'"),
        (["--l7-ratio", "2"], "mesh-advisor: --l7-ratio: expected a number from 0 to 1, got '2'"),
        (["--mesh-rps", "fast"], "mesh-advisor: --mesh-rps: expected a number"),
        (
            ["--team-experience", "guru"],
            "mesh-advisor: --team-experience: expected one of none, some, expert, got 'guru'",
        ),
        (["--benchmark-profile", "nope"], "unknown benchmark profile 'nope'; expected one of istio-1.24"),
        (["--format", "xml"], "mesh-advisor: --format: expected one of table, json, toml, markdown, got 'xml'"),
        (["--require", "wasm", "--prefer", "wasm"], "wasm: a capability cannot be both required and preferred"),
        (["--podz", "3"], "No such option: --podz"),
    ],
)
def test_bad_flags_exit_2_with_one_line(capsys, args: list[str], message: str) -> None:
    rc, out, err = run_cli("recommend", *args)
    assert rc == 2
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1
