"""Renderings of a migration plan for people: a rich table view and Markdown (a ticket-ready plan).

Both read the plan's document, so what a person sees is what JSON and TOML carry.
"""

from __future__ import annotations

import re
from typing import Any

from advisor.errors import visible
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
            shown = "\n".join(_where(o) for o in objs[:MAX_OBJECTS]) or _basis(item)
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
            console.print(t(f"  - {_where(u)}" + (f" [signal {u['signal']}]" if u.get("signal") else "")))
    from advisor.output.tables import print_sources

    print_sources(console, sources)


_COMMAND = re.compile(r"\(((?:kubectl|istioctl|linkerd|helm) [^()]*)\)")


def split_commands(text: str) -> tuple[str, list[str]]:
    """A phase's text and the shell commands it gives in parentheses (printed whole, apart from the text)."""
    return text, _COMMAND.findall(text)


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
                lines.append(f"  - {md_text(_basis(item))}")
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
            lines.append(f"- [ ] {md_text(s['text'])}")
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
    if doc.get("waypoints"):
        lines += ["## Waypoints", "", "L7 objects decide which namespaces get one; traffic sizes it.", ""]
        lines += [f"- {md_text(w['text'])}" for w in doc["waypoints"]]
        lines.append("")
    if doc.get("manifests"):
        m = doc["manifests"]
        lines += [
            "## Manifests",
            "",
            "Apply in this order (README.md in the manifests directory says what each replaces):",
            "",
        ]
        lines += [f"{i}. `{f['file']}`" for i, f in enumerate(m["files"], 1)]
        lines.append("")
        if m["untranslated"]:
            lines += ["Not translated:", ""]
            lines += [
                f"- `{u['kind']} {u['namespace']}/{u['name']}` `{u['field']}`: {md_text(u['reason'])}"
                for u in m["untranslated"]
            ]
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
