"""The Markdown for `compare`: what changed between two saved results, as a decision record."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from advisor.output.markdown import common as md
from advisor.humanize import compact, money, points

if TYPE_CHECKING:
    from advisor.engine.results import ComparisonResult


def compare_markdown(result: ComparisonResult) -> str:
    doc = result.to_document()
    a, b, choice = doc["a"], doc["b"], doc["choice"]

    def name(oid: str) -> str:
        option = doc["options"].get(oid, {})
        return md.text(option.get("name") or oid)

    out: list[str] = []
    if choice["changed"]:
        out.append(f"# Change the service mesh choice from {name(choice['a'])} to {name(choice['b'])}")
    else:
        out.append(f"# Keep {name(choice['a'])} as the service mesh")
    out.append(md.bullets(["Status: proposed", f"Date: {md.text(md.day(doc['meta'].get('generated_at', '')))}"]))
    out.append("## Context and problem statement")
    out.append(
        f"Two saved results compared: A is {md.code(a['file'])} and B is {md.code(b['file'])}. {md.text(doc['summary'])}"
    )
    out.append(
        md.table(
            ["", "A", "B"],
            [
                ["File", md.code(a["file"], cell=True), md.code(b["file"], cell=True)],
                ["Choice", name(a["choice"]), name(b["choice"])],
                ["Confidence", md.text(a.get("confidence", "")), md.text(b.get("confidence", ""))],
                ["Data version", md.text(a["data_version"]), md.text(b["data_version"])],
                ["Generated", md.text(a.get("generated_at", "")), md.text(b.get("generated_at", ""))],
            ],
        )
    )
    if doc["warnings"]:
        out.append(md.bullets([f"Warning: {md.text(w)}" for w in doc["warnings"]]))
    out.append("## Decision drivers: answers that differ")
    if doc["answers_changed"]:
        rows = [
            [
                md.code(d["key"], cell=True),
                md.text(compact(d["a"])) if "a" in d else "(not set)",
                md.text(compact(d["b"])) if "b" in d else "(not set)",
            ]
            for d in doc["answers_changed"]
        ]
        out.append(md.table(["Answer", "A", "B"], rows))
    else:
        out.append("The answers are the same.")
    out.append("## Considered options (B - A)")
    rows = []
    for oid, o in doc["options"].items():
        if "only_in" in o:
            rows.append([name(oid), f"only in {o['only_in'].upper()}", "", "", "", "", "", ""])
            continue
        yn = {True: "yes", False: "blocked"}
        el = o["eligible"]
        usage, req = o["monthly_usd"]["usage"], o["monthly_usd"]["requests"]
        rows.append(
            [
                name(oid),
                f"{yn[el['a']]} → {yn[el['b']]}" if el["a"] != el["b"] else yn[el["a"]],
                f"{o['score']['a']:.1f} → {o['score']['b']:.1f}",
                f"{o['score']['delta']:+.1f}",
                md.text(f"{money(usage['a'])} → {money(usage['b'])}"),
                md.text(_money_delta(usage["delta"])),
                md.text(f"{money(req['a'])} → {money(req['b'])}"),
                md.text(_money_delta(req["delta"])),
            ]
        )
    out.append(
        md.table(
            [
                "Option",
                "Eligible",
                "Score A → B",
                "Δ score",
                "Usage $/month",
                "Δ usage",
                "Requests $/month",
                "Δ requests",
            ],
            rows,
            right=[2, 3, 4, 5, 6, 7],
        )
    )
    out.append("## Decision outcome")
    if choice["changed"]:
        out.append(f"The choice changes from **{name(choice['a'])}** (A) to **{name(choice['b'])}** (B).")
    else:
        out.append(f"The choice stays **{name(choice['a'])}**.")
    out.append("## Consequences: reasons that changed")
    any_reason = False
    for oid, o in doc["options"].items():
        reasons = o.get("reasons")
        if not reasons or not any(reasons.values()):
            continue
        any_reason = True
        items = [
            f"appeared: {r['category']} {md.text(points(r['delta']))}: {md.text(r['text'])}"
            for r in reasons["appeared"]
        ]
        items += [
            f"disappeared: {r['category']} {md.text(points(r['delta']))}: {md.text(r['text'])}"
            for r in reasons["disappeared"]
        ]
        items += [
            f"changed: {r['category']} {md.text(points(r['delta_a']))} → {md.text(points(r['delta_b']))}: {md.text(r['text'])}"
            for r in reasons["changed"]
        ]
        out.append(f"### {name(oid)}")
        out.append(md.bullets(items))
    if not any_reason:
        out.append("No reason appeared, disappeared or changed its points.")
    out.append("## More information")
    out.append("Reproduce this record:")
    out.append(md.fenced(shlex.join(["mesh-advisor", "compare", a["file"], b["file"], "--format", "md"]), "sh"))
    return "\n\n".join(out) + "\n"


def _money_delta(value: float) -> str:
    if abs(value) < 1e-9:
        return "0"
    return ("+" if value > 0 else "-") + money(abs(value))
