"""The Markdown for `scan`: the answers it gives and the evidence behind them."""

from __future__ import annotations

from typing import Any

from advisor.output.markdown.common import inert as md_text  # all of a scan comes from a cluster or its files
from advisor.output.table.scan import MAX_EVIDENCE, evidence_of, l7_of, summary_lines


def scan_markdown(result: Any) -> str:
    doc = result.to_document()
    scan = doc["scan"]
    lines = ["# Cluster scan", ""]
    lines += ["| | |", "|---|---|"]
    lines += [f"| {md_text(k)} | {md_text(v)} |" for k, v in summary_lines(doc)]
    lines += [
        "",
        "## Namespaces",
        "",
        "| namespace | pods | meshed by | L7 | basis | rps |",
        "|---|--:|---|--:|---|--:|",
    ]
    for ns in scan["namespaces"]:
        rps = f"{ns['rps']:,.1f}" if ns.get("rps") is not None else ""
        lines.append(
            f"| {md_text(ns['name'])} | {ns['pods']} | {md_text(ns['meshed_by'])} | {l7_of(ns)} | {ns['l7_basis']} | {rps} |"
        )
    lines += ["", "## Capabilities in use", ""]
    if scan["capabilities"]:
        lines += ["| capability | signals | evidence |", "|---|---|---|"]
        for cap in scan["capabilities"]:
            ev = "; ".join(md_text(evidence_of(e)) for e in cap["evidence"][:MAX_EVIDENCE])  # no HTML, not even <br>
            if len(cap["evidence"]) > MAX_EVIDENCE:
                ev += f"; ... and {len(cap['evidence']) - MAX_EVIDENCE} more"
            lines.append(f"| {md_text(cap['id'])} | {md_text(', '.join(cap['signals']))} | {ev} |")
    else:
        lines.append("None found.")
    if scan.get("measured"):  # issue 21: what the mesh's own containers use (cAdvisor, --prometheus)
        rows = scan["measured"]
        lines += ["", f"## What the mesh's containers use (cAdvisor, over {md_text(rows[0].get('window', ''))})", ""]
        lines += [
            "| namespace | container | containers | MiB mean | MiB p95 | vCPU mean |",
            "|---|---|--:|--:|--:|--:|",
        ]

        def num(value: Any, fmt: str) -> str:
            return "?" if value is None else format(value, fmt)

        for m in rows:
            lines.append(
                f"| {md_text(m['namespace'])} | {md_text(m['container'])} | {m.get('instances', 1):,} | "
                f"{num(m.get('memory_mib_mean'), ',.1f')} | {num(m.get('memory_mib_p95'), ',.1f')} | "
                f"{num(m.get('cpu_vcpu_mean'), '.3f')} |"
            )
    if scan["warnings"]:
        lines += ["", "## What the scan could not see", ""]
        lines += [f"- {md_text(w)}" for w in scan["warnings"]]
    return "\n".join(lines) + "\n"
