"""The cost model (SPEC "The cost model"): answers + benchmarks -> usage, requests, money, latency.

The model works per namespace: flat answers are the uniform special case (namespaces alike),
an inventory lists them. From the answers it first derives, per component, what drives its
numbers (instances, requests handled, connected proxies, endpoints each proxy is told about);
`usage_at` then turns figure values into CPU and memory. That split keeps the namespaces out of
the figure arithmetic: low, expected and high, and every sampled draw, cost one evaluation per
component however many namespaces there are.
"""

from __future__ import annotations

import functools
import math
from dataclasses import replace
from decimal import Decimal
from typing import Callable

from advisor.answers.resolve import Answers
from advisor.catalog.models import Catalog, Component, ComponentFigures, Figure, LatencyFigures, answer_figure
from advisor.answers.inventory import Inventory, Namespace
from advisor.engine.costing.limits import limit_note
from advisor.engine.costing.measured import MeasuredUsage, claim_rows, measured_usage
from advisor.engine.costing.scoping import ScopingVariant
from advisor.engine.costing.views import ViewSum
from advisor.records import record

HOURS_PER_MONTH = 730
BYTES_PER_MB = 1_000_000  # published memory figures are decimal MB
BYTES_PER_GIB = 1024**3
MB_PER_MIB = 1.048576
POINTS: tuple[str, ...] = ("low", "expected", "high")

# Usage figures: CPU and memory of a running component. Without any, its usage is unknown.
USAGE_FIGURES: tuple[str, ...] = (
    "cpu_vcpu_per_1000rps",
    "cpu_vcpu_per_instance",
    "memory_mb_per_instance",
    "cpu_vcpu_per_proxy",
    "memory_mb_per_proxy",
    "memory_mb_per_endpoint_in_view",
    "memory_mb_per_cluster_pod",
    "memory_mb_per_endpoint",
    "cpu_vcpu_idle_per_instance",
    "memory_mb_agent_per_instance",
    "memory_mb_per_service_port_in_view",
    "services_per_pod",
)
# Figures that bound usage: shown with the usage figures, never summed.
LIMIT_FIGURES: tuple[str, ...] = (
    "memory_limit_mib",
    "service_ports_always_in_view",
    "proxies_per_replica_capacity",
    "cpu_vcpu_limit_per_instance",
)


# Records (advisor.records): frozen, compared by their documents and never by value, cheap to define.
@record
class View:
    cpu_vcpu: float
    memory_gib: float
    monthly_usd: float


@record
class Spread:
    """Low, expected and high of one output: every figure at its low, its value, its high."""

    low: float
    expected: float
    high: float


@record
class ComponentCost:
    id: str
    name: str
    role: str
    scaling: str
    instances: int
    containers_added: int
    handled_rps: float
    cpu_vcpu: float
    memory_gib: float
    requests_cpu_vcpu: float
    requests_memory_gib: float
    usage_monthly_usd: float
    requests_monthly_usd: float
    figures: dict[str, Figure]  # the figures this component's numbers come from
    usage_known: bool = True  # False: no published usage figure; its usage counts as 0 and is shown as unknown
    usage_usd_spread: Spread | None = None
    capped: bool = False  # usage memory reached the chart's limit (the model stops there)
    limit_reached: bool = False  # a proxy at its memory limit, or a control plane past its measured capacity
    limit_note: str = ""  # what the limit is, the value the model would need, and what to do
    memory_mib_each: float = 0.0  # usage memory per instance (the average, MiB)
    measured: "MeasuredUsage | None" = None  # today's mesh as the cluster's own Prometheus measured it

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.source for f in self.figures.values()))


@record
class Latency:
    per_hop_p50_ms: float
    per_hop_p90_ms: float
    per_hop_p99_ms: float
    end_to_end_p50_ms: float
    end_to_end_p90_ms: float
    end_to_end_p99_ms: float
    hops: int
    l7_share: float
    blended: bool  # True when an L7 path was blended in by the L7 share
    figures: dict[str, Figure]
    end_to_end_p90_spread: Spread | None = None
    per_hop_spread: dict[str, Spread] | None = None  # "p50"/"p90"/"p99" -> spread
    network_hop: bool = False  # the L7 path includes the waypoint's extra network traversal


@record
class NodeProjection:
    """Whole nodes the mesh's requests need, when the node size is known (a bin-packing estimate)."""

    extra_nodes: int
    node_monthly_usd: float
    monthly_usd: float
    cluster_monthly_usd: float
    share_of_cluster: float  # the extra nodes' cost / the cluster's compute
    usage_share: Spread  # usage cost / the cluster's compute, low-expected-high
    method: str


@record
class Transition:
    """Both meshes (or both data-plane modes) at full size while a move from `current` is under way.

    An upper bound: namespaces move one at a time, so the old data plane shrinks as the new one grows.
    """

    current: str
    usage: View
    requests: View
    components: tuple[str, ...]  # names of the components counted: today's, then the target's
    replaced: tuple[str, ...]  # today's components the target's own replace during the move
    source: str  # where the sharing comes from (the move's source), or ""

    def view(self, basis: str) -> View:
        return self.usage if basis == "usage" else self.requests


