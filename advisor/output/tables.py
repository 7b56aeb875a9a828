"""Rich renderings for people: tables, panels, bars and charts. Never called by the core."""

from __future__ import annotations

from typing import Any, Sequence

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from advisor.answers.resolve import Resolved
from advisor.catalog.models import ANSWER_KIND, CATEGORIES, Catalog, figure_items
from advisor.engine.costing import Projection, answered_requests
from advisor.errors import visible
from advisor.humanize import (
    money,
    money_span,
    short_money_span,
    number as num,
    percent,
    points,
    short_money,
    short_number as short_num,
    typed,
)
from advisor.answers.registry import BY_KEY
from advisor.engine.scoring import Recommendation
from advisor.engine.sweep import Sweep

LEVEL_STYLE = {
    "full": ("✔", "green"),
    "beta": ("β", "cyan"),
    "partial": ("◐", "yellow"),
    "alpha": ("α", "magenta"),
    "none": ("✘", "red"),
}
# Colours by an option's position in the data (the options are the data's, in its order).
OPTION_PALETTE = ("cyan", "magenta", "green", "yellow", "blue", "red", "bright_cyan", "bright_magenta")


def style_at(order: Sequence[str], option: str) -> str:
    """The colour of `option` among `order` (the option ids in data order); none if unknown."""
    return OPTION_PALETTE[list(order).index(option) % len(OPTION_PALETTE)] if option in order else ""


def option_style(catalog: Catalog, option: str) -> str:
    return style_at(catalog.option_ids, option)


def option_marks(catalog: Catalog) -> dict[str, str]:
    """One character per option for charts: its `mark` in the data, else the first letter of its
    name that no earlier option uses, else a digit."""
    marks: dict[str, str] = {}
    for opt in catalog.features.options:
        taken = set(marks.values())
        wanted = [opt.mark] if opt.mark else []
        wanted += [c.upper() for c in opt.name if c.isalpha()] + [str(d) for d in range(10)] + ["*"]
        marks[opt.id] = next((c for c in wanted if c not in taken), "*")
    return marks


def safe(value: object, style: str = "") -> Text:
    """Text from data or answers, shown literally: no markup, control characters made visible."""
    return Text(visible(str(value)), style=style)


def option_text(catalog: Catalog, option: str, bold: bool = False) -> Text:
    name = catalog.option(option).name if option in catalog.option_ids else option
    return safe(name, ("bold " if bold else "") + option_style(catalog, option))


def bar(value: float, maximum: float, width: int = 10, style: str = "green") -> Text:
    filled = 0 if maximum <= 0 else round(width * max(0.0, min(value, maximum)) / maximum)
    return Text("█" * filled, style=style) + Text("░" * (width - filled), style="dim")


def score_cell(value: float, width: int = 8) -> Text:
    return bar(value, 100, width, _score_style(value)) + Text(f" {value:5.1f}")


# ---------------------------------------------------------------- table renderers by result kind
# (registered in advisor.output.formats.TABLE_RENDERERS as "module:function"; each is fn(result, console))


def recommendation_table(result: Any, console: Console) -> None:
    render_recommendation(
        console, result.catalog, result.resolved, result.recommendation, robustness=getattr(result, "robustness", None)
    )
    if result.what_if is not None:
        from advisor.output.whatif_view import render_what_if

        render_what_if(console, result.catalog, result.what_if, result.what_if_limit)


def cost_result_table(result: Any, console: Console) -> None:
    render_cost(console, result.catalog, result.resolved, result.projection, result.sweep)


def matrix_table(result: Any, console: Console) -> None:
    render_matrix(console, result.catalog, list(result.feature_ids))


def data_table(result: Any, console: Console) -> None:
    render_data(console, result.catalog)


# ---------------------------------------------------------------- matrix


_MATRIX_MIN_COLUMN = 14


def _longest_word(texts: list[str]) -> int:
    return max((len(word) for text in texts for word in text.split()), default=0)


def print_sources(console: Console, sources: list[str], title: str = "Sources:") -> None:
    """Numbered sources, each on its own line and never wrapped, so a URL stays whole to click or
    copy (a terminal narrower than the URL shows it wrapped; no line break is written into it)."""
    console.print(Text(title, style="bold"))
    for i, src in enumerate(sources, 1):
        console.print(Text(f" [{i}] ", style="dim") + safe(src), soft_wrap=True)


