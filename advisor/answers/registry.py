"""The question registry: every answer defined once, for flags, wizard, answers files and docs."""

from __future__ import annotations

import math
import re
from dataclasses import field
from typing import Any, Literal

from advisor.records import record
from advisor.humanize import clip, quoted

Kind = Literal["int", "float", "choice", "bool", "features", "text", "option"]

SECTIONS: dict[str, str] = {
    "workload": "Workload",
    "capabilities": "Capabilities",
    "team": "Team and risk",
    "platform": "Platform and distribution",
    "prices": "Prices and benchmarks",
    "cluster": "Cluster size and install",
}


@record(eq=True)
class Question:
    key: str
    flag: str
    kind: Kind
    default: Any
    help: str
    prompt: str
    section: str
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    choice_help: dict[str, str] = field(default_factory=dict)
    # Where the default really comes from when the data can override it (shown in docs).
    default_note: str = ""
    # Whether "2,000" reads as 2000 (thousands separators); None: yes for whole numbers only, since
    # in a price or a share a comma is far more likely a decimal comma ("0,005").
    grouping: bool | None = None

    @property
    def allows_grouping(self) -> bool:
        return self.kind == "int" if self.grouping is None else self.grouping

    # False: given by flag or answers file only, never prompted for (sizing details most teams skip).
    wizard: bool = True
    # True for `namespaces`: an answers file may give a [[namespaces]] inventory instead of a count.
    inventory: bool = False

    @property
    def negative_flag(self) -> str:
        return "--no-" + self.flag.removeprefix("--")

    def expected(self) -> str:
        """Plain words for what this answer accepts, used in every error message."""
        if self.kind == "int":
            return f"a whole number {_range_words(self.minimum, self.maximum)}".rstrip()
        if self.kind == "float":
            return f"a number {_range_words(self.minimum, self.maximum)}".rstrip()
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "bool":
            return "true or false"
        if self.kind == "features":
            return "feature ids from the matrix (see `mesh-advisor matrix`)"
        if self.kind == "option":
            return "none or a mesh option id (see `mesh-advisor matrix`)"
        return "a name"

    def parse(self, raw: Any) -> Any:
        """Validate one raw value (a string typed or given as a flag, or a TOML/JSON value).

        Raises ValueError with a message in plain words; this is the only validation path
        for flags, answers files and the wizard.
        """
        if self.kind == "int":
            return self._parse_int(raw)
        if self.kind == "float":
            return self._parse_float(raw)
        if self.kind == "choice":
            text = raw.strip().lower() if isinstance(raw, str) else raw
            if not isinstance(text, str) or text not in self.choices:
                raise ValueError(f"expected {self.expected()}, got {_show(raw)}")
            return text
        if self.kind == "bool":
            if isinstance(raw, bool):
                return raw
            if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
                return raw.strip().lower() in _TRUE
            raise ValueError(f"expected {self.expected()}, got {_show(raw)}")
        if self.kind == "features":
            return _parse_feature_list(raw)
        if self.kind == "option":
            # Which ids exist is the data's business: advisor.answers.resolve.parse_answer checks them.
            if not isinstance(raw, str) or not raw.strip():
                raise ValueError(f"expected {self.expected()}, got {_show(raw)}")
            return raw.strip().lower()
        if not isinstance(raw, str) or not raw.strip():
            raise ValueError(f"expected {self.expected()}, got {_show(raw)}")
        return raw.strip()

    def _parse_int(self, raw: Any) -> int:
        value: Any = raw
        if isinstance(raw, bool):
            raise ValueError(f"expected {self.expected()}, got {_show(raw)}")
        if isinstance(raw, str):
            text = self._ungroup(raw)
            try:
                value = int(text)
            except ValueError:
                try:
                    as_float = float(text)
                except ValueError:
                    raise ValueError(f"expected {self.expected()}, got {_show(raw)}") from None
                value = as_float
        if isinstance(value, float):
            if not math.isfinite(value) or not value.is_integer():
                raise ValueError(f"expected {self.expected()}, got {_show(raw)}")
            value = int(value)
        if not isinstance(value, int):
            raise ValueError(f"expected {self.expected()}, got {_show(raw)}")
        self._check_range(value, raw)
        return value

    def _parse_float(self, raw: Any) -> float:
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            raise ValueError(f"expected {self.expected()}, got {_show(raw)}")
        if isinstance(raw, str):
            text = self._ungroup(raw)
            try:
                value = float(text)
            except ValueError:
                raise ValueError(f"expected {self.expected()}, got {_show(raw)}") from None
        else:
            try:
                value = float(raw)
            except OverflowError:
                raise ValueError(f"expected {self.expected()}, got a number too large") from None
        if not math.isfinite(value):
            raise ValueError(f"expected {self.expected()} (finite), got {_show(raw)}")
        if value != 0 and abs(value) < SMALLEST:
            # 1e-310 (a denormal) overflowed, and 5e-324 divided by zero, in what-if's arithmetic
            raise ValueError(f"expected {self.expected()}: 0, or at least {SMALLEST:g}; got {_show(raw)}")
        self._check_range(value, raw)
        return value + 0.0  # -0.0 becomes 0.0: no "$-0" anywhere downstream

    def _ungroup(self, raw: str) -> str:
        """Drop thousands separators ("2,000" -> "2000") where this answer allows them; any other
        comma is refused with the dotted form suggested, so "0,05" is an error, never 5 or 0.05
        guessed."""
        text = raw.strip()
        if "," not in text:
            return text
        digits = text.lstrip("+-")
        if self.allows_grouping and _THOUSANDS.fullmatch(text) and not digits.startswith("0,"):
            return text.replace(",", "")
        if _THOUSANDS.fullmatch(text) and not digits.startswith("0,") and text.count(",") == 1 and "." not in text:
            hint = f"a comma is neither a decimal point nor a separator here: write {text.replace(',', '.')} or {text.replace(',', '')}"
        elif text.count(",") == 1 and "." not in text and re.fullmatch(r"[+-]?\d*,\d+", text):
            if self.kind == "int":  # "1,5 pods": neither 1.5 (not whole) nor 15 can be guessed
                hint = "a comma is neither a decimal point nor a separator here: write the whole number without it"
            else:
                hint = f"a comma is not a decimal point: write {text.replace(',', '.')}"
        else:
            hint = "write the number with a dot for decimals" + (" and no commas" if not self.allows_grouping else "")
        raise ValueError(f"expected {self.expected()}, got {_show(raw)}; {hint}")

    def _check_range(self, value: float, raw: Any) -> None:
        too_low = self.minimum is not None and value < self.minimum
        too_high = self.maximum is not None and value > self.maximum
        if too_low or too_high:
            raise ValueError(f"expected {self.expected()}, got {_show(raw)}")


