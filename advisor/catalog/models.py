"""The data catalog (features, benchmarks, pricing, rules, migrations, platforms) as frozen models.

The models are plain frozen dataclasses so that a normal run never imports pydantic: the bundled
data is validated ahead of time (advisor.catalog.pin), other data when it is read
(advisor.catalog.validation). Which files are read is advisor.catalog.files; loading them,
advisor.catalog.load.
"""

from __future__ import annotations

from dataclasses import asdict, field, fields
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, TypeVar, Union, dataclass_transform

from advisor.records import record

T = TypeVar("T", bound=type)

LEVELS: tuple[str, ...] = ("full", "beta", "partial", "alpha", "none")
FIGURE_KINDS: tuple[str, ...] = ("measured", "derived", "default-request", "published-claim")
# The kind of a figure the answers give (a team's own proxy requests): never a data file's kind.
ANSWER_KIND = "answer"
# "migration" scores the move from the current mesh; it is weighed only when there is one.
CATEGORIES: tuple[str, ...] = ("features", "cost", "latency", "operability", "maturity", "migration")
DATA_FILES: tuple[str, ...] = (
    "features.toml",
    "benchmarks.toml",
    "pricing.toml",
    "rules.toml",
    "migrations.toml",
    "platforms.toml",
)
# Data read by other commands with their own checks (scan: advisor.scan.signals), not part of the catalog.
SIGNALS_FILE = "signals.toml"
OTHER_DATA_FILES: tuple[str, ...] = (SIGNALS_FILE, "hazards.toml")  # read by scan and check, not the catalog
ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"  # feature and rule ids (checked in advisor.catalog.validation)

Level = Literal["full", "beta", "partial", "alpha", "none"]
Category = Literal["features", "cost", "latency", "operability", "maturity", "migration"]


def constraint_types() -> dict[str, Any]:
    """The constrained types the models' annotations name, for validation only.

    Annotations are strings here (postponed evaluation), so a normal run never builds these;
    advisor.catalog.validation adds them to this module's namespace before pydantic reads the models.
    """
    from typing import Annotated

    from pydantic import Field

    return {
        "Annotated": Annotated,
        "Field": Field,
        "NonEmpty": Annotated[str, Field(min_length=1)],
        # ≤ 1e9: far above any real figure, low enough that figure x the answers' maxima stays
        # finite. Finiteness and "a number, not a quoted number" are checked on the raw data.
        "FigureValue": Annotated[float, Field(ge=0, le=1e9)],
        "Points": Annotated[float, Field(ge=-100, le=100)],
    }


if TYPE_CHECKING:
    from typing import Annotated

    from pydantic import Field

    NonEmpty = Annotated[str, Field(min_length=1)]
    FigureValue = Annotated[float, Field(ge=0, le=1e9)]
    Points = Annotated[float, Field(ge=-100, le=100)]


# pydantic reads this from each stdlib dataclass when it validates one (advisor.catalog.validation).
_STRICT_SHAPE = {"extra": "forbid", "str_strip_whitespace": True}


_MODEL_CLASSES: list[type] = []


@dataclass_transform(frozen_default=True, eq_default=False, field_specifiers=(field,))
def model(cls: T) -> T:
    """A frozen record (advisor.records: never compared, cheap to define) that pydantic validates
    with unknown fields forbidden."""
    cls.__pydantic_config__ = _STRICT_SHAPE  # type: ignore[attr-defined]
    built = record(cls)
    _MODEL_CLASSES.append(built)
    return built


def to_dict(obj: Any) -> dict[str, Any]:
    """A model as plain data (for JSON/TOML documents)."""
    return asdict(obj)


def cell_dict(cell: "Cell") -> dict[str, Any]:
    """A matrix cell as plain data; the vendor fields only when the cell names a vendor build."""
    out = asdict(cell)
    if not cell.vendor:
        for key in ("vendor", "vendor_level", "vendor_note", "vendor_source"):
            out.pop(key)
    if cell.production_ready is None:  # omitted: upstream made no statement
        for key in ("production_ready", "production_ready_note", "production_ready_source"):
            out.pop(key)
    for key in ("since", "missing"):
        if not out[key]:
            out.pop(key)
    return out


