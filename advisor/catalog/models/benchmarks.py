"""The models of benchmarks.toml (figures, components, profiles) and resolving the profiles' `extends`."""

from __future__ import annotations

from dataclasses import field
from typing import TYPE_CHECKING, Any, Final, Literal

from advisor.catalog.models.base import field_names, model
from advisor.records import record

if TYPE_CHECKING:
    from typing import Annotated

    from pydantic import Field

    from advisor.catalog.models.base import FigureValue, NonEmpty

FIGURE_KINDS: tuple[str, ...] = ("measured", "derived", "default-request", "published-claim")
# The kind of a figure the answers give (a team's own proxy requests): never a data file's kind.
ANSWER_KIND: Final = "answer"


@model
class Figure:
    value: FigureValue
    unit: NonEmpty
    source: NonEmpty
    version: NonEmpty
    # FIGURE_KINDS in data files; ANSWER_KIND only for figures the cost model builds from an answer.
    kind: Literal["measured", "derived", "default-request", "published-claim", "answer", "measured-in-cluster"]
    note: str = ""
    # A range beside the value (from the spread of published sources), and how it was found.
    low: FigureValue | None = None
    high: FigureValue | None = None
    range_note: str = ""
    # Per-driver figures (per proxy, per cluster pod...) count only the drivers above this many:
    # the per-instance figure already holds what the benchmark's own mesh size costs.
    above: Annotated[float, Field(ge=0, le=1e9)] = 0.0

    def at(self, point: str) -> float:
        """The value at "low", "expected" or "high" (a figure without a range is the same at all three)."""
        if point == "low" and self.low is not None:
            return self.low
        if point == "high" and self.high is not None:
            return self.high
        return self.value


def answer_figure(key: str, value: float, unit: str, note: str) -> Figure:
    """A figure that an answer gives (the team's own value), in the place of a data figure: its
    source names the answer and its kind is ANSWER_KIND, so output shows where the number came from."""
    return Figure(value=value, unit=unit, source=f"answer {key}", version="as answered", kind=ANSWER_KIND, note=note)


@model
class Component:
    id: NonEmpty
    option: NonEmpty
    name: NonEmpty
    role: Literal["data-plane", "node-agent", "control-plane"]
    scaling: Literal["per-pod", "per-node", "per-l7-namespace", "fixed"]
    traffic: Literal["all", "l7", "none"]
    replicas: Annotated[int, Field(ge=1, le=1000)] = 1
    # Replicas with control_plane_ha (Linkerd's controllerReplicas, istiod's HPA maximum, a
    # waypoint's minimum); None: HA does not change this component's replicas.
    ha_replicas: Annotated[int, Field(ge=1, le=1000)] | None = None
    traversals: Annotated[int, Field(ge=0, le=10)] = 0
    containers_per_instance: Annotated[int, Field(ge=0, le=100)] = 1
    description: str = ""
    # What an Envoy instance is told about: "cluster" (every Service, unless sidecar_scoping limits it
    # to its own namespace plus the control plane's), "namespace" (its own namespace's, scoped or not:
    # a waypoint), or "" (does not hold service configuration).
    view: Literal["cluster", "namespace", ""] = ""
    # The answer that pins this component's replicas (e.g. istiod_replicas), or "".
    replicas_answer: str = ""
    # Container names in cAdvisor series (label `container`) that are this component: how the
    # cluster's own measure of today's mesh finds it (scan --prometheus).
    containers: tuple[str, ...] = ()
    # Namespaces its measured containers run in, when its container name is shared (ztunnel's
    # istio-proxy runs in istio-system; a waypoint's elsewhere); empty: any namespace.
    measured_namespaces: tuple[str, ...] = ()


