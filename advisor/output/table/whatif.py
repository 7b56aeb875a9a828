"""The table for `recommend --what-if`: the smallest changes to the answers that change the choice."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from advisor.catalog.models import Catalog
from advisor.output.table.common import option_style, option_text, safe
from advisor.engine.whatif import METHOD_SHORT, WhatIf, change_size, grouped, show_value


def render_what_if(console: Console, catalog: Catalog, result: WhatIf, limit: int) -> None:
    rows = grouped(result.findings)
    if result.choice == "none":
        now = Text("Now no option fits every requirement.")
    elif result.runner_up == "none":
        now = Text("Now ") + option_text(catalog, result.choice, bold=True) + Text(" is the only eligible option.")
    else:
        now = (
            Text("Now ")
            + option_text(catalog, result.choice, bold=True)
            + Text(" leads ")
            + option_text(catalog, result.runner_up)
            + Text(f" by {result.margin:.1f} points.")
        )
    if not rows:
        body: Any = Group(
            now,
            Text(
                "No single change within the searched ranges changes the choice "
                "(numbers, choices, true/false answers, profiles and every capability were tried).",
                style="green",
            ),
        )
        console.print(Panel(body, title=Text("What would change the answer", style="bold"), title_align="left"))
        console.print(_method_note(result))
        return
    table = Table(
        title="What would change the answer (smallest changes first)",
        title_justify="left",
        box=box.SIMPLE_HEAVY,
    )
    table.add_column("#", justify="right")
    table.add_column("Change")
    table.add_column("Lead\n(points)", justify="right")
    table.add_column("Size of\nchange", justify="right")
    for i, (text, group) in enumerate(rows[:limit], 1):
        first = group[0]
        style = option_style(catalog, first.choice)
        line = safe(text)
        line.stylize(f"bold {style}", 0, len(first.choice))
        lead_text = f"{first.margin:.1f}" if first.runner_up != "none" else "only fit"
        table.add_row(str(i), line, lead_text, change_size(first))
    shown = min(limit, len(rows))
    table.caption = (
        f"{shown} of {len(rows)} shown ({len(result.findings)} findings); "
        "--what-if-limit N shows more, --format json lists all under what_if. "
        "Lead = the new choice's lead over the next eligible option at the changed value "
        "(only fit: every other option would be blocked)."
    )
    table.caption_justify = "left"
    console.print(now)
    console.print(table)
    console.print(_method_note(result))


def _method_note(result: WhatIf) -> Text:
    ranges = "; ".join(
        f"{key} {show_value(key, low)}–{show_value(key, high)}" for key, (low, high) in result.searched.items()
    )
    return Text(f"How: {METHOD_SHORT}. Searched: {ranges}. {result.evaluations:,} evaluations.", style="dim")