def field_names(obj_or_cls: Any) -> tuple[str, ...]:
    return tuple(f.name for f in fields(obj_or_cls))


# ---------------------------------------------------------------- features.toml


@model
class OptionInfo:
    id: NonEmpty
    name: NonEmpty
    version: NonEmpty
    description: NonEmpty
    # What the option is made of (sidecar, node-proxy, envoy, rust-proxy, istio-api, ...): rules
    # and platform constraints target traits, so a new mesh inherits what is true of its parts.
    traits: tuple[str, ...] = ()
    # One character that stands for the option in charts (default: the first free letter of its name).
    mark: str = ""

    def has(self, traits: tuple[str, ...]) -> bool:
        return all(t in self.traits for t in traits)


@model
class Group:
    id: NonEmpty
    title: NonEmpty


@model
class Cell:
    level: Level  # what the open-source project offers
    note: NonEmpty
    version: NonEmpty
    source: NonEmpty
    contested: bool = False
    # What a commercial distribution offers beyond `level` (e.g. a FIPS build). It counts only
    # when the answers accept a vendor distribution, and the reason then names the vendor.
    vendor: str = ""
    vendor_level: Level | None = None
    vendor_note: str = ""
    vendor_source: str = ""
    # Upstream's own word on readiness: false where upstream says the feature is "not ready for
    # production" (the quote in production_ready_note, its source); omitted means no such statement.
    production_ready: bool | None = None
    production_ready_note: str = ""
    production_ready_source: str = ""
    # The release (and date) the cell reached its level, e.g. "1.29 (2026-02)"; "" when not known.
    since: str = ""
    # For a partial cell: the part that is missing, in a few words ("delay injection").
    missing: str = ""

    def effective(self, vendor_ok: bool) -> tuple[Level, str, str, str]:
        """(level, note, source, vendor named or "") that counts for these answers."""
        if vendor_ok and self.vendor_level is not None and LEVELS.index(self.vendor_level) < LEVELS.index(self.level):
            return self.vendor_level, self.vendor_note, self.vendor_source, self.vendor
        return self.level, self.note, self.source, ""


@model
class Feature:
    id: NonEmpty
    group: NonEmpty
    name: NonEmpty
    description: NonEmpty
    cells: dict[str, Cell]
    # A row that is one variant of another (a multicluster topology of `multicluster`): the answer
    # naming the variant makes it count in the other's place.
    variant_of: str = ""


@model
class FeatureMatrix:
    data_version: NonEmpty
    options: tuple[OptionInfo, ...]
    groups: tuple[Group, ...]
    features: tuple[Feature, ...]


# ---------------------------------------------------------------- benchmarks.toml


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


# ---------------------------------------------------------------- pricing.toml


@model
class PricePreset:
    title: NonEmpty
    cpu_usd_per_vcpu_hour: Figure
    memory_usd_per_gib_hour: Figure
    description: str = ""


@model
class ReferenceNode:
    """The node size the cluster's compute bill assumes when the answers do not give one."""

    name: NonEmpty
    vcpu: Figure
    memory_gib: Figure


@model
class Pricing:
    data_version: NonEmpty
    default_preset: NonEmpty
    presets: dict[str, PricePreset]
    reference_node: ReferenceNode | None = None


# ---------------------------------------------------------------- rules.toml


@model
class Range:
    min: float | None = None
    max: float | None = None


Condition = Union[bool, int, float, str, tuple[str, ...], Range]


@model
class When:
    """Conditions on answers; every condition given must hold. No expressions, no code."""

    answers: dict[str, Condition] = field(default_factory=dict)
    requires_any: tuple[str, ...] = ()
    wants_any: tuple[str, ...] = ()
    # None of these capabilities is asked for: the rule states a fact that the feature cell
    # counts instead when it is asked for (so the fact is counted once).
    wants_none: tuple[str, ...] = ()


