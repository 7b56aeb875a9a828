"""The tables for `cost` (and the cost part of `recommend`): per-option and per-component money, resources and latency, with the assumptions behind them."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from advisor.answers.resolve import Resolved
from advisor.catalog.models import ANSWER_KIND, Catalog
from advisor.engine.costing import Projection, answered_requests
from advisor.humanize import (
    money,
    money_span,
    short_money_span,
    number as num,
    short_money,
    short_number as short_num,
    typed,
)
from advisor.answers.registry import BY_KEY
from advisor.engine.sweep import Sweep
from advisor.output.cost_limits import note_lines, per_proxy_lines, services_words
from advisor.output.table.common import bar, option_style, option_text, safe, widest_fitting
from advisor.output.table.sweep import render_sweep


def cost_result_table(result: Any, console: Console) -> None:
    render_cost(console, result.catalog, result.resolved, result.projection, result.sweep)


def cost_summary_table(catalog: Catalog, projection: Projection, basis: str) -> Table:
    table = Table(title="Cost and latency the mesh adds", title_justify="left", box=box.SIMPLE_HEAVY)
    table.add_column("Option")
    table.add_column("Usage\nvCPU / GiB", justify="right")
    table.add_column("Usage\n$/month", justify="right")
    table.add_column("Requests\nvCPU / GiB", justify="right")
    table.add_column("Requests\n$/month", justify="right")
    table.add_column("Containers\nadded", justify="right")
    table.add_column("Per hop ms\np50 / p90 / p99", justify="right")
    table.add_column("End to end\np90 ms (est.)", justify="right")
    for oid, oc in projection.options.items():
        lt = oc.latency
        table.add_row(
            option_text(catalog, oid, bold=True),
            f"{num(oc.usage.cpu_vcpu)} / {num(oc.usage.memory_gib)}",
            _usage_money(oc, basis == "usage"),
            f"{num(oc.requests.cpu_vcpu)} / {num(oc.requests.memory_gib)}",
            Text(money(oc.requests.monthly_usd), style="bold" if basis == "requests" else ""),
            f"{oc.containers_added:,}",
            f"{lt.per_hop_p50_ms:.3f} / {lt.per_hop_p90_ms:.3f} / {lt.per_hop_p99_ms:.3f}",
            _latency_cell(lt),
        )
    return table


def _usage_money(oc, bold: bool, short: bool = False) -> Text:
    """The usage money, with its low-high range below when the figures carry one."""
    out = _basis_money(oc.usage.monthly_usd, bold, short)
    spread = oc.usd_spread("usage")
    if spread.high - spread.low >= 0.005 * max(1.0, spread.expected):
        span = short_money_span(spread.low, spread.high) if short else money_span(spread.low, spread.high)
        out += Text("\n" + span, style="dim")
    return out


def _latency_cell(lt) -> Text:
    out = Text(f"{lt.end_to_end_p90_ms:.2f}")
    spread = lt.end_to_end_p90_spread
    if spread is not None and spread.high - spread.low >= 0.005:
        out += Text(f"\n{spread.low:.2f}–{spread.high:.2f}", style="dim")
    return out


def _basis_money(x: float, bold: bool, short: bool = False) -> Text:
    return Text(short_money(x) if short else money(x), style="bold" if bold else "")


def cost_table(catalog: Catalog, projection: Projection, basis: str) -> Table:
    """One row per option, usage beside requests; the money of the chosen cost basis in bold."""
    table = Table(title="Resources and money the mesh adds", title_justify="left", box=box.SIMPLE_HEAVY, padding=(0, 1))
    table.add_column("Option")
    for head in (
        "Usage\nvCPU",
        "Usage\nGiB",
        "Usage\n$/month",
        "Requests\nvCPU",
        "Requests\nGiB",
        "Requests\n$/month",
        "Containers\nadded",
    ):
        table.add_column(head, justify="right")
    for oid, oc in projection.options.items():
        table.add_row(
            option_text(catalog, oid, bold=True),
            num(oc.usage.cpu_vcpu),
            num(oc.usage.memory_gib),
            _usage_money(oc, basis == "usage"),
            num(oc.requests.cpu_vcpu),
            num(oc.requests.memory_gib),
            _basis_money(oc.requests.monthly_usd, basis == "requests"),
            f"{oc.containers_added:,}",
        )
    return table


def transition_table(catalog: Catalog, projection: Projection, basis: str) -> Table:
    """Steady state beside the move: today's mesh and the target both at full size (an upper bound)."""
    current = next(oc.transition.current for oc in projection.options.values() if oc.transition)
    today = projection.options[current].view(basis).monthly_usd
    table = Table(
        title=f"Moving from {catalog.mesh_name(current)} ({money(today)}/month today, {basis})",
        title_justify="left",
        box=box.SIMPLE_HEAVY,
        padding=(0, 1),
    )
    table.add_column("Target")
    table.add_column("Steady state\n$/month", justify="right")
    table.add_column("During the move\n$/month (upper bound)", justify="right")
    table.add_column("Not doubled")
    for oid, oc in projection.options.items():
        if oc.transition is None:
            continue
        table.add_row(
            option_text(catalog, oid, bold=True),
            money(oc.view(basis).monthly_usd),
            money(oc.transition.view(basis).monthly_usd),
            safe(
                ", ".join(oc.transition.replaced) + " (the target's serves both)"
                if oc.transition.replaced
                else "nothing"
            ),
        )
    return table


