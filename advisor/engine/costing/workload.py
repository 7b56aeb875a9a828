"""The workload per namespace: groups of alike namespaces, their pods, traffic and Service ports."""

from __future__ import annotations

import math
from decimal import Decimal

from advisor.answers.resolve import Answers
from advisor.answers.inventory import Inventory, Namespace
from advisor.records import record


def waypoint_namespaces(l7_ratio: float, namespaces: int) -> int:
    """ceil(r x namespaces) when r > 0, none when r = 0.

    Computed in decimal on the number as written, because binary floats miscount at the
    boundary (0.68 x 175 is 119.00000000000001 in floats, which would add a 120th waypoint),
    and rounding the float product instead would lose real fractions (0.70000000001 x 10 needs 8).
    """
    if l7_ratio <= 0:
        return 0
    return math.ceil(Decimal(repr(l7_ratio)) * namespaces)


# ---------------------------------------------------------------- the workload, per namespace


@record
class Group:
    """Namespaces alike for the model: how many, their pods, east-west rps and L7 rps each, and
    their Service ports (answered ones in `ports`; `derived_pods`: pods whose Services are derived)."""

    count: int
    pods: float
    rps: float
    l7_rps: float
    needs_l7: bool
    ports: float = 0.0
    derived_pods: float = 0.0


@record
class Workload:
    groups: tuple[Group, ...]  # meshed namespaces only
    mesh_rps: float
    l7_rps: float
    sidecars: int
    meshed_nodes: int
    cluster_pods: int
    scoped: bool
    ha: bool
    # The cluster's Service ports: answered, plus the pods whose Services are derived from them.
    cluster_ports: float = 0.0
    cluster_derived_pods: float = 0.0
    services_derived: bool = True  # some Services come from the data's services_per_pod, not answers


# Ports per Service when only services are answered: the data's figure value, set by build_model
# before the workload is derived (a list so the cached inventory groups see the one in use).
_PORTS_PER_SERVICE: list[float] = [1.0]
_GROUPS: dict[int, tuple[object, tuple[float, float], tuple[Group, ...]]] = {}


def _inventory_groups(inv: Inventory, rps_total: float) -> tuple[Group, ...]:
    """Meshed namespaces merged into groups of alike ones; cached per inventory object, because
    what-if and sweeps project the same inventory hundreds of times with other answers changed."""
    pps = _PORTS_PER_SERVICE[0]
    hit = _GROUPS.get(id(inv))
    if hit is not None and hit[0] is inv and hit[1] == (rps_total, pps):
        return hit[2]
    merged: dict[tuple[float, float, float, bool, float, float], int] = {}
    for ns in inv.meshed:
        r = inv.rps_of(ns, rps_total)
        ports, derived = namespace_ports(ns, pps)
        key = (float(ns.pods), r, r * ns.l7 if ns.needs_l7 else 0.0, ns.needs_l7, ports, derived)
        merged[key] = merged.get(key, 0) + 1
    groups = tuple(Group(c, p, r, l7, need, pt, dp) for (p, r, l7, need, pt, dp), c in merged.items())
    if len(_GROUPS) > 8:
        _GROUPS.clear()
    _GROUPS[id(inv)] = (inv, (rps_total, pps), groups)  # holding `inv` keeps its id from being reused
    return groups


_L7: dict[int, tuple[object, float]] = {}


def _l7_total(groups: tuple[Group, ...]) -> float:
    hit = _L7.get(id(groups))
    if hit is not None and hit[0] is groups:
        return hit[1]
    total = sum(g.count * g.l7_rps for g in groups)
    if len(_L7) > 8:
        _L7.clear()
    _L7[id(groups)] = (groups, total)
    return total


def namespace_ports(ns: Namespace, ports_per_service: float) -> tuple[float, float]:
    """(answered Service ports, pods whose Services are derived) of one inventory namespace."""
    if ns.service_ports is not None:
        return float(ns.service_ports), 0.0
    if ns.services is not None:
        return ns.services * ports_per_service, 0.0
    return 0.0, float(ns.pods)