@record
class OptionCost:
    option: str
    components: tuple[ComponentCost, ...]
    usage: View
    requests: View
    containers_added: int
    latency: Latency
    transition: Transition | None = None  # set for every option but the current mesh, when there is one
    usage_usd_spread: Spread | None = None
    nodes: NodeProjection | None = None
    scoping: ScopingVariant | None = None  # the option with sidecar_scoping the other way ("stay and scope")
    measured: bool = False  # today's mesh, priced from what the cluster's own Prometheus measured

    def view(self, basis: str) -> View:
        return self.usage if basis == "usage" else self.requests

    def usd_spread(self, basis: str) -> Spread:
        if basis == "usage" and self.usage_usd_spread is not None:
            return self.usage_usd_spread
        v = self.view(basis).monthly_usd
        return Spread(v, v, v)


@record
class Projection:
    profile: str
    cpu_price: float
    memory_price: float
    options: dict[str, OptionCost]
    cluster_monthly_usd: float | None = None


def monthly_usd(cpu_vcpu: float, memory_gib: float, cpu_price: float, memory_price: float) -> float:
    return (cpu_vcpu * cpu_price + memory_gib * memory_price) * HOURS_PER_MONTH


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


_GROUPS: dict[int, tuple[object, float, tuple[Group, ...]]] = {}


def _inventory_groups(inv: Inventory, rps_total: float) -> tuple[Group, ...]:
    """Meshed namespaces merged into groups of alike ones; cached per inventory object, because
    what-if and sweeps project the same inventory hundreds of times with other answers changed."""
    hit = _GROUPS.get(id(inv))
    if hit is not None and hit[0] is inv and hit[1] == rps_total:
        return hit[2]
    merged: dict[tuple[float, float, float, bool, float, float], int] = {}
    for ns in inv.meshed:
        r = inv.rps_of(ns, rps_total)
        ports, derived = namespace_ports(ns, _PORTS_PER_SERVICE[0])
        key = (float(ns.pods), r, r * ns.l7 if ns.needs_l7 else 0.0, ns.needs_l7, ports, derived)
        merged[key] = merged.get(key, 0) + 1
    groups = tuple(Group(c, p, r, l7, need, pt, dp) for (p, r, l7, need, pt, dp), c in merged.items())
    if len(_GROUPS) > 8:
        _GROUPS.clear()
    _GROUPS[id(inv)] = (inv, rps_total, groups)  # holding `inv` keeps its id from being reused
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


# Ports per Service when only services are answered: the data's figure value, set by build_model
# before the workload is derived (a list so the cached inventory groups see the one in use).
_PORTS_PER_SERVICE: list[float] = [1.0]


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


# ---------------------------------------------------------------- drivers per component


@record
class Drivers:
    instances: int
    rps: float
    proxies: float  # proxies a control plane serves
    cluster_pods: float
    in_view: ViewSum  # Service ports and endpoints each instance is told about, weighted by instances
    # Instances the per-instance CPU counts: a control plane's replicas share one mesh's work
    # (their memory does not: each replica holds the cluster state).
    cpu_units: int = -1
    replicas: int = 1  # a control plane's replicas, which split its connected proxies
    ports_per_service: float = 1.0  # the data's value, for ports derived from pods

    @property
    def cpu_instances(self) -> int:
        return self.instances if self.cpu_units < 0 else self.cpu_units

    @property
    def proxies_per_replica(self) -> float:
        return self.proxies / max(1, self.replicas)


def _replicas(component: Component, ha: bool) -> int:
    return component.ha_replicas if (ha and component.ha_replicas) else component.replicas


def _instances_and_views(
    component: Component, figs: ComponentFigures, load: Workload, answers: Answers, minimum: int, capacity: float
) -> tuple[int, ViewSum]:
    """Instances of a component and what each is told about: (answered ports, derived pods,
    endpoints, instances) per group. A component without a `view` holds no Service configuration."""
    always = figs.service_ports_always_in_view.value if figs.service_ports_always_in_view is not None else 0.0
    cluster_view = (load.cluster_ports, load.cluster_derived_pods, float(load.cluster_pods))
    if component.scaling == "per-pod":
        instances = load.sidecars * component.replicas
        if component.view == "namespace" or (component.view == "cluster" and load.scoped):
            groups = [(g.ports + always, g.derived_pods, g.pods, g.pods * g.count) for g in load.groups]
        else:
            groups = [(*cluster_view, float(instances))]
    elif component.scaling == "per-node":
        instances = load.meshed_nodes * component.replicas
        groups = [(*cluster_view, float(instances))]
    elif component.scaling == "per-l7-namespace":
        groups = []
        instances = 0
        for g in load.groups:
            if not g.needs_l7:
                continue
            per_ns = minimum
            if capacity > 0:
                per_ns = max(minimum, math.ceil(g.l7_rps * max(component.traversals, 1) / capacity - 1e-9))
            instances += per_ns * g.count
            if component.view == "cluster" and not load.scoped:
                groups.append((*cluster_view, float(per_ns * g.count)))
            else:  # a waypoint is told about its own namespace's Services only, scoped or not
                groups.append((g.ports + always, g.derived_pods, g.pods, float(per_ns * g.count)))
    else:  # fixed
        pinned = getattr(answers, component.replicas_answer, None) if component.replicas_answer else None
        instances = pinned or minimum
        groups = [(*cluster_view, float(instances))]
    if not component.view:
        groups = [(0.0, 0.0, 0.0, w) for *_, w in groups]
    return instances, ViewSum(groups)


