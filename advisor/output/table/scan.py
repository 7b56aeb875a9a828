"""The table for `scan`: what was read, the answers it gives and the evidence behind them."""

from __future__ import annotations

from typing import Any

from advisor.errors import visible


MAX_EVIDENCE = 3  # per capability in the views; the document lists all


def l7_of(ns: dict[str, Any]) -> str:
    value = ns.get("l7")
    if value is None:
        return "?"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return f"{float(value) * 100:.0f}%"


def evidence_of(e: dict[str, Any]) -> str:
    where = (
        f"{e['namespace']}/{e['name']}" if e.get("namespace") and e.get("kind") != "Namespace" else e.get("name", "")
    )
    return f"{e['kind']} {where} {e['field']}"


def summary_lines(doc: dict[str, Any]) -> list[tuple[str, str]]:
    meta, scan, answers = doc["meta"], doc["scan"], doc["answers"]
    totals = scan.get("totals", {})
    source = meta.get("source", "")
    if meta.get("context"):
        source += f" (context {meta['context']})"
    nodes = scan.get("nodes", {})
    node_text = str(nodes.get("count", 0))
    if "vcpu_allocatable_mean" in nodes:
        node_text += f" ({nodes['vcpu_allocatable_mean']:g} vCPU, {nodes.get('memory_gib_allocatable_mean', 0):.1f} GiB allocatable each on average)"
    platform = scan.get("platform", {})
    rows = [
        ("source", source),
        ("complete", "yes" if scan.get("complete") else "no: see what the scan could not see"),
        ("nodes", node_text),
        ("namespaces", str(totals.get("namespaces", 0))),
        ("pods", f"{totals.get('pods', 0)} ({totals.get('meshed_pods', 0)} meshed)"),
        ("current mesh", str(totals.get("current_mesh", "none"))),
        (
            "platform",
            str(platform.get("id", "unknown"))
            + (f" (CNI: {', '.join(platform['cni'])})" if platform.get("cni") else ""),
        ),
        ("require", ", ".join(answers.get("require", [])) or "none"),
    ]
    return rows


def scan_table(result: Any, console: Any) -> None:
    # deferred: rich; markdown/scan.py reads this module's words without it
    from rich import box
    from rich.table import Table
    from rich.text import Text

    doc = result.to_document()
    scan = doc["scan"]

    def t(value: Any, style: str = "") -> Text:
        return Text(visible(str(value)), style=style)

    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    for key, value in summary_lines(doc):
        head.add_row(t(key), t(value))
    console.print(Text("Scan", style="bold"))
    console.print(head)

    spaces = Table(title="Namespaces", box=box.SIMPLE_HEAD, title_justify="left")
    for name, justify in (
        ("namespace", "left"),
        ("pods", "right"),
        ("meshed by", "left"),
        ("L7", "right"),
        ("basis", "left"),
        ("rps", "right"),
    ):
        spaces.add_column(name, justify=justify, overflow="fold")
    for ns in scan["namespaces"]:
        pods = str(ns["pods"]) + (f" ({ns['pods_range'][0]}-{ns['pods_range'][1]})" if ns.get("pods_range") else "")
        rps = f"{ns['rps']:,.1f}" if ns.get("rps") is not None else ""
        spaces.add_row(t(ns["name"]), t(pods), t(ns["meshed_by"]), t(l7_of(ns)), t(ns["l7_basis"]), t(rps))
    console.print(spaces)

    caps = Table(title="Capabilities in use (suggested require)", box=box.SIMPLE_HEAD, title_justify="left")
    caps.add_column("capability", overflow="fold")
    caps.add_column("signals", overflow="fold")
    caps.add_column("evidence", overflow="fold")
    for cap in scan["capabilities"]:
        ev = cap["evidence"]
        lines = [evidence_of(e) for e in ev[:MAX_EVIDENCE]]
        if len(ev) > MAX_EVIDENCE:
            lines.append(f"... and {len(ev) - MAX_EVIDENCE} more")
        caps.add_row(t(cap["id"]), t(", ".join(cap["signals"])), t("\n".join(lines)))
    if scan["capabilities"]:
        console.print(caps)
    else:
        console.print(t("No capabilities in use were found.", "dim"))

    other = [f for f in scan["findings"] if not f.get("capability")]
    if other:
        rest = Table(title="Other findings", box=box.SIMPLE_HEAD, title_justify="left")
        rest.add_column("signal", overflow="fold")
        rest.add_column("object", overflow="fold")
        rest.add_column("detail", overflow="fold")
        for f in other[:20]:
            detail = f.get("detail") or ""
            if f.get("count", 1) > 1:
                detail = (detail + "; " if detail else "") + f"{f['count']} objects"
            rest.add_row(t(f["signal"]), t(evidence_of(f)), t(detail))
        if len(other) > 20:
            rest.caption = f"... and {len(other) - 20} more in the document (--format json)"
        console.print(rest)

    measured = scan.get("measured") or []
    if measured:  # issue 21: what the mesh's own containers use (cAdvisor, --prometheus)
        used = Table(
            title=f"What the mesh's containers use (cAdvisor, over {measured[0].get('window', 'the window')})",
            box=box.SIMPLE_HEAD,
            title_justify="left",
        )
        for head in ("namespace", "container", "containers", "MiB mean", "MiB p95", "vCPU mean"):
            used.add_column(head, justify="left" if head in ("namespace", "container") else "right", overflow="fold")

        def num(value: Any, fmt: str) -> str:
            return "?" if value is None else format(value, fmt)

        for m in measured[:30]:
            used.add_row(
                t(m["namespace"]),
                t(m["container"]),
                f"{m.get('instances', 1):,}",
                num(m.get("memory_mib_mean"), ",.1f"),
                num(m.get("memory_mib_p95"), ",.1f"),
                num(m.get("cpu_vcpu_mean"), ".3f"),
            )
        if len(measured) > 30:
            used.caption = f"... and {len(measured) - 30} more in the document (--format json)"
        console.print(used)

    if scan["warnings"]:
        console.print(Text("What the scan could not see", style="bold yellow"))
        for w in scan["warnings"]:
            console.print(t(f"  - {w}"), soft_wrap=True)