def render_matrix(console: Console, catalog: Catalog, feature_ids: list[str] | None) -> None:
    wanted = set(feature_ids or catalog.feature_ids)
    options = catalog.features.options
    groups = [
        (group, [f for f in catalog.features.features if f.group == group.id and f.id in wanted])
        for group in catalog.features.groups
    ]
    groups = [(g, feats) for g, feats in groups if feats]
    sources: list[str] = []

    def ref(src: str) -> int:
        if src not in sources:
            sources.append(src)
        return sources.index(src) + 1

    def head(cell) -> Text:
        symbol, style = LEVEL_STYLE[cell.level]
        out = Text(f"{symbol} {cell.level}", style=f"bold {style}")
        if cell.contested:
            out += Text(" ⚠ contested", style="yellow")
        return out + safe(f"  ({cell.version}) [{ref(cell.source)}]", "dim")

    def vendor(cell) -> list[Text]:
        # Words, not the level mark: the open-source level is the one that counts by default.
        if not (cell.vendor and cell.vendor_level):
            return []
        return [
            safe(
                f"+ {cell.vendor}: {cell.vendor_level} (vendor build) [{ref(cell.vendor_source)}]",
                LEVEL_STYLE[cell.vendor_level][1],
            )
        ]

    # A table only when every word fits its column: rich would otherwise break a word in the middle
    # ("Service-to-servi / ce"). Else one block per capability, each option's note on full lines.
    columns = len(options) + 1
    column_width = (console.width - 1) // columns - 3
    notes = [f"{cell.note} {cell.vendor or ''}" for _, feats in groups for f in feats for cell in f.cells.values()]
    names = [f.name for _, feats in groups for f in feats] + [f.id for _, feats in groups for f in feats]
    words_fit = _longest_word(notes) <= column_width and _longest_word(names) <= min(column_width, 28)
    if console.width >= columns * (_MATRIX_MIN_COLUMN + 3) and words_fit:
        table = Table(
            box=box.SIMPLE_HEAVY, show_lines=False, expand=False, title="Feature matrix", title_justify="left"
        )
        table.add_column("Capability", style="bold", min_width=_MATRIX_MIN_COLUMN, max_width=28)
        for opt in options:
            table.add_column(
                safe(f"{opt.name} {opt.version}", option_style(catalog, opt.id)), min_width=_MATRIX_MIN_COLUMN
            )
        for group, feats in groups:
            table.add_row(safe(group.title.upper(), "bold underline"), *[""] * len(options))
            for feat in feats:
                cells = [
                    Group(head(feat.cells[opt.id]), safe(feat.cells[opt.id].note, "dim"), *vendor(feat.cells[opt.id]))
                    for opt in options
                ]
                table.add_row(Group(safe(feat.name, "bold"), safe(feat.id, "dim")), *cells)
        console.print(table)
    else:
        console.print(Text("Feature matrix"))
        for group, feats in groups:
            console.print()
            console.print(safe(group.title.upper(), "bold underline"))
            for feat in feats:
                console.print()
                console.print(safe(feat.name, "bold") + Text(" ") + safe(feat.id, "dim"))
                for opt in options:
                    cell = feat.cells[opt.id]
                    console.print(Text("  ") + safe(opt.name, option_style(catalog, opt.id)) + Text("  ") + head(cell))
                    note = Table.grid(padding=(0, 0))
                    note.add_column(width=4)
                    note.add_column()
                    note.add_row("", safe(cell.note, "dim"))
                    for line in vendor(cell):
                        note.add_row("", line)
                    console.print(note)
    legend = Text("Levels: ")
    for level, (symbol, style) in LEVEL_STYLE.items():
        legend += Text(f"{symbol} {level}  ", style=style)
    legend += Text("⚠ sources disagree; the note says which was chosen and why", style="yellow")
    console.print(legend)
    print_sources(console, sources)


# ---------------------------------------------------------------- data show

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


# ---------------------------------------------------------------- cost


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


def _fits(console: Console, renderable: Table | Text) -> bool:
    from rich.measure import Measurement

    # measure against an unbounded width: rich clamps a measurement to the width it is given
    natural = Measurement.get(console, console.options.update_width(1_000_000), renderable).maximum
    return natural <= console.width


def widest_fitting(console: Console, layouts: list[list[Table]]) -> list[Table]:
    """The first layout (widest first) whose tables all fit the terminal, else the last one."""
    for tables in layouts:
        if all(_fits(console, t) for t in tables):
            return tables
    return layouts[-1]


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
    render_nodes(console, catalog, projection)
    if sweep is not None:
        render_sweep(console, catalog, sweep)
    console.print(assumptions(catalog, resolved))
    render_defaulted(console, resolved)


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


def _fmt_value(key: str, v: float) -> str:
    if abs(v) >= 1e6:
        return short_num(v)
    return f"{v:,.0f}" if BY_KEY[key].kind == "int" or abs(v) >= 100 else f"{v:.3g}"