@model
class ComponentFigures:
    cpu_vcpu_per_1000rps: Figure | None = None
    cpu_vcpu_per_instance: Figure | None = None
    memory_mb_per_instance: Figure | None = None
    request_cpu_millicores: Figure | None = None
    request_memory_mib: Figure | None = None
    # Figures that grow with what drives them (each with `above`: the drivers the base already holds).
    cpu_vcpu_per_proxy: Figure | None = None  # control plane: per connected proxy
    memory_mb_per_proxy: Figure | None = None  # control plane, per replica: per connected proxy
    memory_mb_per_endpoint_in_view: Figure | None = None  # Envoy: per endpoint it is told about
    memory_mb_per_cluster_pod: Figure | None = None  # ztunnel: per workload in the cluster
    memory_mb_per_endpoint: Figure | None = None  # Linkerd destination: per endpoint in the cluster
    cpu_vcpu_idle_per_instance: Figure | None = None  # idle CPU per instance (no default: none published)
    memory_limit_mib: Figure | None = None  # usage cannot pass the chart's limit (the container is OOM-killed)
    rps_per_replica: Figure | None = None  # requests one replica carries before another is added
    ha_request_cpu_millicores: Figure | None = None  # requests with control_plane_ha (values-ha.yaml)
    ha_request_memory_mib: Figure | None = None
    # Envoy: the agent beside it in the same container (pilot-agent), per instance.
    memory_mb_agent_per_instance: Figure | None = None
    # Envoy: per Service port it is told about (a cluster, its listener or route entries, its stats).
    memory_mb_per_service_port_in_view: Figure | None = None
    # Service ports every scoped proxy still sees (the control plane's own Services).
    service_ports_always_in_view: Figure | None = None
    # Control plane: connected proxies one replica was measured to carry at saturation, and its CPU there.
    proxies_per_replica_capacity: Figure | None = None
    cpu_vcpu_limit_per_instance: Figure | None = None
    # Set by the cost model from benchmarks.toml [workload] when Services are derived from pods.
    services_per_pod: Figure | None = None


@model
class LatencyFigures:
    per_hop_p50_ms: Figure | None = None
    per_hop_p90_ms: Figure | None = None
    per_hop_p99_ms: Figure | None = None
    l7_per_hop_p50_ms: Figure | None = None
    l7_per_hop_p90_ms: Figure | None = None
    l7_per_hop_p99_ms: Figure | None = None
    # The L7 path's extra pod-to-pod network traversal (ztunnel -> waypoint -> ztunnel crosses the
    # network twice where the L4 path crosses it once), added to l7_per_hop_* when given.
    network_hop_p50_ms: Figure | None = None
    network_hop_p90_ms: Figure | None = None
    network_hop_p99_ms: Figure | None = None


def figure_items(figs: ComponentFigures | LatencyFigures) -> list[tuple[str, Figure]]:
    """The figures a component or option has, by name, in declaration order."""
    return [(name, getattr(figs, name)) for name in field_names(figs) if getattr(figs, name) is not None]


FIGURE_UNITS: dict[str, str] = {
    "cpu_vcpu_per_1000rps": "vCPU per 1000 rps",
    "cpu_vcpu_per_instance": "vCPU",
    "memory_mb_per_instance": "MB",
    "request_cpu_millicores": "millicores",
    "request_memory_mib": "MiB",
    "cpu_vcpu_per_proxy": "vCPU",
    "memory_mb_per_proxy": "MB",
    "memory_mb_per_endpoint_in_view": "MB",
    "memory_mb_per_cluster_pod": "MB",
    "memory_mb_per_endpoint": "MB",
    "cpu_vcpu_idle_per_instance": "vCPU",
    "memory_limit_mib": "MiB",
    "rps_per_replica": "rps",
    "ha_request_cpu_millicores": "millicores",
    "ha_request_memory_mib": "MiB",
    "memory_mb_agent_per_instance": "MB",
    "memory_mb_per_service_port_in_view": "MB",
    "service_ports_always_in_view": "service ports",
    "proxies_per_replica_capacity": "proxies",
    "cpu_vcpu_limit_per_instance": "vCPU",
    "services_per_pod": "services per pod",
    "service_ports_per_service": "ports per service",
    "network_hop_p50_ms": "ms",
    "network_hop_p90_ms": "ms",
    "network_hop_p99_ms": "ms",
    **{name: "ms" for name in field_names(LatencyFigures)},
    "cpu_usd_per_vcpu_hour": "USD per vCPU-hour",
    "memory_usd_per_gib_hour": "USD per GiB-hour",
}


