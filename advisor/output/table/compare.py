"""The table for `compare`: what changed between two saved results."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from advisor.humanize import compact, money
from advisor.output.table.common import safe, style_at, widest_fitting


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
