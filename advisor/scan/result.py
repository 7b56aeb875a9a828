"""The scan result: an answers file (inventory, current mesh, platform, in_use) plus `[scan]` evidence."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Mapping

from advisor.scan.infer import MEMBERSHIP_KINDS, NamespaceTally, Scanner

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Traffic:
    """What Prometheus said about one namespace over the window."""

    rps: float  # requests (HTTP/gRPC) plus new TCP connections per second, inbound, counted once
    http_rps: float
    source: str  # the metric families that gave it (signals.toml [[traffic]] metrics), joined by "+"


@dataclass(frozen=True)
class NamespaceResult:
    name: str
    pods: int
    pods_range: tuple[int, int] | None
    meshed_by: str
    meshed_pods: int
    meshed: bool  # in the mesh the advice is about (answers.namespaces[].meshed)
    l7: bool | float | None
    l7_basis: str  # metrics | estimated | unknown
    rps: float | None
    services: int
    endpoints: int
    system: bool
    service_ports: int = 0  # ports of those Services (one Envoy cluster each)


@dataclass(frozen=True)
class ScanResult:
    kind: ClassVar[str] = "scan"

    meta: dict[str, Any]
    answers: dict[str, Any]
    namespaces: tuple[NamespaceResult, ...]
    capabilities: tuple[dict[str, Any], ...]
    findings: tuple[dict[str, Any], ...]
    nodes: dict[str, Any]
    platform: dict[str, Any]
    notes: tuple[str, ...]  # what the scan could not see, and why ([scan] warnings)
    complete: bool
    objects: int
    totals: dict[str, Any] = field(default_factory=dict)
    # What the cluster's own containers use (scan --prometheus; advisor.scan.usage): [[scan.measured]].
    measured: tuple[dict[str, Any], ...] = ()
    # with --prometheus: who calls whom, source -> destination namespace (plan's Sidecar egress hosts)
    edges: tuple[dict[str, Any], ...] = ()

    @property
    def warnings(self) -> tuple[str, ...]:
        """For stderr (the format registry prints these once): only that a scan is partial."""
        if self.complete:
            return ()
        n = len(self.notes)
        return (
            f"the scan is incomplete: {n} thing{'s' if n != 1 else ''} could not be read or inferred (see [scan] warnings)",
        )

    def to_document(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "meta": dict(self.meta),
            "answers": dict(self.answers),
            "scan": {
                "complete": self.complete,
                "warnings": list(self.notes),
                "objects": self.objects,
                "totals": dict(self.totals),
                "nodes": dict(self.nodes),
                "platform": dict(self.platform),
                "capabilities": [dict(c) for c in self.capabilities],
                "namespaces": [_namespace_doc(n) for n in self.namespaces],
                **({"measured": [dict(m) for m in self.measured]} if self.measured else {}),
                "findings": [dict(f) for f in self.findings],
                **({"edges": [dict(e) for e in self.edges]} if self.edges else {}),
            },
        }


def _namespace_doc(n: NamespaceResult) -> dict[str, Any]:
    out: dict[str, Any] = {"name": n.name, "pods": n.pods, "meshed_by": n.meshed_by, "meshed_pods": n.meshed_pods}
    if n.pods_range is not None:
        out["pods_range"] = list(n.pods_range)
    if n.l7 is not None:
        out["l7"] = n.l7
    out["l7_basis"] = n.l7_basis
    if n.rps is not None:
        out["rps"] = n.rps
    out["services"] = n.services
    out["service_ports"] = n.service_ports
    out["endpoints"] = n.endpoints
    return out


def hasher(enabled: bool) -> Callable[[str], str]:
    """Stable, unsalted name hashes for --hide-names (the same name gives the same hash in every scan)."""
    if not enabled:
        return lambda name: name

    def hide(name: str) -> str:
        if not name:
            return name
        return "h-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]

    return hide


def build(
    scanner: Scanner,
    *,
    meta: dict[str, Any],
    feature_ids: tuple[str, ...],
    answer_keys: Mapping[str, Any],
    warnings: list[str],
    complete: bool,
    traffic: Mapping[str, Traffic] | None = None,
    hide_names: bool = False,
) -> ScanResult:
    """Turn the tallies into the result; `answer_keys` is the question registry (only its keys are answered)."""
    hide = hasher(hide_names)
    signals = scanner.signals
    warnings = list(warnings)
    node_count = scanner.nodes.count
    results: list[NamespaceResult] = []
    mesh_pods: Counter = Counter()
    capturing = signals.meshes.captures_unmarked_pods
    for tally in sorted(scanner.namespaces.values(), key=lambda t: t.name):
        ns = _namespace(
            tally,
            node_count,
            signals.is_system_namespace(tally.name),
            (traffic or {}).get(tally.name),
            warnings,
            hide,
            capturing,
        )
        results.append(ns)
        if ns.meshed_by != "none":
            mesh_pods[ns.meshed_by] += ns.meshed_pods
    current = "none"
    if mesh_pods:
        # A mesh that only labels namespaces with no pods in them ranks last and is not "in use".
        ranked = [(m, p) for m, p in mesh_pods.most_common() if p > 0] or mesh_pods.most_common()
        current = ranked[0][0]
        if len(ranked) > 1:
            shown = ", ".join(f"{m} ({p} pods)" for m, p in ranked)
            warnings.append(f"more than one mesh in use: {shown}; current_mesh is the one with the most meshed pods")
    if current != "none":
        # With a mesh today, the inventory's meshed namespaces are the ones it covers, never the
        # platform's own (the mesh's control plane and its extensions run meshed, but they are the
        # mesh, not workload to cost or move).
        results = [_replace(n, meshed=n.meshed_by != "none" and not n.system) for n in results]
    if current == "none":
        objects = {(f.kind, f.namespace, f.name) for f in scanner.findings if f.kind not in MEMBERSHIP_KINDS}
        if objects:
            kinds = ", ".join(sorted({k for k, _, _ in objects}))
            warnings.append(
                f"no meshed workloads, yet {len(objects)} mesh or routing object{'s' if len(objects) != 1 else ''} "
                f"({kinds}): current_mesh is none; if a mesh serves them, set current_mesh "
                "(--current-mesh on recommend and plan)"
            )
    if scanner.duplicates:
        shown = []
        for (kind, ns, name), times in sorted(scanner.duplicates.items()):
            counted = scanner.counted_from.get((kind, ns, name))
            which = f", counted as in {hide(counted)}" if counted else ""
            shown.append(f"{kind} {hide(ns) + '/' if ns else ''}{hide(name)} ({times + 1} times{which})")
        more = f" and {len(shown) - 5} more" if len(shown) > 5 else ""
        warnings.append(
            f"{len(shown)} object{'s are' if len(shown) != 1 else ' is'} given more than once: "
            f"{', '.join(shown[:5])}{more}; a cluster holds one of each, so pods and services count once, "
            "and the capabilities are those of every variant (each finding names its file)"
        )
    if scanner.bad_quantities:
        warnings.append(
            f"{scanner.bad_quantities} node allocatable value{'s' if scanner.bad_quantities != 1 else ''} beyond any "
            "machine (or not a number) left out of the node sizes"
        )
    if scanner.completed_pods:
        warnings.append(f"{scanner.completed_pods} completed pods (Succeeded or Failed) are not counted")

    capabilities: dict[str, dict[str, Any]] = {}
    findings: list[dict[str, Any]] = []
    by_id = {sig.id: sig for sig in signals.signals}
    matched_on: dict[tuple[str, str, str], set[str]] = {}
    for f in scanner.findings:
        matched_on.setdefault((f.kind, f.namespace, f.name), set()).add(f.signal)
    for f in scanner.findings:
        doc: dict[str, Any] = {
            "signal": f.signal,
            "kind": f.kind,
            "namespace": hide(f.namespace) if f.namespace else "",
            "name": hide(f.name),
            "field": f.field,
        }
        if f.capability:
            doc["capability"] = f.capability
        if f.detail:
            doc["detail"] = hide(f.detail)  # details quote names: a JWT issuer, a filter, a host
        if f.origin is not None:
            doc["file"] = hide(f.origin)
        if f.count > 1:
            doc["count"] = f.count
        findings.append(doc)
        if f.capability and f.capability in feature_ids:
            cap = capabilities.setdefault(
                f.capability, {"id": f.capability, "scope": "", "signals": [], "evidence": []}
            )
            if f.signal not in cap["signals"]:
                cap["signals"].append(f.signal)
            scope = use_scope(by_id.get(f.signal), matched_on[(f.kind, f.namespace, f.name)])
            cap["evidence"].append(
                {k: doc[k] for k in ("kind", "namespace", "name", "field", "file") if k in doc}
                | {"signal": f.signal, "scope": scope}
            )
            cap["scope"] = widest_scope(cap["scope"], scope)
    ordered_caps = [capabilities[fid] for fid in feature_ids if fid in capabilities]

    platform = _platform(scanner, node_count, getattr(answer_keys.get("platform"), "default", None))
    nodes = _nodes(scanner)
    # In use is evidence, never a must-have: gateway-scoped use is served by an ingress (the target's
    # can take it over), so only mesh- and egress-scoped capabilities are written as `in_use`.
    in_use = [c["id"] for c in ordered_caps if c["scope"] != "gateway"]
    answers = _answers(results, nodes, current, platform, in_use, traffic is not None, answer_keys, hide)
    answers = _within_bounds(answers, answer_keys, warnings)
    totals = {
        "namespaces": len(results),
        "pods": sum(n.pods for n in results),
        "meshed_pods": sum(n.meshed_pods for n in results),
        "services": sum(n.services for n in results),
        "endpoints": sum(n.endpoints for n in results),
        "current_mesh": current,
    }
    shown = tuple(_replace(n, name=hide(n.name)) for n in results)
    return ScanResult(
        meta={**meta, "complete": complete, "hide_names": hide_names, "signals_version": signals.data_version},
        answers=answers,
        namespaces=shown,
        capabilities=tuple(ordered_caps),
        findings=tuple(findings),
        nodes=nodes,
        platform=platform,
        notes=tuple(warnings),
        complete=complete,
        objects=scanner.objects,
        totals=totals,
    )


def _replace(n: NamespaceResult, **changes: Any) -> NamespaceResult:
    from dataclasses import replace

    return replace(n, **changes)


def _namespace(
    t: NamespaceTally,
    node_count: int,
    system: bool,
    traffic: Traffic | None,
    warnings: list[str],
    hide: Callable[[str], str],
    capturing: frozenset[str] = frozenset(),
) -> NamespaceResult:
    by_mesh: Counter = Counter()
    pods_range: tuple[int, int] | None = None
    if t.pods_observed:
        pods = t.pods_observed
        for mesh, n in t.by_mesh.items():
            if mesh == "unmarked":
                # A capturing mesh (signals.toml: captures_unmarked_pods, e.g. ambient) takes every
                # pod of a namespace it labels without marking the pod; a proxy mesh marks its pods.
                mesh = t.label_mesh if t.label_mesh in capturing else "none"
            by_mesh[mesh] += n
    else:
        low = high = 0
        hpa = {(k, n): (lo, hi) for k, n, lo, hi in t.hpas}
        for (kind, name), (replicas, mesh) in sorted(t.workloads.items()):
            if kind == "DaemonSet":
                if node_count:
                    replicas = node_count
                else:
                    replicas = 1
                    warnings.append(
                        f"DaemonSet {hide(t.name)}/{hide(name)}: counted as 1 pod; its pods follow the node count, which the input does not give"
                    )
            lo = hi = replicas
            if (kind, name) in hpa:
                hmin, hmax = hpa[(kind, name)]
                lo = max(replicas, hmin)
                if hmax is not None:
                    lo = min(lo, hmax)
                hi = hmax if hmax is not None else lo
            low += lo
            high += hi
            effective = mesh if mesh is not None else (t.label_mesh or "none")
            by_mesh[effective] += lo
        pods = low
        if high != low:
            pods_range = (low, high)
    meshed_counts = Counter({m: n for m, n in by_mesh.items() if m != "none" and n})
    if meshed_counts:
        meshed_by = meshed_counts.most_common(1)[0][0]
        meshed_pods = sum(meshed_counts.values())
    else:
        meshed_by = t.label_mesh if t.label_mesh not in (None, "none") and not pods else "none"
        meshed_pods = 0
    l7: bool | float | None
    rps: float | None = None
    if traffic is not None:
        rps = round(traffic.rps, 3)
        l7 = round(traffic.http_rps / traffic.rps, 3) if traffic.rps > 0 else 0.0
        basis = "metrics"
    elif t.waypoint:
        l7, basis = True, "estimated"
    elif t.ports:
        l7, basis = round(t.l7_ports / t.ports, 3), "estimated"
    else:
        l7, basis = None, "unknown"
    endpoints = t.endpoint_slices or t.endpoints
    return NamespaceResult(
        name=t.name,
        pods=pods,
        pods_range=pods_range,
        meshed_by=meshed_by,
        meshed_pods=meshed_pods,
        meshed=not system,
        l7=l7,
        l7_basis=basis,
        rps=rps,
        services=t.services,
        service_ports=t.ports,
        endpoints=endpoints,
        system=system,
    )


def _nodes(scanner: Scanner) -> dict[str, Any]:
    n = scanner.nodes
    out: dict[str, Any] = {"count": n.count}
    if n.cpu:
        out["vcpu_allocatable_total"] = round(sum(n.cpu), 3)
        out["vcpu_allocatable_mean"] = round(sum(n.cpu) / len(n.cpu), 3)
    if n.memory_gib:
        out["memory_gib_allocatable_total"] = round(sum(n.memory_gib), 3)
        out["memory_gib_allocatable_mean"] = round(sum(n.memory_gib) / len(n.memory_gib), 3)
    if n.zones:
        out["zones"] = dict(sorted(n.zones.items()))
    if n.instance_types:
        out["instance_types"] = dict(sorted(n.instance_types.items()))
    return out


def _platform(scanner: Scanner, node_count: int, default: str | None) -> dict[str, Any]:
    """The platform hints seen, first by signals.toml's platform_priority; without any, nodes that
    were read say the cluster runs on the platform answer's default (the registry's)."""
    hints = [p for p in scanner.signals.platform_priority if scanner.platforms.get(p)]
    hints += sorted(p for p in scanner.platforms if p not in hints)
    out: dict[str, Any] = {"hints": hints, "cni": sorted(scanner.cni)}
    if hints:
        out["id"] = hints[0]
    elif node_count and isinstance(default, str):
        out["id"] = default
    return out


def _answers(
    results: list[NamespaceResult],
    nodes: dict[str, Any],
    current: str,
    platform: dict[str, Any],
    in_use: list[str],
    have_traffic: bool,
    keys: Mapping[str, Any],
    hide: Callable[[str], str],
) -> dict[str, Any]:
    """Only answers the registry knows; the inventory form when the registry takes one, else the flat totals."""
    out: dict[str, Any] = {}
    if nodes["count"]:
        out["nodes"] = nodes["count"]
    if "node_vcpu" in keys and "vcpu_allocatable_mean" in nodes:
        out["node_vcpu"] = nodes["vcpu_allocatable_mean"]
    if "node_memory_gib" in keys and "memory_gib_allocatable_mean" in nodes:
        out["node_memory_gib"] = nodes["memory_gib_allocatable_mean"]
    if "current_mesh" in keys:
        out["current_mesh"] = current
    if "platform" in keys and "id" in platform:
        out["platform"] = platform["id"]
    if "in_use" in keys:
        out["in_use"] = list(in_use)
    listed = [n for n in results if n.pods > 0]
    if "cluster_pods" in keys and listed:
        out["cluster_pods"] = sum(n.pods for n in listed)  # every pod, meshed or not

    def pods_of(n: NamespaceResult) -> int:
        # With a mesh today, a meshed namespace's pods that opt out (sidecar.istio.io/inject:
        # "false", linkerd.io/inject: disabled) stay out: cluster_pods above still counts them.
        return n.meshed_pods if current != "none" and n.meshed and 0 < n.meshed_pods < n.pods else n.pods

    if _takes_inventory(keys):
        inventory = []
        for n in listed:
            entry: dict[str, Any] = {"name": hide(n.name), "pods": pods_of(n)}
            if n.rps is not None:
                entry["rps"] = n.rps
            if n.l7 is not None:
                entry["l7"] = n.l7
            entry["meshed"] = n.meshed
            if "services" in keys:  # what Envoy proxies are told about (the cost model's services answers)
                entry["services"] = n.services
                entry["service_ports"] = n.service_ports
            inventory.append(entry)
        if inventory:
            out["namespaces"] = inventory
        return out
    meshed = [n for n in listed if n.meshed]
    if meshed:
        out["pods"] = sum(pods_of(n) for n in meshed)
        out["namespaces"] = len(meshed)
        known = [n for n in meshed if n.l7 is not None]
        if known:
            weight = sum(pods_of(n) for n in known)
            share = sum((1.0 if n.l7 is True else float(n.l7)) * pods_of(n) for n in known) / weight
            out["l7_ratio"] = round(min(max(share, 0.0), 1.0), 3)
        if have_traffic:
            out["mesh_rps"] = round(sum(n.rps or 0.0 for n in meshed), 3)
    if "services" in keys and listed:
        out["services"] = sum(n.services for n in listed)
        out["service_ports"] = sum(n.service_ports for n in listed)
    return out


def _within_bounds(answers: dict[str, Any], keys: Mapping[str, Any], warnings: list[str]) -> dict[str, Any]:
    """Only answers the registry itself would take: a value out of its bounds (a node of 1e400
    vCPU, 2e16 rps) is left out with a warning, never written for recommend to refuse."""

    def ok(key: str, value: Any, where: str) -> bool:
        q = keys.get(key)
        parse = getattr(q, "parse", None)
        if parse is None or not isinstance(value, (int, float)) or isinstance(value, bool):
            return True
        try:
            parse(value)
        except ValueError as exc:
            warnings.append(f"answers.{where} = {value!r} left out: {exc}")
            return False
        return True

    out: dict[str, Any] = {}
    for key, value in answers.items():
        if key == "namespaces" and isinstance(value, list):
            entries = []
            for i, entry in enumerate(value):
                kept = {
                    k: v
                    for k, v in entry.items()
                    if ok({"rps": "mesh_rps", "l7": "l7_ratio"}.get(k, k), v, f"namespaces[{i}].{k}")
                }
                entries.append(kept)
            out[key] = entries
        elif ok(key, value, key):
            out[key] = value
    return out


_SCOPE_ORDER = ("gateway", "egress", "mesh")


def use_scope(sig: Any, matched: set[str]) -> str:
    """Where one finding's capability is used: gateway when a `gateway_if` signal matched the same
    object (an EnvoyFilter patching only a gateway), else the signal's own use_scope."""
    if sig is None:
        return "mesh"
    if any(g in matched for g in getattr(sig, "gateway_if", ())):
        return "gateway"
    return str(getattr(sig, "use_scope", "mesh"))


def widest_scope(a: str, b: str) -> str:
    """A capability used in the mesh anywhere is mesh-scoped; egress beats gateway."""
    if not a:
        return b
    return max(a, b, key=_SCOPE_ORDER.index)


def _takes_inventory(keys: Mapping[str, Any]) -> bool:
    """Whether the registry takes `namespaces` as a list of tables (issue 12's `inventory` flag on the
    question, or a non-numeric kind); before it, `namespaces` is a count and the flat totals are written."""
    q = keys.get("namespaces")
    if q is None:
        return False
    return bool(getattr(q, "inventory", False)) or getattr(q, "kind", None) not in ("int", "float")
