"""Input a person types by mistake: a decimal comma is refused everywhere with the dotted form
suggested; valid but implausible answers get a warning on stderr and in the document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor.answers import wizard
from advisor.catalog.load import load_catalog
from advisor.answers.registry import BY_KEY
from outcomes import run_cli


def run(*args: str) -> tuple[int, str, str]:
    return tuple(run_cli(*args, columns=120, environ={"NO_COLOR": "1"}))


# ---------------------------------------------------------------- decimal commas


@pytest.mark.parametrize(
    "flag, typed, suggestion",
    [
        ("--memory-price", "0,005", "write 0.005"),
        ("--cpu-price", "0,040", "write 0.040"),  # once read as 40.0 (a thousands group)
        ("--cpu-price", "1,500", "write 1500 (or 1.5 if the comma is a decimal point)"),  # neither is guessed
        ("--mesh-rps", "1,500", "write 1500 (or 1.5 if the comma is a decimal point)"),  # once read as 1500 silently
        ("--pods", "1.000", "write 1000"),  # once read as 1 pod
        ("--mesh-rps", "2.500", "write 2500 (or 2.5 if the dot is a decimal point)"),
        ("--l7-ratio", "0,3", "write 0.3"),
        ("--mesh-rps", "0,5", "write 0.5"),
        ("--pods", "0,500", "write the whole number without it"),  # never "0.500": not a whole number either
    ],
)
def test_a_decimal_comma_in_a_flag_is_refused_with_the_dotted_form(flag: str, typed: str, suggestion: str) -> None:
    rc, out, err = run("cost", flag, typed, "--format", "json")
    assert rc == 2 and out == ""
    assert err.startswith(f"mesh-advisor: {flag}: expected") and repr(typed) in err and suggestion in err
    assert len(err.strip().splitlines()) == 1


def test_a_decimal_comma_in_an_answers_file_is_refused_the_same_way(tmp_path: Path) -> None:
    answers = tmp_path / "answers.toml"
    answers.write_text('cpu_price = "0,040"\n')
    rc, out, err = run("recommend", "--answers", str(answers), "--format", "json")
    assert rc == 2 and out == ""
    assert f"{answers}: cpu_price: expected a number" in err and "write 0.040" in err


def test_a_decimal_comma_typed_in_the_wizard_is_refused_inline() -> None:
    validate = wizard.text_validator(load_catalog(), BY_KEY["cpu_price"])
    message = validate("0,040")
    assert isinstance(message, str) and "write 0.040" in message
    assert validate("0.040") is True


def test_digit_group_separators_are_refused_in_flags_files_and_the_wizard(tmp_path: Path) -> None:
    # "2,000" is 2000 in one locale and 2 in another: the unambiguous spellings are suggested
    rc, out, err = run("cost", "--pods", "2,000", "--format", "json")
    assert rc == 2 and out == "" and "write 2000 (or 2 if the comma is a decimal point)" in err
    answers = tmp_path / "answers.toml"
    answers.write_text('pods = "1.000"\n')
    rc, out, err = run("recommend", "--answers", str(answers), "--format", "json")
    assert rc == 2 and f"{answers}: pods: expected a whole number" in err and "write 1000" in err
    validate = wizard.text_validator(load_catalog(), BY_KEY["mesh_rps"])
    message = validate("50,000")
    assert isinstance(message, str) and "write 50000 (or 50 if the comma is a decimal point)" in message
    assert validate("50000") is True and validate("0.005") is True and validate("1.5") is True


def test_an_underflow_to_0_is_refused_like_any_value_below_the_smallest() -> None:
    rc, _, err = run("cost", "--cpu-price", "1e-400")
    assert rc == 2 and "--cpu-price: expected a number from 0 to 1,000,000: 0, or at least 1e-12; got '1e-400'" in err
    rc, _, err = run("cost", "--cpu-price", "0e-400", "--format", "json")
    assert rc == 0, err  # a zero written with an exponent is still 0


# ---------------------------------------------------------------- sanity warnings


def test_more_pods_per_node_than_the_kubelet_allows_warns_with_its_source() -> None:
    # 5,000 pods / 20 nodes = 250 pods per node > 110 (kubelet maxPods default)
    rc, out, err = run("cost", "--pods", "5000", "--nodes", "20", "--format", "json")
    assert rc == 0
    warnings = json.loads(out)["warnings"]
    assert len(warnings) == 1 and warnings[0].startswith("250 pods per node (pods 5,000 / nodes 20)")
    assert "default maximum of 110 pods per node" in warnings[0]
    assert "kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/" in warnings[0]
    assert err == f"mesh-advisor: warning: {warnings[0]}\n"


def test_a_defaulted_answer_behind_a_warning_is_named() -> None:
    rc, _, err = run("recommend", "--pods", "1500", "--format", "json")
    assert rc == 0 and "150 pods per node" in err and "(nodes was not given: the default)" in err


def test_request_rates_beyond_one_proxy_warn() -> None:
    # 10,000,000 rps x 2 proxies / 1,000 pods = 20,000 rps per proxy > 10,000 (2 vCPU limit / 0.20 vCPU per 1000 rps)
    rc, out, err = run("recommend", "--pods", "1000", "--nodes", "100", "--mesh-rps", "10000000", "--format", "json")
    assert rc == 0
    (warning,) = json.loads(out)["warnings"]
    assert warning.startswith("20,000 requests per second through each pod's proxy") and "about 10,000 rps" in warning


def test_plausible_answers_give_no_warning() -> None:
    rc, out, err = run("recommend", "--pods", "1000", "--nodes", "20", "--format", "json")
    assert rc == 0 and err == "" and "warnings" not in json.loads(out)


def test_the_decision_record_lists_the_warnings() -> None:
    rc, out, _ = run("recommend", "--pods", "5000", "--nodes", "20", "--format", "md")
    assert rc == 0 and "Warnings about the answers:" in out and "250 pods per node" in out


def test_more_waypoint_namespaces_than_namespaces_is_checked_from_data(data_dir: Path, rewrite) -> None:
    # With the limit at 0.5 waypoint namespaces per namespace, l7_ratio 1 (a waypoint in every
    # namespace: 1 per namespace) is over it; the check and its words come from rules.toml.
    def lower(doc: dict) -> None:
        for check in doc["sanity_checks"]:
            if check["id"] == "waypoints-per-namespace":
                check["limit"]["value"] = 0.5

    rewrite(data_dir / "rules.toml", lower)
    rc, out, _ = run("cost", "--l7-ratio", "1", "--format", "json", "--data-dir", str(data_dir))
    assert rc == 0
    assert json.loads(out)["warnings"] == [
        "1 waypoint namespaces per namespace: more namespaces need a waypoint than there are namespaces (5); "
        "check --namespaces and --l7-ratio (namespaces was not given: the default); "
        "source of the limit: https://istio.io/latest/docs/ambient/usage/waypoint/"
    ]