_VIEWS: dict[tuple[object, ...], tuple[object, int, ViewSum]] = {}


def drivers_for(
    component: Component, figs: ComponentFigures, load: Workload, answers: Answers, proxies: float
) -> Drivers:
    ha = load.ha
    minimum = _replicas(component, ha)
    capacity = figs.rps_per_replica.value if figs.rps_per_replica is not None else 0.0
    per_group = component.scaling in ("per-l7-namespace",) or (component.scaling == "per-pod" and load.scoped)
    key = (id(load.groups), component.id, load.scoped, minimum, capacity, load.cluster_pods, load.sidecars, component.view)
    hit = _VIEWS.get(key) if per_group else None
    if hit is not None and hit[0] is load.groups:
        instances, view_sum = hit[1], hit[2]
    else:
        instances, view_sum = _instances_and_views(component, figs, load, answers, minimum, capacity)
        if per_group:
            if len(_VIEWS) > 64:
                _VIEWS.clear()
            # holding the groups keeps their id from being reused while the entry lives
            _VIEWS[key] = (load.groups, instances, view_sum)
    if component.traffic == "none" or not instances:
        rps = 0.0
    elif component.traffic == "all":
        rps = load.mesh_rps * component.traversals
    else:
        rps = load.l7_rps * component.traversals
    shared = component.scaling == "fixed" and component.role == "control-plane"
    return Drivers(
        instances=instances,
        rps=rps,
        proxies=proxies,
        cluster_pods=float(load.cluster_pods),
        in_view=view_sum,
        cpu_units=min(1, instances) if shared else -1,
        replicas=instances if shared else 1,
        ports_per_service=_PORTS_PER_SERVICE[0],
    )


def _figure_values(
    figs: ComponentFigures, value: Callable[[str, Figure], float]
) -> tuple[dict[str, float], dict[str, float]]:
    """Each usage figure's value (chosen by `value(name, figure)`) and its `above`, by name; a figure
    the component does not have is absent."""
    present = [(name, f) for name in USAGE_FIGURES if (f := getattr(figs, name)) is not None]
    return {name: value(name, f) for name, f in present}, {name: f.above for name, f in present}


@functools.lru_cache(maxsize=256)
def _expected_values(figs: ComponentFigures) -> tuple[dict[str, float], dict[str, float]]:
    """`_figure_values` at the expected values, once per figures object: figures never change, and
    these are read for every component of every projection."""
    return _figure_values(figs, _expected)


@record
class Usage:
    """One component's usage at one set of figure values, and the limits it met."""

    cpu_vcpu: float
    memory_gib: float
    capped_instances: float  # instances whose memory reached the limit
    largest_mb: float  # the most-told instance's memory, uncapped
    cpu_capped: bool  # CPU per replica reached the measured saturation
    over_capacity: bool  # connected proxies per replica past the measured capacity


def usage_of(figs: ComponentFigures, d: Drivers, value: Callable[[str, Figure], float]) -> Usage:
    """A component's usage with figure values chosen by `value(name, figure)`."""
    values, aboves = _expected_values(figs) if value is _expected else _figure_values(figs, value)

    def v(name: str) -> float:
        return values.get(name, 0.0)

    def above(name: str, count: float) -> float:
        a = aboves.get(name)
        return 0.0 if a is None else max(0.0, count - a)

    cpu = (
        v("cpu_vcpu_per_1000rps") * d.rps / 1000
        + (v("cpu_vcpu_per_instance") + v("cpu_vcpu_idle_per_instance")) * d.cpu_instances
        + v("cpu_vcpu_per_proxy") * above("cpu_vcpu_per_proxy", d.proxies)
    )
    cpu_cap = _cpu_cap(figs, d)
    cpu_capped = cpu_cap is not None and cpu > cpu_cap
    if cpu_capped and cpu_cap is not None:
        cpu = cpu_cap
    capacity = figs.proxies_per_replica_capacity
    over = capacity is not None and d.proxies_per_replica > capacity.value
    base, a, b, c = _memory_terms(v, above, d)
    limit = figs.memory_limit_mib
    cap = limit.value * MB_PER_MIB if limit is not None else None
    total_mb, capped = d.in_view.sum(base, a, b, c, cap)
    largest = d.in_view.largest(base, a, b, c)
    return Usage(cpu, total_mb * BYTES_PER_MB / BYTES_PER_GIB, capped, largest, cpu_capped, over)


def _cpu_cap(figs: ComponentFigures, d: Drivers) -> float | None:
    f = figs.cpu_vcpu_limit_per_instance
    return None if f is None else f.value * max(1, d.replicas)


def _memory_terms(
    v: Callable[[str], float], above: Callable[[str, float], float], d: Drivers
) -> tuple[float, float, float, float]:
    """(MB per instance before what it is told about, MB per answered port, MB per pod whose ports
    are derived, MB per endpoint)."""
    base = (
        v("memory_mb_per_instance")
        + v("memory_mb_agent_per_instance")
        # a control plane's replicas split its connected proxies
        + v("memory_mb_per_proxy") * above("memory_mb_per_proxy", d.proxies_per_replica)
        + v("memory_mb_per_cluster_pod") * above("memory_mb_per_cluster_pod", d.cluster_pods)
        + v("memory_mb_per_endpoint") * above("memory_mb_per_endpoint", d.cluster_pods)
    )
    port = v("memory_mb_per_service_port_in_view")
    derived = port * v("services_per_pod") * d.ports_per_service
    return base, port, derived, v("memory_mb_per_endpoint_in_view")


