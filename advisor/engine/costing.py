"""The cost model (SPEC "The cost model"): answers + benchmarks -> usage, requests, money, latency.

The model works per namespace: flat answers are the uniform special case (namespaces alike),
an inventory lists them. From the answers it first derives, per component, what drives its
numbers (instances, requests handled, connected proxies, endpoints each proxy is told about);
`usage_at` then turns figure values into CPU and memory. That split keeps the namespaces out of
the figure arithmetic: low, expected and high, and every sampled draw, cost one evaluation per
component however many namespaces there are.
"""

from __future__ import annotations

import bisect
import functools
import math
from dataclasses import replace
from decimal import Decimal
from typing import Callable

from advisor.answers.resolve import Answers
from advisor.catalog.models import Catalog, Component, ComponentFigures, Figure, LatencyFigures, answer_figure
from advisor.answers.inventory import Inventory
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
    """Namespaces alike for the model: how many, their pods, east-west rps and L7 rps each."""

    count: int
    pods: float
    rps: float
    l7_rps: float
    needs_l7: bool


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


_GROUPS: dict[int, tuple[object, float, tuple[Group, ...]]] = {}


def _inventory_groups(inv: Inventory, rps_total: float) -> tuple[Group, ...]:
    """Meshed namespaces merged into groups of alike ones; cached per inventory object, because
    what-if and sweeps project the same inventory hundreds of times with other answers changed."""
    hit = _GROUPS.get(id(inv))
    if hit is not None and hit[0] is inv and hit[1] == rps_total:
        return hit[2]
    merged: dict[tuple[float, float, float, bool], int] = {}
    for ns in inv.meshed:
        r = inv.rps_of(ns, rps_total)
        key = (float(ns.pods), r, r * ns.l7 if ns.needs_l7 else 0.0, ns.needs_l7)
        merged[key] = merged.get(key, 0) + 1
    groups = tuple(Group(c, p, r, l7, need) for (p, r, l7, need), c in merged.items())
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


