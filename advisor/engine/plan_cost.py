"""A plan's cost: today's mesh against the target (in its target state), per month, and while both run.

Pure: answers and catalog in, the plan document's `cost` table out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from advisor.engine.costing import Projection, project

if TYPE_CHECKING:
    from advisor.answers.resolve import Resolved
    from advisor.catalog.models import Catalog

NO_MESH = "none"


def plan_cost(
    catalog: Catalog,
    resolved: Resolved,
    projection: Projection,
    current: str,
    target: str,
    target_answers: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Today's mesh against the target, per month, from the answers' projection (or the scan's inventory); the
    target with the answers its state changes (`target_answers`: a stay that scopes sidecars)."""
    answers = resolved.answers
    basis = answers.cost_basis
    goal_projection = project(answers.replace(**target_answers), catalog) if target_answers else projection

    def view(option: str, proj: Any = projection) -> dict[str, Any]:
        if option not in proj.options:
            return {"option": NO_MESH, "cpu_vcpu": 0.0, "memory_gib": 0.0, "monthly_usd": 0.0}
        v = proj.options[option].view(basis)
        return {
            "option": option,
            "cpu_vcpu": round(v.cpu_vcpu, 4),
            "memory_gib": round(v.memory_gib, 4),
            "monthly_usd": round(v.monthly_usd, 2),
        }

    def sources(option: str) -> str:
        if option not in projection.options:
            return ""
        return "; ".join(dict.fromkeys(s for c in projection.options[option].components for s in c.sources))

    today, goal = view(current), view(target, goal_projection)
    out: dict[str, Any] = {
        "basis": basis,
        "today": today,
        "target": goal,
        "change_monthly_usd": round(goal["monthly_usd"] - today["monthly_usd"], 2),
    }
    items = [
        {
            "text": f"Today: {catalog.mesh_name(current)} adds ${today['monthly_usd']:,.2f}/month ({basis}: "
            f"{today['cpu_vcpu']:,.2f} vCPU, {today['memory_gib']:,.2f} GiB)"
            if current in projection.options
            else "Today: no mesh, so nothing added",
            "source": sources(current),
            "objects": [],
        },
        {
            "text": f"Target: {catalog.mesh_name(target)} will add ${goal['monthly_usd']:,.2f}/month ({basis}: "
            f"{goal['cpu_vcpu']:,.2f} vCPU, {goal['memory_gib']:,.2f} GiB), {out['change_monthly_usd']:+,.2f} against today"
            if target != current
            else f"Staying on {catalog.mesh_name(target)} adds nothing to today's cost; in its target state "
            f"({', '.join(f'{k} = {str(v).lower() if isinstance(v, bool) else v}' for k, v in (target_answers or {}).items()) or 'unchanged'}) it runs at "
            f"${goal['monthly_usd']:,.2f}/month ({basis}: {goal['cpu_vcpu']:,.2f} vCPU, {goal['memory_gib']:,.2f} GiB), "
            f"{out['change_monthly_usd']:+,.2f} against today",
            "source": sources(target),
            "objects": [],
        },
    ]
    transition = projection.options[target].transition if target != current else None
    if transition is not None:
        t = transition.view(basis)
        out["transition"] = {
            "cpu_vcpu": round(t.cpu_vcpu, 4),
            "memory_gib": round(t.memory_gib, 4),
            "monthly_usd": round(t.monthly_usd, 2),
            "replaced": list(transition.replaced),
        }
        shared = f"; {', '.join(transition.replaced)} counted once" if transition.replaced else ""
        items.append(
            {
                "text": f"During the move: up to ${t.monthly_usd:,.2f}/month while both run (upper bound: both at full size{shared})",
                "source": transition.source or sources(target),
                "objects": [],
            }
        )
    # Today priced from the cluster's own measure, model beside it; limits met, today and in the target.
    for option, proj in dict.fromkeys(((current, projection), (target, goal_projection))):
        if option not in proj.options:
            continue
        oc = proj.options[option]
        if oc.measured and option == current:
            out["today"]["priced_from"] = "measured-in-cluster"
        for c in oc.components:
            if c.measured is not None and c.measured.memory_mib_each is not None and option == current:
                m = c.measured
                model_each = m.model_memory_gib * 1024 / c.instances if c.instances else 0.0
                per = "replica" if c.role == "control-plane" else "container"
                items.append(
                    {
                        "text": f"Today's {c.id} measured in this cluster: {m.memory_mib_each:,.0f} MiB per {per} "
                        f"(model {model_each:,.0f} MiB"
                        + (f", {m.memory_ratio:.2f}x" if m.memory_ratio is not None else "")
                        + "); today is priced at the measured figure",
                        "source": m.source,
                        "objects": [],
                    }
                )
            if c.limit_reached:
                items.append(
                    {
                        "text": f"{catalog.mesh_name(option)}: {c.id}: {c.limit_note}",
                        "source": "; ".join(c.sources),
                        "objects": [],
                    }
                )
    out["limits"] = [
        {"option": o, "component": c.id, "limit_note": c.limit_note}
        for o, proj in dict.fromkeys(((current, projection), (target, goal_projection)))
        if o in proj.options
        for c in proj.options[o].components
        if c.limit_reached
    ]
    out["items"] = items
    return out