@model
class Target:
    """Which options a rule (or platform constraint) applies to, and by how many points.

    An option matches when it has every trait in `traits`, none in `without_traits`, and (when
    `options` is given) is one of `options`.
    """

    points: Points
    traits: tuple[str, ...] = ()
    without_traits: tuple[str, ...] = ()
    options: tuple[str, ...] = ()

    def matches(self, option: OptionInfo) -> bool:
        return (
            option.has(self.traits)
            and not any(t in option.traits for t in self.without_traits)
            and (not self.options or option.id in self.options)
        )


@model
class Rule:
    id: NonEmpty
    category: Category
    text: NonEmpty
    source: NonEmpty
    # Points by option id, and/or targets by trait; an option gets at most one adjustment per
    # rule: its `adjust` entry if it has one, else the first target it matches.
    adjust: dict[str, Points] = field(default_factory=dict)
    targets: tuple[Target, ...] = ()
    when: When = field(default_factory=When)
    # A warning is repeated in the summary when it applies to the chosen option.
    warn: bool = False
    # A fact about what the team must learn: not applied to the option the team runs today.
    spares_current: bool = False

    def points_for(self, option: OptionInfo) -> float | None:
        if option.id in self.adjust:
            return self.adjust[option.id]
        return next((t.points for t in self.targets if t.matches(option)), None)


@model
class WeightRule:
    id: NonEmpty
    category: Category
    factor: Annotated[float, Field(ge=0, le=10)]
    text: NonEmpty
    when: When = field(default_factory=When)


@model
class LevelRule:
    """Points a category loses when an asked-for capability is only at `level` in an option."""

    id: NonEmpty
    level: Level
    asked: Literal["required", "preferred"]
    risk: tuple[str, ...]
    delta: Annotated[float, Field(ge=-100, le=0)]
    text: NonEmpty
    category: Category = "maturity"


@model
class RelativeScale:
    """Points a category loses per unit of what it measures: per percent of the cluster's compute
    bill (cost) or per millisecond added end to end (latency); the category never goes below 0."""

    points_per_unit: Annotated[float, Field(gt=0, le=100)]
    unit: NonEmpty
    text: str = ""


@model
class MaturityRules:
    """Points a required capability costs from its cell's readiness fields, never from its name."""

    # A required capability upstream calls not ready for production: blocks these risk levels...
    not_production_ready_blocks: tuple[str, ...] = ("conservative",)
    # ...and costs these points (maturity) at the others, by risk level.
    not_production_ready_points: dict[str, Points] = field(default_factory=dict)
    # A level reached fewer than `young_minor_releases` minor releases ago weighs more: points by risk.
    young_minor_releases: int = 2
    young_points: dict[str, Points] = field(default_factory=dict)
    source: str = ""


@model
class PartialMustHave:
    """A must-have met only in part cannot win on a cost difference small against the cluster's bill."""

    # A cost lead under this share of the cluster's monthly compute bill is small.
    small_cost_share: Annotated[float, Field(ge=0, le=1)] = 0.05
    text: str = ""


@model
class InUseRules:
    """What a capability the cluster uses today (scan evidence) is worth: like a preference, plus
    what losing it costs (the rework the move needs)."""

    points: Annotated[float, Field(ge=0, le=100)] = 30.0
    losing_points: Annotated[float, Field(ge=0, le=100)] = 10.0
    text: str = ""


@model
class SanityCheck:
    """A warning, never an error, for answers that are valid but implausible: `measure` above `limit`.

    `text` may name {value} (the measure), {limit} and any answer ({pods}, {nodes}, ...).
    """

    id: NonEmpty
    measure: Literal["pods_per_node", "waypoint_namespaces_per_namespace", "proxy_rps_per_pod"]
    limit: Figure
    text: NonEmpty


