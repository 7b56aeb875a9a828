"""The inventory answer: the cluster described per namespace (SPEC "Inventory").

An answers file may hold `[[namespaces]]` (name, pods, rps, l7, meshed, nodes) instead of the flat
`pods` / `namespaces` / `mesh_rps` / `l7_ratio` answers. The flat answers are then derived from it
(sums and shares). Parsing lives here, apart from the answer chain in `advisor.answers.resolve`, so any
answer source (a file, a scan document) can hand its table to `split_inventory`.
"""

from __future__ import annotations

import math
from functools import cached_property
from typing import Any, Mapping

from advisor.records import record
from advisor.errors import clip
from advisor.humanize import count, listed, percent, readable

# Far above any real cluster (Kubernetes' scalability thresholds name 10,000 namespaces), yet what a
# scan writes of a larger one is read back (issue 23); low enough that one bad file cannot make the
# model loop over millions of entries.
MAX_NAMESPACES = 100_000
MAX_COUNT = 100_000_000
MAX_RPS = 1e12

# The flat answers an inventory replaces: giving one of them beside an inventory is an error.
DERIVED_KEYS: tuple[str, ...] = ("pods", "namespaces", "mesh_rps", "l7_ratio")
ENTRY_KEYS: tuple[str, ...] = ("name", "pods", "rps", "l7", "meshed", "nodes", "services", "service_ports")
_ENTRY_SET = frozenset(ENTRY_KEYS)


@record(eq=True)
class Namespace:
    name: str
    pods: int
    rps: float | None  # None: no namespace gives rps (then the cluster's mesh_rps is split by pods)
    l7: float  # share of this namespace's traffic that needs L7 (true = 1.0, false = 0.0)
    meshed: bool = True
    nodes: int | None = None  # nodes this namespace's pods spread over, when known
    services: int | None = None  # Kubernetes Services in this namespace, when known
    service_ports: int | None = None  # their ports (one Envoy cluster each), when known

    @property
    def needs_l7(self) -> bool:
        return self.meshed and self.l7 > 0

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "pods": self.pods}
        if self.rps is not None:
            out["rps"] = self.rps
        # A share of 1 or 0 is written as true/false, as a person (or `scan`) writes it.
        out["l7"] = self.l7 == 1.0 if self.l7 in (0.0, 1.0) else self.l7
        out["meshed"] = self.meshed
        if self.nodes is not None:
            out["nodes"] = self.nodes
        if self.services is not None:
            out["services"] = self.services
        if self.service_ports is not None:
            out["service_ports"] = self.service_ports
        return out


@record(eq=True)
class Inventory:
    namespaces: tuple[Namespace, ...]

    @cached_property
    def meshed(self) -> tuple[Namespace, ...]:
        return tuple(ns for ns in self.namespaces if ns.meshed)

    @cached_property
    def has_rps(self) -> bool:
        return any(ns.rps is not None for ns in self.namespaces)

    @cached_property
    def pods(self) -> int:
        """Meshed pods (the flat `pods` answer)."""
        return sum(ns.pods for ns in self.meshed)

    @cached_property
    def all_pods(self) -> int:
        """Pods of every namespace listed, meshed or not."""
        return sum(ns.pods for ns in self.namespaces)

    def rps_of(self, ns: Namespace, mesh_rps: float) -> float:
        """East-west rps of a namespace; without per-namespace rps, mesh_rps split by meshed pods."""
        if ns.rps is not None:
            return ns.rps
        if not ns.meshed:
            return 0.0
        total = self.pods
        return mesh_rps * ns.pods / total if total else 0.0

    def mesh_rps(self, given: float) -> float:
        """The flat `mesh_rps`: the sum over meshed namespaces, or `given` when no namespace has rps."""
        if not self.has_rps:
            return given
        return sum(ns.rps or 0.0 for ns in self.meshed)

    def l7_ratio(self, mesh_rps: float) -> float:
        """The flat `l7_ratio`: the L7 share of meshed traffic (of meshed namespaces when no traffic)."""
        meshed = self.meshed
        if mesh_rps > 0:
            l7 = sum(self.rps_of(ns, mesh_rps) * ns.l7 for ns in meshed)
            return min(1.0, l7 / mesh_rps)
        if not meshed:
            return 0.0
        return sum(1 for ns in meshed if ns.needs_l7) / len(meshed)

    def as_list(self) -> list[dict[str, Any]]:
        return [ns.as_dict() for ns in self.namespaces]


