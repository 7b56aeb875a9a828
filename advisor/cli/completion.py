"""Shell completion: the scripts for bash, zsh and fish, and the completers for values.

A completion request is a normal run of mesh-advisor with _MESH_ADVISOR_COMPLETE set (click's
protocol, through typer); the completers below load the catalog only then, so an ordinary run
pays nothing for them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Optional

import typer

from advisor.answers.registry import BY_KEY
from advisor.environment import current as current_env
from advisor.errors import UserError
from advisor.humanize import quoted

PROG_NAME = "mesh-advisor"
COMPLETE_VAR = "_MESH_ADVISOR_COMPLETE"
SHELLS = ("bash", "zsh", "fish")


# ---------------------------------------------------------------- value completers (typer's autocompletion)


def choices(values: tuple[str, ...] | list[str]) -> Callable[[str], list[str]]:
    """Complete one of fixed values."""

    def complete(incomplete: str) -> list[str]:
        return [v for v in values if v.startswith(incomplete)]

    return complete


def _catalog() -> Any:
    # deferred: the catalog's models, loaded only for a completion request
    from advisor.catalog.load import load_catalog

    try:
        return load_catalog(None)
    except Exception:  # noqa: BLE001 - a completion that cannot read the data offers nothing
        return None


def feature_ids(incomplete: str) -> list[str]:
    """Feature ids; inside a comma list, the last id (`mtls,hea` -> `mtls,header-routing`)."""
    catalog = _catalog()
    if catalog is None:
        return []
    head, comma, last = incomplete.rpartition(",")
    prefix = head + comma
    given = set(head.split(",")) if head else set()
    return [prefix + fid for fid in catalog.feature_ids if fid.startswith(last) and fid not in given]


def mesh_options(incomplete: str) -> list[str]:
    """`none` or an option id (the mesh running today)."""
    catalog = _catalog()
    ids = ["none", *(catalog.option_ids if catalog is not None else ())]
    return [i for i in ids if i.startswith(incomplete)]


def profile_names(incomplete: str) -> list[str]:
    catalog = _catalog()
    return [] if catalog is None else [p for p in catalog.profiles if p.startswith(incomplete)]


def sweep_keys(incomplete: str) -> list[str]:
    # deferred: the engine, loaded only for a completion request
    from advisor.engine.sweep import SWEEP_KEYS

    return [f"{k}=" for k in SWEEP_KEYS if k.startswith(incomplete)]


# ---------------------------------------------------------------- scripts


SHELL_OPTIONS = ("--install-completion", "--show-completion")


def shell_defaulted(args: list[str]) -> list[str]:
    """`--show-completion` with no shell after it means the shell $SHELL names ("auto")."""
    out = list(args)
    for i, arg in enumerate(args):
        if arg in SHELL_OPTIONS and (i + 1 == len(args) or args[i + 1].startswith("-")):
            out.insert(out.index(arg) + 1, "auto")
    return out


def option_callback(installing: bool) -> Callable[[Optional[str]], None]:
    """The callback of --install-completion and --show-completion: the script, for the shell named or $SHELL's."""

    def callback(value: Optional[str]) -> None:
        if value is None:
            return
        flag = "--install-completion" if installing else "--show-completion"
        given = value.strip().lower()
        shell = detect_shell(current_env().environ) if given == "auto" else given
        if shell not in SHELLS:
            got = "$SHELL names none of them" if given == "auto" else f"got {quoted(value)}"
            raise UserError(f"{flag}: expected a shell, one of {', '.join(SHELLS)}; {got}")
        if installing:
            path = install(shell)
            current_env().note(f"{shell} completion installed in {path}; it takes effect in a new shell")
        else:
            current_env().write(script(shell) + "\n")
        raise typer.Exit(0)

    return callback


SHELL_METAVAR = "[" + "|".join(SHELLS) + "]"


def detect_shell(environ: Any) -> str | None:
    """The shell named by $SHELL, when it is one we complete for."""
    name = Path(environ.get("SHELL", "") or "").name
    return name if name in SHELLS else None


def script(shell: str) -> str:
    """The completion script for `shell` (typer's, which speaks click's completion protocol)."""
    from typer._completion_shared import get_completion_script  # deferred: typer's completion internals

    return str(get_completion_script(prog_name=PROG_NAME, complete_var=COMPLETE_VAR, shell=shell))


def install(shell: str) -> Path:
    """Install the script where `shell` finds it (bash: ~/.bash_completions, sourced from ~/.bashrc;
    zsh: ~/.zfunc; fish: ~/.config/fish/completions); returns the path written."""
    from typer import _completion_shared as shared

    installer = {"bash": shared.install_bash, "zsh": shared.install_zsh, "fish": shared.install_fish}[shell]
    return Path(installer(prog_name=PROG_NAME, complete_var=COMPLETE_VAR, shell=shell))


def requested() -> bool:
    """Whether this run is a completion request (checked before any heavy work)."""
    return bool(os.environ.get(COMPLETE_VAR))


def completer_for(param: Any, command: Any) -> Callable[[str], list[str]] | None:
    """The value completer for one parameter, found by its name: the question registry's kinds,
    --format (the formats that command can write), --feature, --sweep and the shells."""

    name = getattr(param, "name", "")
    question = BY_KEY.get(name)
    if question is not None:
        if question.kind == "features":
            return feature_ids
        if question.key == "benchmark_profile":
            return profile_names
        if question.kind == "choice":
            return choices(question.choices)
        if question.kind == "option":
            return mesh_options
        return None
    if name == "format":
        metavar = getattr(param, "metavar", "") or ""
        formats = metavar.split("|")
        return choices(formats + (["md"] if "markdown" in formats else []))
    if name == "feature":
        return feature_ids
    if name == "sweep":
        return sweep_keys
    if name in ("install_completion", "show_completion"):
        return choices(SHELLS)
    return None


def prepare(command: Any) -> None:
    """For a completion request only: register typer's bash/zsh/fish classes with click and give
    each parameter its value completer. Attached here, not where the options are declared, so an
    ordinary run does not pay for typer's introspection of every completer."""
    from typer._completion_classes import completion_init

    completion_init()

    def attach(node: Any) -> None:
        for param in getattr(node, "params", ()):
            complete = completer_for(param, node)
            if complete is not None:
                param._custom_shell_complete = lambda ctx, p, incomplete, f=complete: f(incomplete)
        for sub in getattr(node, "commands", {}).values():
            attach(sub)

    attach(command)
