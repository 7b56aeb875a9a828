"""Renderings of `check` for people: a rich table and Markdown (for a pull-request comment)."""

from __future__ import annotations

from typing import Any

from advisor.errors import visible
from advisor.output.markdown import text as md_text

STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _objects(f: dict[str, Any]) -> str:
    return "\n".join(
        f"{o['kind']} {o['namespace']}/{o['name']}" if o["namespace"] else f"{o['kind']} {o['name']}"
        for o in f["objects"]
    )


def check_table(result: Any, console: Any) -> None:
    """One block per finding (a rule id, an object name or a fix is never cut to fit a column)."""
    from rich.text import Text

    doc = result.to_document()
    console.print(Text(visible(doc["check"]["summary"]), style="bold"))
    for w in doc["check"]["warnings"]:
        console.print(Text(visible(f"Note: {w}"), style="yellow"))
    sources: list[str] = []
    for f in doc["findings"]:
        if f["source"] not in sources:
            sources.append(f["source"])
        console.print()
        head = Text(f"{f['severity'].upper():<8}", style=STYLE.get(f["severity"], ""))
        head.append(Text(visible(f["rule"]), style="bold"))
        head.append(Text(f"  [{sources.index(f['source']) + 1}]", style="dim"))
        console.print(head)
        console.print(Text("  " + visible(f["title"])))
        for label, value in (
            ("objects", ", ".join(_objects(f).splitlines())),
            ("happens", f["text"]),
            ("detail", f["detail"]),
            ("fix", f["fix"]),
        ):
            if value:
                console.print(Text(f"  {label}: ", style="dim") + Text(visible(value)))
    if sources:
        from advisor.output.tables import print_sources

        console.print()
        print_sources(console, sources)


def check_markdown(result: Any) -> str:
    doc = result.to_document()
    lines = ["# Migration hazards", "", md_text(doc["check"]["summary"]), ""]
    for w in doc["check"]["warnings"]:
        lines.append(f"- Note: {md_text(w)}")
    if doc["check"]["warnings"]:
        lines.append("")
    if doc["findings"]:
        lines += ["| severity | rule | objects | what happens | fix | source |", "|---|---|---|---|---|---|"]
        for f in doc["findings"]:
            objs = "<br>".join(f"`{visible(o, one_line=True).replace('`', '')}`" for o in _objects(f).splitlines())
            what = md_text(f["text"]) + (f" ({md_text(f['detail'])})" if f["detail"] else "")
            lines.append(
                f"| {f['severity']} | `{f['rule']}` | {objs} | {what.replace('|', '/')} | {md_text(f['fix']).replace('|', '/')} | <{f['source']}> |"
            )
        lines.append("")
    return "\n".join(lines)
