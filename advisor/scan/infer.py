"""From Kubernetes objects to an inventory, mesh membership, capabilities in use and platform hints.

`Scanner.add(obj)` takes objects one at a time (a 50,000-pod dump is never held whole) and keeps
only what the answers and the evidence need. Which fields mean what is data (data/signals.toml);
this module only knows the shape of the built-in kinds (Pods, workloads, Nodes, Services).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from advisor.errors import clip
from advisor.scan.files import ScanInputError
from advisor.scan.signals import Signal, SignalSet

WORKLOAD_KINDS = {"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController", "DaemonSet", "Job", "CronJob"}
COUNTED_WORKLOADS = {"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"}
# Findings on these kinds are mesh membership and platform hints, not mesh or routing objects.
MEMBERSHIP_KINDS = frozenset({"Pod", "Node", "Namespace", *WORKLOAD_KINDS})
_QUANTITY = re.compile(r"^([0-9.]+(?:[eE][-+]?[0-9]+)?)([A-Za-z]*)$")
_SUFFIX = {
    "": 1,
    "m": 1e-3,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "P": 1e15,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "Pi": 2**50,
}


def quantity(value: Any) -> float | None:
    """A Kubernetes resource quantity ("3920m", "16Gi", "15950084Ki") as a plain number."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, str):
        return None
    m = _QUANTITY.match(value.strip())
    if not m or m.group(2) not in _SUFFIX:
        return None
    try:
        return float(m.group(1)) * _SUFFIX[m.group(2)]
    except ValueError:
        return None


def group_of(api_version: str) -> str:
    return api_version.rsplit("/", 1)[0] if "/" in api_version else ""


@dataclass
class Finding:
    signal: str
    kind: str
    namespace: str
    name: str
    field: str
    capability: str | None = None
    detail: str | None = None
    count: int = 1  # objects this finding stands for (pod and node signals are counted per namespace)
    origin: str | None = None  # the file it was read from (file scans)


@dataclass
class NamespaceTally:
    name: str
    seen_object: bool = False  # a Namespace object was read
    label_mesh: str | None = None  # from the Namespace's labels
    waypoint: bool = False
    pods_observed: int = 0  # Pods read as they are
    pods_declared: int = 0  # from workload replicas (manifests)
    pods_declared_high: int = 0  # with HPAs at their maximum
    daemonsets: list[str] = field(default_factory=list)
    by_mesh: Counter = field(default_factory=Counter)  # pods per mesh (observed or declared)
    declared_by_mesh: Counter = field(default_factory=Counter)
    services: int = 0
    ports: int = 0
    l7_ports: int = 0
    endpoints: int = 0
    endpoint_slices: int = 0
    hpas: list[tuple[str, str, int, int | None]] = field(default_factory=list)  # (kind, name, min, max)
    workloads: dict[tuple[str, str], tuple[int, str | None]] = field(default_factory=dict)  # -> (replicas, mesh)


@dataclass
class NodeTally:
    count: int = 0
    cpu: list[float] = field(default_factory=list)
    memory_gib: list[float] = field(default_factory=list)
    zones: Counter = field(default_factory=Counter)
    instance_types: Counter = field(default_factory=Counter)


