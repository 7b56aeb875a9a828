"""The chart for `cost --sweep`: monthly cost per option across a range of one answer, and where they cross."""

from __future__ import annotations


from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from advisor.catalog.models import Catalog
from advisor.humanize import (
    short_money,
    short_number as short_num,
)
from advisor.answers.registry import BY_KEY
from advisor.engine.sweep import Sweep
from advisor.output.table.common import option_marks, option_style, option_text


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