def workload(answers: Answers) -> Workload:
    """The meshed namespaces as groups: one group for flat answers (two when some need L7)."""
    inv = answers.inventory
    if inv is None:
        n, pods, rps = answers.namespaces, answers.pods, answers.mesh_rps
        k = min(n, waypoint_namespaces(answers.l7_ratio, n))
        l7_total = rps * answers.l7_ratio
        flat: list[Group] = []
        # The L7 traffic is spread over the waypoint namespaces; pods and rps over all namespaces.
        if k:
            flat.append(Group(k, pods / n, rps / n, l7_total / k, True))
        if n - k:
            flat.append(Group(n - k, pods / n, rps / n, 0.0, False))
        meshed_nodes = answers.nodes
        cluster = answers.cluster_pods if answers.cluster_pods is not None else pods
        return Workload(
            tuple(flat), rps, l7_total, pods, meshed_nodes, cluster, answers.sidecar_scoping, answers.control_plane_ha
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
    return Workload(
        groups=groups,
        mesh_rps=rps_total,
        l7_rps=_l7_total(groups),
        sidecars=inv.pods,
        meshed_nodes=meshed_nodes,
        cluster_pods=cluster,
        scoped=answers.sidecar_scoping,
        ha=answers.control_plane_ha,
    )


# ---------------------------------------------------------------- drivers per component


class ViewSum:
    """sum over groups of weight x min(cap, base + slope x view), fast for many groups.

    Groups are sorted by view with prefix sums, so one evaluation is a bisection, not a loop over
    namespaces: the sampled draws evaluate it thousands of times.
    """

    def __init__(self, pairs: list[tuple[float, float]]) -> None:  # (view, weight)
        pairs = sorted(p for p in pairs if p[1] > 0)
        self.views = [v for v, _ in pairs]
        self.weight = [0.0]
        self.weighted = [0.0]
        for v, w in pairs:
            self.weight.append(self.weight[-1] + w)
            self.weighted.append(self.weighted[-1] + w * v)

    @property
    def total_weight(self) -> float:
        return self.weight[-1]

    def sum(self, base: float, slope: float, cap: float | None) -> tuple[float, bool]:
        """(the sum, whether any group reached the cap)."""
        n = len(self.views)
        if cap is None or slope <= 0:
            if cap is not None and base >= cap:
                return self.weight[n] * cap, n > 0
            return self.weight[n] * base + slope * self.weighted[n], False
        if base >= cap:
            return self.weight[n] * cap, n > 0
        limit = (cap - base) / slope  # groups with view above this are capped
        i = bisect.bisect_right(self.views, limit)
        below = self.weight[i] * base + slope * self.weighted[i]
        return below + (self.weight[n] - self.weight[i]) * cap, i < n

    def sums(self, bases: list[float], slopes: list[float], cap: float | None) -> list[float]:
        """`sum(base, slope, cap)[0]` for each (base, slope): the sampled draws' memory, at once."""
        if cap is None:  # no cap: the sum is linear (the same arithmetic as `sum`)
            w, wv = self.weight[-1], self.weighted[-1]
            return [w * b + sl * wv for b, sl in zip(bases, slopes)]
        return [self.sum(b, sl, cap)[0] for b, sl in zip(bases, slopes)]


@record
class Drivers:
    instances: int
    rps: float
    proxies: float  # proxies a control plane serves
    cluster_pods: float
    in_view: ViewSum  # endpoints each instance is told about, weighted by instances
    # Instances the per-instance CPU counts: a control plane's replicas share one mesh's work
    # (their memory does not: each replica holds the whole state).
    cpu_units: int = -1

    @property
    def cpu_instances(self) -> int:
        return self.instances if self.cpu_units < 0 else self.cpu_units


def _replicas(component: Component, ha: bool) -> int:
    return component.ha_replicas if (ha and component.ha_replicas) else component.replicas


def _instances_and_views(
    component: Component, load: Workload, answers: Answers, minimum: int, capacity: float, shift: float
) -> tuple[int, ViewSum]:
    """Instances of a component and the endpoints each is told about (weighted by instances)."""
    if component.scaling == "per-pod":
        instances = load.sidecars * component.replicas
        if load.scoped:
            pairs = [(g.pods, g.pods * g.count) for g in load.groups]
        else:
            pairs = [(float(load.cluster_pods), float(instances))]
    elif component.scaling == "per-node":
        instances = load.meshed_nodes * component.replicas
        pairs = [(float(load.cluster_pods), float(instances))]
    elif component.scaling == "per-l7-namespace":
        pairs = []
        instances = 0
        for g in load.groups:
            if not g.needs_l7:
                continue
            per_ns = minimum
            if capacity > 0:
                per_ns = max(minimum, math.ceil(g.l7_rps * max(component.traversals, 1) / capacity - 1e-9))
            instances += per_ns * g.count
            view = g.pods if load.scoped else float(load.cluster_pods)
            pairs.append((view, float(per_ns * g.count)))
    else:  # fixed
        # the answer the component names (benchmarks.toml replicas_answer) pins its replicas
        pinned = getattr(answers, component.replicas_answer, None) if component.replicas_answer else None
        replicas = pinned or minimum
        instances = replicas
        pairs = [(float(load.cluster_pods), float(instances))]
    return instances, ViewSum([(max(0.0, view - shift), weight) for view, weight in pairs])


_VIEWS: dict[tuple[object, ...], tuple[object, int, ViewSum]] = {}


def drivers_for(
    component: Component, figs: ComponentFigures, load: Workload, answers: Answers, proxies: float
) -> Drivers:
    ha = load.ha
    f = figs.memory_mb_per_endpoint_in_view
    shift = f.above if f is not None else 0.0
    minimum = _replicas(component, ha)
    capacity = figs.rps_per_replica.value if figs.rps_per_replica is not None else 0.0
    per_group = component.scaling in ("per-l7-namespace",) or (component.scaling == "per-pod" and load.scoped)
    key = (id(load.groups), component.id, load.scoped, minimum, capacity, shift, load.cluster_pods, load.sidecars)
    hit = _VIEWS.get(key) if per_group else None
    if hit is not None and hit[0] is load.groups:
        instances, view_sum = hit[1], hit[2]
    else:
        instances, view_sum = _instances_and_views(component, load, answers, minimum, capacity, shift)
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


def usage_at(figs: ComponentFigures, d: Drivers, value: Callable[[str, Figure], float]) -> tuple[float, float, bool]:
    """(vCPU, GiB, capped) of one component with figure values chosen by `value(name, figure)`."""
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
    # Memory per instance: its base, what it learns about (proxies, cluster pods, endpoints in view).
    base = (
        v("memory_mb_per_instance")
        + v("memory_mb_per_proxy") * above("memory_mb_per_proxy", d.proxies)
        + v("memory_mb_per_cluster_pod") * above("memory_mb_per_cluster_pod", d.cluster_pods)
        + v("memory_mb_per_endpoint") * above("memory_mb_per_endpoint", d.cluster_pods)
    )
    limit = figs.memory_limit_mib
    cap = limit.value * MB_PER_MIB if limit is not None else None
    total_mb, capped = d.in_view.sum(base, v("memory_mb_per_endpoint_in_view"), cap)
    return cpu, total_mb * BYTES_PER_MB / BYTES_PER_GIB, capped


@record
class CompiledUsage:
    """usage_at for one component with the drivers folded in: linear terms (figure, coefficient)."""

    cpu: tuple[tuple[Figure, float], ...]
    memory_base: tuple[tuple[Figure, float], ...]  # MB per instance
    slope: Figure | None  # MB per endpoint in view
    cap: float | None
    in_view: ViewSum

    def at(self, value: Callable[[Figure], float]) -> tuple[float, float]:
        cpu = sum(value(f) * k for f, k in self.cpu)
        base = sum(value(f) * k for f, k in self.memory_base)
        slope = value(self.slope) if self.slope is not None else 0.0
        total_mb, _ = self.in_view.sum(base, slope, self.cap)
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
        (figs.memory_mb_per_proxy, above(figs.memory_mb_per_proxy, d.proxies)),
        (figs.memory_mb_per_cluster_pod, above(figs.memory_mb_per_cluster_pod, d.cluster_pods)),
        (figs.memory_mb_per_endpoint, above(figs.memory_mb_per_endpoint, d.cluster_pods)),
    ]
    limit = figs.memory_limit_mib
    return CompiledUsage(
        cpu=tuple((f, k) for f, k in cpu if f is not None and k),
        memory_base=tuple((f, k) for f, k in base if f is not None and k),
        slope=figs.memory_mb_per_endpoint_in_view,
        cap=limit.value * MB_PER_MIB if limit is not None else None,
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
    if figs.memory_limit_mib is not None and used:
        used["memory_limit_mib"] = figs.memory_limit_mib
    if figs.rps_per_replica is not None:
        used["rps_per_replica"] = figs.rps_per_replica
    cpu, memory, capped = usage_at(figs, d, _expected)
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


def build_model(answers: Answers, catalog: Catalog) -> Model:
    profile = catalog.profiles[answers.benchmark_profile]
    load = workload(answers)
    options: dict[str, tuple[tuple[Component, ComponentFigures, Drivers], ...]] = {}
    for option in catalog.option_ids:
        comps = catalog.components_of(option)
        figs_of = {c.id: profile.figures.get(c.id) or _NO_FIGURES for c in comps}
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
    for c, figs, d in rows:
        cpu, mem, _ = usage_at(figs, d, _expected)
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
