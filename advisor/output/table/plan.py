"""The table for `plan`: blockers, rework, phases, gaps and cost, read from the plan's document."""

from __future__ import annotations

import re
from typing import Any

from advisor.errors import visible


MAX_OBJECTS = 6  # per item in the table view; Markdown and the documents list all


def where_of(o: dict[str, Any]) -> str:
    name = f"{o['namespace']}/{o['name']}" if o.get("namespace") else o.get("name", "")
    return f"{o['kind']} {name}" + (f" ({o['field']})" if o.get("field") else "")


def basis_of(item: dict[str, Any]) -> str:
    return {"scan": "found by the scan", "answers": "from the answers", "move": "every such move"}.get(
        item.get("basis", ""), ""
    )


SECTIONS = (
    ("blockers", "Blockers", "resolve before the move can finish"),
    ("rework", "Rework", "objects to rewrite for the target's APIs"),
    ("gaps", "Gaps during the move", "what is not enforced, or breaks, while both run"),
)


def plan_table(result: Any, console: Any) -> None:
    # deferred: rich (and table.common, which imports it); markdown/plan.py reads this module's words without it
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from advisor.output.table.common import print_sources

    doc = result.to_document()
    plan = doc["plan"]

    def t(value: Any, style: str = "") -> Text:
        return Text(visible(str(value)), style=style)

    # Sources are numbered in the tables and listed once below them, each whole on its own line
    # (a URL folded across a narrow column cannot be clicked or copied).
    sources: list[str] = []

    def ref(source: str) -> Text:
        numbers = []
        for part in (p.strip() for p in str(source).split(";")):
            if part:
                if part not in sources:
                    sources.append(part)
                numbers.append(sources.index(part) + 1)
        return Text(" ".join(f"[{n}]" for n in dict.fromkeys(numbers)), style="dim")

    console.print(t(plan["summary"], "bold"), soft_wrap=False)
    console.print(t(f"{plan['move']['title']}: {plan['move']['text']}"))
    console.print(Text("  source: ", style="dim") + ref(plan["move"]["source"]))
    for note in plan["notes"]:
        console.print(t(f"Note: {note}", "yellow"))
    phase_titles = {p["id"]: p["title"] for p in doc["phases"]}
    for key, title, caption in SECTIONS:
        items = doc[key]
        table = Table(
            title=f"{title} ({len(items)}): {caption}", title_justify="left", box=box.SIMPLE_HEAVY, show_lines=True
        )
        table.add_column("What", ratio=3, overflow="fold")
        table.add_column("Objects", ratio=2, overflow="fold")
        table.add_column("Source")
        for item in items:
            what = t(item["text"])
            if item.get("action"):
                what.append(Text("\nDo: ", style="bold") + t(item["action"]))
            if item.get("phase") in phase_titles:
                what.append(t(f"\n{'opens in' if key == 'gaps' else 'phase'}: {phase_titles[item['phase']]}", "dim"))
            objs = item["objects"]
            shown = "\n".join(where_of(o) for o in objs[:MAX_OBJECTS]) or basis_of(item)
            if len(objs) > MAX_OBJECTS:
                shown += f"\n... and {len(objs) - MAX_OBJECTS} more"
            table.add_row(what, t(shown), ref(item["source"]))
        if not items:
            table.add_row(t("None.", "dim"), "", "")
        console.print(table)
    phases = Table(title="Phases, in order", title_justify="left", box=box.SIMPLE_HEAVY, show_lines=True)
    phases.add_column("#", justify="right")
    phases.add_column("Phase", ratio=4, overflow="fold")
    phases.add_column("Source")
    commands: list[str] = []
    for i, p in enumerate(doc["phases"], 1):
        text, found = split_commands(p["text"])
        for cmd in found:
            commands.append(cmd)
            text = text.replace(f"({cmd})", f"(command {len(commands)} below)", 1)
        body = Text(visible(p["title"]), style="bold") + Text("\n") + t(text)
        for s in p["steps"]:
            body.append(Text("\n  ") + t(s["text"]))
        if p["objects"] and not p["steps"]:
            body.append(t(f"\n  objects: {len(p['objects'])} (see above)", "dim"))
        phases.add_row(str(i), body, ref(p["source"]))
    console.print(phases)
    # A command is printed whole on its own line (the terminal wraps it; nothing is cut to a column).
    for n, cmd in enumerate(commands, 1):
        console.print(Text(f"  command {n}: ", style="dim") + Text(visible(cmd)), soft_wrap=True)
    # Each source once: the cost rows share most of their figures' sources, so they are listed under
    # the table rather than repeated on every row.
    cost_refs = ref("; ".join(item["source"] for item in doc["cost"]["items"] if item["source"]))
    cost = Table(title=f"Cost per month ({doc['cost']['basis']})", title_justify="left", box=box.SIMPLE_HEAVY)
    cost.add_column("", overflow="fold")
    for item in doc["cost"]["items"]:
        cost.add_row(t(item["text"]))
    console.print(cost)
    console.print(Text("  sources: ", style="dim") + cost_refs)
    if doc.get("waypoints"):
        console.print(t("Waypoints (L7 objects decide; traffic sizes):", "bold"))
        for w in doc["waypoints"]:
            console.print(t(f"  - {w['text']}"))
    if doc.get("manifests"):
        m = doc["manifests"]
        console.print(t(f"Manifests: {len(m['files'])} files in apply order (README.md in the directory):", "bold"))
        for f in m["files"]:
            console.print(t(f"  - {f['file']}"), soft_wrap=True)
        for u in m["untranslated"]:
            console.print(
                t(f"  not translated: {u['kind']} {u['namespace']}/{u['name']} {u['field']}: {u['reason']}", "yellow")
            )
    if doc["unrecognised"]:
        console.print(t("Evidence the migration data does not know (not planned):", "bold yellow"))
        for u in doc["unrecognised"]:
            console.print(t(f"  - {where_of(u)}" + (f" [signal {u['signal']}]" if u.get("signal") else "")))
    print_sources(console, sources)


_COMMAND = re.compile(r"\(((?:kubectl|istioctl|linkerd|helm) [^()]*)\)")


def split_commands(text: str) -> tuple[str, list[str]]:
    """A phase's text and the shell commands it gives in parentheses (printed whole, apart from the text)."""
    return text, _COMMAND.findall(text)
