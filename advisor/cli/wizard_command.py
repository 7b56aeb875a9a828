"""The `wizard` command: the typed answers (advisor.answers.wizard), then the one pipeline, the table and the save.

The wizard itself is only an answer source; what follows the questions is `recommend`'s: the same
result (robustness included), rendered by the format registry, saved by the same writer.
"""

from __future__ import annotations

import shlex
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any, Callable, Mapping

from rich.text import Text

from advisor.answers.command_line import reproducing_command
from advisor.answers.resolve import Resolved
from advisor.catalog.models import Catalog
from advisor.engine import pipeline
from advisor.errors import visible
from advisor.output.atomic import save
from advisor.output.formats import plan_output, render_table, render_text

if TYPE_CHECKING:
    from prompt_toolkit.input import Input
    from prompt_toolkit.output import Output
    from rich.console import Console


def run(
    catalog: Catalog,
    console: Console,
    flags: Mapping[str, Any],
    file_values: Mapping[str, Any],
    file_label: str,
    generated_at: Callable[[], str],
    save_to: str | None = None,
    force: bool = False,
    data_dir: str | None = None,
    pt_input: Input | None = None,
    pt_output: Output | None = None,
    scan_values: Mapping[str, Any] | None = None,
    scan_label: str = "scan",
) -> Resolved:
    """Ask, show the result and the equivalent command, then save (asked, or -o given)."""
    # deferred: questionary and prompt_toolkit (about 60 ms), which only the wizard needs
    from prompt_toolkit.application import create_app_session

    from advisor.answers import wizard

    resolved = wizard.ask_answers(
        catalog,
        console,
        flags,
        file_values,
        file_label,
        pt_input,
        pt_output,
        scan_values=scan_values,
        scan_label=scan_label,
    )
    result = pipeline.recommendation(catalog, resolved, generated_at(), data_dir=data_dir)
    console.print()
    render_table(result, console)
    for warning in result.warnings:
        console.print(Text("Warning: ", style="bold yellow") + Text(visible(warning)))
    console.print()
    console.print(Text("The same result without the questions:", style="bold"))
    console.print(Text(visible("  " + reproducing_command(catalog, resolved.answers, data_dir))), soft_wrap=True)
    console.print()

    def document_text(path: str) -> str:
        plan = plan_output(None, path, result.kind)
        return render_text(result, plan.file_format or plan.screen or "toml")

    if save_to == "-":
        console.file.write(document_text(save_to))
        return resolved
    if save_to is None:
        session = create_app_session(input=pt_input, output=pt_output) if pt_input or pt_output else nullcontext()
        with session:
            chosen = wizard.ask_save_path()
        if chosen is None:
            console.print("Not saved.")
            return resolved
        save_to, force = chosen
    save(save_to, document_text(save_to), force)
    data = f" --data-dir {shlex.quote(data_dir)}" if data_dir else ""
    # the command on a line of its own, never broken, so it can be copied whole
    console.print(Text(visible(f"Saved {save_to}. Reproduce it with:")))
    console.print(Text(visible(f"  mesh-advisor recommend{data} --answers {shlex.quote(save_to)}")), soft_wrap=True)
    return resolved