@model
class Rules:
    data_version: NonEmpty
    close_margin: Annotated[float, Field(ge=0, le=50)]
    blocking_levels: dict[str, tuple[Level, ...]]
    level_values: dict[Level, Annotated[float, Field(ge=0, le=1)]]
    # Points an asked-for capability is worth; an option loses (1 - level value) x these points.
    ask_points: dict[Literal["required", "preferred"], Annotated[float, Field(ge=0, le=100)]]
    weights: dict[Category, Annotated[float, Field(ge=0, le=1000)]]
    cost_scale: RelativeScale
    latency_scale: RelativeScale
    weight_rules: tuple[WeightRule, ...] = ()
    level_rules: tuple[LevelRule, ...] = ()
    rules: tuple[Rule, ...] = ()
    sanity_checks: tuple[SanityCheck, ...] = ()
    maturity: MaturityRules | None = None
    partial_must_have: PartialMustHave | None = None
    in_use: InUseRules | None = None


# ---------------------------------------------------------------- migrations.toml
#
# A mesh selector (from_mesh / to_mesh) is a list of: an option id, "none" (no mesh), or
# "trait:<trait>" (any option with that trait); an empty list means any. Entries apply to a
# move from the current mesh to a target only when both selectors match and the two differ.


# The generators advisor.engine.manifests has (tests/plan/test_manifests.py keeps the two equal): the data
# names them in `[[moves]] manifests`, and `data validate` checks the names without importing the engine.
MANIFEST_GENERATORS: tuple[str, ...] = (
    "istio-policies-from-linkerd",
    "waypoints",
    "gamma-routes",
    "targetref-policies",
    "ambient-namespace-labels",
    "waypoint-bypass-deny",
    "linkerd-injection",
    "linkerd-servers",
    "linkerd-routes-out",
    "routes-into-linkerd",
    "istio-injection",
    "ambient-labels-from-linkerd",
    "sidecar-scoping",
)


@model
class ManifestStep:
    """A generator of `plan --manifests` (advisor/engine/manifests.py GENERATORS) and the phase its files belong to."""

    generator: NonEmpty
    phase: NonEmpty
    to_mesh: tuple[str, ...] = ()  # only for these targets (a move may cover several)


@model
class Move:
    """A move the plan command supports, and what both meshes share while it is under way."""

    id: NonEmpty
    from_mesh: tuple[str, ...]
    to_mesh: tuple[str, ...]
    title: NonEmpty
    text: NonEmpty
    source: NonEmpty
    # Components of today's mesh that the target's own replace during the move (counted once).
    replaced_components: tuple[str, ...] = ()
    # `plan --manifests`: the objects the move writes, generator by generator, in the phases named.
    manifests: tuple[ManifestStep, ...] = ()
    # A plan that stays on the current mesh (from_mesh = to_mesh), such as scoping its sidecars.
    stay: bool = False
    # Answers the target state changes (a stay that scopes sidecars: sidecar_scoping = true), for its cost.
    target_answers: dict[str, bool | int | float | str] = field(default_factory=dict)
    # The benchmark component whose rps_per_replica sizes the waypoints (plan --manifests).
    waypoint_component: str = ""


@model
class Unsupported:
    """An ordered pair of meshes the data deliberately does not plan, and why."""

    from_mesh: tuple[str, ...]
    to_mesh: tuple[str, ...]
    because: NonEmpty
    source: NonEmpty


@model
class MoveCost:
    """Points a move loses in the migration category (a sourced reason, like a rule)."""

    id: NonEmpty
    kind: Literal["restart", "translate", "side-by-side", "retrain"]
    delta: Annotated[float, Field(ge=-100, le=0)]
    text: NonEmpty
    source: NonEmpty
    from_mesh: tuple[str, ...] = ()
    to_mesh: tuple[str, ...] = ()
    when: When = field(default_factory=When)


@model
class PlanItem:
    """A blocker, a piece of rework or a gap during the move.

    Raised by evidence (scan findings whose signal or kind is listed, on objects no signal in
    `except_signals` matched), by the answers alone
    (a required or preferred capability in `capabilities`, or `when` holding), or `always`.
    """

    id: NonEmpty
    text: NonEmpty
    source: NonEmpty
    from_mesh: tuple[str, ...] = ()
    to_mesh: tuple[str, ...] = ()
    moves: tuple[str, ...] = ()  # move ids; when given, only those moves
    signals: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    # An object one of these signals matched never raises the item (an EnvoyFilter that selects
    # only an ingress gateway's pods is no waypoint concern).
    except_signals: tuple[str, ...] = ()
    capabilities: tuple[str, ...] = ()
    when: When | None = None
    always: bool = False
    action: str = ""  # rework: what to do with each object
    phase: str = ""  # the phase (id) where the rework is done or the gap opens


