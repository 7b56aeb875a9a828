"""Help a person can use (whole flag names at any width or piped, flags without a value, examples
last, feature ids one command away) and shell completion for bash, zsh and fish."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from advisor.cli import app as cli
from advisor.__main__ import main
from advisor.catalog.load import load_catalog
from advisor.environment import Environment
from outcomes import run_cli

COMMANDS = [
    ["recommend"],
    ["wizard"],
    ["cost"],
    ["matrix"],
    ["compare"],
    ["scan"],
    ["data", "show"],
    ["data", "validate"],
]
BIN = str(Path(sys.executable).parent)
FEATURE_IDS = load_catalog().feature_ids


def command_of(path: list[str]) -> object:
    node = typer.main.get_command(cli.app)
    for name in path:
        node = node.commands[name]  # type: ignore[attr-defined]
    return node


def help_text(path: list[str], columns: int, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COLUMNS", str(columns))  # click sizes help from the terminal (COLUMNS when piped)
    outcome = run_cli(*path, "--help", environ={})
    assert outcome.rc == 0, str(outcome)
    return outcome.out


@pytest.mark.parametrize("columns", [60, 80])
@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) for p in COMMANDS])
def test_help_shows_every_flag_whole_and_flags_take_no_value(
    path: list[str], columns: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = help_text(path, columns, monkeypatch)
    assert "…" not in text and "<bool>" not in text and "<str>" not in text
    words = {word.rstrip(",") for word in text.split()}
    for param in command_of(path).params:  # type: ignore[attr-defined]
        for flag in [*param.opts, *param.secondary_opts]:
            if flag.startswith("-"):
                assert flag in words, f"{flag} not shown whole at {columns} columns"
    assert max(len(line) for line in text.splitlines()) <= max(columns, 80)


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) for p in COMMANDS])
def test_help_ends_with_real_examples(path: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    text = help_text(path, 80, monkeypatch)
    head, _, examples = text.rpartition("\nExamples:\n")
    lines = [line.strip() for line in examples.strip().splitlines()]
    assert head and 2 <= len(lines) <= 3
    assert all(line.startswith("mesh-advisor ") for line in lines)
    assert any(line.startswith(f"mesh-advisor {' '.join(path)}") for line in lines)


@pytest.mark.slow
def test_piped_help_shows_whole_flag_names() -> None:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    done = subprocess.run(
        [sys.executable, "-m", "advisor", "recommend", "--help"], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0
    words = done.stdout.split()
    for flag in (
        "--envoy-experience",
        "--no-envoy-experience",
        "--cost-sensitivity",
        "--latency-sensitivity",
        "--benchmark-profile",
        "--what-if-limit",
    ):
        assert flag in words
    assert "--force" in words and "--force <bool>" not in done.stdout


def test_require_help_points_to_the_feature_ids_and_matrix_ids_lists_them(cli) -> None:
    rc, out, _ = cli("recommend", "--help")
    assert "mesh-advisor matrix --ids" in " ".join(out.split())
    rc, out, _ = cli("matrix", "--ids")
    assert rc == 0
    assert [line.split()[0] for line in out.splitlines()] == list(FEATURE_IDS)
    assert "Automatic mTLS" in out


# ---------------------------------------------------------------- completion


def bash_complete(*words: str) -> list[str]:
    """Complete the last word as bash would, with the script from --show-completion bash."""
    if shutil.which("bash") is None:
        pytest.skip("no bash")
    script = (
        "source <(mesh-advisor --show-completion bash)\n"
        'COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n'
        "_mesh_advisor_completion mesh-advisor\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    env = {**os.environ, "PATH": BIN + os.pathsep + os.environ.get("PATH", "")}
    done = subprocess.run(
        ["bash", "-c", script, "bash", "mesh-advisor", *words], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return [line for line in done.stdout.splitlines() if line]


@pytest.mark.slow
def test_bash_completes_commands_flags_choices_feature_ids_and_profiles() -> None:
    assert bash_complete("rec") == ["recommend"]
    assert bash_complete("data", "") == ["show", "validate"]
    assert bash_complete("recommend", "--cost-s") == ["--cost-sensitivity"]
    assert bash_complete("recommend", "--risk", "") == ["conservative", "balanced", "early-adopter"]
    assert bash_complete("recommend", "--require", "header") == ["header-routing"]
    assert bash_complete("recommend", "--require", "mtls,header") == ["mtls,header-routing"]
    assert bash_complete("cost", "--benchmark-profile", "") == list(load_catalog().profiles)
    assert bash_complete("compare", "a.toml", "b.toml", "--format", "m") == ["markdown", "md"]
    assert bash_complete("cost", "--sweep", "no") == ["nodes="]


@pytest.mark.parametrize(
    "shell, marker",
    [
        ("bash", "complete -o default -F _mesh_advisor_completion mesh-advisor"),
        ("zsh", "#compdef mesh-advisor"),
        ("fish", "complete --command mesh-advisor"),
    ],
)
def test_show_completion_prints_each_shells_script(shell: str, marker: str, cli) -> None:
    rc, out, _ = cli("--show-completion", shell)
    assert rc == 0 and marker in out and "_MESH_ADVISOR_COMPLETE=complete_" in out


def test_show_completion_without_a_shell_uses_shell_and_refuses_others() -> None:
    rc, out, _ = run_cli("--show-completion", environ={"SHELL": "/usr/bin/zsh"})
    assert rc == 0 and out.startswith("#compdef mesh-advisor")
    rc, out, err = run_cli("--show-completion", environ={"SHELL": "/bin/tcsh"})
    assert rc == 2 and out == ""
    assert "--show-completion: expected a shell, one of bash, zsh, fish" in err


@pytest.mark.slow
def test_install_completion_writes_the_script_where_the_shell_reads_it(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path), "PATH": BIN + os.pathsep + os.environ.get("PATH", "")}
    done = subprocess.run(
        [sys.executable, "-m", "advisor", "--install-completion", "fish"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    script = tmp_path / ".config/fish/completions/mesh-advisor.fish"
    assert "complete --command mesh-advisor" in script.read_text()
    assert str(script) in done.stderr


@pytest.mark.parametrize(
    "protocol, extra",
    [("complete_zsh", {}), ("complete_fish", {"_TYPER_COMPLETE_FISH_ACTION": "get-args"})],
)
def test_zsh_and_fish_protocols_offer_choice_values(
    protocol: str, extra: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("_MESH_ADVISOR_COMPLETE", protocol)
    monkeypatch.setenv("_TYPER_COMPLETE_ARGS", "mesh-advisor recommend --team-experience ")
    for key, value in extra.items():
        monkeypatch.setenv(key, value)
    out = io.StringIO()
    with pytest.raises(SystemExit) as done:
        main([], Environment(stdout=out, stderr=io.StringIO()))
    assert done.value.code == 0
    for choice in ("none", "some", "expert"):
        assert choice in out.getvalue()


# ---------------------------------------------------------------- lists from the registries


@pytest.mark.parametrize(
    "path, metavar",
    [
        (["recommend"], "table|json|toml|markdown"),
        (["compare"], "table|json|toml|markdown"),
        (["scan"], "table|json|toml|markdown"),  # a scan and a plan render Markdown too
        (["plan"], "table|json|toml|markdown"),
        (["cost"], "table|json|toml"),
        (["matrix"], "table|json|toml"),
        (["data", "show"], "table|json|toml"),
    ],
)
def test_help_lists_the_formats_each_command_can_write(path: list[str], metavar: str, monkeypatch) -> None:
    text = help_text(path, 100, monkeypatch)
    assert f"--format {metavar} " in text
    if "-o, --output" in text:  # -o names only the extensions that command can write
        assert (".md" in " ".join(text.split("-o, --output", 1)[1].split()[:30])) == metavar.endswith("markdown")


def test_platform_help_shows_its_default_and_no_hand_kept_list(monkeypatch) -> None:
    flat = " ".join(help_text(["recommend"], 100, monkeypatch).split())
    platform = flat.split("--platform", 1)[1].split("--vendor-distribution", 1)[0]
    assert "Default: generic." in platform
    assert "gke-autopilot" not in platform  # the ids are the data's: Tab completes them


@pytest.mark.slow
def test_bash_completes_formats_targets_and_platforms_from_the_registries() -> None:
    catalog = load_catalog()
    assert bash_complete("plan", "--format", "m") == ["markdown", "md"]
    assert bash_complete("scan", "--format", "") == ["table", "json", "toml", "markdown", "md"]
    assert bash_complete("cost", "--format", "") == ["table", "json", "toml"]
    assert bash_complete("plan", "--to", "") == list(catalog.option_ids)
    assert bash_complete("recommend", "--platform", "") == list(catalog.platform_ids)
    assert bash_complete("recommend", "--platform", "gke-a") == ["gke-autopilot"]
