"""`mesh-advisor wizard` in a real pseudo-terminal (pexpect): a full run, Ctrl-C, and no terminal at all."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

# Each test drives the real wizard in a pseudo-terminal.
pytestmark = pytest.mark.slow

ENTER, SPACE, DOWN, UP, CTRL_C = "\r", " ", "\x1b[B", "\x1b[A", "\x03"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]")
TIMEOUT_S = 20


def terminal_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "MESH_ADVISOR_DEBUG")}
    # A pexpect terminal never answers cursor-position requests; without this, prompt_toolkit waits for them.
    env.update(TERM="xterm-256color", NO_COLOR="1", PYTHONUNBUFFERED="1", PROMPT_TOOLKIT_NO_CPR="1")
    return env


def list_position(feature_id: str) -> int:
    """Where a capability sits in the checkbox (grouped as the matrix groups them); mtls is first."""
    from advisor.catalog.load import load_catalog

    features = load_catalog().features
    order = [f.id for g in features.groups for f in features.features if f.group == g.id]
    assert order[0] == "mtls"
    return order.index(feature_id)


class Terminal:
    """`python -m advisor wizard ...` on a 40x100 pseudo-terminal, with everything it drew kept."""

    def __init__(self, cwd: Path, *args: str) -> None:
        self.transcript = io.StringIO()
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "advisor", "wizard", *args],
            cwd=str(cwd),
            env=terminal_env(),
            dimensions=(40, 100),
            encoding="utf-8",
            timeout=TIMEOUT_S,
        )
        self.child.logfile_read = self.transcript

    def answer(self, prompt: str, keys: str) -> None:
        self.child.expect_exact(prompt)
        self.child.send(keys)

    def finish(self) -> int:
        self.child.expect(pexpect.EOF)
        self.child.close()
        return self.child.exitstatus

    @property
    def screen(self) -> str:
        return ANSI.sub("", self.transcript.getvalue())


def test_complete_run_saves_toml_that_recommend_reproduces(tmp_path: Path) -> None:
    t = Terminal(tmp_path)
    t.answer("How many pods will be in the mesh?", "2000" + ENTER)
    t.answer("How many nodes run those pods?", "40" + ENTER)
    t.answer("How many namespaces are in the mesh?", ENTER)
    t.answer("How many requests per second", ENTER)
    t.answer("needs HTTP-aware (L7) processing?", "1.5" + ENTER)
    # The rejected value is explained inline, in the words a flag would get; then corrected.
    t.child.expect_exact("expected a number from 0 to 1, got '1.5'")
    t.child.send("\x7f" * 3 + "0.4" + ENTER)
    t.answer("hops does one user request make?", ENTER)
    # Must-haves: arrow down to the feature and tick it with space.
    t.answer("Which capabilities must the mesh have?", "")
    t.child.expect_exact("Automatic mTLS — Encrypt and authenticate")
    t.child.send(SPACE + DOWN * list_position("fault-injection") + SPACE + ENTER)  # mtls (first), fault-injection
    t.child.expect_exact("Must-haves: mtls, fault-injection")
    t.child.expect_exact("Istio ambient has fault-injection only at alpha: a blocker if risk is conservative")
    t.answer("Which capabilities would be nice to have?", ENTER)
    t.answer("Which mesh does the cluster run today?", ENTER)
    t.answer("How much service-mesh experience", ENTER)
    t.answer("Does the team already run Envoy?", "n")
    t.answer("appetite for young or pre-GA", UP + ENTER)  # conservative
    t.answer("resource cost matter?", ENTER)
    t.answer("added latency matter?", ENTER)
    t.answer("Where does the cluster run?", ENTER)  # generic, kept
    t.answer("commercial distribution or a managed mesh?", ENTER)  # no, kept
    t.answer("Which prices should turn vCPU and memory into money?", ENTER)
    t.answer("Which cost should drive the score?", ENTER)
    t.answer("Which benchmark profile", ENTER)
    t.answer("Save the result as TOML?", ENTER)
    t.answer("Save to", ENTER)
    t.child.expect_exact("Saved mesh-advisor-result.toml")
    assert t.finish() == 0

    screen = t.screen
    assert "Traceback" not in screen
    shown_choice = re.search(r"Recommendation: (.+?)\s\s", screen).group(1)
    command = re.search(r"mesh-advisor recommend --pods 2000[^\r\n]*", screen).group(0)
    assert command == (
        "mesh-advisor recommend --pods 2000 --nodes 40 --l7-ratio 0.4 --require mtls --require fault-injection "
        "--risk conservative"
    )

    saved = tmp_path / "mesh-advisor-result.toml"
    doc = tomllib.loads(saved.read_text(encoding="utf-8"))
    assert doc["answers"]["pods"] == 2000 and doc["answers"]["require"] == ["mtls", "fault-injection"]
    names = {"linkerd": "Linkerd", "istio-sidecar": "Istio sidecar", "istio-ambient": "Istio ambient"}
    assert names[doc["recommendation"]["choice"]] == shown_choice

    again = subprocess.run(
        [sys.executable, "-m", "advisor", "recommend", "--answers", str(saved), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        env=terminal_env(),
    )
    assert again.returncode == 0, again.stderr
    result = json.loads(again.stdout)
    assert result["recommendation"]["choice"] == doc["recommendation"]["choice"]
    assert result["answers"] == doc["answers"]


def test_ctrl_c_in_the_middle_exits_130_and_saves_nothing(tmp_path: Path) -> None:
    t = Terminal(tmp_path, "-o", "result.toml")
    t.answer("How many pods will be in the mesh?", "500" + ENTER)
    t.answer("How many nodes run those pods?", ENTER)
    t.answer("How many namespaces are in the mesh?", ENTER)
    t.answer("How many requests per second", ENTER)
    t.answer("needs HTTP-aware (L7) processing?", ENTER)
    t.answer("hops does one user request make?", ENTER)
    t.answer("Which capabilities must the mesh have?", DOWN + SPACE)
    t.child.expect_exact("L4 authorization")
    t.child.send(CTRL_C)
    t.child.expect_exact("Interrupted; nothing saved.")
    assert t.finish() == 130
    assert "Traceback" not in t.screen
    assert list(tmp_path.iterdir()) == []


def test_flags_skip_questions_and_output_saves_without_asking(tmp_path: Path) -> None:
    t = Terminal(tmp_path, "--pods", "800", "--nodes", "20", "--require", "mtls", "-o", "given.toml")
    t.answer("How many namespaces are in the mesh?", ENTER)
    for prompt in (
        "requests per second",
        "(L7) processing?",
        "hops does one",
        "nice to have?",
        "run today?",
        "experience does",
        "run Envoy?",
        "appetite",
        "resource cost",
        "added latency",
        "cluster run?",
        "managed mesh?",
        "Which prices",
        "drive the score",
        "benchmark profile",
    ):
        t.answer(prompt, ENTER if prompt != "run Envoy?" else "y")
    t.child.expect_exact("Saved given.toml")
    assert t.finish() == 0
    assert "How many pods" not in t.screen and "must the mesh have" not in t.screen
    assert "Save the result as TOML?" not in t.screen
    doc = tomllib.loads((tmp_path / "given.toml").read_text(encoding="utf-8"))
    assert (doc["answers"]["pods"], doc["answers"]["envoy_experience"]) == (800, True)


def test_existing_output_without_force_fails_before_any_question(tmp_path: Path) -> None:
    (tmp_path / "given.toml").write_text("keep\n")
    t = Terminal(tmp_path, "-o", "given.toml")
    assert t.finish() == 2
    assert "file exists; pass --force to overwrite it" in t.screen
    assert "How many pods" not in t.screen
    assert (tmp_path / "given.toml").read_text() == "keep\n"


def test_stdin_not_a_terminal_exits_2_and_points_to_recommend(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "advisor", "wizard"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=TIMEOUT_S,
        env=terminal_env(),
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "needs a terminal on stdin and stdout (stdin is not one)" in proc.stderr
    assert "mesh-advisor recommend" in proc.stderr and "Traceback" not in proc.stderr
    assert list(tmp_path.iterdir()) == []