@model
class Phase:
    id: NonEmpty
    order: Annotated[int, Field(ge=0, le=1000)]
    title: NonEmpty
    text: NonEmpty
    source: NonEmpty
    from_mesh: tuple[str, ...] = ()
    to_mesh: tuple[str, ...] = ()
    moves: tuple[str, ...] = ()  # move ids; when given, only those moves
    # "all": one step per namespace to move; "l7": one per namespace that needs L7; "no": one step.
    per_namespace: Literal["no", "all", "l7"] = "no"


@model
class Migrations:
    data_version: NonEmpty
    moves: tuple[Move, ...] = ()
    unsupported: tuple[Unsupported, ...] = ()
    costs: tuple[MoveCost, ...] = ()
    phases: tuple[Phase, ...] = ()
    blockers: tuple[PlanItem, ...] = ()
    rework: tuple[PlanItem, ...] = ()
    gaps: tuple[PlanItem, ...] = ()


def mesh_matches(selector: tuple[str, ...], mesh: str, traits: tuple[str, ...]) -> bool:
    """True when `mesh` (an option id or "none", with its traits) is one the selector names."""
    if not selector:
        return True
    for item in selector:
        if item == mesh or (item.startswith("trait:") and item.removeprefix("trait:") in traits):
            return True
    return False


# ---------------------------------------------------------------- platforms.toml


@model
class Constraint:
    """What a platform rules out (block) or costs, for the options its targets match."""

    id: NonEmpty
    text: NonEmpty
    source: NonEmpty
    version: NonEmpty
    targets: tuple[Target, ...]
    block: bool = False
    category: Category = "operability"
    # A managed or vendor offering: counts only when the answers accept a vendor distribution.
    vendor: str = ""
    # Offerings (platforms.toml offerings ids) that take this constraint away from the option they
    # stand for, when accepted (the vendor's operator handles what the constraint says).
    unless_offering: tuple[str, ...] = ()

    def points_for(self, option: OptionInfo) -> float | None:
        return next((t.points for t in self.targets if t.matches(option)), None)


@model
class Offering:
    """A managed or vendor offering on a platform (or anywhere): what the option means when the
    answers accept a vendor distribution, and what it changes."""

    id: NonEmpty
    name: NonEmpty
    vendor: NonEmpty
    source: NonEmpty
    version: NonEmpty
    targets: tuple[Target, ...]  # which options it is; points go to maturity (support)
    text: NonEmpty
    platforms: tuple[str, ...] = ()  # where it is offered; empty: on any platform
    # Features whose level the offering changes: feature id -> level (e.g. ambient not offered).
    levels: dict[str, Level] = field(default_factory=dict)
    levels_note: str = ""
    # Minor releases it trails upstream by, when published.
    version_lag: int = 0
    # Monthly licence in USD per node when a list price is published; None: not costed.
    licence_usd_per_node_month: float | None = None
    licence_note: str = ""
    # Operability points for the options this platform offering does not cover, when accepted:
    # running them means operating their control plane and upgrades, and a second support contract.
    others_points: Points = 0.0
    others_text: str = ""
    # Maturity points for those options too: their support sits outside the platform vendor's.
    others_support_points: Points = 0.0


@model
class Platform:
    id: NonEmpty
    name: NonEmpty
    description: NonEmpty
    constraints: tuple[Constraint, ...] = ()
    # "requests" where the platform bills pod requests (Fargate, Autopilot): cost_basis defaults to it.
    billing: Literal["nodes", "requests"] = "nodes"
    # The price preset (pricing.toml) the platform's defaults use, when it has its own prices.
    price_preset: str = ""


@model
class Platforms:
    data_version: NonEmpty
    platforms: tuple[Platform, ...]
    offerings: tuple[Offering, ...] = ()


# ---------------------------------------------------------------- the catalog

