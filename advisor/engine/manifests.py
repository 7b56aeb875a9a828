"""The objects a move needs (`plan --manifests DIR`), one file per phase and namespace, in apply order.

Pure: the cluster's objects and the plan in, a ManifestSet out (output/manifests.py writes it). Which
generators a move runs, and in which phase, is data (migrations.toml `[[moves.manifests]]`); the
generators are named for what they write, never for an option.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from advisor.errors import UserError, visible
from advisor.engine.objects import (
    AMBIENT_LABEL,
    INJECTION_LABEL,
    LINKERD_INJECT,
    REVISION_LABEL,
    USE_WAYPOINT_LABEL,
    Cluster,
    Ref,
    _dict,
    l7_fields,
    name_of,
    namespace_of,
    pod_template,
    ref,
    spec_of,
    target_refs,
    text,
)
from advisor.engine.translate_istio_policy import linkerd_policies
from advisor.engine.translate_linkerd_policy import istio_policies
from advisor.engine.translate_routes import (
    Untranslated,
    generated_meta,
    service_profile_routes,
    subset_services,
    traffic_split_routes,
    virtual_service_routes,
)
from advisor.engine.waypoints import (
    WAYPOINT_NAME,
    WaypointNeed,
    selector_services,
    waypoint_objects,
    waypoint_ref,
)


_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")  # namespaces name files: nothing else gets in


@dataclass(frozen=True)
class Piece:
    """What one generator writes for one namespace."""

    namespace: str
    objects: tuple[dict[str, Any], ...]
    replaces: tuple[Ref, ...] = ()
    delete_when: str = ""
    commands: tuple[str, ...] = ()


@dataclass(frozen=True)
class ManifestFile:
    name: str
    phase: str
    phase_title: str
    order: int
    namespace: str
    objects: tuple[dict[str, Any], ...]
    replaces: tuple[Ref, ...]
    delete_when: str
    commands: tuple[str, ...]

    def to_document(self) -> dict[str, Any]:
        return {
            "file": self.name,
            "phase": self.phase,
            "namespace": self.namespace,
            "objects": [ref(o).to_document() for o in self.objects],
            "replaces": [r.to_document() for r in self.replaces],
            "delete_when": self.delete_when,
            "commands": list(self.commands),
        }


@dataclass(frozen=True)
class ManifestSet:
    files: tuple[ManifestFile, ...]
    untranslated: tuple[Untranslated, ...]
    waypoints: tuple[WaypointNeed, ...]
    notes: tuple[str, ...] = ()

    def to_document(self) -> dict[str, Any]:
        return {
            "files": [f.to_document() for f in self.files],
            "untranslated": [u.to_document() for u in self.untranslated],
            "waypoints": [w.to_document() for w in self.waypoints],
            "notes": list(self.notes),
        }


@dataclass
class Context:
    cluster: Cluster
    namespaces: list[str]  # the namespaces the move covers
    waypoints: list[WaypointNeed]
    sidecar_callers: list[str]  # principals of workloads that stay on sidecars
    egress: dict[str, list[str]]  # namespace -> hosts (sidecar scoping)
    untranslated: list[Untranslated] = field(default_factory=list)


def _in(ctx: Context, obj: dict[str, Any]) -> bool:
    return namespace_of(obj) in ctx.namespaces


# ---------------------------------------------------------------- generators (named for what they write)


def _waypoints(ctx: Context) -> list[Piece]:
    out = []
    for need in ctx.waypoints:
        if need.driven_by == "l7-objects":
            out.append(
                Piece(
                    need.namespace,
                    tuple(waypoint_objects(need, [])),
                    (),
                    "keep: the namespace's L7 runs here from now on",
                )
            )
    return out


ByNamespace = dict[str, tuple[list[dict[str, Any]], list[Ref]]]


def _translate_each(
    ctx: Context, by_ns: ByNamespace, kind: str, translate: Callable[[Any, dict[str, Any]], Any]
) -> None:
    """Translate each object of `kind` in the move's namespaces; group what it writes, and the object it
    replaces, by namespace; keep what could not be translated."""
    for obj in ctx.cluster.kind(kind):
        if not _in(ctx, obj):
            continue
        written, gaps = translate(ctx.cluster, obj)
        ctx.untranslated.extend(gaps)
        if written:
            objs, refs = by_ns.setdefault(namespace_of(obj), ([], []))
            objs.extend(written)
            refs.append(ref(obj))


def _gamma_routes(ctx: Context) -> list[Piece]:
    by_ns: ByNamespace = {}
    _translate_each(ctx, by_ns, "DestinationRule", subset_services)
    _translate_each(ctx, by_ns, "VirtualService", virtual_service_routes)
    return [
        Piece(
            ns,
            tuple(objs),
            tuple(refs),
            "delete the replaced VirtualServices and DestinationRules (keep any the untranslated list names) "
            "right after the namespace's workloads restart without sidecars",
        )
        for ns, (objs, refs) in sorted(by_ns.items())
    ]


def _policy_copy(obj: dict[str, Any], name: str, targets: list[dict[str, Any]]) -> dict[str, Any]:
    spec = {k: v for k, v in spec_of(obj).items() if k not in ("selector", "targetRef", "targetRefs")}
    spec = {"targetRefs": targets, **spec}
    return {
        "apiVersion": "security.istio.io/v1",  # targetRefs: v1 (Istio 1.22+)
        "kind": obj.get("kind"),
        "metadata": generated_meta(name, namespace_of(obj), [ref(obj)]),
        "spec": spec,
    }


def _targetref_policies(ctx: Context) -> list[Piece]:
    """Each selector-based L7 AuthorizationPolicy (and RequestAuthentication) re-attached with targetRefs."""
    by_ns: ByNamespace = {}
    for obj in ctx.cluster.kind("AuthorizationPolicy", "RequestAuthentication"):
        if not _in(ctx, obj) or target_refs(obj):
            continue
        if obj.get("kind") == "AuthorizationPolicy" and not l7_fields(obj):
            continue  # an L4 policy: ztunnel enforces it as it is
        ns = namespace_of(obj)
        selector = _dict(spec_of(obj).get("selector"))
        services = selector_services(ctx.cluster, ns, selector) if selector else []
        if services:
            targets = [{"group": "", "kind": "Service", "name": s} for s in services]
        else:
            targets = [waypoint_ref()]
        objs, refs = by_ns.setdefault(ns, ([], []))
        objs.append(_policy_copy(obj, f"{name_of(obj)}-waypoint", targets))
        refs.append(ref(obj))
    return [
        Piece(
            ns,
            tuple(objs),
            tuple(refs),
            "delete each replaced selector-based policy in the same step as the namespace's switch: left in an "
            "ambient namespace, ztunnel enforces it and, unable to read L7, denies all",
        )
        for ns, (objs, refs) in sorted(by_ns.items())
    ]


def _namespace(name: str, labels: dict[str, str], annotations: dict[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "labels": labels}
    if annotations:
        meta["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta}


def _ambient_labels(ctx: Context) -> list[Piece]:
    with_waypoint = {w.namespace for w in ctx.waypoints if w.driven_by == "l7-objects"}
    out = []
    for ns in ctx.namespaces:
        labels = {AMBIENT_LABEL: "ambient"}
        if ns in with_waypoint:
            labels[USE_WAYPOINT_LABEL] = WAYPOINT_NAME
        current = ctx.cluster.namespace_labels(ns)
        commands = [f"kubectl label namespace {ns} {k}-" for k in (INJECTION_LABEL, REVISION_LABEL) if k in current]
        if not commands:
            commands = [f"kubectl label namespace {ns} {INJECTION_LABEL}- {REVISION_LABEL}-"]
        commands.append(f"kubectl rollout restart deployment -n {ns}")
        out.append(Piece(ns, (_namespace(ns, labels),), (), "", tuple(commands)))
    return out


def _bypass_deny(ctx: Context) -> list[Piece]:
    """A namespace-wide DENY for traffic that did not pass the waypoint, sparing callers still on sidecars."""
    out = []
    for need in ctx.waypoints:
        if need.driven_by != "l7-objects":
            continue
        ns = need.namespace
        allowed = [f"cluster.local/ns/{ns}/sa/{WAYPOINT_NAME}", *ctx.sidecar_callers]
        policy = {
            "apiVersion": "security.istio.io/v1",
            "kind": "AuthorizationPolicy",
            "metadata": generated_meta("deny-waypoint-bypass", ns, []),
            "spec": {"action": "DENY", "rules": [{"from": [{"source": {"notPrincipals": allowed}}]}]},
        }
        out.append(
            Piece(
                ns,
                (policy,),
                (),
                "keep; remove a caller's principal from notPrincipals once that caller has left its sidecar",
            )
        )
    return out


def _linkerd_injection(ctx: Context) -> list[Piece]:
    out = []
    for ns in ctx.namespaces:
        labels = ctx.cluster.namespace_labels(ns)
        drop = [k for k in (INJECTION_LABEL, REVISION_LABEL, AMBIENT_LABEL, USE_WAYPOINT_LABEL) if k in labels]
        commands = [f"kubectl label namespace {ns} {k}-" for k in drop]
        commands.append(f"kubectl rollout restart deployment -n {ns}")
        out.append(Piece(ns, (_namespace(ns, {}, {LINKERD_INJECT: "enabled"}),), (), "", tuple(commands)))
    return out


def _istio_injection(ctx: Context) -> list[Piece]:
    out = []
    for ns in ctx.namespaces:
        labels = ctx.cluster.namespace_labels(ns)
        commands = [f"kubectl annotate namespace {ns} {LINKERD_INJECT}-"] if ctx.cluster.is_linkerd(ns) else []
        commands += [f"kubectl label namespace {ns} {k}-" for k in (AMBIENT_LABEL, USE_WAYPOINT_LABEL) if k in labels]
        commands.append(f"kubectl rollout restart deployment -n {ns}")
        out.append(Piece(ns, (_namespace(ns, {INJECTION_LABEL: "enabled"}),), (), "", tuple(commands)))
    return out


def _ambient_from_linkerd(ctx: Context) -> list[Piece]:
    out = []
    with_waypoint = {w.namespace for w in ctx.waypoints if w.driven_by == "l7-objects"}
    for ns in ctx.namespaces:
        labels = {AMBIENT_LABEL: "ambient"}
        if ns in with_waypoint:
            labels[USE_WAYPOINT_LABEL] = WAYPOINT_NAME
        commands = (f"kubectl annotate namespace {ns} {LINKERD_INJECT}-", f"kubectl rollout restart deployment -n {ns}")
        out.append(Piece(ns, (_namespace(ns, labels),), (), "", commands))
    return out


def _linkerd_servers(ctx: Context) -> list[Piece]:
    """A Server per Service port, and the Istio ALLOW policies' callers as MeshTLSAuthentication."""
    out = []
    for ns in ctx.namespaces:
        objs, replaced, gaps = linkerd_policies(ctx.cluster, ns)
        ctx.untranslated.extend(gaps)
        if objs:
            out.append(
                Piece(
                    ns,
                    tuple(objs),
                    tuple(replaced),
                    "delete the replaced Istio AuthorizationPolicies when Istio is removed",
                )
            )
    return out


