"""The table for `recommend`: the choice, the ranking, the reasons with their sources, and the cost."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from advisor.answers.resolve import Resolved
from advisor.catalog.models import CATEGORIES, Catalog
from advisor.humanize import (
    percent,
    points,
)
from advisor.engine.scoring import Recommendation
from advisor.output.table.common import (
    score_style,
    option_style,
    option_text,
    print_sources,
    safe,
    score_cell,
    widest_fitting,
)
from advisor.output.table.cost import (
    assumptions,
    cost_metrics_table,
    cost_summary_table,
    cost_table,
    latency_table,
    print_cost_notes,
    render_defaulted,
)
from advisor.output.table.whatif import render_what_if


def recommendation_table(result: Any, console: Console) -> None:
    render_recommendation(
        console, result.catalog, result.resolved, result.recommendation, robustness=getattr(result, "robustness", None)
    )
    if result.what_if is not None:
        render_what_if(console, result.catalog, result.what_if, result.what_if_limit)


def render_recommendation(
    console: Console,
    catalog: Catalog,
    resolved: Resolved,
    rec: Recommendation,
    reasons_per_option: int = 4,
    robustness: Any = None,
) -> None:
    if rec.choice == "none":
        head = Text("No option fits every requirement", style="bold red")
    else:
        head = Text("Recommendation: ", style="bold") + option_text(catalog, rec.choice, bold=True)
        head += Text(
            f"  ({rec.confidence} call)" if rec.confidence == "close" else "  (clear)",
            style="yellow" if rec.confidence == "close" else "green",
        )
    console.print(Panel(safe(rec.summary), title=head, title_align="left", border_style="bold"))
    if robustness is not None:
        console.print(Text("Across the figures' ranges: ", style="bold") + safe(robustness.text))

    # Widest layout that fits: bars, then numbers alone, then one column per option (60 columns).
    for table in widest_fitting(
        console,
        [
            [ranking_table(catalog, rec, bars=True)],
            [ranking_table(catalog, rec, bars=False)],
            [ranking_by_category_table(catalog, rec)],
        ],
    ):
        console.print(table)
    if rec.weight_reasons:
        console.print(Text("Weights: ", style="bold") + safe("; ".join(rec.weight_reasons)))
    console.print(score_lines(catalog, rec))

    for oid in rec.ranking:
        o = rec.options[oid]
    # Sources are numbered in the panels and listed whole below them: a URL folded inside a
    # panel could be neither clicked nor copied.
    sources: list[str] = []
    for oid in rec.ranking:
        o = rec.options[oid]
        if o.blockers:
            lines = [Text("✘ ", style="red") + safe(b.text) + _ref(sources, b.source) for b in o.blockers]
            console.print(
                Panel(
                    Group(*lines),
                    title=Text("Blocked: ") + option_text(catalog, oid),
                    title_align="left",
                    border_style="red",
                )
            )

    shown = [o for o in rec.ranking if rec.options[o].eligible][:2] or list(rec.ranking[:2])
    for oid in shown:
        console.print(reasons_panel(catalog, rec, oid, reasons_per_option, sources))
    if sources:
        print_sources(console, sources)

    basis = resolved.answers.cost_basis
    for table in widest_fitting(
        console,
        [
            [cost_summary_table(catalog, rec.projection, basis)],
            [cost_table(catalog, rec.projection, basis), latency_table(catalog, rec.projection)],
            [cost_metrics_table(catalog, rec.projection, basis)],
        ],
    ):
        console.print(table)
    print_cost_notes(console, catalog, rec.projection)
    console.print(assumptions(catalog, resolved))
    render_defaulted(console, resolved)


def score_lines(catalog: Catalog, rec: Recommendation) -> Table:
    """Each option's score, one line per category: what moved it and by how much."""
    grid = Table.grid(padding=(0, 1))
    grid.title = "How each score adds up"
    grid.title_justify = "left"
    grid.title_style = "bold"
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    weighed = [c for c in CATEGORIES if rec.weights[c] > 0]  # migration weighs nothing without a current mesh
    for oid in rec.ranking:
        o = rec.options[oid]
        total = " + ".join(f"{percent(rec.weights[c])} × {o.scores[c]:.1f}" for c in weighed)
        grid.add_row(_option_head(catalog, rec, oid), safe(f"total {o.score:.1f} = {total}", "dim"))
        for cat in weighed:
            line = o.explain.get(cat, "")
            head, _, rest = line.partition(" = ")
            grid.add_row(Text(""), Text(head, style="bold") + safe(f" = {rest}" if rest else ""))
    return grid