# Every data file, the Catalog attribute it fills and the model it is validated as. A new data file
# is one entry here (and its name in DATA_FILES, and a field on Catalog); validation, pinning
# (`python -m advisor.catalog.pin`) and loading follow from this table.
MODELS: tuple[tuple[str, str, type], ...] = (
    ("features.toml", "features", FeatureMatrix),
    ("benchmarks.toml", "benchmarks", Benchmarks),
    ("pricing.toml", "pricing", Pricing),
    ("rules.toml", "rules", Rules),
    ("migrations.toml", "migrations", Migrations),
    ("platforms.toml", "platforms", Platforms),
)


@record(eq=True)
class ResolvedProfile:
    """A benchmark profile with `extends` applied: every figure the model needs, by name."""

    id: str
    title: str
    description: str
    figures: dict[str, ComponentFigures]
    latency: dict[str, LatencyFigures]


@record(eq=True)
class Catalog:
    features: FeatureMatrix
    benchmarks: Benchmarks
    pricing: Pricing
    rules: Rules
    migrations: Migrations
    platforms: Platforms
    data_version: str
    files: dict[str, str]  # data file name -> path it was read from
    profiles: dict[str, ResolvedProfile]

    @property
    def feature_ids(self) -> tuple[str, ...]:
        return tuple(f.id for f in self.features.features)

    def feature(self, feature_id: str) -> Feature:
        for feat in self.features.features:
            if feat.id == feature_id:
                return feat
        raise KeyError(feature_id)

    @property
    def platform_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.platforms.platforms)

    def platform(self, platform_id: str) -> Platform:
        for plat in self.platforms.platforms:
            if plat.id == platform_id:
                return plat
        raise KeyError(platform_id)

    def option(self, option_id: str) -> OptionInfo:
        for opt in self.features.options:
            if opt.id == option_id:
                return opt
        raise KeyError(option_id)

    @cached_property  # asked for a dozen times per recommend, and what-if recommends ~1,000 times
    def option_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.features.options)

    def traits_of(self, mesh: str) -> tuple[str, ...]:
        """An option's traits; "none" (no mesh) has none."""
        for opt in self.features.options:
            if opt.id == mesh:
                return opt.traits
        return ()

    def mesh_name(self, mesh: str) -> str:
        for opt in self.features.options:
            if opt.id == mesh:
                return opt.name
        return "no mesh"

    def applies(self, entry: Any, current: str, target: str) -> bool:
        """True when a migrations.toml entry covers the move from `current` to `target`."""
        if current == target:
            return False
        if not (
            mesh_matches(entry.from_mesh, current, self.traits_of(current))
            and mesh_matches(entry.to_mesh, target, self.traits_of(target))
        ):
            return False
        wanted = getattr(entry, "moves", ())
        if wanted:
            move = self.move(current, target)
            return move is not None and move.id in wanted
        return True

    def move(self, current: str, target: str) -> Move | None:
        return next((m for m in self.migrations.moves if not m.stay and self.applies(m, current, target)), None)

    def stay_move(self, current: str) -> Move | None:
        """The plan for staying on the current mesh (e.g. scoping its sidecars), when the data has one."""
        traits = self.traits_of(current)
        return next((m for m in self.migrations.moves if m.stay and mesh_matches(m.from_mesh, current, traits)), None)

    def unsupported(self, current: str, target: str) -> Unsupported | None:
        return next(
            (
                u
                for u in self.migrations.unsupported
                if mesh_matches(u.from_mesh, current, self.traits_of(current))
                and mesh_matches(u.to_mesh, target, self.traits_of(target))
            ),
            None,
        )

    def components_of(self, option_id: str) -> tuple[Component, ...]:
        return tuple(c for c in self.benchmarks.components if c.option == option_id)

    def default_prices(self) -> tuple[float, float]:
        preset = self.pricing.presets[self.pricing.default_preset]
        return preset.cpu_usd_per_vcpu_hour.value, preset.memory_usd_per_gib_hour.value


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
    for oid, figs in prof.latency.items():
        latency[oid] = _merge(latency.get(oid), figs, LatencyFigures)
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