def _routes_out_of_linkerd(ctx: Context) -> list[Piece]:
    by_ns: ByNamespace = {}
    _translate_each(ctx, by_ns, "ServiceProfile", service_profile_routes)
    _translate_each(ctx, by_ns, "TrafficSplit", lambda cluster, ts: (traffic_split_routes(cluster, ts), []))
    return [
        Piece(ns, tuple(objs), tuple(refs), "delete the ServiceProfiles and TrafficSplits when Linkerd is removed")
        for ns, (objs, refs) in sorted(by_ns.items())
    ]


def _sidecar_scoping(ctx: Context) -> list[Piece]:
    out = []
    for ns in ctx.namespaces:
        hosts = ctx.egress.get(ns) or ["./*", "istio-system/*"]
        sidecar = {
            "apiVersion": "networking.istio.io/v1",
            "kind": "Sidecar",
            "metadata": generated_meta("default", ns, []),
            "spec": {"egress": [{"hosts": hosts}]},
        }
        out.append(Piece(ns, (sidecar,), (), "keep; widen egress hosts when the namespace calls a new one"))
    return out


def _routes_into_linkerd(ctx: Context) -> list[Piece]:
    """Istio routes carried into Linkerd as Gateway API HTTPRoutes (Linkerd reads them, Service parentRef)."""
    return _gamma_routes(ctx)