def usage_at(figs: ComponentFigures, d: Drivers, value: Callable[[str, Figure], float]) -> tuple[float, float, bool]:
    """(vCPU, GiB, capped) of one component with figure values chosen by `value(name, figure)`."""
    u = usage_of(figs, d, value)
    return u.cpu_vcpu, u.memory_gib, u.capped_instances > 0


@record
class CompiledUsage:
    """usage_at for one component with the drivers folded in: linear terms (figure, coefficient)."""

    cpu: tuple[tuple[Figure, float], ...]
    memory_base: tuple[tuple[Figure, float], ...]  # MB per instance
    slope: Figure | None  # MB per Service port in view
    derived: Figure | None  # services per pod, for ports derived from pods (times ports_per_service)
    ports_per_service: float
    endpoint: Figure | None  # MB per endpoint in view
    cap: float | None
    cpu_cap: float | None
    in_view: ViewSum

    def at(self, value: Callable[[Figure], float]) -> tuple[float, float]:
        cpu = sum(value(f) * k for f, k in self.cpu)
        if self.cpu_cap is not None:
            cpu = min(cpu, self.cpu_cap)
        base = sum(value(f) * k for f, k in self.memory_base)
        a = value(self.slope) if self.slope is not None else 0.0
        b = a * (value(self.derived) if self.derived is not None else 0.0) * self.ports_per_service
        c = value(self.endpoint) if self.endpoint is not None else 0.0
        total_mb, _ = self.in_view.sum(base, a, b, c, self.cap)
        return cpu, total_mb * BYTES_PER_MB / BYTES_PER_GIB


def compile_usage(figs: ComponentFigures, d: Drivers) -> CompiledUsage:
    """The same arithmetic as usage_at, as terms: for evaluating thousands of sampled draws."""

    def above(f: Figure | None, count: float) -> float:
        return 0.0 if f is None else max(0.0, count - f.above)

    cpu = [
        (figs.cpu_vcpu_per_1000rps, d.rps / 1000),
        (figs.cpu_vcpu_per_instance, float(d.cpu_instances)),
        (figs.cpu_vcpu_idle_per_instance, float(d.cpu_instances)),
        (figs.cpu_vcpu_per_proxy, above(figs.cpu_vcpu_per_proxy, d.proxies)),
    ]
    base = [
        (figs.memory_mb_per_instance, 1.0),
        (figs.memory_mb_agent_per_instance, 1.0),
        (figs.memory_mb_per_proxy, above(figs.memory_mb_per_proxy, d.proxies_per_replica)),
        (figs.memory_mb_per_cluster_pod, above(figs.memory_mb_per_cluster_pod, d.cluster_pods)),
        (figs.memory_mb_per_endpoint, above(figs.memory_mb_per_endpoint, d.cluster_pods)),
    ]
    limit = figs.memory_limit_mib
    return CompiledUsage(
        cpu=tuple((f, k) for f, k in cpu if f is not None and k),
        memory_base=tuple((f, k) for f, k in base if f is not None and k),
        slope=figs.memory_mb_per_service_port_in_view,
        derived=figs.services_per_pod,
        ports_per_service=d.ports_per_service,
        endpoint=figs.memory_mb_per_endpoint_in_view,
        cap=limit.value * MB_PER_MIB if limit is not None else None,
        cpu_cap=_cpu_cap(figs, d),
        in_view=d.in_view,
    )


def _expected(name: str, f: Figure) -> float:
    return f.value


def _low(name: str, f: Figure) -> float:
    return f.at("low")


def _high(name: str, f: Figure) -> float:
    return f.at("high")


def has_usage(figs: ComponentFigures) -> bool:
    return any(getattr(figs, name) is not None for name in USAGE_FIGURES)


# Answers that replace the requests of each injected proxy (components that scale per pod):
# (answer, the name its figure is listed under in a component's figures, unit).
PROXY_REQUEST_ANSWERS: tuple[tuple[str, str, str], ...] = (
    ("proxy_cpu_request_millicores", "request_cpu_millicores", "millicores"),
    ("proxy_memory_request_mib", "request_memory_mib", "MiB"),
)


def answered_requests(answers: Answers) -> list[str]:
    """The injected proxies' requests the answers set, in words, for output that says where
    requests come from: ["CPU 100 millicores (proxy_cpu_request_millicores)", ...]."""
    out = []
    for key, name, unit in PROXY_REQUEST_ANSWERS:
        value = getattr(answers, key)
        if value is not None:
            out.append(f"{'CPU' if 'cpu' in name else 'memory'} {value:,} {unit} ({key})")
    return out


@functools.lru_cache(maxsize=64)
def _answered(key: str, value: int, unit: str, replaced: Figure | None, replaced_name: str) -> Figure:
    """The figure an answer gives, in the place of the chart's (sweeps ask for the same one often)."""
    was = f"{replaced_name} {replaced.value:g} {replaced.unit} ({replaced.source})" if replaced else "no chart figure"
    return answer_figure(key, float(value), unit, f"the install's own request, in place of {was}")


