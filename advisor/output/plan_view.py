"""Renderings of a migration plan for people: a rich table view and Markdown (a ticket-ready plan).

Both read the plan's document, so what a person sees is what JSON and TOML carry.
"""

from __future__ import annotations

from typing import Any

from advisor.errors import visible
from advisor.output.markdown import inert as md_inert
from advisor.output.markdown import text as md_text

MAX_OBJECTS = 6  # per item in the table view; Markdown and the documents list all


def _where(o: dict[str, Any]) -> str:
    name = f"{o['namespace']}/{o['name']}" if o.get("namespace") else o.get("name", "")
    return f"{o['kind']} {name}" + (f" ({o['field']})" if o.get("field") else "")


def _basis(item: dict[str, Any]) -> str:
    return {"scan": "found by the scan", "answers": "from the answers", "move": "every such move"}.get(
        item.get("basis", ""), ""
    )


SECTIONS = (
    ("blockers", "Blockers", "resolve before the move can finish"),
    ("rework", "Rework", "objects to rewrite for the target's APIs"),
    ("gaps", "Gaps during the move", "what is not enforced, or breaks, while both run"),
)


def plan_table(result: Any, console: Any) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

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
            shown = "\n".join(_where(o) for o in objs[:MAX_OBJECTS]) or _basis(item)
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
            console.print(t(f"  - {_where(u)}" + (f" [signal {u['signal']}]" if u.get("signal") else "")))
    from advisor.output.tables import print_sources

    print_sources(console, sources)


def _md_source(source: str) -> str:
    return f"<{source}>" if source.startswith(("https://", "http://")) and " " not in source else md_text(source)


def plan_markdown(result: Any) -> str:
    """A migration plan a team can paste into a ticket: checkboxes per phase and per namespace."""
    doc = result.to_document()
    plan = doc["plan"]
    lines = [f"# Migration plan: {md_text(plan['from_name'])} to {md_text(plan['to_name'])}", ""]
    lines += [md_text(plan["summary"]), ""]
    lines += [
        f"- Move: {md_text(plan['move']['title'])}. {md_text(plan['move']['text'])} ({_md_source(plan['move']['source'])})"
    ]
    lines += [f"- Evidence: {'the scan' if plan['evidence'] == 'scan' else 'the answers alone'}"]
    meta = doc["meta"]
    lines += [
        f"- Generated by mesh-advisor {md_text(meta['tool_version'])} (data {md_text(meta['data_version'])}) at {md_text(meta['generated_at'])}"
    ]
    for note in plan["notes"]:
        lines.append(f"- Note: {md_text(note)}")
    lines.append("")
    for key, title, caption in SECTIONS:
        lines += [f"## {title}", "", f"{caption[0].upper()}{caption[1:]}.", ""]
        if not doc[key]:
            lines += ["None.", ""]
            continue
        for item in doc[key]:
            lines.append(f"- [ ] {md_text(item['text'])} (source: {_md_source(item['source'])})")
            if item.get("action"):
                lines.append(f"  - Do: {md_text(item['action'])}")
            for o in item["objects"]:
                lines.append(f"  - `{visible(_where(o), one_line=True).replace('`', '')}`")
            if not item["objects"]:
                lines.append(f"  - {md_inert(_basis(item))}")  # object names from the cluster
        lines.append("")
    lines += ["## Phases", ""]
    for i, p in enumerate(doc["phases"], 1):
        lines += [
            f"### {i}. {md_text(p['title'])}",
            "",
            f"{md_text(p['text'])} (source: {_md_source(p['source'])})",
            "",
        ]
        for s in p["steps"]:
            lines.append(f"- [ ] {md_inert(s['text'])}")  # a namespace's name from the cluster
        if p["steps"]:
            lines.append("")
    cost = doc["cost"]
    lines += [
        "## Cost",
        "",
        f"Per month, {md_text(cost['basis'])} basis.",
        "",
        "| | $/month | source |",
        "|---|--:|---|",
    ]
    rows = [
        ("Today", cost["today"]["monthly_usd"], cost["items"][0]["source"]),
        ("Target", cost["target"]["monthly_usd"], cost["items"][1]["source"]),
    ]
    if cost.get("transition"):
        rows.append(("During the move (upper bound)", cost["transition"]["monthly_usd"], cost["items"][2]["source"]))
    for label, usd, source in rows:
        lines.append(f"| {label} | {usd:,.2f} | {md_text(source) or '-'} |")
    lines.append("")
    for item in cost["items"]:
        lines.append(f"- {md_text(item['text'])}")
    lines.append("")
    if doc["unrecognised"]:
        lines += [
            "## Evidence not planned",
            "",
            "Findings that name a signal or kind the migration data does not know:",
            "",
        ]
        lines += [
            f"- `{visible(_where(u), one_line=True).replace('`', '')}`"
            + (f" (signal {md_text(u['signal'])})" if u.get("signal") else "")
            for u in doc["unrecognised"]
        ]
        lines.append("")
    return "\n".join(lines)