def is_inventory(value: Any) -> bool:
    """`namespaces` is a count in flat answers and a list of tables in an inventory."""
    return isinstance(value, (list, tuple))


def split_inventory(values: Mapping[str, Any], label: str) -> tuple[dict[str, Any], Inventory | None]:
    """(the other answers, the inventory) from one source's table; ValueError names the entry."""
    raw = values.get("namespaces")
    if not is_inventory(raw):
        return dict(values), None
    rest = {k: v for k, v in values.items() if k != "namespaces"}
    beside = [k for k in DERIVED_KEYS if k != "namespaces" and k in rest and k != "mesh_rps"]
    if beside:
        key = beside[0]
        raise ValueError(
            f"{label}: {key} given beside a [[namespaces]] inventory, which already says it "
            f"({_derived_words(key)}); give one or the other"
        )
    inventory = parse_inventory(raw, label)
    if "mesh_rps" in rest and inventory.has_rps:
        raise ValueError(
            f"{label}: mesh_rps given beside a [[namespaces]] inventory whose namespaces give rps "
            "(mesh_rps is their sum); give one or the other"
        )
    return rest, inventory


def _derived_words(key: str) -> str:
    return {
        "pods": "pods is the sum of the meshed namespaces' pods",
        "l7_ratio": "l7_ratio is the L7 share of the meshed namespaces' traffic",
    }[key]


def _at(label: str, i: int) -> str:
    """Where entry `i` is, for messages (built only when one is written)."""
    return f"{label}: namespaces[{i}]"


def parse_inventory(raw: Any, label: str) -> Inventory:
    entries = list(raw)
    if not entries:
        raise ValueError(f"{label}: namespaces: an inventory needs at least one [[namespaces]] entry")
    if len(entries) > MAX_NAMESPACES:
        raise ValueError(
            f"{label}: namespaces: {len(entries):,} entries; at most {MAX_NAMESPACES:,} namespaces are read "
            "(merge small namespaces into one entry)"
        )
    out: list[Namespace] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) and not isinstance(entry, Mapping):  # dict first: the abc check is slow
            raise ValueError(f"{_at(label, i)}: expected a table with name, pods, rps, l7, meshed, got {_show(entry)}")
        unknown = [] if _ENTRY_SET.issuperset(entry) else [str(k) for k in entry if k not in ENTRY_KEYS]
        if unknown:
            raise ValueError(
                f"{_at(label, i)}: unknown key {clip(unknown[0], 60)!r}; expected keys: {', '.join(ENTRY_KEYS)}"
            )
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"{_at(label, i)}.name: expected the namespace's name, got {_show(name)}")
        name = name.strip()
        if name in seen:
            raise ValueError(
                f"{_at(label, i)}.name: namespace {clip(name, 60)!r} is listed twice (also namespaces[{seen[name]}])"
            )
        seen[name] = i
        if "pods" not in entry:
            raise ValueError(f"{_at(label, i)}.pods: required (the namespace's pod count)")
        # The usual values are taken as they are; anything else goes through the checks that name it.
        pods = entry["pods"]
        if type(pods) is not int or not 0 <= pods <= MAX_COUNT:
            pods = _count(pods, f"{_at(label, i)}.pods", minimum=0)
        rps = entry.get("rps")
        if rps is not None or "rps" in entry:
            if type(rps) in (int, float) and 0 <= rps <= MAX_RPS:  # NaN fails the range
                rps = float(rps) + 0.0
            else:
                rps = _number(rps, f"{_at(label, i)}.rps", 0.0, MAX_RPS, "a number ≥ 0 (requests per second)")
        l7_raw = entry.get("l7", False)
        l7 = (1.0 if l7_raw else 0.0) if type(l7_raw) is bool else _l7(l7_raw, f"{_at(label, i)}.l7")
        meshed = entry.get("meshed", True)
        if not isinstance(meshed, bool):
            raise ValueError(f"{_at(label, i)}.meshed: expected true or false, got {_show(meshed)}")
        nodes = None
        if "nodes" in entry:
            nodes = _count(entry["nodes"], f"{_at(label, i)}.nodes", minimum=1)
        # As pods: the usual values taken as they are, anything else checked (the message built only then).
        services = entry.get("services")
        if "services" in entry and (type(services) is not int or not 0 <= services <= MAX_COUNT):
            services = _count(services, f"{_at(label, i)}.services", minimum=0)
        service_ports = entry.get("service_ports")
        if "service_ports" in entry and (type(service_ports) is not int or not 0 <= service_ports <= MAX_COUNT):
            service_ports = _count(service_ports, f"{_at(label, i)}.service_ports", minimum=0)
        out.append(Namespace(name, pods, rps, l7, meshed, nodes, services, service_ports))
    if any(ns.rps is not None for ns in out):
        # A namespace without rps beside others that give it carries none (a scan gives rps only
        # where metrics showed traffic); with no rps anywhere, mesh_rps is split by pods.
        out = [
            ns
            if ns.rps is not None
            else Namespace(ns.name, ns.pods, 0.0, ns.l7, ns.meshed, ns.nodes, ns.services, ns.service_ports)
            for ns in out
        ]
    inventory = Inventory(tuple(out))
    if not inventory.meshed:
        raise ValueError(f"{label}: namespaces: no namespace is meshed (every entry has meshed = false)")
    if inventory.pods < 1:
        raise ValueError(f"{label}: namespaces: the meshed namespaces hold no pods (their pods sum to 0)")
    if inventory.all_pods > MAX_COUNT:
        raise ValueError(
            f"{label}: namespaces: pods sum to {inventory.all_pods:,}, above the {MAX_COUNT:,} this model reads"
        )
    return inventory


