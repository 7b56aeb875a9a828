"""The records a cost projection is made of: views, spreads, components, options, latency."""

from __future__ import annotations


from advisor.catalog.models import Figure
from advisor.engine.costing.measured import MeasuredUsage
from advisor.engine.costing.scoping import ScopingVariant
from advisor.records import record

HOURS_PER_MONTH = 730
BYTES_PER_MB = 1_000_000  # published memory figures are decimal MB
BYTES_PER_GIB = 1024**3
MB_PER_MIB = 1.048576
POINTS: tuple[str, ...] = ("low", "expected", "high")


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
