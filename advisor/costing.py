"""The cost model (SPEC "The cost model"): answers + benchmarks -> usage, requests, money, latency."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from decimal import Decimal

from advisor.answers import Answers
from advisor.catalog import Catalog, Component, ComponentFigures, Figure, LatencyFigures

HOURS_PER_MONTH = 730
BYTES_PER_MB = 1_000_000  # published memory figures are decimal MB
BYTES_PER_GIB = 1024**3


@dataclass(frozen=True)
class View:
    cpu_vcpu: float
    memory_gib: float
    monthly_usd: float


@dataclass(frozen=True)
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

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.source for f in self.figures.values()))


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class OptionCost:
    option: str
    components: tuple[ComponentCost, ...]
    usage: View
    requests: View
    containers_added: int
    latency: Latency
    transition: Transition | None = None  # set for every option but the current mesh, when there is one

    def view(self, basis: str) -> View:
        return self.usage if basis == "usage" else self.requests


@dataclass(frozen=True)
class Projection:
    profile: str
    cpu_price: float
    memory_price: float
    options: dict[str, OptionCost]


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


def instances_of(component: Component, answers: Answers) -> int:
    units = {
        "per-pod": answers.pods,
        "per-node": answers.nodes,
        "per-l7-namespace": waypoint_namespaces(answers.l7_ratio, answers.namespaces),
        "fixed": 1,
    }[component.scaling]
    return units * component.replicas


def handled_rps(component: Component, answers: Answers) -> float:
    """Requests per second passing all instances of this component together."""
    if component.traffic == "none":
        return 0.0
    share = 1.0 if component.traffic == "all" else answers.l7_ratio
    return answers.mesh_rps * share * component.traversals


def cost_component(component: Component, figs: ComponentFigures, answers: Answers) -> ComponentCost:
    instances = instances_of(component, answers)
    rps = handled_rps(component, answers) if instances else 0.0
    used: dict[str, Figure] = {}

    def fig(name: str) -> float:
        f: Figure | None = getattr(figs, name)
        if f is None:
            return 0.0
        used[name] = f
        return f.value

    cpu = fig("cpu_vcpu_per_1000rps") * rps / 1000 + fig("cpu_vcpu_per_instance") * instances
    memory = fig("memory_mb_per_instance") * BYTES_PER_MB / BYTES_PER_GIB * instances
    req_cpu = fig("request_cpu_millicores") / 1000 * instances
    req_memory = fig("request_memory_mib") / 1024 * instances
    return ComponentCost(
        id=component.id,
        name=component.name,
        role=component.role,
        scaling=component.scaling,
        instances=instances,
        containers_added=instances * component.containers_per_instance,
        handled_rps=rps,
        cpu_vcpu=cpu,
        memory_gib=memory,
        requests_cpu_vcpu=req_cpu,
        requests_memory_gib=req_memory,
        usage_monthly_usd=monthly_usd(cpu, memory, answers.cpu_price, answers.memory_price),
        requests_monthly_usd=monthly_usd(req_cpu, req_memory, answers.cpu_price, answers.memory_price),
        figures=used,
    )


def latency_of(figs: LatencyFigures, answers: Answers) -> Latency:
    """Per hop: the base path, blended with the L7 path by the L7 share when the option has one."""
    r = answers.l7_ratio
    blended = figs.l7_per_hop_p50_ms is not None
    used: dict[str, Figure] = {}
    per_hop: dict[int, float] = {}
    for p in (50, 90, 99):
        base: Figure = getattr(figs, f"per_hop_p{p}_ms")
        used[f"per_hop_p{p}_ms"] = base
        value = base.value
        if blended:
            l7: Figure = getattr(figs, f"l7_per_hop_p{p}_ms")
            used[f"l7_per_hop_p{p}_ms"] = l7
            value = (1 - r) * base.value + r * l7.value
        per_hop[p] = value
    h = answers.hops
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
    )


_NO_FIGURES = ComponentFigures()  # built once: sweeps call project() hundreds of times


def project(answers: Answers, catalog: Catalog) -> Projection:
    profile = catalog.profiles[answers.benchmark_profile]
    options: dict[str, OptionCost] = {}
    for option in catalog.option_ids:
        comps = tuple(
            cost_component(c, profile.figures.get(c.id) or _NO_FIGURES, answers)
            for c in catalog.components_of(option)
        )
        usage_cpu = sum(c.cpu_vcpu for c in comps)
        usage_mem = sum(c.memory_gib for c in comps)
        req_cpu = sum(c.requests_cpu_vcpu for c in comps)
        req_mem = sum(c.requests_memory_gib for c in comps)
        options[option] = OptionCost(
            option=option,
            components=comps,
            usage=View(usage_cpu, usage_mem, monthly_usd(usage_cpu, usage_mem, answers.cpu_price, answers.memory_price)),
            requests=View(req_cpu, req_mem, monthly_usd(req_cpu, req_mem, answers.cpu_price, answers.memory_price)),
            containers_added=sum(c.containers_added for c in comps),
            latency=latency_of(profile.latency[option], answers),
        )
    current = getattr(answers, "current_mesh", "none")
    if current in options:
        options = {
            o: oc if o == current else replace(oc, transition=_transition(catalog, options[current], oc, answers))
            for o, oc in options.items()
        }
    return Projection(
        profile=answers.benchmark_profile,
        cpu_price=answers.cpu_price,
        memory_price=answers.memory_price,
        options=options,
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