SHOWN_NAMES = 3  # L7 namespaces named in the summary; the rest are counted


def summary_lines(inventory: Inventory, mesh_rps: float, source: str, nodes: int | None = None) -> list[str]:
    """What an inventory says, in a few lines: the wizard shows them instead of asking for counts.

    `mesh_rps` is the flat answer in effect (the namespaces' sum when they give rps, otherwise the
    answer the inventory splits by pods); `source` names where the inventory came from; `nodes` is
    the cluster's nodes answer. Pure: the text is returned, raw (the caller makes file text visible).
    """
    meshed = inventory.meshed
    lines = [
        f"The inventory in {source} gives the counts, so they are not asked:",
        f"  namespaces: {count(len(meshed))} meshed of {count(len(inventory.namespaces))} listed",
        f"  pods: {count(inventory.pods)} meshed of {count(inventory.all_pods)} listed",
    ]
    if inventory.has_rps:
        lines.append(f"  east-west: {readable(mesh_rps)} rps (the meshed namespaces' sum)")
    else:
        lines.append("  east-west rps: not in the inventory (mesh_rps gives it, split among the namespaces by pods)")
    l7 = [ns for ns in meshed if ns.needs_l7]
    if not l7:
        lines.append("  L7: no meshed namespace needs it (L7 share 0%)")
    else:
        names = [clip(ns.name, 40) for ns in l7[:SHOWN_NAMES]]
        more = f" and {count(len(l7) - SHOWN_NAMES)} more" if len(l7) > SHOWN_NAMES else ""
        need = "needs" if len(l7) == 1 else "need"
        lines.append(
            f"  L7: {count(len(l7))} of {count(len(meshed))} meshed namespaces {need} it ({listed(names)}{more})"
        )
        share = _share(inventory.l7_ratio(mesh_rps))
        one = len(l7) == 1
        they, carry, hold = ("it", "carries", "holds") if one else ("they", "carry", "hold")
        if mesh_rps <= 0:
            lines.append(f"      with no traffic, the L7 share counts namespaces: {share}")
        elif inventory.has_rps:
            carried = sum(inventory.rps_of(ns, mesh_rps) for ns in l7)
            lines.append(
                f"      {they} {carry} {readable(carried)} of {readable(mesh_rps)} rps ({_share(carried / mesh_rps)}); "
                f"the L7 share of the traffic is {share}"
            )
        else:
            pods = sum(ns.pods for ns in l7)
            lines.append(
                f"      {they} {hold} {count(pods)} of {count(inventory.pods)} pods ({_share(pods / inventory.pods)}), "
                f"and the traffic is split by pods: the L7 share of the traffic is {share}"
            )
    given = [ns for ns in meshed if ns.nodes is not None]
    if given:
        total = sum(ns.nodes or 0 for ns in given)
        if len(given) == len(meshed):
            # the sum is an upper bound (namespaces may share nodes), cut at the cluster's nodes
            why = (
                "the sum of theirs"
                if nodes is None or total <= nodes
                else f"the cluster's; theirs sum to {count(total)}"
            )
            at_most = total if nodes is None else min(total, nodes)
            lines.append(f"  nodes: the meshed namespaces run on at most {count(at_most)} nodes ({why})")
        else:
            give = "gives" if len(given) == 1 else "give"
            rest = "the other" if len(meshed) - len(given) == 1 else "the others"
            lines.append(
                f"  nodes: {count(len(given))} of {count(len(meshed))} meshed namespaces {give} theirs "
                f"({count(total)}); {rest} may run on any node, so every node counts"
            )
    return lines