def _flat_ports(answers: Answers, cluster_pods: float, pps: float) -> tuple[float, float]:
    if answers.service_ports is not None:
        return float(answers.service_ports), 0.0
    if answers.services is not None:
        return answers.services * pps, 0.0
    return 0.0, float(cluster_pods)


def workload(answers: Answers) -> Workload:
    """The meshed namespaces as groups: one group for flat answers (two when some need L7)."""
    inv = answers.inventory
    pps = _PORTS_PER_SERVICE[0]
    if inv is None:
        n, pods, rps = answers.namespaces, answers.pods, answers.mesh_rps
        k = min(n, waypoint_namespaces(answers.l7_ratio, n))
        l7_total = rps * answers.l7_ratio
        cluster = answers.cluster_pods if answers.cluster_pods is not None else pods
        c_ports, c_derived = _flat_ports(answers, cluster, pps)
        # A namespace's share of the cluster's Services: its share of the cluster's pods.
        share = (pods / n) / cluster if cluster else 0.0
        ns_ports, ns_derived = c_ports * share, c_derived * share
        flat: list[Group] = []
        # The L7 traffic is spread over the waypoint namespaces; pods and rps over all namespaces.
        if k:
            flat.append(Group(k, pods / n, rps / n, l7_total / k, True, ns_ports, ns_derived))
        if n - k:
            flat.append(Group(n - k, pods / n, rps / n, 0.0, False, ns_ports, ns_derived))
        meshed_nodes = answers.nodes
        return Workload(
            tuple(flat),
            rps,
            l7_total,
            pods,
            meshed_nodes,
            cluster,
            answers.sidecar_scoping,
            answers.control_plane_ha,
            c_ports,
            c_derived,
            c_derived > 0,
        )
    rps_total = answers.mesh_rps
    groups = _inventory_groups(inv, rps_total)
    meshed = inv.meshed
    # Namespaces may share nodes: the sum of their nodes is an upper bound, cut at the cluster's nodes.
    if all(ns.nodes is not None for ns in meshed):
        meshed_nodes = min(answers.nodes, sum(ns.nodes or 0 for ns in meshed))
    else:
        meshed_nodes = answers.nodes
    cluster = answers.cluster_pods if answers.cluster_pods is not None else inv.all_pods
    if answers.services is not None or answers.service_ports is not None:
        c_ports, c_derived = _flat_ports(answers, cluster, pps)
    else:
        c_ports, c_derived = _inventory_ports(inv, pps)
        c_derived += max(0, cluster - inv.all_pods)  # pods in namespaces the inventory does not list
    return Workload(
        groups=groups,
        mesh_rps=rps_total,
        l7_rps=_l7_total(groups),
        sidecars=inv.pods,
        meshed_nodes=meshed_nodes,
        cluster_pods=cluster,
        scoped=answers.sidecar_scoping,
        ha=answers.control_plane_ha,
        cluster_ports=c_ports,
        cluster_derived_pods=c_derived,
        services_derived=c_derived > 0 or any(g.derived_pods for g in groups),
    )


_INV_PORTS: dict[int, tuple[object, float, tuple[float, float]]] = {}


def _inventory_ports(inv: Inventory, pps: float) -> tuple[float, float]:
    """Every listed namespace's (answered ports, derived pods), summed; cached per inventory."""
    hit = _INV_PORTS.get(id(inv))
    if hit is not None and hit[0] is inv and hit[1] == pps:
        return hit[2]
    ports = derived = 0.0
    for ns in inv.namespaces:
        p, d = namespace_ports(ns, pps)
        ports, derived = ports + p, derived + d
    if len(_INV_PORTS) > 8:
        _INV_PORTS.clear()
    _INV_PORTS[id(inv)] = (inv, pps, (ports, derived))
    return ports, derived
