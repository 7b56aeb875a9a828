"""Rich renderings of decision boundaries (`recommend --what-if`) and of `compare A B`."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from advisor.catalog.models import Catalog
from advisor.humanize import compact, money
from advisor.output.tables import option_style, option_text, safe, style_at, widest_fitting
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


# ---------------------------------------------------------------- compare


_val = compact


def _delta(value: float, money_like: bool = False) -> Text:
    if abs(value) < 1e-9:
        return Text("0", style="dim")
    text = f"{'+' if value > 0 else '−'}{money(abs(value)) if money_like else f'{abs(value):.1f}'}"
    return Text(text, style="green" if value > 0 else "red")


def _name(doc: dict[str, Any], oid: str) -> Text:
    name = doc["options"].get(oid, {}).get("name") or oid
    return safe(name, f"bold {style_at(list(doc['options']), oid)}")


def compare_table(result: Any, console: Console) -> None:
    """The table renderer for `compare` (its warnings are printed once, on stderr, by the CLI)."""
    render_compare(console, result.to_document(), show_warnings=False)


def render_compare(console: Console, doc: dict[str, Any], show_warnings: bool = True) -> None:
    a, b = doc["a"], doc["b"]
    for warning in doc["warnings"] if show_warnings else ():
        console.print(Text("Warning: ", style="bold yellow") + safe(warning))
    head = (
        Text("Comparing ", style="bold")
        + safe(a["file"])
        + Text(" (A) with ", style="bold")
        + safe(b["file"])
        + Text(" (B)", style="bold")
    )
    changed = doc["choice"]["changed"]
    console.print(
        Panel(
            safe(doc["summary"], "bold"), title=head, title_align="left", border_style="yellow" if changed else "green"
        )
    )

    if doc["answers_changed"]:
        answers = Table(title="Answers that differ", title_justify="left", box=box.SIMPLE)
        answers.add_column("answer")
        answers.add_column("A")
        answers.add_column("B")
        for d in doc["answers_changed"]:
            answers.add_row(
                safe(d["key"]),
                safe(_val(d["a"])) if "a" in d else Text("(not set)", style="dim"),
                safe(_val(d["b"])) if "b" in d else Text("(not set)", style="dim"),
            )
        console.print(answers)
    else:
        console.print(Text("The answers are the same.", style="dim"))

    options = Table(title="Per option (B − A)", title_justify="left", box=box.SIMPLE_HEAVY)
    for col, just in (
        ("Option", "left"),
        ("Eligible A → B", "left"),
        ("Score A → B", "right"),
        ("Δ score", "right"),
        ("Usage $/mo A → B", "right"),
        ("Δ usage", "right"),
        ("Requests $/mo A → B", "right"),
        ("Δ requests", "right"),
    ):
        options.add_column(col, justify=just)
    # Below about 120 columns the row per option is cut to ellipses: then one column per option.
    by_figure = Table(title="Per option (B − A)", title_justify="left", box=box.SIMPLE_HEAVY, padding=(0, 1))
    by_figure.add_column("", no_wrap=True)
    columns: list[list[Text | str]] = []
    for oid, o in doc["options"].items():
        by_figure.add_column(_name(doc, oid), justify="right")
        if "only_in" in o:
            only = Text(f"only in {o['only_in'].upper()}", style="yellow")
            options.add_row(_name(doc, oid), only, "", "", "", "", "", "")
            columns.append([only, "", "", "", "", "", ""])
            continue
        el = o["eligible"]
        yn = {True: "yes", False: "blocked"}
        usage, req = o["monthly_usd"]["usage"], o["monthly_usd"]["requests"]
        cells = [
            f"{yn[el['a']]} → {yn[el['b']]}" if el["a"] != el["b"] else yn[el["a"]],
            f"{o['score']['a']:.1f} → {o['score']['b']:.1f}",
            _delta(o["score"]["delta"]),
            f"{money(usage['a'])} → {money(usage['b'])}",
            _delta(usage["delta"], money_like=True),
            f"{money(req['a'])} → {money(req['b'])}",
            _delta(req["delta"], money_like=True),
        ]
        options.add_row(_name(doc, oid), *cells)
        columns.append(cells)
    for i, label in enumerate(("Eligible", "Score", "  Δ", "Usage $/mo", "  Δ", "Requests $/mo", "  Δ")):
        by_figure.add_row(label, *[cells[i] for cells in columns])
    for table in widest_fitting(console, [[options], [by_figure]]):
        console.print(table)

    for oid, o in doc["options"].items():
        reasons = o.get("reasons")
        if not reasons or not any(reasons.values()):
            continue
        lines: list[Text] = []
        for r in reasons["appeared"]:
            lines.append(
                Text("+ appeared    ", style="green")
                + safe(f"{r['category']:<11} {r['delta']:+6.1f}  ")
                + safe(r["text"])
            )
        for r in reasons["disappeared"]:
            lines.append(
                Text("− disappeared ", style="red")
                + safe(f"{r['category']:<11} {r['delta']:+6.1f}  ")
                + safe(r["text"])
            )
        for r in reasons["changed"]:
            lines.append(
                Text("~ changed     ", style="yellow")
                + safe(f"{r['category']:<11} {r['delta_a']:+.1f} → {r['delta_b']:+.1f}  ")
                + safe(r["text"])
            )
        console.print(
            Panel(
                Group(*lines),
                title=Text("Reasons that changed: ") + _name(doc, oid),
                title_align="left",
                border_style=style_at(list(doc["options"]), oid),
            )
        )