def requests_of(
    component: Component, figs: ComponentFigures, d: Drivers, ha: bool, answers: Answers
) -> tuple[float, float, dict[str, Figure]]:
    used: dict[str, Figure] = {}
    cpu_fig = figs.ha_request_cpu_millicores if (ha and figs.ha_request_cpu_millicores) else figs.request_cpu_millicores
    mem_fig = figs.ha_request_memory_mib if (ha and figs.ha_request_memory_mib) else figs.request_memory_mib
    cpu_name = "ha_request_cpu_millicores" if cpu_fig is figs.ha_request_cpu_millicores else "request_cpu_millicores"
    mem_name = "ha_request_memory_mib" if mem_fig is figs.ha_request_memory_mib else "request_memory_mib"
    if component.scaling == "per-pod":
        # an injected sidecar proxy: the install's own requests, when answered, replace the chart's
        (cpu_key, cpu_as, cpu_unit), (mem_key, mem_as, mem_unit) = PROXY_REQUEST_ANSWERS
        cpu_answer, mem_answer = getattr(answers, cpu_key), getattr(answers, mem_key)
        if cpu_answer is not None:
            cpu_fig, cpu_name = _answered(cpu_key, cpu_answer, cpu_unit, cpu_fig, cpu_name), cpu_as
        if mem_answer is not None:
            mem_fig, mem_name = _answered(mem_key, mem_answer, mem_unit, mem_fig, mem_name), mem_as
    cpu = mem = 0.0
    if cpu_fig is not None:
        used[cpu_name] = cpu_fig
        cpu = cpu_fig.value / 1000 * d.instances
    if mem_fig is not None:
        used[mem_name] = mem_fig
        mem = mem_fig.value / 1024 * d.instances
    return cpu, mem, used


def cost_component(component: Component, figs: ComponentFigures, d: Drivers, answers: Answers) -> ComponentCost:
    """One component's usage (expected, low, high) and requests, with the figures used."""
    known = has_usage(figs)
    used = {name: getattr(figs, name) for name in USAGE_FIGURES if getattr(figs, name) is not None}
    for name in LIMIT_FIGURES:
        if getattr(figs, name) is not None and used:
            used[name] = getattr(figs, name)
    if figs.rps_per_replica is not None:
        used["rps_per_replica"] = figs.rps_per_replica
    u = usage_of(figs, d, _expected)
    cpu, memory, capped = u.cpu_vcpu, u.memory_gib, u.capped_instances > 0
    note = limit_note(
        figs,
        d.instances,
        u.capped_instances,
        u.largest_mb,
        d.proxies_per_replica,
        d.replicas,
        u.cpu_capped,
        u.over_capacity,
        component.view,
    )
    lo_cpu, lo_mem, _ = usage_at(figs, d, _low)
    hi_cpu, hi_mem, _ = usage_at(figs, d, _high)
    req_cpu, req_memory, req_used = requests_of(component, figs, d, answers.control_plane_ha, answers)
    used.update(req_used)
    p_cpu, p_mem = answers.cpu_price, answers.memory_price
    return ComponentCost(
        id=component.id,
        name=component.name,
        role=component.role,
        scaling=component.scaling,
        instances=d.instances,
        containers_added=d.instances * component.containers_per_instance,
        handled_rps=d.rps,
        cpu_vcpu=cpu,
        memory_gib=memory,
        requests_cpu_vcpu=req_cpu,
        requests_memory_gib=req_memory,
        usage_monthly_usd=monthly_usd(cpu, memory, p_cpu, p_mem),
        requests_monthly_usd=monthly_usd(req_cpu, req_memory, p_cpu, p_mem),
        figures=used,
        usage_known=known,
        usage_usd_spread=Spread(
            monthly_usd(lo_cpu, lo_mem, p_cpu, p_mem),
            monthly_usd(cpu, memory, p_cpu, p_mem),
            monthly_usd(hi_cpu, hi_mem, p_cpu, p_mem),
        ),
        capped=capped,
        limit_reached=bool(note),
        limit_note=note,
        memory_mib_each=memory * 1024 / d.instances if d.instances else 0.0,
    )


# ---------------------------------------------------------------- latency


def latency_at(figs: LatencyFigures, r: float, p: int, value: Callable[[str, Figure], float]) -> float:
    base: Figure = getattr(figs, f"per_hop_p{p}_ms")
    out = value(f"per_hop_p{p}_ms", base)
    l7: Figure | None = getattr(figs, f"l7_per_hop_p{p}_ms")
    if l7 is not None:
        l7_value = value(f"l7_per_hop_p{p}_ms", l7)
        hop: Figure | None = getattr(figs, f"network_hop_p{p}_ms")
        if hop is not None:
            l7_value += value(f"network_hop_p{p}_ms", hop)
        out = (1 - r) * out + r * l7_value
    return out


def latency_of(figs: LatencyFigures, answers: Answers, detail: bool = True) -> Latency:
    """Per hop: the base path, blended with the L7 path by the L7 share when the option has one.
    `detail=False`: no ranges (each spread is the expected value) and no list of figures used."""
    return _latency(figs, answers.l7_ratio, answers.hops, detail)


