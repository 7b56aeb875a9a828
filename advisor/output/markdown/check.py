"""The Markdown for `check`: the findings as a table for a pull-request comment or a job summary."""

from __future__ import annotations

from typing import Any

from advisor.errors import visible
from advisor.output.markdown.common import text as md_text
from advisor.output.table.check import objects_of


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
            objs = "<br>".join(f"`{visible(o, one_line=True).replace('`', '')}`" for o in objects_of(f).splitlines())
            what = md_text(f["text"]) + (f" ({md_text(f['detail'])})" if f["detail"] else "")
            lines.append(
                f"| {f['severity']} | `{f['rule']}` | {objs} | {what.replace('|', '/')} | {md_text(f['fix']).replace('|', '/')} | <{f['source']}> |"
            )
        lines.append("")
    return "\n".join(lines)