def _istio_policies_from_linkerd(ctx: Context) -> list[Piece]:
    out = []
    for ns in ctx.namespaces:
        objs, replaced, gaps = istio_policies(ctx.cluster, ns)
        ctx.untranslated.extend(gaps)
        if objs:
            out.append(
                Piece(
                    ns,
                    tuple(objs),
                    tuple(replaced),
                    "delete the Linkerd Servers and authorizations when Linkerd is removed; an Istio ALLOW denies "
                    "whatever no ALLOW of the workload matches, so other ports of these pods need their own",
                )
            )
    return out


GENERATORS: dict[str, Callable[[Context], list[Piece]]] = {
    "istio-policies-from-linkerd": _istio_policies_from_linkerd,
    "waypoints": _waypoints,
    "gamma-routes": _gamma_routes,
    "targetref-policies": _targetref_policies,
    "ambient-namespace-labels": _ambient_labels,
    "waypoint-bypass-deny": _bypass_deny,
    "linkerd-injection": _linkerd_injection,
    "linkerd-servers": _linkerd_servers,
    "linkerd-routes-out": _routes_out_of_linkerd,
    "routes-into-linkerd": _routes_into_linkerd,
    "istio-injection": _istio_injection,
    "ambient-labels-from-linkerd": _ambient_from_linkerd,
    "sidecar-scoping": _sidecar_scoping,
}