def _option_head(catalog: Catalog, rec: Recommendation, oid: str) -> Text:
    name = option_text(catalog, oid, bold=True)
    if not rec.options[oid].eligible:
        name += Text(" (blocked)", style="red")
    return name


def shown_categories(rec: Recommendation) -> list[str]:
    """Every category, except one that is not weighed and where every option scores 100 (the
    migration category when no mesh runs today): a column of 100s would say nothing."""
    return [c for c in CATEGORIES if rec.weights[c] > 0 or any(o.scores[c] != 100.0 for o in rec.options.values())]


def ranking_table(catalog: Catalog, rec: Recommendation, bars: bool) -> Table:
    """One row per option in rank order, a column per category; bars need about 110 columns."""
    table = Table(
        title="Ranking (each category 0-100; total is their weighted mean)", title_justify="left", box=box.SIMPLE_HEAVY
    )
    table.add_column("#", justify="right")
    table.add_column("Option")
    table.add_column("Total", justify="left" if bars else "right")
    for cat in shown_categories(rec):
        table.add_column(f"{cat}\n{rec.weights[cat] * 100:.0f}%", justify="left" if bars else "right")

    def cell(value: float, width: int) -> Text:
        return score_cell(value, width) if bars else Text(f"{value:.1f}", style=score_style(value))

    for i, oid in enumerate(rec.ranking, 1):
        o = rec.options[oid]
        table.add_row(
            str(i),
            _option_head(catalog, rec, oid),
            cell(o.score, 10),
            *[cell(o.scores[c], 6) for c in shown_categories(rec)],
        )
    return table


def ranking_by_category_table(catalog: Catalog, rec: Recommendation) -> Table:
    """The narrow layout: one column per option in rank order, one row per category."""
    table = Table(
        title="Ranking (0-100; total = weighted mean)", title_justify="left", box=box.SIMPLE_HEAVY, padding=(0, 1)
    )
    table.add_column("", no_wrap=True)
    for i, oid in enumerate(rec.ranking, 1):
        table.add_column(Text(f"{i}. ") + _option_head(catalog, rec, oid), justify="right")
    scores = [rec.options[oid] for oid in rec.ranking]
    table.add_row(
        Text("Total", style="bold"), *[Text(f"{o.score:.1f}", style=f"bold {score_style(o.score)}") for o in scores]
    )
    for cat in shown_categories(rec):
        table.add_row(
            f"{cat} {rec.weights[cat] * 100:.0f}%",
            *[Text(f"{o.scores[cat]:.1f}", style=score_style(o.scores[cat])) for o in scores],
        )
    return table


def _ref(sources: list[str], source: str) -> Text:
    """ " [3]": the number of `source` in the list printed below the panels (added if new)."""
    if source not in sources:
        sources.append(source)
    return Text(f" [{sources.index(source) + 1}]", style="dim")


def reasons_panel(
    catalog: Catalog, rec: Recommendation, oid: str, most: int, sources: list[str] | None = None
) -> Panel:
    o = rec.options[oid]
    against = sorted((r for r in o.reasons if r.delta < -0.05), key=lambda r: r.delta)[:most]
    strengths = [r for r in o.reasons if abs(r.delta) <= 0.05 or r.delta > 0]
    strengths.sort(key=lambda r: (-r.delta, CATEGORIES.index(r.category)))
    # A grid keeps wrapped text and its source in their own column at any width.
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    for sign, style, reasons in (("+", "green", strengths[:most]), ("−", "red", against)):
        for r in reasons:
            delta = points(r.delta)
            head = Text(f"{sign} ", style=f"bold {style}") + Text(f"{r.category} {delta}", style=style)
            if sources is None:
                grid.add_row(head, safe(r.text) + Text("\nsource: ", style="dim") + safe(r.source, "dim"))
            else:
                grid.add_row(head, safe(r.text) + _ref(sources, r.source))
    body = grid if grid.row_count else Text("No points lost in any category.", style="dim")
    return Panel(
        body,
        title=Text("Why ") + option_text(catalog, oid, bold=True) + Text(f" scores {o.score:.0f}"),
        title_align="left",
        border_style=option_style(catalog, oid),
    )
