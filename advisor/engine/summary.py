"""The words of a recommendation: per-category arithmetic lines and the summary a person pastes."""

from __future__ import annotations

from advisor.catalog.models import CATEGORIES
from advisor.engine.costing import USAGE_FIGURES, OptionCost, Projection
from advisor.engine.scored import OptionScore, Reason
from advisor.humanize import dollars, percent


def share_words(share: float) -> str:
    """A share of the bill as people read it: 0.38% and 12.5%, never a real cost shown as 0%."""
    pct = 100.0 * share
    return f"{pct:.2f}%" if pct < 1 else f"{pct:.1f}%"


def largest_part(oc: OptionCost, basis: str) -> tuple[str, str]:
    """The component behind the largest share of this option's monthly cost, and its figure's source.

    Named in the reason so a reader sees which figure decides the cost (e.g. a stand-in figure).
    """
    key = "usage_monthly_usd" if basis == "usage" else "requests_monthly_usd"
    total = sum(getattr(c, key) for c in oc.components)
    if total <= 0:
        return "", ""
    top = max(oc.components, key=lambda c: getattr(c, key))
    # The figures the view is made of, the deciding ones first; a component carries only the
    # request figures it used (`ha_request_*` with control_plane_ha).
    wanted = (
        USAGE_FIGURES
        if basis == "usage"
        else ("ha_request_cpu_millicores", "request_cpu_millicores", "ha_request_memory_mib", "request_memory_mib")
    )
    source = next((top.figures[name].source for name in wanted if name in top.figures), "")
    return f"{top.name}, {percent(getattr(top, key) / total)}", source


_CATEGORY_WORDS = {
    "features": "capabilities",
    "cost": "cost",
    "latency": "latency",
    "operability": "operability",
    "maturity": "maturity",
    "migration": "the cost of the move",
}


def explain_line(category: str, score: float, reasons: list[Reason], relative: dict[str, str]) -> str:
    """`features 40.0 = 100 − 40.0 fault-injection (required, partial) − 20.0 required-partial`: the
    category's arithmetic in one line, every reason that moved it with its points."""
    moved = [r for r in reasons if r.category == category and abs(r.delta) > 0.05]
    if category in relative:
        # the standing against the bill (or the latency scale), then every other reason in the category
        others = [r for r in moved if r.label != category]
        terms = "".join(f" {'−' if r.delta < 0 else '+'} {abs(r.delta):.1f} {r.label or r.text}" for r in others)
        return f"{category} {score:.1f} = {relative[category]}{terms}"
    raw = 100.0 + sum(r.delta for r in moved)
    if not moved:
        judged = [r.label or r.text for r in reasons if r.category == category]
        why = (
            f" ({', '.join(judged)}: nothing taken off)"
            if judged
            else {
                "features": " (nothing asked for)",
                "migration": " (no move, or nothing the move costs)",
            }.get(category, " (no rule took points)")
        )
        return f"{category} {score:.1f} = 100{why}"
    terms = "".join(f" {'−' if r.delta < 0 else '+'} {abs(r.delta):.1f} {r.label or r.text}" for r in moved)
    line = f"{category} {score:.1f} = 100{terms}"
    if round(raw, 1) != score:
        line += f" = {raw:.1f}, kept within 0–100"
    return line


def _level_words(level: str) -> str:
    if level == "platform":
        return "ruled out by the platform"
    return "only partly met (partial)" if level == "partial" else level


def summarize(
    choice: str,
    eligible: list[str],
    options: dict[str, OptionScore],
    weights: dict[str, float],
    projection: Projection,
    basis: str,
    current: str = "none",
    names: dict[str, str] | None = None,
) -> str:
    if choice == "none":
        parts = [
            f"{o.name}: " + ", ".join(f"{b.feature} is {_level_words(b.level)}" for b in o.blockers)
            for o in options.values()
        ]
        return "No option meets every requirement. " + "; ".join(parts) + ". Relax a requirement or the risk setting."
    top = options[choice]
    ruled_out = [o for o in options.values() if not o.eligible]
    out = f"{top.name} scores {top.score:.0f}/100"
    if current in options and choice == current:
        out = f"Stay on {top.name}: it scores {top.score:.0f}/100 with nothing to move"
    elif current in options:
        moving = 100.0 - top.scores["migration"]
        out = (
            f"Move from {options[current].name} to {top.name}: it scores {top.score:.0f}/100 "
            f"counting the move ({moving:.0f} migration points lost; `mesh-advisor plan --to {choice}` lists what it takes)"
        )
    if len(eligible) >= 2:
        second = options[eligible[1]]
        gaps = {c: weights[c] * (top.scores[c] - second.scores[c]) for c in CATEGORIES}
        leads = [c for c in sorted(gaps, key=lambda c: -gaps[c]) if gaps[c] >= 0.5][:2]
        trails = [c for c in sorted(gaps, key=lambda c: gaps[c]) if gaps[c] <= -0.5][:1]
        margin = top.score - second.score
        out += f", {margin:.1f} points ahead of {second.name} ({second.score:.0f})"
        if leads:
            out += f", leading on {' and '.join(_CATEGORY_WORDS[c] for c in leads)}"
        if trails:
            out += f" though behind on {_CATEGORY_WORDS[trails[0]]}"
    out += "."
    cost = projection.options[choice].view(basis)
    if current in options and choice == current:
        # Staying adds nothing to today's bill: say what each move would save or add against it instead.
        against = []
        for oid, opt in options.items():
            if oid == current or oid not in projection.options:
                continue
            delta = projection.options[oid].view(basis).monthly_usd - cost.monthly_usd
            verb = "save" if delta < 0 else "add"
            against.append(f"{opt.name} would {verb} about {dollars(abs(delta))}/month")
        out += (
            f" Staying adds nothing to today's cost (the mesh already runs at about {dollars(cost.monthly_usd)}/month, "
            f"{basis}, {projection.options[choice].latency.end_to_end_p90_ms:.2f} ms p90 end to end)"
            + (f"; against today, moving to {'; '.join(against)}." if against else ".")
        )
    else:
        out += (
            f" It adds about {dollars(cost.monthly_usd)}/month ({basis}) and "
            f"{projection.options[choice].latency.end_to_end_p90_ms:.2f} ms p90 end to end (estimate)."
        )
    by_vendor: dict[str, list[str]] = {}
    for fid, vendor in top.vendor_builds:
        by_vendor.setdefault(vendor, []).append(fid)
    for vendor, fids in by_vendor.items():
        out += f" It counts on a vendor distribution for {', '.join(fids)}: {vendor}."
    for gap in top.partly_met:
        out += f" It partly meets {gap.feature}: {gap.note.rstrip('.')}."
    for warning in top.warnings:
        out += f" Warning: {warning}."
    if ruled_out:
        out += (
            " Ruled out: "
            + "; ".join(f"{o.name} ({', '.join(b.feature for b in o.blockers)})" for o in ruled_out)
            + "."
        )
    return out
