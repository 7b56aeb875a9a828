"""The Kubernetes objects a plan translates or a check lints, indexed by kind and namespace, read leniently.

Pure: objects in (as `scan` reads them from files, a dump, stdin or kubectl), questions answered.
Label and annotation keys are the meshes' own API (istio.io, linkerd.io), never option ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

DEFAULT_NAMESPACE = "default"
AMBIENT_LABEL = "istio.io/dataplane-mode"
USE_WAYPOINT_LABEL = "istio.io/use-waypoint"
INJECTION_LABEL = "istio-injection"
REVISION_LABEL = "istio.io/rev"
LINKERD_INJECT = "linkerd.io/inject"
WAYPOINT_CLASS = "istio-waypoint"
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def meta(obj: dict[str, Any]) -> dict[str, Any]:
    return _dict(obj.get("metadata"))


def name_of(obj: dict[str, Any]) -> str:
    return text(meta(obj).get("name"))


def namespace_of(obj: dict[str, Any]) -> str:
    return text(meta(obj).get("namespace")) or DEFAULT_NAMESPACE


def labels_of(obj: dict[str, Any]) -> dict[str, str]:
    return {k: v for k, v in _dict(meta(obj).get("labels")).items() if isinstance(k, str) and isinstance(v, str)}


def annotations_of(obj: dict[str, Any]) -> dict[str, str]:
    return {k: v for k, v in _dict(meta(obj).get("annotations")).items() if isinstance(k, str) and isinstance(v, str)}


def spec_of(obj: dict[str, Any]) -> dict[str, Any]:
    return _dict(obj.get("spec"))


def pod_template(obj: dict[str, Any]) -> dict[str, Any]:
    """The pod (template) of a workload object: a Pod itself, a Deployment's template, a CronJob's."""
    if obj.get("kind") == "Pod":
        return obj
    spec = spec_of(obj)
    if obj.get("kind") == "CronJob":
        spec = _dict(_dict(_dict(spec.get("jobTemplate")).get("spec")))
    return _dict(spec.get("template"))


def containers_of(pod: dict[str, Any]) -> list[dict[str, Any]]:
    spec = spec_of(pod)
    return [c for c in _list(spec.get("containers")) + _list(spec.get("initContainers")) if isinstance(c, dict)]


@dataclass(frozen=True)
class Ref:
    """An object named in a finding or a generated file's header."""

    kind: str
    namespace: str
    name: str

    @property
    def where(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}" if self.namespace else f"{self.kind} {self.name}"

    def to_document(self) -> dict[str, str]:
        return {"kind": self.kind, "namespace": self.namespace, "name": self.name}


def ref(obj: dict[str, Any]) -> Ref:
    return Ref(text(obj.get("kind")), namespace_of(obj) if obj.get("kind") != "Namespace" else "", name_of(obj))


