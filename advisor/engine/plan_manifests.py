"""Between the plan and the manifest generators: which namespaces move, the waypoint plan, the steps the
move's data names, and the sidecar-scoping saving from the cost model.

Pure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from advisor.catalog.models import mesh_matches
from advisor.engine.costing import project
from advisor.engine.manifests import ManifestSet, build_manifests
from advisor.engine.objects import WORKLOAD_KINDS, Cluster, namespace_of
from advisor.engine.waypoints import WaypointNeed, plan_waypoints

if TYPE_CHECKING:
    from advisor.answers.resolve import Resolved
    from advisor.catalog.models import Catalog


def _moving_namespaces(cluster: Any, planned: list[Any], system: frozenset[str]) -> list[str]:
    """The plan's namespaces (from the scan), else every namespace of the objects that holds a workload."""
    if planned:
        return [n.name for n in planned]
    names = {namespace_of(o) for o in cluster.kind(*WORKLOAD_KINDS, "Service")}
    return sorted((names or set(cluster.namespaces)) - system)


def _traffic(resolved: Resolved) -> dict[str, tuple[float | None, float]]:
    inv = resolved.answers.inventory
    if inv is None:
        return {}
    return {ns.name: (ns.rps, ns.l7) for ns in inv.namespaces}


def _rps_per_replica(catalog: Catalog, resolved: Resolved, component: str) -> float | None:
    profile = catalog.profiles.get(resolved.answers.benchmark_profile)
    figures = profile.figures.get(component) if profile and component else None
    fig = getattr(figures, "rps_per_replica", None) if figures else None
    return float(fig.value) if fig is not None else None


def _egress(scan: Mapping[str, Any] | None) -> dict[str, list[str]]:
    """Egress hosts per namespace from the scan's traffic graph (`[[scan.edges]]`: source and destination
    namespaces from istio_requests_total), when the scan read one; always with istio-system."""
    out: dict[str, set[str]] = {}
    for edge in (scan or {}).get("edges") or ():
        if not isinstance(edge, dict):
            continue
        src, dst = edge.get("source_namespace"), edge.get("destination_namespace")
        if isinstance(src, str) and isinstance(dst, str) and src and dst:
            hosts = out.setdefault(src, {"./*", "istio-system/*"})
            hosts.add("./*" if dst == src else f"{dst}/*")
    return {ns: sorted(h, key=lambda x: (x != "./*", x)) for ns, h in out.items()}


def scoping_saving(
    catalog: Catalog, resolved: Resolved, option: str, changes: dict[str, Any]
) -> dict[str, float] | None:
    """Memory and money the cost model says the stay's target state saves (e.g. unscoped -> scoped sidecars)."""
    answers = resolved.answers
    if not changes or all(getattr(answers, k, None) == v for k, v in changes.items()):
        return None
    before = project(answers, catalog, detail=False).options.get(option)
    after = project(answers.replace(**changes), catalog, detail=False).options.get(option)
    if before is None or after is None:
        return None
    b, a = before.view(answers.cost_basis), after.view(answers.cost_basis)
    return {
        "memory_gib": round(b.memory_gib - a.memory_gib, 4),
        "monthly_usd": round(b.monthly_usd - a.monthly_usd, 2),
    }


def plan_manifests(
    catalog: Catalog,
    resolved: Resolved,
    move: Any,
    target: str,
    phases: list[Any],
    namespaces: list[Any],
    scan: Mapping[str, Any] | None,
    objects: list[dict[str, Any]] | None,
    system: frozenset[str],
) -> tuple[ManifestSet | None, list[WaypointNeed], list[str]]:
    """The manifests (None without objects), the waypoint plan, and notes for the plan."""
    notes: list[str] = []
    if move.stay:
        changes = dict(move.target_answers)
        saving = scoping_saving(catalog, resolved, target, changes)
        if saving is not None:
            said = ", ".join(f"{k} = {str(v).lower() if isinstance(v, bool) else v}" for k, v in changes.items())
            notes.append(
                f"Scoping saves about {saving['memory_gib']:,.2f} GiB of proxy memory, "
                f"${saving['monthly_usd']:,.2f}/month ({resolved.answers.cost_basis}), by the cost model "
                f"({said} against today's answers)"
            )
    if objects is None:
        return None, [], notes
    cluster = Cluster.of(objects)
    moving = _moving_namespaces(cluster, namespaces, system)
    traits = catalog.traits_of(target)
    steps_data = [s for s in move.manifests if mesh_matches(s.to_mesh, target, traits)]
    waypoints: list[WaypointNeed] = []
    if any(s.generator == "waypoints" for s in steps_data):
        waypoints = plan_waypoints(
            cluster,
            moving,
            _traffic(resolved),
            _rps_per_replica(catalog, resolved, move.waypoint_component),
            bool(resolved.answers.control_plane_ha),
        )
    by_id = {p.id: p for p in catalog.migrations.phases}
    steps = [(s.generator, s.phase, by_id[s.phase].title, by_id[s.phase].order) for s in steps_data]
    egress = _egress(scan)
    if any(s.generator == "sidecar-scoping" for s in steps_data) and not egress:
        notes.append(
            "Sidecar egress hosts are ./* and istio-system/* for every namespace: the scan read no traffic "
            "graph (source to destination namespaces); widen a namespace's hosts for each namespace it calls"
        )
    return build_manifests(steps, cluster, moving, waypoints, egress), waypoints, notes
