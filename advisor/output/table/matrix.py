"""The table for `matrix`: support level, note, version and source per option and feature."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from advisor.catalog.models import Catalog
from advisor.output.table.common import LEVEL_STYLE, option_style, print_sources, safe


def matrix_table(result: Any, console: Console) -> None:
    render_matrix(console, result.catalog, list(result.feature_ids))


_MATRIX_MIN_COLUMN = 14


def _longest_word(texts: list[str]) -> int:
    return max((len(word) for text in texts for word in text.split()), default=0)


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
        if cell.production_ready is False:
            out += Text(" ✗ not production-ready", style="bold red")
        since = f", since {cell.since}" if cell.since else ""
        return out + safe(f"  ({cell.version}{since}) [{ref(cell.source)}]", "dim")

    def readiness(cell) -> list[Text]:
        if cell.production_ready is not False:
            return []
        quote = cell.production_ready_note or "upstream says it is not ready for production"
        return [safe(f"not production-ready: {quote} [{ref(cell.production_ready_source or cell.source)}]", "red")]

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
                    Group(
                        head(feat.cells[opt.id]),
                        safe(feat.cells[opt.id].note, "dim"),
                        *readiness(feat.cells[opt.id]),
                        *vendor(feat.cells[opt.id]),
                    )
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
                    for line in readiness(cell):
                        note.add_row("", line)
                    for line in vendor(cell):
                        note.add_row("", line)
                    console.print(note)
    legend = Text("Levels: ")
    for level, (symbol, style) in LEVEL_STYLE.items():
        legend += Text(f"{symbol} {level}  ", style=style)
    legend += Text("⚠ sources disagree; the note says which was chosen and why", style="yellow")
    console.print(legend)
    print_sources(console, sources)
