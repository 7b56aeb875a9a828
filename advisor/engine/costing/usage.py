"""Figures to usage: a component's CPU and memory at chosen figure values, and as linear terms for sampling."""

from __future__ import annotations

import functools
from typing import Callable

from advisor.catalog.models import ComponentFigures, Figure
from advisor.engine.costing.views import ViewSum
from advisor.records import record
from advisor.engine.costing.cost_records import BYTES_PER_GIB, BYTES_PER_MB, MB_PER_MIB
from advisor.engine.costing.drivers import Drivers


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
    largest = d.in_view.largest(base, a, b, c) if capped else 0.0  # only a limit note reads it
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
