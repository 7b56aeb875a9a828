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
    """"" when no limit is met; otherwise what was met, the value the model would need, and the fix."""
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
            f"above the {limit.value:,.0f} MiB memory limit: they would be OOM-killed ({fix}); "
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