@dataclass
class Cluster:
    """Objects by kind; namespaces by name (a namespace no Namespace object declares has no labels)."""

    objects: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, objects: Iterable[dict[str, Any]]) -> Cluster:
        seen: dict[tuple[str, str, str], dict[str, Any]] = {}
        for obj in objects:
            if isinstance(obj, dict) and text(obj.get("kind")) and name_of(obj):
                # several files may define one object (alternative samples): the last one read wins
                seen[(text(obj.get("kind")), namespace_of(obj), name_of(obj))] = obj
        return cls(list(seen.values()))

    def kind(self, *kinds: str) -> list[dict[str, Any]]:
        return [o for o in self.objects if o.get("kind") in kinds]

    def get(self, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        return next(
            (o for o in self.objects if o.get("kind") == kind and namespace_of(o) == namespace and name_of(o) == name),
            None,
        )

    def namespace_labels(self, namespace: str) -> dict[str, str]:
        obj = next((o for o in self.kind("Namespace") if name_of(o) == namespace), None)
        return labels_of(obj) if obj else {}

    def namespace_annotations(self, namespace: str) -> dict[str, str]:
        obj = next((o for o in self.kind("Namespace") if name_of(o) == namespace), None)
        return annotations_of(obj) if obj else {}

    @property
    def namespaces(self) -> list[str]:
        """Every namespace an object lives in or a Namespace object declares, sorted."""
        names = {name_of(o) for o in self.kind("Namespace")}
        names |= {namespace_of(o) for o in self.objects if o.get("kind") != "Namespace"}
        names -= {""}
        return sorted(names)

    def is_ambient(self, namespace: str) -> bool:
        return self.namespace_labels(namespace).get(AMBIENT_LABEL) == "ambient"

    def is_injected(self, namespace: str) -> bool:
        """Istio sidecar injection asked for by the namespace's labels."""
        labels = self.namespace_labels(namespace)
        return labels.get(INJECTION_LABEL) == "enabled" or bool(labels.get(REVISION_LABEL))

    def is_linkerd(self, namespace: str) -> bool:
        return self.namespace_annotations(namespace).get(LINKERD_INJECT) == "enabled"

    def sidecar_workloads(self) -> list[dict[str, Any]]:
        """Workloads whose pods run an Istio sidecar (the container, or the injection status annotation)."""
        out = []
        for obj in self.kind(*WORKLOAD_KINDS):
            pod = pod_template(obj)
            if "sidecar.istio.io/status" in annotations_of(pod) or any(
                c.get("name") == "istio-proxy" for c in containers_of(pod)
            ):
                out.append(obj)
        return out

    def waypoints(self, namespace: str) -> dict[str, dict[str, Any]]:
        """Waypoint Gateways in a namespace, by name."""
        return {
            name_of(g): g
            for g in self.kind("Gateway")
            if namespace_of(g) == namespace and spec_of(g).get("gatewayClassName") == WAYPOINT_CLASS
        }

    def services(self, namespace: str) -> dict[str, dict[str, Any]]:
        return {name_of(s): s for s in self.kind("Service") if namespace_of(s) == namespace}


def gateway_ready(gateway: dict[str, Any]) -> bool | None:
    """A Gateway's Programmed condition: True, False, or None when it carries no status (a manifest)."""
    for cond in _list(_dict(gateway.get("status")).get("conditions")):
        if isinstance(cond, dict) and cond.get("type") == "Programmed":
            return cond.get("status") == "True"
    return None


def short_host(host: str, namespace: str) -> tuple[str, str]:
    """A route host (`reviews`, `reviews.bookinfo`, `reviews.bookinfo.svc.cluster.local`) as (namespace, service)."""
    parts = host.split(".")
    if len(parts) == 1:
        return namespace, parts[0]
    if len(parts) >= 2 and (len(parts) == 2 or parts[2] == "svc"):
        return parts[1], parts[0]
    return "", host  # an external host: no Service of the cluster


def l7_fields(policy: dict[str, Any]) -> list[str]:
    """The fields of an Istio AuthorizationPolicy that only an L7 proxy can enforce."""
    spec = spec_of(policy)
    out = []
    if spec.get("action") == "CUSTOM":
        out.append("spec.action CUSTOM")
    for i, rule in enumerate(_list(spec.get("rules"))):
        rule = _dict(rule)
        for j, to in enumerate(_list(rule.get("to"))):
            op = _dict(_dict(to).get("operation"))
            for key in ("methods", "paths", "hosts", "notMethods", "notPaths", "notHosts"):
                if op.get(key):
                    out.append(f"spec.rules[{i}].to[{j}].operation.{key}")
        for j, frm in enumerate(_list(rule.get("from"))):
            src = _dict(_dict(frm).get("source"))
            for key in ("requestPrincipals", "notRequestPrincipals"):
                if src.get(key):
                    out.append(f"spec.rules[{i}].from[{j}].source.{key}")
        for j, cond in enumerate(_list(rule.get("when"))):
            key = text(_dict(cond).get("key"))
            if key.startswith(("request.headers", "request.auth", "request.regex")):
                out.append(f"spec.rules[{i}].when[{j}].key {key}")
    return out


def target_refs(obj: dict[str, Any]) -> list[dict[str, Any]]:
    spec = spec_of(obj)
    refs = [r for r in _list(spec.get("targetRefs")) if isinstance(r, dict)]
    if isinstance(spec.get("targetRef"), dict):
        refs.append(spec["targetRef"])
    return refs