# Latency depends only on the figures, the L7 share and the hops: a sweep or what-if that varies
# anything else (pods, nodes, prices) reuses it. The records are only read.
@functools.lru_cache(maxsize=256)
def _latency(figs: LatencyFigures, r: float, h: int, detail: bool) -> Latency:
    blended = figs.l7_per_hop_p50_ms is not None
    used: dict[str, Figure] = {}
    for p in (50, 90, 99) if detail else ():
        for name in (f"per_hop_p{p}_ms", f"l7_per_hop_p{p}_ms", f"network_hop_p{p}_ms"):
            f = getattr(figs, name)
            if f is not None and (name.startswith("per_hop") or blended):
                used[name] = f
    per_hop = {p: latency_at(figs, r, p, _expected) for p in (50, 90, 99)}
    if detail:
        spreads = {
            f"p{p}": Spread(latency_at(figs, r, p, _low), per_hop[p], latency_at(figs, r, p, _high))
            for p in (50, 90, 99)
        }
    else:
        spreads = {f"p{p}": Spread(per_hop[p], per_hop[p], per_hop[p]) for p in (50, 90, 99)}
    p90 = spreads["p90"]
    return Latency(
        per_hop_p50_ms=per_hop[50],
        per_hop_p90_ms=per_hop[90],
        per_hop_p99_ms=per_hop[99],
        end_to_end_p50_ms=per_hop[50] * h,
        end_to_end_p90_ms=per_hop[90] * h,
        end_to_end_p99_ms=per_hop[99] * h,
        hops=h,
        l7_share=r,
        blended=blended,
        figures=used,
        end_to_end_p90_spread=Spread(p90.low * h, p90.expected * h, p90.high * h),
        per_hop_spread=spreads,
        network_hop=blended and figs.network_hop_p90_ms is not None,
    )


# ---------------------------------------------------------------- nodes


NODE_METHOD = (
    "bin-packing estimate: the mesh's requests on whole nodes of the given allocatable size, the "
    "cluster assumed full; per-node agents take their share of every node, new ones included"
)


def node_price(answers: Answers) -> float | None:
    if answers.node_vcpu is None or answers.node_memory_gib is None:
        return None
    if answers.node_monthly_usd is not None:
        return answers.node_monthly_usd
    return monthly_usd(answers.node_vcpu, answers.node_memory_gib, answers.cpu_price, answers.memory_price)


def project_nodes(comps: tuple[ComponentCost, ...], usage: Spread, answers: Answers) -> NodeProjection | None:
    price = node_price(answers)
    if price is None:
        return None
    vcpu, mem = float(answers.node_vcpu or 0), float(answers.node_memory_gib or 0)
    per_node = [c for c in comps if c.scaling == "per-node"]
    nodes_now = max(1, max((c.instances for c in per_node), default=answers.nodes))
    agent_cpu = sum(c.requests_cpu_vcpu for c in per_node) / nodes_now
    agent_mem = sum(c.requests_memory_gib for c in per_node) / nodes_now
    rest_cpu = sum(c.requests_cpu_vcpu for c in comps if c.scaling != "per-node")
    rest_mem = sum(c.requests_memory_gib for c in comps if c.scaling != "per-node")
    # Existing nodes lose the agents' share; new nodes carry an agent each as well.
    need_cpu = rest_cpu + agent_cpu * nodes_now
    need_mem = rest_mem + agent_mem * nodes_now
    free_cpu, free_mem = vcpu - agent_cpu, mem - agent_mem
    if free_cpu <= 0 or free_mem <= 0:
        extra = answers.nodes  # the agents alone fill a node: every node's work must move
    else:
        extra = max(math.ceil(need_cpu / free_cpu - 1e-9), math.ceil(need_mem / free_mem - 1e-9), 0)
    cluster = answers.nodes * price
    return NodeProjection(
        extra_nodes=extra,
        node_monthly_usd=price,
        monthly_usd=extra * price,
        cluster_monthly_usd=cluster,
        share_of_cluster=extra * price / cluster if cluster else 0.0,
        usage_share=Spread(*(x / cluster if cluster else 0.0 for x in (usage.low, usage.expected, usage.high))),
        method=NODE_METHOD,
    )


# ---------------------------------------------------------------- the projection


_NO_FIGURES = ComponentFigures()  # built once: sweeps call project() hundreds of times


def connected_proxies(option_comps: tuple[Component, ...], counts: dict[str, int]) -> float:
    """Proxies a control plane serves: every data-plane and node-agent instance carrying traffic."""
    return float(sum(counts[c.id] for c in option_comps if c.role != "control-plane" and c.traffic != "none"))


@record
class Model:
    """Everything `project` derived from the answers, kept for sampling the figures again."""

    answers: Answers
    options: dict[str, tuple[tuple[Component, ComponentFigures, Drivers], ...]]
    latency: dict[str, LatencyFigures]


@functools.lru_cache(maxsize=64)
def _with_derived(figs: ComponentFigures, services_per_pod: Figure) -> ComponentFigures:
    """A viewing component's figures with the workload's services_per_pod, used while Services are derived."""
    return replace(figs, services_per_pod=services_per_pod)


