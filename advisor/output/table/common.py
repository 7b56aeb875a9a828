"""What every table shares: option colours and names, safe text, bars, the numbered sources, the widest layout that fits."""

from __future__ import annotations

from typing import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from advisor.catalog.models import Catalog
from advisor.errors import visible


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
    return bar(value, 100, width, score_style(value)) + Text(f" {value:5.1f}")


def score_style(value: float) -> str:
    return "green" if value >= 80 else "yellow" if value >= 50 else "red"


def print_sources(console: Console, sources: list[str], title: str = "Sources:") -> None:
    """Numbered sources, each on its own line and never wrapped, so a URL stays whole to click or
    copy (a terminal narrower than the URL shows it wrapped; no line break is written into it)."""
    console.print(Text(title, style="bold"))
    for i, src in enumerate(sources, 1):
        console.print(Text(f" [{i}] ", style="dim") + safe(src), soft_wrap=True)


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
