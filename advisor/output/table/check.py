"""The table for `check`: one block per finding (a rule id, an object name or a fix is never cut to a column)."""

from __future__ import annotations

from typing import Any

from advisor.errors import visible

STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def objects_of(f: dict[str, Any]) -> str:
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
            ("objects", ", ".join(objects_of(f).splitlines())),
            ("happens", f["text"]),
            ("detail", f["detail"]),
            ("fix", f["fix"]),
        ):
            if value:
                console.print(Text(f"  {label}: ", style="dim") + Text(visible(value)))
    if sources:
        # deferred: table.common imports rich, which only a drawn table needs
        from advisor.output.table.common import print_sources

        console.print()
        print_sources(console, sources)