def build_model(answers: Answers, catalog: Catalog) -> Model:
    profile = catalog.profiles[answers.benchmark_profile]
    workload_figs = catalog.benchmarks.workload
    pps = workload_figs.get("service_ports_per_service")
    _PORTS_PER_SERVICE[0] = float(pps.value) if pps is not None else 1.0
    load = workload(answers)
    spp = workload_figs.get("services_per_pod") if load.services_derived else None
    options: dict[str, tuple[tuple[Component, ComponentFigures, Drivers], ...]] = {}
    for option in catalog.option_ids:
        comps = catalog.components_of(option)
        figs_of = {c.id: profile.figures.get(c.id) or _NO_FIGURES for c in comps}
        if spp is not None:
            figs_of = {
                cid: _with_derived(f, spp) if f.memory_mb_per_service_port_in_view is not None else f
                for cid, f in figs_of.items()
            }
        # Data plane first: the control plane's drivers count its proxies.
        first = {c.id: drivers_for(c, figs_of[c.id], load, answers, 0.0) for c in comps if c.role != "control-plane"}
        proxies = connected_proxies(comps, {cid: d.instances for cid, d in first.items()})
        rows = []
        for c in comps:
            d = first.get(c.id) or drivers_for(c, figs_of[c.id], load, answers, proxies)
            rows.append((c, figs_of[c.id], d))
        options[option] = tuple(rows)
    return Model(answers=answers, options=options, latency=dict(profile.latency))


def project(answers: Answers, catalog: Catalog, detail: bool = True) -> Projection:
    """Every option's cost and latency. `detail=False` gives only what scoring reads, the same
    expected figures: each option's usage and requests views and its latency (no components, ranges,
    node projection or transition): for what-if, which scores hundreds of variants of the answers."""
    model = build_model(answers, catalog)
    options: dict[str, OptionCost] = {}
    p_cpu, p_mem = answers.cpu_price, answers.memory_price
    price = node_price(answers)
    for option, rows in model.options.items():
        if not detail:
            options[option] = _views_only(option, rows, latency_of(model.latency[option], answers, False), answers)
            continue
        comps = tuple(cost_component(c, figs, d, answers) for c, figs, d in rows)
        is_measured = False
        if option == answers.current_mesh and answers.measured:
            comps, is_measured = _with_measured(comps, tuple(c for c, _, _ in rows), answers)
        usage, requests = _views(
            [(c.cpu_vcpu, c.memory_gib, c.requests_cpu_vcpu, c.requests_memory_gib) for c in comps], answers
        )
        spread = Spread(
            sum(c.usage_usd_spread.low for c in comps if c.usage_usd_spread),
            usage.monthly_usd,
            sum(c.usage_usd_spread.high for c in comps if c.usage_usd_spread),
        )
        # the sum of the parts and the total differ only by float rounding: keep low ≤ expected ≤ high exact
        spread = Spread(min(spread.low, spread.expected), spread.expected, max(spread.high, spread.expected))
        options[option] = OptionCost(
            option=option,
            components=comps,
            usage=usage,
            requests=requests,
            containers_added=sum(c.containers_added for c in comps),
            latency=latency_of(model.latency[option], answers),
            usage_usd_spread=spread,
            nodes=project_nodes(comps, spread, answers),
            scoping=_scoping_variant(option, rows, comps, answers, catalog),
            measured=is_measured,
        )
    current = getattr(answers, "current_mesh", "none")
    if detail and current in options:
        options = {
            o: oc if o == current else replace(oc, transition=_transition(catalog, options[current], oc, answers))
            for o, oc in options.items()
        }
    return Projection(
        profile=answers.benchmark_profile,
        cpu_price=p_cpu,
        memory_price=p_mem,
        options=options,
        cluster_monthly_usd=answers.nodes * price if price is not None else None,
    )


def _with_measured(
    comps: tuple[ComponentCost, ...], components: tuple[Component, ...], answers: Answers
) -> tuple[tuple[ComponentCost, ...], bool]:
    """Today's mesh with each measured component's usage from the cluster's measure, the model's
    figures kept beside it (ComponentCost.measured)."""
    claimed = claim_rows(components, answers.measured)
    out = []
    any_measured = False
    for c in comps:
        m = measured_usage(claimed.get(c.id, []), c.instances, c.cpu_vcpu, c.memory_gib)
        if m is None:
            out.append(c)
            continue
        any_measured = True
        cpu = m.cpu_vcpu if m.cpu_vcpu is not None else c.cpu_vcpu
        mem = m.memory_gib if m.memory_gib is not None else c.memory_gib
        usd = monthly_usd(cpu, mem, answers.cpu_price, answers.memory_price)
        out.append(
            replace(
                c,
                cpu_vcpu=cpu,
                memory_gib=mem,
                usage_monthly_usd=usd,
                usage_usd_spread=Spread(usd, usd, usd),
                figures={"measured_memory_mib_per_container": m.figure(), **c.figures},
                usage_known=True,
                memory_mib_each=mem * 1024 / c.instances if c.instances else 0.0,
                measured=m,
            )
        )
    return tuple(out), any_measured