class Scanner:
    """Accumulates what the objects say; `findings` and the tallies are read by result.build."""

    def __init__(self, signals: SignalSet) -> None:
        self.signals = signals
        self.by_id = signals.by_id()
        self.namespaces: dict[str, NamespaceTally] = {}
        self.nodes = NodeTally()
        self.findings: list[Finding] = []
        self._aggregated: dict[tuple[str, str, str], Finding] = {}
        self.platforms: Counter = Counter()
        self.cni: Counter = Counter()
        self.objects = 0
        self.kinds: Counter = Counter()
        self.completed_pods = 0
        self.bad_quantities = 0  # node allocatable values no machine has (left out)
        # An object given more than once (a repository of alternatives: reviews-50-v3.yaml beside
        # reviews-90-10.yaml) counts its pods and services once, and its findings are the union of
        # its variants, each naming its file: (signal, field) already found per object.
        self._by_object: dict[tuple[str, str, str, str], set[tuple[str, str]]] = {}
        self._seen: set[tuple[str, str, str, str]] = set()
        self.duplicates: Counter = Counter()  # (kind, namespace, name) -> times given beyond the first
        self.counted_from: dict[tuple[str, str, str], str] = {}  # duplicates: the file whose variant counts
        self.origin: str | None = None  # the file of the object being added

    # -------------------------------------------------------------- dispatch

    def ns(self, name: str) -> NamespaceTally:
        tally = self.namespaces.get(name)
        if tally is None:
            tally = self.namespaces[name] = NamespaceTally(name)
        return tally

    def add(self, obj: dict[str, Any], origin: str | None = None) -> None:
        """One object; a field of the wrong shape is a ScanInputError naming the object and the field."""
        self.origin = origin
        try:
            self._add(obj)
        except ShapeError as exc:
            raise ScanInputError(self._where(obj) + str(exc)) from None
        except (TypeError, AttributeError, KeyError, ValueError, IndexError) as exc:
            raise ScanInputError(
                self._where(obj) + f"a field has a shape the Kubernetes API never gives ({clip(str(exc), 80)}); "
                "expected the API's types (kubectl would refuse this object)"
            ) from None

    def _where(self, obj: dict[str, Any]) -> str:
        meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        ns, name = meta.get("namespace"), meta.get("name")
        who = "/".join(str(x) for x in (ns, name) if isinstance(x, str) and x)
        return f"{self.origin + ': ' if self.origin else ''}{obj.get('kind', 'object')}{' ' + clip(who, 120) if who else ''}: "

    def _add(self, obj: dict[str, Any]) -> None:
        self.objects += 1
        kind = obj.get("kind", "")
        self.kinds[kind] += 1
        group = group_of(str(obj.get("apiVersion", "")))
        meta = obj.get("metadata", {})
        if meta is None:
            meta = {}
        if not isinstance(meta, dict):
            raise ShapeError(f"metadata is {_shape(meta)}; expected a mapping")
        for key in ("labels", "annotations"):
            if meta.get(key) is not None and not isinstance(meta[key], dict):
                raise ShapeError(f"metadata.{key} is {_shape(meta[key])}; expected a mapping")
        if meta.get("ownerReferences") is not None and not isinstance(meta["ownerReferences"], list):
            raise ShapeError(f"metadata.ownerReferences is {_shape(meta['ownerReferences'])}; expected a list")
        namespace = meta.get("namespace") if isinstance(meta.get("namespace"), str) else ""
        name = meta.get("name") if isinstance(meta.get("name"), str) else ""
        identity = (group, kind, namespace, name)
        repeat = bool(name) and identity in self._seen
        if name:
            if repeat:
                cluster_scoped = kind in ("Namespace", "Node") or kind in self.signals.cluster_scoped_kinds
                self.duplicates[(kind, namespace or ("" if cluster_scoped else "default"), name)] += 1
            else:
                self._seen.add(identity)
        if group == "":
            if kind == "Pod":
                if not repeat:
                    self._pod(obj, namespace or "default", name)
            elif kind == "Namespace":
                self._namespace(obj, name)
            elif kind == "Node":
                if not repeat:
                    self._node(obj, name)
            elif kind == "Service":
                if not repeat:
                    self._service(obj, namespace or "default")
                    self._counted(kind, namespace or "default", name, repeat)
            elif kind == "Endpoints":
                if not repeat:
                    self._endpoints(obj, namespace or "default")
            elif kind == "ReplicationController":
                self._workload(obj, kind, namespace or "default", name)
        elif group == "apps" or group == "batch":
            if kind in WORKLOAD_KINDS:
                self._workload(obj, kind, namespace or "default", name)
        elif (group, kind) in self.signals.workload_kinds:
            self._workload(obj, kind, namespace or "default", name, counted=True)
        elif group == "autoscaling" and kind == "HorizontalPodAutoscaler":
            if not repeat:
                self._hpa(obj, namespace or "default")
        elif group == "discovery.k8s.io" and kind == "EndpointSlice":
            endpoints = obj.get("endpoints")
            if endpoints is not None and not isinstance(endpoints, list):
                raise ShapeError(f"endpoints is {_shape(endpoints)}; expected a list")
            if not repeat:
                self.ns(namespace or "default").endpoint_slices += len(endpoints) if endpoints else 0
        sigs = self.signals.by_kind.get((group, kind))
        if sigs:
            # A Namespace's findings are about that namespace; Node findings are counted, not listed.
            # A namespaced object without a namespace (a manifest) goes where its pods go: default.
            if kind == "Namespace":
                where_ns = name
            elif namespace or kind in self.signals.cluster_scoped_kinds:
                where_ns = namespace
            else:
                where_ns = "default"
            aggregate = kind == "Node"
            key = (group, kind, where_ns, name)
            if not aggregate and name:
                start = len(self.findings)
                self._match(sigs, obj, kind, where_ns, name, aggregate=False)
                found = self._by_object.get(key)
                if found is None:
                    self._by_object[key] = {(f.signal, f.field) for f in self.findings[start:]}
                else:  # a variant: only what the earlier ones did not show (linear in the new findings)
                    fresh = [f for f in self.findings[start:] if (f.signal, f.field) not in found]
                    del self.findings[start:]
                    self.findings.extend(fresh)
                    found.update((f.signal, f.field) for f in fresh)
            elif not (aggregate and repeat):
                self._match(sigs, obj, kind, where_ns, name, aggregate=aggregate)

    def _counted(self, kind: str, namespace: str, name: str, repeat: bool) -> None:
        if self.origin is not None:
            self.counted_from[(kind, namespace, name)] = self.origin

    # -------------------------------------------------------------- signals

    def _match(
        self,
        sigs: tuple[Signal, ...],
        obj: Any,
        kind: str,
        namespace: str,
        name: str,
        aggregate: bool = False,
        prefix: str = "",
        count: int = 1,
    ) -> list[Signal]:
        matched: list[tuple[Signal, str]] = []
        for sig in sigs:
            where = sig.matches(obj)
            if where is not None:
                matched.append((sig, where))
        if not matched:
            return []
        ids = {s.id for s, _ in matched}
        kept = [(s, w) for s, w in matched if not any(u in ids for u in s.unless)]
        for sig, where in kept:
            self._record(sig, obj, kind, namespace, name, prefix + where, aggregate, count)
        return [s for s, _ in kept]

    def _record(
        self, sig: Signal, obj: Any, kind: str, namespace: str, name: str, where: str, aggregate: bool, count: int
    ) -> None:
        if sig.platform:
            self.platforms[sig.platform] += 1
        if sig.cni:
            self.cni[sig.cni] += 1
        if sig.l7 and kind == "Namespace":
            self.ns(name).waypoint = True
        if aggregate:
            key = (sig.id, namespace, kind)
            found = self._aggregated.get(key)
            if found is not None:
                found.count += count
                return
        finding = Finding(sig.id, kind, namespace, name, where, sig.capability, sig.detail_of(obj), count, self.origin)
        self.findings.append(finding)
        if aggregate:
            self._aggregated[(sig.id, namespace, kind)] = finding

    def _pod_mesh(self, spec_holder: Any, kind: str, namespace: str, name: str, prefix: str, count: int) -> str | None:
        """Mesh of one pod (or pod template) from the pod-scope signals; 'none' when it opts out."""
        matched = self._match(
            self.signals.pod, spec_holder, kind, namespace, name, aggregate=True, prefix=prefix, count=count
        )
        order = self.signals.meshes
        return order.first({s.mesh for s in matched if s.mesh}, order.pod_precedence)

    # -------------------------------------------------------------- built-in kinds

    def _pod(self, obj: dict[str, Any], namespace: str, name: str) -> None:
        status = obj.get("status")
        phase = status.get("phase") if isinstance(status, dict) else None
        if phase in ("Succeeded", "Failed"):
            self.completed_pods += 1
            return
        tally = self.ns(namespace)
        tally.pods_observed += 1
        mesh = self._pod_mesh(obj, "Pod", namespace, name, "", 1)
        tally.by_mesh[mesh or "unmarked"] += 1

    def _workload(self, obj: dict[str, Any], kind: str, namespace: str, name: str, counted: bool = False) -> None:
        spec = _mapping(obj, "spec")
        if kind == "ReplicaSet" and _owned_by(obj, "Deployment"):
            return  # its Deployment counts these pods
        if kind == "Job" and _owned_by(obj, "CronJob"):
            return
        template = spec.get("template")
        prefix = "spec.template."
        if kind == "CronJob":
            job = spec.get("jobTemplate", {})
            template = (
                job.get("spec", {}).get("template")
                if isinstance(job, dict) and isinstance(job.get("spec"), dict)
                else None
            )
            prefix = "spec.jobTemplate.spec.template."
        if not isinstance(template, dict):
            return
        tally = self.ns(namespace)
        if counted or kind in COUNTED_WORKLOADS:
            replicas = _whole(spec.get("replicas", 1), "spec.replicas")
        else:
            replicas = 0  # DaemonSets follow the node count; Jobs and CronJobs come and go
        if kind == "DaemonSet":
            tally.daemonsets.append(name)
        mesh = self._pod_mesh(template, kind, namespace, name, prefix, max(replicas, 1))
        tally.workloads[(kind, name)] = (replicas, mesh)
        self._counted(kind, namespace, name, False)  # the last variant read counts (as applying them in order)

    def _hpa(self, obj: dict[str, Any], namespace: str) -> None:
        spec = _mapping(obj, "spec")
        target = _mapping(spec, "scaleTargetRef", "spec.")
        low = _whole(spec.get("minReplicas", 1), "spec.minReplicas")
        high = None if spec.get("maxReplicas") is None else _whole(spec["maxReplicas"], "spec.maxReplicas")
        if high is not None and high < low:
            raise ShapeError(f"spec.maxReplicas {high} is below spec.minReplicas {low}")
        self.ns(namespace).hpas.append((str(target.get("kind", "")), str(target.get("name", "")), low, high))

    def _namespace(self, obj: dict[str, Any], name: str) -> None:
        tally = self.ns(name)
        tally.seen_object = True
        sigs = self.signals.by_kind.get(("", "Namespace"), ())
        matched = [s for s in sigs if s.matches(obj) is not None]
        ids = {s.id for s in matched}
        meshes = {s.mesh for s in matched if s.mesh and not any(u in ids for u in s.unless)}
        order = self.signals.meshes
        found = order.first(meshes, order.namespace_precedence)
        if found is not None:
            tally.label_mesh = found

    def _node(self, obj: dict[str, Any], name: str) -> None:
        self.nodes.count += 1
        status = _mapping(obj, "status")
        alloc = _mapping(status, "allocatable", "status.")
        cpu = quantity(alloc.get("cpu"))
        mem = quantity(alloc.get("memory"))
        # A quantity beyond any machine (1e400 reads as infinity) is left out, never written.
        if cpu is not None and 0 < cpu <= MAX_NODE_VCPU:
            self.nodes.cpu.append(cpu)
        elif cpu is not None:
            self.bad_quantities += 1
        if mem is not None and 0 < mem / 2**30 <= MAX_NODE_MEMORY_GIB:
            self.nodes.memory_gib.append(mem / 2**30)
        elif mem is not None:
            self.bad_quantities += 1
        labels = (obj.get("metadata") or {}).get("labels") or {}
        if isinstance(labels, dict):
            zone = labels.get("topology.kubernetes.io/zone") or labels.get("failure-domain.beta.kubernetes.io/zone")
            itype = labels.get("node.kubernetes.io/instance-type") or labels.get("beta.kubernetes.io/instance-type")
            if isinstance(zone, str):
                self.nodes.zones[zone] += 1
            if isinstance(itype, str):
                self.nodes.instance_types[itype] += 1

    def _service(self, obj: dict[str, Any], namespace: str) -> None:
        spec = _mapping(obj, "spec")
        tally = self.ns(namespace)
        tally.services += 1
        if spec.get("type") == "ExternalName":
            return
        ports = spec.get("ports") or []
        if not isinstance(ports, list):
            raise ShapeError(f"spec.ports is {_shape(ports)}; expected a list")
        for port in ports:
            if not isinstance(port, dict):
                continue
            tally.ports += 1
            if self.is_l7_port(port):
                tally.l7_ports += 1

    def is_l7_port(self, port: dict[str, Any]) -> bool:
        app = port.get("appProtocol")
        if isinstance(app, str) and app:
            return app.lower() in self.signals.l7_app_protocols
        name = port.get("name")
        if isinstance(name, str) and name:
            return name.lower().split("-", 1)[0] in self.signals.l7_name_protocols
        return False

    def _endpoints(self, obj: dict[str, Any], namespace: str) -> None:
        total = 0
        subsets = obj.get("subsets") or []
        if not isinstance(subsets, list):
            raise ShapeError(f"subsets is {_shape(subsets)}; expected a list")
        for i, subset in enumerate(subsets):
            if isinstance(subset, dict):
                for key in ("addresses", "notReadyAddresses"):
                    found = subset.get(key) or []
                    if not isinstance(found, list):
                        raise ShapeError(f"subsets[{i}].{key} is {_shape(found)}; expected a list")
                    total += len(found)
        self.ns(namespace).endpoints += total


class ShapeError(Exception):
    """A field of a shape the Kubernetes API never gives: `field is X; expected Y`."""


# Far beyond any machine; a value past them is a typo or a hostile dump, never written as an answer.
MAX_NODE_VCPU = 100_000
MAX_NODE_MEMORY_GIB = 1_000_000


def _shape(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the text {clip(repr(value), 40)}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _mapping(holder: dict[str, Any], key: str, prefix: str = "") -> dict[str, Any]:
    value = holder.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ShapeError(f"{prefix}{key} is {_shape(value)}; expected a mapping")
    return value


def _whole(value: Any, field_name: str) -> int:
    """A replica count: a whole number from 0 (3.0 is 3); text, true/false or a negative is refused."""
    if isinstance(value, float) and value.is_integer() and value >= 0:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 100_000_000:
        raise ShapeError(f"{field_name} is {_shape(value)}; expected a whole number from 0 (kubectl refuses it too)")
    return value


def _owned_by(obj: dict[str, Any], kind: str) -> bool:
    owners = (obj.get("metadata") or {}).get("ownerReferences") or []
    return any(isinstance(o, dict) and o.get("kind") == kind for o in owners)