@model
class Unpublished:
    """Figures the model can use that the default profile leaves out because nothing citable is
    published; a team that has measured one sets it in its own profile (--data-dir). `data show`
    lists them."""

    figures: tuple[NonEmpty, ...]  # figure names (ComponentFigures or LatencyFigures fields)
    why: NonEmpty
    components: tuple[str, ...] = ()  # component ids the component figures apply to
    latency: tuple[str, ...] = ()  # option ids whose latency figures these are


@model
class Profile:
    title: NonEmpty
    description: str = ""
    extends: str | None = None
    figures: dict[str, ComponentFigures] = field(default_factory=dict)
    latency: dict[str, LatencyFigures] = field(default_factory=dict)


@model
class Benchmarks:
    data_version: NonEmpty
    default_profile: NonEmpty
    components: tuple[Component, ...]
    profiles: dict[str, Profile]
    # How answers not given are derived (services_per_pod, service_ports_per_service): sourced figures.
    workload: dict[str, Figure] = field(default_factory=dict)
    unpublished: tuple[Unpublished, ...] = ()

    def unpublished_figures(self) -> list[tuple[str, tuple[str, ...], str]]:
        """(figures, what they apply to, why they are left out), as `data show` lists them."""
        return [
            (", ".join(u.figures), (*u.components, *(f"{o} latency" for o in u.latency)), u.why)
            for u in self.unpublished
        ]


# ---------------------------------------------------------------- profiles with `extends` applied


@record(eq=True)
class ResolvedProfile:
    """A benchmark profile with `extends` applied: every figure the model needs, by name."""

    id: str
    title: str
    description: str
    figures: dict[str, ComponentFigures]
    latency: dict[str, LatencyFigures]


def _merge(base: Any, top: Any, cls: type) -> Any:
    if base is None:
        return top
    if top is None:
        return base
    return cls(**{name: getattr(top, name) or getattr(base, name) for name in field_names(cls)})


def _apply(pid: str, prof: Profile, base: ResolvedProfile | None) -> ResolvedProfile:
    figures: dict[str, ComponentFigures] = dict(base.figures) if base else {}
    latency: dict[str, LatencyFigures] = dict(base.latency) if base else {}
    for cid, figs in prof.figures.items():
        figures[cid] = _merge(figures.get(cid), figs, ComponentFigures)
    for oid, lat in prof.latency.items():
        latency[oid] = _merge(latency.get(oid), lat, LatencyFigures)
    return ResolvedProfile(id=pid, title=prof.title, description=prof.description, figures=figures, latency=latency)


def resolve_profiles(bm: Benchmarks) -> tuple[dict[str, ResolvedProfile], set[str], set[str]]:
    """Every profile with `extends` applied; and the profiles whose chain runs into a cycle, and
    those whose chain reaches a profile that is not there (unknown, or invalid and left out).

    Each profile is walked once and resolved once from its parent's result, so a chain or a cycle
    of n profiles costs O(n), not the O(n^2) of walking every chain from its start.
    """
    profiles = bm.profiles or {}
    resolved: dict[str, ResolvedProfile] = {}
    cyclic: set[str] = set()
    broken: set[str] = set()
    for start in profiles:
        path: list[str] = []
        on_path: set[str] = set()
        current: str | None = start
        while current is not None and current in profiles and current not in resolved:
            if current in cyclic or current in broken or current in on_path:
                break
            on_path.add(current)
            path.append(current)
            current = profiles[current].extends
        if current is not None and (current in on_path or current in cyclic):
            cyclic.update(path)
            continue
        if current is not None and (current in broken or current not in profiles):
            broken.update(path)
        base = resolved.get(current) if current is not None else None
        for pid in reversed(path):
            base = resolved[pid] = _apply(pid, profiles[pid], base)
    in_file_order = {pid: resolved[pid] for pid in profiles if pid in resolved}
    return in_file_order, cyclic, broken