def sidecar_callers(cluster: Cluster, moving: list[str]) -> list[str]:
    """Principals of sidecar workloads outside the namespaces that move (they bypass waypoints)."""
    out = set()
    for obj in cluster.sidecar_workloads():
        ns = namespace_of(obj)
        if ns in moving:
            continue
        sa = text(spec_of(pod_template(obj)).get("serviceAccountName")) or "default"
        out.add(f"cluster.local/ns/{ns}/sa/{sa}")
    return sorted(out)


def build_manifests(
    steps: list[tuple[str, str, str, int]],
    cluster: Cluster,
    namespaces: list[str],
    waypoints: list[WaypointNeed],
    egress: dict[str, list[str]] | None = None,
) -> ManifestSet:
    """`steps`: (generator, phase id, phase title, phase order) from the move's data, in order."""
    bad = [ns for ns in namespaces if not _DNS_LABEL.match(ns)]
    if bad:
        raise UserError(
            f"--objects: namespace {visible(bad[0], one_line=True)!r} is not a Kubernetes namespace name "
            "(a DNS-1123 label: lower-case letters, digits and '-', at most 63 characters)"
        )
    ctx = Context(cluster, namespaces, waypoints, sidecar_callers(cluster, namespaces), egress or {})
    files: list[ManifestFile] = []
    for generator, phase, title, order in steps:
        for piece in GENERATORS[generator](ctx):
            if not piece.objects:
                continue
            name = f"{order:03d}-{phase}-{piece.namespace}-{generator}.yaml"
            files.append(
                ManifestFile(
                    name,
                    phase,
                    title,
                    order,
                    piece.namespace,
                    piece.objects,
                    piece.replaces,
                    piece.delete_when,
                    piece.commands,
                )
            )
    files.sort(key=lambda f: (f.order, f.namespace, f.name))
    notes = []
    if any(f.name.endswith("-waypoint-bypass-deny.yaml") for f in files):
        notes.append(
            "The waypoint-bypass DENY admits only traffic from the waypoint (and the sidecar callers listed): an "
            "ingress gateway reaches workloads directly unless their Service is labelled "
            "istio.io/ingress-use-waypoint=true, so label those Services or add the gateway's principal to "
            "notPrincipals before applying it (https://istio.io/latest/docs/ambient/usage/waypoint/)"
        )
    if ctx.sidecar_callers:
        notes.append(
            f"{len(ctx.sidecar_callers)} caller(s) stay on sidecars and bypass waypoints; the bypass DENY spares them: "
            + ", ".join(ctx.sidecar_callers)
        )
    return ManifestSet(tuple(files), tuple(ctx.untranslated), tuple(waypoints), tuple(notes))