# The smallest nonzero number an answer may be: far below any real price, rate or share, far above
# the denormals that overflow or divide by zero when what-if scales and divides answers.
SMALLEST = 1e-12

_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")


_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}

# Upper bounds keep arithmetic finite and sweeps meaningful; they are far beyond any real mesh.
_MAX_COUNT = 100_000_000
_MAX_RPS = 1e12
_MAX_PRICE = 1e6


def _range_words(minimum: float | None, maximum: float | None) -> str:
    def fmt(x: float) -> str:
        return f"{x:,.0f}" if float(x).is_integer() else f"{x:g}"

    if minimum is not None and maximum is not None:
        return f"from {fmt(minimum)} to {fmt(maximum)}"
    if minimum is not None:
        return f"≥ {fmt(minimum)}"
    if maximum is not None:
        return f"≤ {fmt(maximum)}"
    return ""


def _show(raw: Any) -> str:
    if isinstance(raw, (list, dict)):
        return quoted(raw)
    return clip(repr(raw) if isinstance(raw, str) else str(raw), 60)


def _parse_feature_list(raw: Any) -> tuple[str, ...]:
    """Feature ids from a list and/or comma lists; order kept, duplicates dropped."""
    items = raw if isinstance(raw, (list, tuple)) else [raw]
    ids: dict[str, None] = {}  # ordered and with O(1) membership: 100,000 ids take milliseconds
    for item in items:
        if not isinstance(item, str):
            raise ValueError(f"expected feature ids as text, got {_show(item)}")
        for part in item.split(","):
            part = part.strip().lower()
            if part:
                ids[part] = None
    return tuple(ids)