def render_sweep(console: Console, catalog: Catalog, sweep: Sweep) -> None:
    series = sweep.series()
    table = Table(
        title=f"Monthly cost ({sweep.basis}) against {sweep.key}",
        title_justify="left",
        box=box.SIMPLE,
        caption_justify="left",
    )
    table.add_column(sweep.key, justify="right")
    for oid in series:
        table.add_column(option_text(catalog, oid), justify="right")
    shown = _thin(list(range(len(sweep.values))), 25)
    for i in shown:
        table.add_row(_fmt_value(sweep.key, sweep.values[i]), *[short_money(series[o][i]) for o in series])
    if len(shown) < len(sweep.values):
        table.caption = f"{len(shown)} of {len(sweep.values)} points shown; JSON/TOML output carries all of them"
    console.print(table)
    crossings = tuple(c.at for c in sweep.crossovers)
    y_label_w = len(short_money(max(max(s) for s in series.values())))  # the chart's y labels and axis take this + 2
    chart_w = min(72, max(24, console.width - y_label_w - 3))
    console.print(line_chart(catalog, sweep.key, sweep.values, series, width=chart_w, marks=crossings))
    if sweep.crossovers:
        for c in sweep.crossovers:
            console.print(
                Text("× Crossover: ", style="bold")
                + option_text(catalog, c.cheaper_above, bold=True)
                + Text(" becomes cheaper than ")
                + option_text(catalog, c.cheaper_below, bold=True)
                + Text(f" at {sweep.key} ≈ {_fmt_value(sweep.key, c.at)}")
            )
    else:
        console.print(
            Text("No crossovers in this range: the order of the options by cost does not change.", style="dim")
        )


def _thin(items: list[int], most: int) -> list[int]:
    if len(items) <= most:
        return items
    step = (len(items) - 1) / (most - 1)
    return sorted({items[round(i * step)] for i in range(most)})


def line_chart(
    catalog: Catalog,
    key: str,
    xs: tuple[float, ...],
    series: dict[str, tuple[float, ...]],
    width: int = 60,
    height: int = 14,
    marks: tuple[float, ...] = (),
) -> Text:
    """A terminal line chart: one marker and colour per option, y axis in USD per month from $0.

    `marks` are x values (the crossovers) shown as × on the x axis.
    """
    markers = option_marks(catalog)
    ymax = max((max(s) for s in series.values()), default=0.0) or 1.0
    xmin, xmax = xs[0], xs[-1]
    grid: list[list[tuple[str, str]]] = [[(" ", "")] * width for _ in range(height)]
    for oid, ys in series.items():
        mark, style = markers.get(oid, "*"), option_style(catalog, oid)
        prev = None
        for x, y in zip(xs, ys):
            col = 0 if xmax == xmin else round((x - xmin) / (xmax - xmin) * (width - 1))
            row = height - 1 - round(y / ymax * (height - 1))
            if prev is not None:
                # join neighbouring points with dots so the line reads as a line
                pc, pr = prev
                steps = max(abs(col - pc), abs(row - pr))
                for k in range(1, steps):
                    c = pc + round((col - pc) * k / steps)
                    r = pr + round((row - pr) * k / steps)
                    if grid[r][c][0] == " ":
                        grid[r][c] = ("·", style)
            grid[row][col] = (mark, style)
            prev = (col, row)
    label_w = len(short_money(ymax))
    out = Text()
    for r, cells in enumerate(grid):
        y = ymax * (height - 1 - r) / (height - 1)
        label = short_money(y) if r in (0, height // 2, height - 1) else ""
        out += Text(f"{label:>{label_w}} ┤", style="dim")
        for ch, style in cells:
            out += Text(ch, style=style)
        out += "\n"
    axis_line = ["─"] * width
    for x in marks:
        if xmax > xmin and xmin <= x <= xmax:
            axis_line[round((x - xmin) / (xmax - xmin) * (width - 1))] = "×"
    out += Text(" " * label_w + " └", style="dim") + Text("".join(axis_line) + "\n", style="dim")
    for i, ch in enumerate(axis_line):
        if ch == "×":
            out.stylize("bold", len(out) - 1 - width + i, len(out) - width + i)
    # x axis: first value, the swept answer's name in the middle, last value
    left, right = _fmt_value(key, xmin), _fmt_value(key, xmax)
    gap = max(2, width - len(left) - len(right) - len(key))
    axis = left + " " * (gap // 2) + key + " " * (gap - gap // 2) + right
    out += Text(" " * (label_w + 2) + axis + "\n", style="dim")
    legend = Text(" " * (label_w + 2))
    for oid in series:
        legend += (
            Text(f"{markers.get(oid, '*')} ", style=f"bold {option_style(catalog, oid)}")
            + option_text(catalog, oid)
            + Text("  ")
        )
    legend.rstrip()
    return out + legend


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
        f"L7 share {a.l7_ratio:.3g}, {a.hops} hops; prices ${a.cpu_price:g}/vCPU-hour and ${a.memory_price:g}/GiB-hour "
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


# ---------------------------------------------------------------- recommend


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


def _score_style(value: float) -> str:
    return "green" if value >= 80 else "yellow" if value >= 50 else "red"


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
        return score_cell(value, width) if bars else Text(f"{value:.1f}", style=_score_style(value))

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
        Text("Total", style="bold"), *[Text(f"{o.score:.1f}", style=f"bold {_score_style(o.score)}") for o in scores]
    )
    for cat in shown_categories(rec):
        table.add_row(
            f"{cat} {rec.weights[cat] * 100:.0f}%",
            *[Text(f"{o.scores[cat]:.1f}", style=_score_style(o.scores[cat])) for o in scores],
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
