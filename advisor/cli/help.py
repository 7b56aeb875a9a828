"""Plain --help for every command: option names never cut, options grouped by panel, examples last."""

from __future__ import annotations

from typing import Any

import typer

HELP_NAMES = ["-h", "--help"]


class Command(typer.core.TyperCommand):
    """Plain help (no rich boxes): option names are never cut, whatever the width or a pipe;
    flags show no value; options grouped under their panel; the examples come last."""

    def format_options(self, ctx: Any, formatter: Any) -> None:
        sections: dict[str, list[tuple[str, str]]] = {}
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                # name and help only: typer would add the value's type (`<str>`)
                record = (param.metavar or param.human_readable_name, getattr(param, "help", None) or "")
            else:
                record = param.get_help_record(ctx)
            if record is None:
                continue
            default = "Arguments" if param.param_type_name == "argument" else "Options"
            sections.setdefault(getattr(param, "rich_help_panel", None) or default, []).append(record)
        for title, rows in sections.items():
            with formatter.section(title):
                formatter.write_dl(rows, col_max=34)

    def format_epilog(self, ctx: Any, formatter: Any) -> None:
        if self.epilog:
            formatter.write_paragraph()
            formatter.write_heading("Examples")
            with formatter.indentation():
                for line in self.epilog.strip().splitlines():
                    formatter.write(f"{'':>{formatter.current_indent}}{line}\n")


class Group(typer.core.TyperGroup):
    def format_epilog(self, ctx: Any, formatter: Any) -> None:
        Command.format_epilog(self, ctx, formatter)  # type: ignore[arg-type]


def examples(*lines: str) -> str:
    """A command's examples, shown verbatim at the end of its --help (two or three real ones)."""
    return "\n".join(lines)
