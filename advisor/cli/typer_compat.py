"""Workarounds for typer internals, in one place, each saying what it buys.

- `click_exception_types`: click's exceptions reached through typer, which may vendor click.
- `use_raw_values`: typer would import pydantic and build a TypeAdapter per parameter on every run
  to coerce values that are all text, lists of text or flags (which the question registry parses
  anyway); a stand-in returns them as given. If typer's internals change, its slot is absent and
  typer's own coercion runs: slower, never wrong.
- `command_tree`: typer builds the click command tree from every command function's signature on
  each call; it is built once per process, with only the command being run.
"""

from __future__ import annotations

import copy
import functools
from types import SimpleNamespace
from typing import Any, Optional

import typer

from advisor.cli.help import HELP_NAMES


def click_exception_types() -> tuple[type, type, type]:
    """click's ClickException, Abort and Exit, found through typer (which may vendor click)."""
    click_exc = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
    return click_exc, typer.Abort, typer.Exit


class _RawValue:
    """Stand-in for typer's per-parameter pydantic coercion.

    Every option here is text, a list of text or a bool flag, and our own validation
    (the question registry) parses it; typer would otherwise import pydantic and build a
    TypeAdapter per parameter on every run, which costs more than the rest of `recommend`.
    """

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        if value is None:
            return () if getattr(param, "multiple", False) else None
        return value


_RAW_ANNOTATIONS = (str, bool, list[str])


def use_raw_values(command: Any) -> None:
    # Only where typer still has its lazy slot empty and the annotation is plain text or a
    # flag; if typer changes these internals the slot is absent and its own coercion runs.
    params = list(getattr(command, "params", ()))
    try:
        # click adds --help lazily from the context; build (and cache) it now so it is covered too.
        help_option = command.get_help_option(SimpleNamespace(help_option_names=HELP_NAMES))
        if help_option is not None:
            params.append(help_option)
    except Exception:  # noqa: BLE001 - an internals change only means typer coerces --help itself
        pass
    for param in params:
        descriptor = getattr(param, "type_descriptor", None)
        if getattr(param, "_runtime_param", "absent") is None and descriptor is not None:
            if descriptor.annotation in _RAW_ANNOTATIONS:
                param._runtime_param = _RawValue()
    for sub in getattr(command, "commands", {}).values():
        use_raw_values(sub)


def command_name(info: Any) -> str:
    return info.name or typer.main.get_command_name(info.callback.__name__)


def full_tree(app: typer.Typer) -> Any:
    """Every command (completion requests and `--help` of the whole program need them all)."""
    command = typer.main.get_command(app)
    use_raw_values(command)
    return command


@functools.cache
def command_tree(app: typer.Typer, name: Optional[str] = None) -> Any:
    """The click command tree typer builds from the functions' signatures: built once per process
    (click commands are reusable; each run gets its own context), since building it costs more
    than many a command's own work, and tests and the wizard run several commands in one process.
    With `name` (the command line starts with a command's name), the tree holds the top-level
    options and that one command: typer reads every function's signature to build a command, and
    the other eight are not needed to run this one (about 10 ms of every run)."""
    source = app
    if name is not None:
        source = copy.copy(app)
        source.registered_commands = [c for c in app.registered_commands if command_name(c) == name]
        source.registered_groups = [g for g in app.registered_groups if g.name == name]
    return full_tree(source)


@functools.cache
def command_names(app: typer.Typer) -> frozenset[str]:
    return frozenset(
        [*(command_name(c) for c in app.registered_commands), *(g.name for g in app.registered_groups if g.name)]
    )