LEVEL3 = ("low", "medium", "high")

QUESTIONS: tuple[Question, ...] = (
    Question(
        "pods",
        "--pods",
        "int",
        100,
        help="Meshed pods: every pod that would get a proxy or join the mesh.",
        prompt="How many pods will be in the mesh?",
        section="workload",
        unit="pods",
        minimum=1,
        maximum=_MAX_COUNT,
    ),
    Question(
        "nodes",
        "--nodes",
        "int",
        10,
        help="Nodes that run meshed pods (ambient runs one ztunnel per node).",
        prompt="How many nodes run those pods?",
        section="workload",
        unit="nodes",
        minimum=1,
        maximum=_MAX_COUNT,
    ),
    Question(
        "namespaces",
        "--namespaces",
        "int",
        5,
        help="Namespaces in the mesh (ambient runs one waypoint per namespace that needs L7).",
        prompt="How many namespaces are in the mesh?",
        section="workload",
        unit="namespaces",
        minimum=1,
        maximum=_MAX_COUNT,
        inventory=True,
    ),
    Question(
        "mesh_rps",
        "--mesh-rps",
        "float",
        1000.0,
        help="East-west requests per second between meshed workloads, each request counted once.",
        prompt="How many requests per second flow between meshed services?",
        section="workload",
        unit="requests/s",
        minimum=0,
        maximum=_MAX_RPS,
        grouping=True,
    ),
    Question(
        "l7_ratio",
        "--l7-ratio",
        "float",
        0.2,
        help="Share (0-1) of that traffic, and of the namespaces, that needs HTTP-aware (L7) "
        "processing: routing, retries, L7 policy or metrics.",
        prompt="What share of traffic needs HTTP-aware (L7) processing? (0 to 1)",
        section="workload",
        unit="share 0-1",
        minimum=0,
        maximum=1,
    ),
    Question(
        "hops",
        "--hops",
        "int",
        3,
        help="Meshed service-to-service hops in one end-user request.",
        prompt="How many meshed service-to-service hops does one user request make?",
        section="workload",
        unit="hops",
        minimum=1,
        maximum=1000,
    ),
    Question(
        "require",
        "--require",
        "features",
        (),
        help="Capabilities the mesh must have (repeatable; a comma list works too).",
        prompt="Which capabilities must the mesh have?",
        section="capabilities",
    ),
    Question(
        "prefer",
        "--prefer",
        "features",
        (),
        help="Capabilities that would be nice to have (repeatable; a comma list works too).",
        prompt="Which capabilities would be nice to have?",
        section="capabilities",
    ),
    Question(
        "current_mesh",
        "--current-mesh",
        "option",
        "none",
        help="The mesh the cluster runs today: none, or an option id. Staying costs nothing to switch; "
        "moving costs what the move takes (the migration category).",
        prompt="Which mesh does the cluster run today?",
        section="team",
    ),
    Question(
        "team_experience",
        "--team-experience",
        "choice",
        "some",
        help="The team's service-mesh experience.",
        prompt="How much service-mesh experience does the team have?",
        section="team",
        choices=("none", "some", "expert"),
        choice_help={
            "none": "new to service meshes",
            "some": "has run a mesh or read deeply",
            "expert": "runs meshes in production today",
        },
    ),
    Question(
        "envoy_experience",
        "--envoy-experience",
        "bool",
        False,
        help="The team already runs Envoy (as an ingress, a gateway or a mesh).",
        prompt="Does the team already run Envoy?",
        section="team",
    ),
    Question(
        "risk",
        "--risk",
        "choice",
        "balanced",
        help="Appetite for young or pre-GA features.",
        prompt="What is your appetite for young or pre-GA technology?",
        section="team",
        choices=("conservative", "balanced", "early-adopter"),
        choice_help={
            "conservative": "only GA features; alpha is a blocker",
            "balanced": "GA preferred; beta or alpha costs points",
            "early-adopter": "young features are fine",
        },
    ),
    Question(
        "cost_sensitivity",
        "--cost-sensitivity",
        "choice",
        "medium",
        help="How much the added CPU, memory and money matter.",
        prompt="How much does the mesh's resource cost matter?",
        section="team",
        choices=LEVEL3,
    ),
    Question(
        "latency_sensitivity",
        "--latency-sensitivity",
        "choice",
        "medium",
        help="How much added latency matters.",
        prompt="How much does added latency matter?",
        section="team",
        choices=LEVEL3,
    ),
    Question(
        "platform",
        "--platform",
        "text",
        "generic",
        help="Where the cluster runs; its constraints rule out or cost options (a platform id of "
        "data/platforms.toml; an unknown id is refused with the list).",
        prompt="Where does the cluster run?",
        section="platform",
        default_note="platform ids come from data/platforms.toml",
    ),
    Question(
        "vendor_distribution",
        "--vendor-distribution",
        "bool",
        False,
        help="The team accepts a commercial distribution or managed mesh (e.g. Buoyant Enterprise for "
        "Linkerd, a vendor Istio build): what only a vendor build offers then counts, named as such.",
        prompt="Would the team run a commercial distribution or a managed mesh?",
        section="platform",
    ),
    Question(
        "cpu_price",
        "--cpu-price",
        "float",
        0.031611,
        help="USD per vCPU-hour (default: OpenCost's default price, GCP us-central1).",
        prompt="Price of one vCPU-hour (USD)",
        section="prices",
        unit="USD per vCPU-hour",
        minimum=0,
        maximum=_MAX_PRICE,
        default_note="the default preset in data/pricing.toml",
    ),
    Question(
        "memory_price",
        "--memory-price",
        "float",
        0.004237,
        help="USD per GiB-hour (default: OpenCost's default price, GCP us-central1).",
        prompt="Price of one GiB-hour of memory (USD)",
        section="prices",
        unit="USD per GiB-hour",
        minimum=0,
        maximum=_MAX_PRICE,
        default_note="the default preset in data/pricing.toml",
    ),
    Question(
        "cost_basis",
        "--cost-basis",
        "choice",
        "usage",
        help="Which cost drives the score: measured usage or reserved resource requests.",
        prompt="Which cost should drive the score?",
        section="prices",
        choices=("usage", "requests"),
        choice_help={
            "usage": "what the proxies measurably consume",
            "requests": "what the shipped Helm charts reserve",
        },
    ),
    Question(
        "benchmark_profile",
        "--benchmark-profile",
        "text",
        "istio-1.24",
        help="Named benchmark profile from data/benchmarks.toml (see `mesh-advisor data show`).",
        prompt="Which benchmark profile should the cost model use?",
        section="prices",
        default_note="default_profile in data/benchmarks.toml",
    ),
    Question(
        "cluster_pods",
        "--cluster-pods",
        "int",
        None,
        help="Pods in the whole cluster, meshed or not: ztunnel, istiod and unscoped Envoy proxies "
        "learn about all of them.",
        prompt="How many pods run in the whole cluster?",
        section="cluster",
        unit="pods",
        minimum=1,
        maximum=_MAX_COUNT,
        wizard=False,
        default_note="the meshed pods; with an inventory, every listed namespace's pods",
    ),
    Question(
        "sidecar_scoping",
        "--sidecar-scoping",
        "bool",
        False,
        help="Sidecar resources or discoverySelectors limit what each Envoy proxy is told about to its "
        "own namespace (otherwise every proxy holds every endpoint in the cluster).",
        prompt="Do Sidecar resources or discoverySelectors scope each proxy to its namespace?",
        section="cluster",
        wizard=False,
    ),
    Question(
        "control_plane_ha",
        "--control-plane-ha",
        "bool",
        False,
        help="Production HA install: Linkerd's values-ha.yaml (3 controller replicas, proxy requests "
        "100m/20Mi), istiod at its HPA maximum (5), waypoints with at least 2 replicas.",
        prompt="Will the control plane be installed for high availability?",
        section="cluster",
        wizard=False,
    ),
    Question(
        "istiod_replicas",
        "--istiod-replicas",
        "int",
        None,
        help="istiod replicas, when you pin them (otherwise 1, the HPA minimum, or 5, its maximum, with HA).",
        prompt="How many istiod replicas?",
        section="cluster",
        unit="replicas",
        minimum=1,
        maximum=100,
        wizard=False,
        default_note="1, or 5 with control_plane_ha",
    ),
    Question(
        "proxy_cpu_request_millicores",
        "--proxy-cpu-request",
        "int",
        None,
        help="CPU request of each injected sidecar proxy, in millicores (100 for 100m), when your install "
        "sets its own: Istio's global.proxy.resources.requests.cpu in the istiod chart values or the "
        "sidecar.istio.io/proxyCPU annotation; Linkerd's proxy.resources.cpu.request in the chart values "
        "or the config.linkerd.io/proxy-cpu-request annotation. Replaces the chart's figure in the requests view.",
        prompt="CPU request of each sidecar proxy (millicores)?",
        section="cluster",
        unit="millicores",
        minimum=0,
        maximum=64_000,
        wizard=False,
        default_note="each chart's default, or its HA values with control_plane_ha",
    ),
    Question(
        "proxy_memory_request_mib",
        "--proxy-memory-request",
        "int",
        None,
        help="Memory request of each injected sidecar proxy, in MiB (20 for 20Mi), when your install sets "
        "its own: Istio's global.proxy.resources.requests.memory in the istiod chart values or the "
        "sidecar.istio.io/proxyMemory annotation; Linkerd's proxy.resources.memory.request in the chart "
        "values or the config.linkerd.io/proxy-memory-request annotation. Replaces the chart's figure in "
        "the requests view.",
        prompt="Memory request of each sidecar proxy (MiB)?",
        section="cluster",
        unit="MiB",
        minimum=0,
        maximum=262_144,
        wizard=False,
        default_note="each chart's default, or its HA values with control_plane_ha",
    ),
    Question(
        "node_vcpu",
        "--node-vcpu",
        "float",
        None,
        help="Allocatable vCPU per node; with node_memory_gib, the cost adds the extra nodes the mesh's requests need.",
        prompt="Allocatable vCPU per node?",
        section="cluster",
        unit="vCPU",
        minimum=0.1,
        maximum=100_000,
        wizard=False,
        default_note="unknown: no node projection",
    ),
    Question(
        "node_memory_gib",
        "--node-memory-gib",
        "float",
        None,
        help="Allocatable memory per node in GiB (see node_vcpu).",
        prompt="Allocatable memory per node (GiB)?",
        section="cluster",
        unit="GiB",
        minimum=0.1,
        maximum=1_000_000,
        wizard=False,
        default_note="unknown: no node projection",
    ),
    Question(
        "node_monthly_usd",
        "--node-monthly-usd",
        "float",
        None,
        help="Price of one node per month (USD), for the extra-node projection.",
        prompt="Price of one node per month (USD)?",
        section="cluster",
        unit="USD per node-month",
        minimum=0,
        maximum=_MAX_PRICE,
        wizard=False,
        default_note="node_vcpu and node_memory_gib at cpu_price and memory_price",
    ),
)

BY_KEY: dict[str, Question] = {q.key: q for q in QUESTIONS}
# Answers that may be absent (None): the model derives or omits what they would say.
OPTIONAL_KEYS: frozenset[str] = frozenset(q.key for q in QUESTIONS if q.default is None)
NUMERIC_KEYS: tuple[str, ...] = tuple(q.key for q in QUESTIONS if q.kind in ("int", "float"))


def question(key: str) -> Question:
    return BY_KEY[key]
