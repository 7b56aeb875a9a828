"""The table for `plan`: blockers, rework, phases, gaps and cost, read from the plan's document."""

from __future__ import annotations

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
        table.add_column("What", ratio=3)
        table.add_column("Objects", ratio=2)
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
    phases.add_column("Phase", ratio=4)
    phases.add_column("Source")
    for i, p in enumerate(doc["phases"], 1):
        body = Text(visible(p["title"]), style="bold") + Text("\n") + t(p["text"])
        for s in p["steps"]:
            body.append(Text("\n  ") + t(s["text"]))
        if p["objects"] and not p["steps"]:
            body.append(t(f"\n  objects: {len(p['objects'])} (see above)", "dim"))
        phases.add_row(str(i), body, ref(p["source"]))
    console.print(phases)
    cost = Table(title=f"Cost per month ({doc['cost']['basis']})", title_justify="left", box=box.SIMPLE_HEAVY)
    cost.add_column("")
    cost.add_column("Source")
    for item in doc["cost"]["items"]:
        cost.add_row(t(item["text"]), ref(item["source"]))
    console.print(cost)
    if doc["unrecognised"]:
        console.print(t("Evidence the migration data does not know (not planned):", "bold yellow"))
        for u in doc["unrecognised"]:
            console.print(t(f"  - {where_of(u)}" + (f" [signal {u['signal']}]" if u.get("signal") else "")))
    print_sources(console, sources)