def _scoping_variant(
    option: str,
    rows: tuple[tuple[Component, ComponentFigures, Drivers], ...],
    comps: tuple[ComponentCost, ...],
    answers: Answers,
    catalog: Catalog,
) -> ScopingVariant | None:
    """The option priced with sidecar_scoping the other way, when a component's view depends on it."""
    scopable = [c for c, _, _ in rows if c.view == "cluster" and c.scaling == "per-pod"]
    if not scopable:
        return None
    alt_answers = answers.replace(sidecar_scoping=not answers.sidecar_scoping)
    alt_rows = build_model(alt_answers, catalog).options[option]
    alt = tuple(cost_component(c, figs, d, alt_answers) for c, figs, d in alt_rows)
    now = {c.id: c for c in comps}
    proxy = scopable[0].id
    a_cpu = sum(c.cpu_vcpu for c in alt)
    a_mem = sum(c.memory_gib for c in alt)
    n_cpu = sum(c.cpu_vcpu for c in comps)
    n_mem = sum(c.memory_gib for c in comps)
    alt_proxy = next(c for c in alt if c.id == proxy)
    return ScopingVariant(
        scoped=alt_answers.sidecar_scoping,
        component=now[proxy].name,
        memory_mib_each=alt_proxy.memory_mib_each,
        memory_mib_each_now=now[proxy].memory_mib_each,
        usage_monthly_usd=monthly_usd(a_cpu, a_mem, answers.cpu_price, answers.memory_price),
        usage_monthly_usd_now=monthly_usd(n_cpu, n_mem, answers.cpu_price, answers.memory_price),
        memory_gib=a_mem,
        memory_gib_now=n_mem,
        limit_reached=alt_proxy.limit_reached,
        limit_reached_now=now[proxy].limit_reached,
    )


def reprice(projection: Projection, answers: Answers) -> Projection:
    """A views-only projection (`detail=False`) at the answers' prices. What it adds up (vCPU and GiB
    per option, latency) never depends on the prices: build_model, usage_at and requests_of do not
    read them; only the money does, so it is recomputed exactly as `project` computes it."""
    if any(oc.components for oc in projection.options.values()):
        raise ValueError("reprice takes a views-only projection (project(..., detail=False))")
    p_cpu, p_mem = answers.cpu_price, answers.memory_price
    price = node_price(answers)

    def money(v: View) -> View:
        return View(v.cpu_vcpu, v.memory_gib, monthly_usd(v.cpu_vcpu, v.memory_gib, p_cpu, p_mem))

    return replace(
        projection,
        cpu_price=p_cpu,
        memory_price=p_mem,
        options={
            o: replace(oc, usage=money(oc.usage), requests=money(oc.requests)) for o, oc in projection.options.items()
        },
        cluster_monthly_usd=answers.nodes * price if price is not None else None,
    )


def _views(parts: list[tuple[float, float, float, float]], answers: Answers) -> tuple[View, View]:
    """The usage and requests views of an option from its components' (vCPU, GiB, requested vCPU,
    requested GiB), summed in component order: the full and the views-only projection share it."""
    p_cpu, p_mem = answers.cpu_price, answers.memory_price
    cpu, mem, r_cpu, r_mem = (sum(p[i] for p in parts) for i in range(4))
    return View(cpu, mem, monthly_usd(cpu, mem, p_cpu, p_mem)), View(
        r_cpu, r_mem, monthly_usd(r_cpu, r_mem, p_cpu, p_mem)
    )


def _views_only(
    option: str, rows: tuple[tuple[Component, ComponentFigures, Drivers], ...], latency: Latency, answers: Answers
) -> OptionCost:
    """An option's usage and requests views as `project` adds them up, without a ComponentCost per
    component."""
    parts = []
    claimed = claim_rows(tuple(c for c, _, _ in rows), answers.measured) if option == answers.current_mesh else {}
    for c, figs, d in rows:
        cpu, mem, _ = usage_at(figs, d, _expected)
        m = measured_usage(claimed.get(c.id, []), d.instances, cpu, mem) if claimed else None
        if m is not None:  # today's mesh as measured, as `project` prices it
            cpu = m.cpu_vcpu if m.cpu_vcpu is not None else cpu
            mem = m.memory_gib if m.memory_gib is not None else mem
        r_cpu, r_mem, _ = requests_of(c, figs, d, answers.control_plane_ha, answers)
        parts.append((cpu, mem, r_cpu, r_mem))
    usage, requests = _views(parts, answers)
    return OptionCost(
        option=option,
        components=(),
        usage=usage,
        requests=requests,
        containers_added=sum(d.instances * c.containers_per_instance for c, _, d in rows),
        latency=latency,
    )


def _transition(catalog: Catalog, today: OptionCost, target: OptionCost, answers: Answers) -> Transition:
    move = catalog.move(today.option, target.option)
    replaced = set(move.replaced_components) if move else set()
    kept = [c for c in today.components if c.id not in replaced]
    counted = (*kept, *target.components)

    def view(cpu_key: str, mem_key: str) -> View:
        cpu = sum(getattr(c, cpu_key) for c in counted)
        mem = sum(getattr(c, mem_key) for c in counted)
        return View(cpu, mem, monthly_usd(cpu, mem, answers.cpu_price, answers.memory_price))

    return Transition(
        current=today.option,
        usage=view("cpu_vcpu", "memory_gib"),
        requests=view("requests_cpu_vcpu", "requests_memory_gib"),
        components=tuple(c.name for c in counted),
        replaced=tuple(c.name for c in today.components if c.id in replaced),
        source=move.source if move and replaced else "",
    )
