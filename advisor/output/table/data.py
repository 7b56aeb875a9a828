"""The table for `data show`: every benchmark figure and price with its source."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from advisor.catalog.models import Catalog, figure_items
from advisor.output.table.common import safe


def data_table(result: Any, console: Console) -> None:
    render_data(console, result.catalog)


KIND_STYLE = {"measured": "green", "derived": "yellow", "default-request": "cyan", "published-claim": "magenta"}


def render_data(console: Console, catalog: Catalog) -> None:
    console.print(safe(f"Data version {catalog.data_version}", "bold"))
    for name, path in catalog.files.items():
        console.print(Text(f"  {name}: ", style="dim") + safe(path))
    pricing = catalog.pricing
    console.print()
    console.print(
        Text("Prices (USD)", style="bold underline"),
        Text("monthly_usd = (vCPU x CPU price + GiB x memory price) x 730", style="dim"),
    )
    for pid, preset in pricing.presets.items():
        default = " (default)" if pid == pricing.default_preset else ""
        console.print(safe(f"{pid}{default}: {preset.title}", "bold"))
        print_figures(
            console, [(name, getattr(preset, name)) for name in ("cpu_usd_per_vcpu_hour", "memory_usd_per_gib_hour")]
        )
    node = pricing.reference_node
    if node is not None:
        console.print(
            safe(f"reference node: {node.name}", "bold"),
            Text("the cluster's bill assumes it when no node size is answered", style="dim"),
        )
        print_figures(console, [("vcpu", node.vcpu), ("memory_gib", node.memory_gib)])
    if catalog.benchmarks.workload:
        console.print()
        console.print(
            Text("Answers derived when not given", style="bold underline"),
            Text("(services, service_ports: marked defaulted)", style="dim"),
        )
        print_figures(console, list(catalog.benchmarks.workload.items()))
    components = {c.id: c for c in catalog.benchmarks.components}
    for pid, prof in catalog.benchmarks.profiles.items():
        default = " (default)" if pid == catalog.benchmarks.default_profile else ""
        console.print()
        console.print(
            Text("Benchmark profile ", style="bold underline") + safe(f"{pid}{default}: {prof.title}", "bold underline")
        )
        console.print(_profile_caption(prof))
        for cid, figs in prof.figures.items():
            comp = components.get(cid)
            console.print(safe(f"{cid} ({comp.option}, {comp.role})" if comp else cid, "bold"))
            print_figures(console, figure_items(figs))
        for oid, figs in prof.latency.items():
            console.print(safe(f"{oid}: added latency per hop", "bold"))
            print_figures(console, figure_items(figs))
    console.print()
    console.print(
        Text("Not in the default profile", style="bold underline"),
        Text("nothing citable is published; set them in your own profile with --data-dir", style="dim"),
    )
    for name, applies, why in catalog.benchmarks.unpublished_figures():
        # data now (benchmarks.toml [[unpublished]]): shown as literally as every other data text
        console.print(safe(f"  {name}", "bold") + safe(f" ({', '.join(applies)}): ", "dim") + safe(why))


def print_figures(console: Console, figures: list[tuple[str, object]]) -> None:
    """One block per figure: name, value and kind, version and note hanging-indented; the source on
    a line of its own that is never wrapped, so a URL stays whole."""
    width = max((len(name) for name, _ in figures), default=0) + 2
    for name, fig in figures:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(justify="right", no_wrap=True, min_width=width)
        grid.add_column(overflow="fold")
        grid.add_row(
            Text(f"  {name}"),
            safe(f"{fig.value:.10g} {fig.unit}", "bold")
            + Text("  ")
            + Text(fig.kind, style=KIND_STYLE.get(fig.kind, "")),
        )
        grid.add_row(Text("version", style="dim"), safe(fig.version))
        if fig.note:
            grid.add_row(Text("note", style="dim"), safe(fig.note, "dim"))
        console.print(grid)
        console.print(Text(f"{'source':>{width}} ", style="dim") + safe(fig.source), soft_wrap=True)
        extra = Table.grid(padding=(0, 1))
        extra.add_column(justify="right", no_wrap=True, min_width=width)
        extra.add_column(overflow="fold")
        low, high = getattr(fig, "low", None), getattr(fig, "high", None)
        if low is not None or high is not None:
            span = f"{(low if low is not None else fig.value):.10g} to {(high if high is not None else fig.value):.10g} {fig.unit}"
            extra.add_row(
                Text("range", style="dim"), safe(span) + Text(": ") + safe(getattr(fig, "range_note", ""), "dim")
            )
        if getattr(fig, "above", 0):
            extra.add_row(
                Text("counts", style="dim"),
                safe(f"only what is above {fig.above:,.0f} (the per-instance figure holds the rest)", "dim"),
            )
        if extra.row_count:
            console.print(extra)


def _profile_caption(prof) -> Text:
    cap = safe(prof.description, "dim")
    if prof.extends:
        cap = safe(f"Extends {prof.extends}: figures not listed here are inherited. ", "dim") + cap
    return cap
