"""The detectors behind data/hazards.toml: one function per rule id, each reading the cluster's objects.

Pure. A detector yields (objects, detail) per finding; severity, text, fix and source come from the data.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

from advisor.engine.objects import (
    LINKERD_INJECT,
    USE_WAYPOINT_LABEL,
    Cluster,
    Ref,
    _dict,
    _list,
    annotations_of,
    gateway_ready,
    l7_fields,
    labels_of,
    name_of,
    namespace_of,
    pod_template,
    ref,
    short_host,
    spec_of,
    target_refs,
    text,
)

Found = Iterator[tuple[list[Ref], str]]
ROOT_NAMESPACE = "istio-system"  # Istio's default root namespace: a policy there applies mesh-wide
_ISTIO_POLICY_KINDS = ("AuthorizationPolicy", "RequestAuthentication", "WasmPlugin", "Telemetry")


def _is_istio(obj: dict[str, Any]) -> bool:
    return text(obj.get("apiVersion")).split("/")[0].endswith("istio.io")


def _is_linkerd(obj: dict[str, Any]) -> bool:
    return text(obj.get("apiVersion")).split("/")[0].endswith("linkerd.io")


def _ns_ref(ns: str) -> Ref:
    return Ref("Namespace", "", ns)


def l7_policy_selector_in_ambient(c: Cluster) -> Found:
    for ap in c.kind("AuthorizationPolicy"):
        ns = namespace_of(ap)
        if _is_istio(ap) and not target_refs(ap) and c.is_ambient(ns):
            fields = l7_fields(ap)
            if fields:
                yield [ref(ap), _ns_ref(ns)], f"L7 fields: {', '.join(fields)}"


def _waypoint_for(c: Cluster, ns: str, labels: dict[str, str]) -> tuple[str, str] | None:
    name = labels.get(USE_WAYPOINT_LABEL)
    if not name or name == "none":
        return None
    return labels.get("istio.io/use-waypoint-namespace") or ns, name


def policy_targets_missing_waypoint(c: Cluster) -> Found:
    for obj in c.kind(*_ISTIO_POLICY_KINDS):
        if not _is_istio(obj):
            continue
        ns = namespace_of(obj)
        for tr in target_refs(obj):
            kind, name = text(tr.get("kind")), text(tr.get("name"))
            where: tuple[str, str] | None
            if kind == "Gateway":
                where = (text(tr.get("namespace")) or ns, name)
                why = f"targetRefs Gateway {where[0]}/{name}"
            elif kind == "Service":
                svc = c.get("Service", ns, name)
                where = _waypoint_for(c, ns, labels_of(svc) if svc else {}) or _waypoint_for(
                    c, ns, c.namespace_labels(ns)
                )
                if where is None:
                    yield (
                        [ref(obj)],
                        f"targetRefs Service {ns}/{name}, which no istio.io/use-waypoint label binds to a waypoint",
                    )
                    continue
                why = f"targetRefs Service {ns}/{name}, bound to waypoint {where[0]}/{where[1]}"
            else:
                continue
            gw = c.waypoints(where[0]).get(where[1]) or c.get("Gateway", where[0], where[1])
            if gw is None:
                yield [ref(obj)], f"{why}: no such Gateway"
            elif gateway_ready(gw) is False:
                yield [ref(obj), ref(gw)], f"{why}: the Gateway is not Programmed (not ready)"


def use_waypoint_missing(c: Cluster) -> Found:
    holders = [o for o in c.kind("Namespace", "Service") if USE_WAYPOINT_LABEL in labels_of(o)]
    for obj in holders:
        ns = name_of(obj) if obj.get("kind") == "Namespace" else namespace_of(obj)
        where = _waypoint_for(c, ns, labels_of(obj))
        if where is not None and c.get("Gateway", where[0], where[1]) is None:
            yield [ref(obj)], f"istio.io/use-waypoint={where[1]}: no Gateway {where[0]}/{where[1]}"


def virtual_service_and_httproute_one_host(c: Cluster) -> Found:
    routes: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for hr in c.kind("HTTPRoute"):
        for parent in _list(spec_of(hr).get("parentRefs")):
            parent = _dict(parent)
            if parent.get("kind") == "Service":
                key = (text(parent.get("namespace")) or namespace_of(hr), text(parent.get("name")))
                routes.setdefault(key, []).append(hr)
    for vs in c.kind("VirtualService"):
        gateways = [g for g in _list(spec_of(vs).get("gateways")) if isinstance(g, str)]
        if gateways and "mesh" not in gateways:
            continue
        for host in _list(spec_of(vs).get("hosts")):
            key = short_host(text(host), namespace_of(vs))
            for hr in routes.get(key, ()):
                yield [ref(vs), ref(hr)], f"host {key[1]}.{key[0]}"


def injection_and_ambient_label(c: Cluster) -> Found:
    for ns in c.namespaces:
        if c.is_injected(ns) and c.is_ambient(ns):
            yield [_ns_ref(ns)], "istio-injection or istio.io/rev beside istio.io/dataplane-mode=ambient"


def _gateway_only(ef: dict[str, Any]) -> bool:
    patches = [_dict(p) for p in _list(spec_of(ef).get("configPatches"))]
    contexts = {text(_dict(p.get("match")).get("context")) for p in patches}
    return bool(patches) and contexts == {"GATEWAY"}


def envoy_extension_in_ambient(c: Cluster) -> Found:
    for obj in c.kind("EnvoyFilter", "WasmPlugin"):
        ns = namespace_of(obj)
        spec = spec_of(obj)
        if not c.is_ambient(ns) or target_refs(obj):
            continue
        if obj.get("kind") == "EnvoyFilter" and _gateway_only(obj):
            continue
        selector = "workloadSelector" if obj.get("kind") == "EnvoyFilter" else "selector"
        yield (
            [ref(obj)],
            f"{selector}: {_dict(spec.get(selector)).get('labels') or _dict(spec.get(selector)).get('matchLabels') or 'the whole namespace'}",
        )


def _disables(pa: dict[str, Any]) -> bool:
    spec = spec_of(pa)
    if text(_dict(spec.get("mtls")).get("mode")) == "DISABLE":
        return True
    return any(text(_dict(v).get("mode")) == "DISABLE" for v in _dict(spec.get("portLevelMtls")).values())


def peer_authentication_disable_in_ambient(c: Cluster) -> Found:
    any_ambient = any(c.is_ambient(ns) for ns in c.namespaces)
    for pa in c.kind("PeerAuthentication"):
        ns = namespace_of(pa)
        if _disables(pa) and (c.is_ambient(ns) or (ns == ROOT_NAMESPACE and any_ambient)):
            yield [ref(pa)], "mtls DISABLE" + (" mesh-wide (root namespace)" if ns == ROOT_NAMESPACE else "")


def _sidecar_principals(c: Cluster) -> dict[str, Ref]:
    """Principals of workloads still on sidecars (their pods carry the proxy), by principal."""
    out: dict[str, Ref] = {}
    for obj in c.sidecar_workloads():
        if c.is_ambient(namespace_of(obj)) and not c.is_injected(namespace_of(obj)):
            continue
        sa = text(spec_of(pod_template(obj)).get("serviceAccountName")) or "default"
        out[f"cluster.local/ns/{namespace_of(obj)}/sa/{sa}"] = ref(obj)
    return out


def _bypass_denies(c: Cluster) -> Iterator[tuple[dict[str, Any], set[str]]]:
    for ap in c.kind("AuthorizationPolicy"):
        spec = spec_of(ap)
        if not _is_istio(ap) or spec.get("action") != "DENY" or target_refs(ap) or not c.is_ambient(namespace_of(ap)):
            continue
        spared: set[str] = set()
        waypointish = False
        for rule in _list(spec.get("rules")):
            for frm in _list(_dict(rule).get("from")):
                not_principals = [text(p) for p in _list(_dict(_dict(frm).get("source")).get("notPrincipals"))]
                if any("waypoint" in p for p in not_principals):
                    waypointish = True
                spared |= set(not_principals)
        if waypointish:
            yield ap, spared


def waypoint_bypass_deny_with_sidecar_callers(c: Cluster) -> Found:
    callers = _sidecar_principals(c)
    for ap, spared in _bypass_denies(c):
        rejected = sorted(p for p in callers if p not in spared and "*" not in "".join(spared))
        if rejected:
            yield [ref(ap), *(callers[p] for p in rejected)], f"rejected callers on sidecars: {', '.join(rejected)}"


def sidecar_callers_bypass_waypoint(c: Cluster) -> Found:
    callers = _sidecar_principals(c)
    if not callers:
        return
    for ns in c.namespaces:
        if c.is_ambient(ns) and _waypoint_for(c, ns, c.namespace_labels(ns)):
            yield [_ns_ref(ns)], f"{len(callers)} workload(s) on sidecars: {', '.join(sorted(callers)[:5])}"


def linkerd_and_istio_inject(c: Cluster) -> Found:
    for ns in c.namespaces:
        if c.is_linkerd(ns) and (c.is_injected(ns) or c.is_ambient(ns)):
            yield [_ns_ref(ns)], "linkerd.io/inject=enabled beside an Istio injection or ambient label"
    for obj in c.sidecar_workloads():
        if annotations_of(pod_template(obj)).get(LINKERD_INJECT) == "enabled":
            yield [ref(obj)], "the pod template asks for linkerd.io/inject and runs an Istio sidecar"


def istio_policy_in_linkerd_namespace(c: Cluster) -> Found:
    for ap in c.kind("AuthorizationPolicy", "RequestAuthentication"):
        ns = namespace_of(ap)
        if _is_istio(ap) and c.is_linkerd(ns) and not (c.is_injected(ns) or c.is_ambient(ns)):
            yield [ref(ap), _ns_ref(ns)], "namespace annotated linkerd.io/inject=enabled, no Istio label"


def linkerd_server_without_authorization(c: Cluster) -> Found:
    targeted = set()
    for pol in c.kind("AuthorizationPolicy", "ServerAuthorization"):
        if not _is_linkerd(pol):
            continue
        spec = spec_of(pol)
        tr = _dict(spec.get("targetRef"))
        if tr.get("kind") == "Server":
            targeted.add((namespace_of(pol), text(tr.get("name"))))
        server = _dict(spec.get("server"))
        if text(server.get("name")):
            targeted.add((namespace_of(pol), server["name"]))
        if tr.get("kind") == "Namespace" or server.get("selector"):
            targeted |= {
                (namespace_of(s), name_of(s)) for s in c.kind("Server") if namespace_of(s) == namespace_of(pol)
            }
    routes_to = {
        (namespace_of(r), text(_dict(p).get("name")))
        for r in c.kind("HTTPRoute", "GRPCRoute")
        for p in _list(spec_of(r).get("parentRefs"))
        if _dict(p).get("kind") == "Server"
    }
    for s in c.kind("Server"):
        if _is_linkerd(s) and (namespace_of(s), name_of(s)) not in targeted | routes_to:
            yield [ref(s)], f"port {spec_of(s).get('port')}"


def linkerd_policy_targets_missing_server(c: Cluster) -> Found:
    for pol in c.kind("AuthorizationPolicy"):
        if not _is_linkerd(pol):
            continue
        tr = _dict(spec_of(pol).get("targetRef"))
        kind, name = text(tr.get("kind")), text(tr.get("name"))
        if kind in ("Server", "HTTPRoute") and c.get(kind, namespace_of(pol), name) is None:
            yield [ref(pol)], f"targetRef {kind} {namespace_of(pol)}/{name}: not found"


def linkerd_config_outside_linkerd(c: Cluster) -> Found:
    for obj in c.kind("ServiceProfile", "TrafficSplit"):
        ns = namespace_of(obj)
        if not c.is_linkerd(ns) and (c.is_injected(ns) or c.is_ambient(ns)):
            yield [ref(obj), _ns_ref(ns)], "namespace meshed by Istio, no linkerd.io/inject"


DETECTORS: dict[str, Callable[[Cluster], Found]] = {
    "l7-policy-selector-in-ambient": l7_policy_selector_in_ambient,
    "policy-targets-missing-waypoint": policy_targets_missing_waypoint,
    "use-waypoint-missing": use_waypoint_missing,
    "virtual-service-and-httproute-one-host": virtual_service_and_httproute_one_host,
    "injection-and-ambient-label": injection_and_ambient_label,
    "envoy-extension-in-ambient": envoy_extension_in_ambient,
    "peer-authentication-disable-in-ambient": peer_authentication_disable_in_ambient,
    "waypoint-bypass-deny-with-sidecar-callers": waypoint_bypass_deny_with_sidecar_callers,
    "sidecar-callers-bypass-waypoint": sidecar_callers_bypass_waypoint,
    "linkerd-and-istio-inject": linkerd_and_istio_inject,
    "istio-policy-in-linkerd-namespace": istio_policy_in_linkerd_namespace,
    "linkerd-server-without-authorization": linkerd_server_without_authorization,
    "linkerd-policy-targets-missing-server": linkerd_policy_targets_missing_server,
    "linkerd-config-outside-linkerd": linkerd_config_outside_linkerd,
}