def latency_table(catalog: Catalog, projection: Projection) -> Table:
    hops = next(iter(projection.options.values())).latency.hops
    table = Table(
        title="Added latency, ms",
        title_justify="left",
        box=box.SIMPLE_HEAVY,
        padding=(0, 1),
        caption=f"End to end = per hop x {hops} hop{'s' if hops != 1 else ''}: an upper-bound estimate.",
        caption_justify="left",
    )
    table.add_column("Option")
    for where in ("per hop", f"{hops} hops" if hops != 1 else "1 hop"):
        for p in (50, 90, 99):
            table.add_column(f"{where}\np{p}", justify="right")
    for oid, oc in projection.options.items():
        lt = oc.latency
        table.add_row(
            option_text(catalog, oid, bold=True),
            *(f"{v:.3f}" for v in (lt.per_hop_p50_ms, lt.per_hop_p90_ms, lt.per_hop_p99_ms)),
            *(f"{v:.2f}" for v in (lt.end_to_end_p50_ms,)),
            _latency_cell(lt),
            *(f"{v:.2f}" for v in (lt.end_to_end_p99_ms,)),
        )
    return table


def cost_metrics_table(catalog: Catalog, projection: Projection, basis: str) -> Table:
    """The narrow layout: one column per option, one row per figure, so nothing needs folding."""
    options = projection.options
    hops = next(iter(options.values())).latency.hops
    answered = any(f.kind == ANSWER_KIND for oc in options.values() for c in oc.components for f in c.figures.values())
    requests = "Helm defaults" + (" (sidecar proxies': as answered)" if answered else "")
    table = Table(
        title="Cost and latency the mesh adds",
        title_justify="left",
        box=box.SIMPLE_HEAVY,
        padding=(0, 1),
        caption=f"Usage: measured; requests: {requests}. End to end = per hop x {hops}, an upper-bound estimate.",
        caption_justify="left",
    )
    # the labels never wrap; option names in the header may (Istio / sidecar) on narrow terminals
    table.add_column("", no_wrap=True)
    for oid in options:
        table.add_column(option_text(catalog, oid, bold=True), justify="right", overflow="fold")

    def row(label: str, cells: list[str | Text], bold: bool = False) -> None:
        table.add_row(Text(label, style="bold" if bold else ""), *cells)

    for view, title in (("usage", "Usage"), ("requests", "Requests")):
        row(title, [""] * len(options), bold=True)
        views = [oc.usage if view == "usage" else oc.requests for oc in options.values()]
        row("  vCPU", [short_num(v.cpu_vcpu) for v in views])
        row("  GiB", [short_num(v.memory_gib) for v in views])
        if view == "usage":
            row("  $/month", [_usage_money(oc, basis == view, short=True) for oc in options.values()])
        else:
            row("  $/month", [_basis_money(v.monthly_usd, basis == view, short=True) for v in views])
    row("Containers added", [short_num(oc.containers_added) for oc in options.values()], bold=True)
    row("Per hop, ms", [""] * len(options), bold=True)
    for p in (50, 90, 99):
        row(f"  p{p}", [f"{getattr(oc.latency, f'per_hop_p{p}_ms'):.3f}" for oc in options.values()])
    row(f"{hops} hop{'s' if hops != 1 else ''}, ms (est.)", [""] * len(options), bold=True)
    for p in (50, 90, 99):
        row(f"  p{p}", [f"{getattr(oc.latency, f'end_to_end_p{p}_ms'):.2f}" for oc in options.values()])
    return table


