"""Limits a projection meets, said in words on the component: a proxy at its memory limit, a control
plane past the capacity one replica was measured to carry."""

from __future__ import annotations

from advisor.catalog.models import ComponentFigures

MB_PER_MIB = 1.048576


def limit_note(
    figs: ComponentFigures,
    instances: int,
    capped_instances: float,
    largest_mb: float,
    proxies_per_replica: float,
    replicas: int,
    cpu_capped: bool,
    over_capacity: bool,
    view: str,
) -> str:
    """ "" when no limit is met; otherwise what was met, the value the model would need, and the fix."""
    notes = []
    limit = figs.memory_limit_mib
    if capped_instances > 0 and limit is not None:
        fix = (
            "scope the proxies (Sidecar resources or discoverySelectors) or raise the limit"
            if view == "cluster"
            else "split the namespace's Services or raise the limit"
        )
        notes.append(
            f"{capped_instances:,.0f} of {instances:,} would need up to {largest_mb / MB_PER_MIB:,.0f} MiB each, "
            f"above the {limit.value:,.0f} MiB memory limit: they would be OOM-killed: {fix}; "
            "usage is counted at the limit"
        )
    capacity = figs.proxies_per_replica_capacity
    if over_capacity and capacity is not None:
        needed = int(-(-proxies_per_replica * replicas // capacity.value))
        notes.append(
            f"{proxies_per_replica:,.0f} connected proxies per replica, past the {capacity.value:,.0f} one replica "
            f"was measured to carry ({capacity.source.split(' ; ')[-1].split('@')[0]}): add replicas "
            f"(at least {needed:,})"
        )
    cpu_limit = figs.cpu_vcpu_limit_per_instance
    if cpu_capped and cpu_limit is not None:
        notes.append(
            f"CPU counted at {cpu_limit.value:g} vCPU per replica, where one replica saturated in the "
            "measurement; a linear projection beyond it would not be a measure"
        )
    return "; ".join(notes)


def reason_suffix(option_cost: object) -> str:
    """What the cost reason adds about limits and scoping: the limits met, and when scoping the
    proxies is what keeps them under their limit, that and its saving."""
    parts = []
    for c in getattr(option_cost, "components", ()):
        if c.limit_reached:
            parts.append(f"{c.id}: {c.limit_note}")
    v = getattr(option_cost, "scoping", None)
    if v is not None and v.viable_only_scoped:
        parts.append(
            f"scoped (Sidecar resources or discoverySelectors) it stays under its limit at "
            f"{v.memory_mib_each:,.0f} MiB per proxy and saves ${abs(v.scoped_saving_usd):,.0f}/month: "
            "the scoped variant is what makes it viable at this size"
        )
    elif v is not None and v.scoped and v.scoped_saving_usd > 0:
        parts.append(f"scoping the proxies would save ${v.scoped_saving_usd:,.0f}/month")
    return "".join(f"; {p}" for p in parts)