def _share(x: float) -> str:
    """A share as a percentage, with a decimal below 10% so a small share never reads as 0%."""
    return percent(x, 1 if 0 < x < 0.1 else 0)


def check_totals(inventory: Inventory, nodes: int, cluster_pods: int | None, label: str) -> None:
    """Entries must fit the cluster-level answers: a namespace's nodes, and all pods together."""
    for i, ns in enumerate(inventory.namespaces):
        if ns.nodes is not None and ns.nodes > nodes:
            raise ValueError(
                f"{label}: namespaces[{i}].nodes: {ns.nodes:,} nodes, more than the cluster's nodes ({nodes:,})"
            )
    if cluster_pods is not None and inventory.all_pods > cluster_pods:
        raise ValueError(
            f"{label}: namespaces: their pods sum to {inventory.all_pods:,}, more than cluster_pods "
            f"({cluster_pods:,}) says the whole cluster runs"
        )


def _show(raw: Any) -> str:
    if isinstance(raw, (dict, list)):
        return "a table" if isinstance(raw, dict) else "a list"
    text = repr(raw) if isinstance(raw, str) else str(raw)
    return clip(text, 60)


def _count(raw: Any, where: str, minimum: int) -> int:
    expected = f"a whole number ≥ {minimum}"
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        raise ValueError(f"{where}: expected {expected}, got {_show(raw)}")
    if isinstance(raw, float):
        if not math.isfinite(raw) or not raw.is_integer():
            raise ValueError(f"{where}: expected {expected}, got {_show(raw)}")
        raw = int(raw)
    if raw < minimum or raw > MAX_COUNT:
        raise ValueError(f"{where}: expected {expected} (at most {MAX_COUNT:,}), got {raw:,}")
    return raw


def _number(raw: Any, where: str, low: float, high: float, expected: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        raise ValueError(f"{where}: expected {expected}, got {_show(raw)}")
    try:
        value = float(raw)
    except OverflowError:
        raise ValueError(f"{where}: expected {expected}, got a number too large") from None
    if not math.isfinite(value) or value < low or value > high:
        raise ValueError(f"{where}: expected {expected}, got {_show(raw)}")
    return value + 0.0


def _l7(raw: Any, where: str) -> float:
    if isinstance(raw, bool):
        return 1.0 if raw else 0.0
    return _number(raw, where, 0.0, 1.0, "true, false or an L7 share of the namespace's traffic from 0 to 1")
