"""The GitHub Action (action.yml) and the pre-commit hook (.pre-commit-hooks.yaml): their script run here, as
GitHub and pre-commit would run it, on the half-migrated fixture."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).parent.parent.parent
FIX = Path(__file__).parent.parent / "fixtures"
HALF = FIX / "check" / "half-migrated.yaml"
CLEAN = FIX / "scan" / "bookinfo"
SARIF_SCHEMA = Path(__file__).parent.parent / "schemas" / "sarif" / "sarif-schema-2.1.0.json"


def _action(tmp_path: Path, *args: str, **inputs: str) -> tuple[subprocess.CompletedProcess[str], dict[str, str], str]:
    out, summary = tmp_path / "github_output", tmp_path / "summary.md"
    env = {k: v for k, v in os.environ.items() if not k.startswith("INPUT_")}
    env.update({f"INPUT_{k.upper()}": v for k, v in inputs.items()})
    env.update(GITHUB_OUTPUT=str(out), GITHUB_STEP_SUMMARY=str(summary))
    run = subprocess.run(
        [sys.executable, str(ROOT / "action" / "check.py"), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    outputs = dict(line.split("=", 1) for line in out.read_text().splitlines()) if out.exists() else {}
    return run, outputs, summary.read_text() if summary.exists() else ""


def test_action_yml_runs_the_tested_script_and_uploads_sarif():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    check = next(s for s in steps if s.get("id") == "check")
    assert check["run"] == 'python "${{ github.action_path }}/action/check.py"'
    assert (ROOT / "action" / "check.py").is_file()
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert upload["with"]["sarif_file"] == "${{ steps.check.outputs.sarif-file }}"
    # every input the script reads is declared, and passed through the environment (never pasted into a shell)
    assert set(check["env"]) == {
        f"INPUT_{k.upper().replace('-', '_')}" for k in ("path", "fail-on", "sarif-file", "comment", "answers", "to")
    }
    for step in steps:
        assert "${{ inputs." not in step.get("run", ""), step


@pytest.mark.slow
def test_the_action_script_writes_sarif_outputs_and_a_summary(tmp_path):
    run, outputs, summary = _action(tmp_path, path=str(HALF))
    assert run.returncode == 0, run.stderr  # the upload step runs first; the last step fails the job
    assert outputs["exit-code"] == "3"
    assert outputs["errors"] == "4" and outputs["findings"] == "9"
    log = json.loads((tmp_path / outputs["sarif-file"]).read_text())
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(log)
    assert "l7-policy-selector-in-ambient" in summary
    run, outputs, _ = _action(tmp_path, "--exit", path=str(HALF))
    assert run.returncode == 3


@pytest.mark.slow
def test_the_action_script_passes_a_clean_path_and_can_fail_on_warnings(tmp_path):
    run, outputs, _ = _action(tmp_path, "--exit", path=str(CLEAN))
    assert (run.returncode, outputs["exit-code"], outputs["findings"]) == (0, "0", "0")
    warn = tmp_path / "w.yaml"
    warn.write_text(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labels: {istio-injection: enabled, istio.io/dataplane-mode: ambient}\n"
    )
    assert _action(tmp_path, "--exit", path=str(warn))[0].returncode == 0
    assert _action(tmp_path, "--exit", path=str(warn), fail_on="warning")[0].returncode == 3


@pytest.mark.slow
def test_the_action_script_writes_the_plan_comment(tmp_path):
    scan = tmp_path / "scan.toml"
    subprocess.run(
        [sys.executable, "-m", "advisor", "scan", str(CLEAN), "-o", str(scan)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    run, outputs, _ = _action(tmp_path, path=str(CLEAN), comment="plan", answers=str(scan), to="istio-ambient")
    assert run.returncode == 0, run.stderr
    body = Path(tmp_path / outputs["comment-file"]).read_text()
    assert body.startswith("# Migration plan: Istio sidecar to Istio ambient")
    run, outputs, _ = _action(tmp_path, path=str(CLEAN), comment="record", answers=str(scan))
    assert run.returncode == 0, run.stderr
    assert "Istio" in Path(tmp_path / outputs["comment-file"]).read_text()
    run, _, _ = _action(tmp_path, path=str(CLEAN), comment="loud")
    assert run.returncode == 2 and "comment: expected one of none, plan, record" in run.stderr


@pytest.mark.slow
def test_pre_commit_hook_entry_checks_the_files_it_is_given(tmp_path):
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "mesh-advisor-check" and hook["language"] == "python"
    entry = hook["entry"].split()
    assert entry[:2] == ["mesh-advisor", "check"]
    # pre-commit runs `entry` with the staged file names appended
    run = subprocess.run(
        [sys.executable, "-m", "advisor", *entry[1:], str(HALF)], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 3 and "l7-policy-selector-in-ambient" in run.stdout
    run = subprocess.run(
        [sys.executable, "-m", "advisor", *entry[1:], str(CLEAN / "platform.yaml")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