def cost_bars(catalog: Catalog, projection: Projection, width: int = 36) -> Table:
    """Bars on one scale for both views, so the difference is seen before it is read."""
    table = Table(title="Monthly cost at a glance", title_justify="left", box=None, show_header=True, padding=(0, 1))
    table.add_column("Option")
    table.add_column("Usage")
    table.add_column("Requests")
    top = max(max(oc.usage.monthly_usd, oc.requests.monthly_usd) for oc in projection.options.values())
    for oid, oc in projection.options.items():
        style = option_style(catalog, oid)
        table.add_row(
            option_text(catalog, oid),
            bar(oc.usage.monthly_usd, top, width // 2, style) + Text(f" {short_money(oc.usage.monthly_usd)}"),
            bar(oc.requests.monthly_usd, top, width // 2, style) + Text(f" {short_money(oc.requests.monthly_usd)}"),
        )
    return table


def components_table(catalog: Catalog, projection: Projection, with_rps: bool = True) -> Table:
    """Every component in one table, usage beside requests; option names head their rows."""
    table = Table(title="Per component", title_justify="left", box=box.SIMPLE, padding=(0, 1), pad_edge=False)
    # without the rps column the table is meant for ~100 columns, so the counts get short headers too
    heads = ["Component", "Instances", "Containers"] if with_rps else ["Component", "Inst.", "Con-\ntainers"]
    heads += ["rps\nhandled"] if with_rps else []
    heads += ["Usage\nvCPU", "Usage\nGiB", "Usage\n$/month", "Req.\nvCPU", "Req.\nGiB", "Req.\n$/month"]
    for i, head in enumerate(heads):
        table.add_column(head, justify="left" if i == 0 else "right")
    for oid, oc in projection.options.items():
        table.add_row(option_text(catalog, oid, bold=True), *[""] * (len(heads) - 1))
        for c in oc.components:
            cells = [safe(f" {c.id}"), f"{c.instances:,}", f"{c.containers_added:,}"]
            if with_rps:
                cells.append(f"{c.handled_rps:,.0f}")
            if c.usage_known:
                cells += [num(c.cpu_vcpu), num(c.memory_gib), money(c.usage_monthly_usd)]
            else:
                cells += [Text("unknown", style="dim"), Text("unknown", style="dim"), Text("–", style="dim")]
            cells += [num(c.requests_cpu_vcpu), num(c.requests_memory_gib), money(c.requests_monthly_usd)]
            table.add_row(*cells)
    return table


def components_narrow_table(catalog: Catalog, projection: Projection) -> Table:
    """Each component on two lines (usage, then requests) so a narrow terminal needs no folding."""
    table = Table(
        title="Per component",
        title_justify="left",
        box=box.SIMPLE,
        padding=(0, 1),
        pad_edge=False,
        caption="Containers and rps handled per component: widen the terminal or use --format json.",
        caption_justify="left",
    )
    table.add_column("Component", overflow="fold")
    for head in ("Inst.", "vCPU", "GiB", "$/month"):
        table.add_column(head, justify="right", overflow="fold")
    for oid, oc in projection.options.items():
        table.add_row(option_text(catalog, oid, bold=True), "", "", "", "")
        for c in oc.components:
            table.add_row(
                safe(f" {c.id}"),
                short_num(c.instances),
                short_num(c.cpu_vcpu),
                short_num(c.memory_gib),
                short_money(c.usage_monthly_usd),
            )
            table.add_row(
                Text("   requests", style="dim"),
                "",
                Text(short_num(c.requests_cpu_vcpu), style="dim"),
                Text(short_num(c.requests_memory_gib), style="dim"),
                Text(short_money(c.requests_monthly_usd), style="dim"),
            )
    return table


def render_cost(
    console: Console, catalog: Catalog, resolved: Resolved, projection: Projection, sweep: Sweep | None
) -> None:
    basis = resolved.answers.cost_basis
    # Widest layout that fits the terminal: nothing is cut off, narrow terminals get stacked layouts.
    summary = widest_fitting(
        console,
        [
            [cost_table(catalog, projection, basis), latency_table(catalog, projection)],
            [cost_metrics_table(catalog, projection, basis)],
        ],
    )
    for table in summary:
        console.print(table)
    # the option name, two money labels and padding take their room; the two bars share the rest
    label_w = max(
        len(short_money(x))
        for oc in projection.options.values()
        for x in (oc.usage.monthly_usd, oc.requests.monthly_usd)
    )
    bar_room = console.width - 15 - 2 * (label_w + 3)
    console.print(cost_bars(catalog, projection, width=max(8, min(36, bar_room))))
    if any(oc.transition for oc in projection.options.values()):
        console.print(transition_table(catalog, projection, basis))
    for table in widest_fitting(
        console,
        [
            [components_table(catalog, projection, with_rps=True)],
            [components_table(catalog, projection, with_rps=False)],
            [components_narrow_table(catalog, projection)],
        ],
    ):
        console.print(table)
    print_cost_notes(console, catalog, projection)
    render_nodes(console, catalog, projection)
    if sweep is not None:
        render_sweep(console, catalog, sweep)
    console.print(assumptions(catalog, resolved))
    render_defaulted(console, resolved)


def print_cost_notes(console: Console, catalog: Catalog, projection: Projection) -> None:
    """Per-proxy memory, limits met, the scoped variant and measured figures, as lines."""
    names = {o.id: o.name for o in catalog.features.options}
    each = per_proxy_lines(names, projection)
    if each:
        console.print(Text("Memory per proxy: ", style="bold") + safe("; ".join(each)))
    for line in note_lines(names, projection):
        console.print(safe(line), style="bold red" if " LIMIT: " in line else None)


def render_nodes(console: Console, catalog: Catalog, projection: Projection) -> None:
    """Extra whole nodes for the mesh's requests, when the node size is known."""
    rows = [(oid, oc.nodes) for oid, oc in projection.options.items() if oc.nodes is not None]
    if not rows:
        return
    table = Table(
        title="Extra nodes for the mesh's requests (bin-packing estimate)",
        title_justify="left",
        box=box.SIMPLE_HEAVY,
        padding=(0, 1),
        caption="Share: of this cluster's own compute bill (nodes x node price).",
        caption_justify="left",
    )
    for head in ("Option", "Extra nodes", "$/month", "Share", "Usage share"):
        table.add_column(head, justify="left" if head == "Option" else "right")
    for oid, n in rows:
        u = n.usage_share
        usage = f"{u.expected:.1%}" if u.high - u.low < 0.0005 else f"{u.low:.1%}–{u.high:.1%}"
        table.add_row(
            option_text(catalog, oid, bold=True),
            f"{n.extra_nodes:,}",
            money(n.monthly_usd),
            f"{n.share_of_cluster:.1%}",
            usage,
        )
    console.print(table)


def assumptions(catalog: Catalog, resolved: Resolved) -> Text:
    a = resolved.answers
    prof = catalog.profiles[a.benchmark_profile]
    out = Text("Assumptions: ", style="bold")
    if a.inventory is not None:
        d = a.derived()
        out += safe(
            f"an inventory of {len(a.inventory.namespaces):,} namespaces ({d['unmeshed_namespaces']:,} not meshed, "
            f"{d['l7_namespaces']:,} needing L7; {d['cluster_pods']:,} pods in the cluster): "
        )
    out += safe(
        f"{a.pods:,} pods on {a.nodes:,} nodes in {a.namespaces:,} namespaces, {a.mesh_rps:,.0f} rps east-west, "
        f"L7 share {a.l7_ratio:.3g}, {a.hops} hops; {services_words(catalog, a)}; prices ${a.cpu_price:g}/vCPU-hour and ${a.memory_price:g}/GiB-hour "
        f"x 730 h/month; benchmark profile {a.benchmark_profile} ({prof.title}). "
    )
    answered = answered_requests(a)
    if answered:
        requests = "shipped Helm defaults, except each injected sidecar proxy's " + " and ".join(answered)
    else:
        requests = "shipped Helm defaults"
    out += Text(
        f"Usage = published measurements scaled by the requests each proxy handles; requests = {requests}. "
        "End-to-end latency = per hop x hops, an upper-bound estimate. Every figure and its source: mesh-advisor data show.",
        style="dim",
    )
    return out


def render_defaulted(console: Console, resolved: Resolved) -> None:
    if not resolved.defaulted:
        return
    a = resolved.answers.as_dict()
    parts = []
    for key in resolved.defaulted:
        if key not in a or not BY_KEY[key].wizard:
            continue  # sizing details (node size, HA...) are only named when given
        v = a[key]
        parts.append(f"{key}={typed(v) or '(none)'}")
    console.print(
        Text("Defaulted answers: ", style="bold yellow")
        + safe(", ".join(parts))
        + Text("  (set them with flags or --answers)", style="dim")
    )
