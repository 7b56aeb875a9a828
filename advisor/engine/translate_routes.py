"""Routes into Gateway API HTTPRoutes (GAMMA: the Service is the parentRef): from Istio VirtualServices,
DestinationRule subsets, Linkerd ServiceProfiles and SMI TrafficSplits.

Pure. What Gateway API's standard channel cannot say is returned as `Untranslated`, with the reason,
never dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from advisor.engine.objects import (
    Cluster,
    Ref,
    _dict,
    _list,
    name_of,
    namespace_of,
    ref,
    short_host,
    spec_of,
    text,
)

GATEWAY_API = "gateway.networking.k8s.io/v1"
GENERATOR = "mesh-advisor"
REPLACES = "mesh-advisor.io/replaces"
GW_SOURCE = "https://gateway-api.sigs.k8s.io/reference/spec/#httproute"
MESH_SOURCE = "https://gateway-api.sigs.k8s.io/mesh/"
# Fields of a VirtualService route whose loss would change what the route does: the VirtualService is kept.
KEEP_VIRTUAL_SERVICE = ("fault", "corsPolicy", "redirect", "delegate", "directResponse")
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(h|m|s|ms)$")


@dataclass(frozen=True)
class Untranslated:
    """A field of a source object that the target's API cannot express, and what to do about it."""

    object: Ref
    field: str
    reason: str
    source: str

    def to_document(self) -> dict[str, Any]:
        return {**self.object.to_document(), "field": self.field, "reason": self.reason, "source": self.source}


def generated_meta(name: str, namespace: str, replaces: list[Ref] | tuple[Ref, ...]) -> dict[str, Any]:
    """metadata for a generated object: its name, namespace, and the objects it replaces (annotation)."""
    out: dict[str, Any] = {
        "name": name,
        "namespace": namespace,
        "labels": {"app.kubernetes.io/managed-by": GENERATOR},
    }
    if replaces:
        out["annotations"] = {REPLACES: ", ".join(r.where for r in replaces)}
    return out


def gateway_duration(raw: Any) -> str | None:
    """An Istio/Linkerd duration ("1.5s", "10s", "250ms") as Gateway API writes it (no fractions)."""
    m = _DURATION.match(text(raw).strip())
    if not m:
        return None
    value, unit = float(m.group(1)), m.group(2)
    ms = value * {"h": 3_600_000, "m": 60_000, "s": 1000, "ms": 1}[unit]
    if ms != int(ms):
        return None
    ms_int = int(ms)
    if ms_int % 1000 == 0 and ms_int // 1000 < 100_000:
        return f"{ms_int // 1000}s"
    return f"{ms_int}ms" if ms_int < 100_000 else None


def service_port(cluster: Cluster, namespace: str, service: str, wanted: Any = None) -> int | None:
    """The port of a Service a backendRef needs (Gateway API requires one for a Service)."""
    if isinstance(wanted, int):
        return wanted
    svc = cluster.get("Service", namespace, service)
    for port in _list(spec_of(svc or {}).get("ports")):
        if isinstance(_dict(port).get("port"), int):
            return int(port["port"])
    return None


def subset_service_name(service: str, subset: str) -> str:
    return f"{service}-{subset}"


def _string_match(m: dict[str, Any]) -> tuple[str, str] | None:
    for key, kind in (("exact", "Exact"), ("prefix", "PathPrefix"), ("regex", "RegularExpression")):
        if isinstance(m.get(key), str):
            return kind, m[key]
    return None


def _header_match(m: dict[str, Any]) -> tuple[str, str] | None:
    found = _string_match(m)
    if found is None or found[0] == "PathPrefix":
        return None  # Gateway API header matches are exact or regular expressions
    return found


def _matches(vs: dict[str, Any], i: int, route: dict[str, Any], gaps: list[Untranslated]) -> list[dict[str, Any]]:
    out = []
    for j, m in enumerate(_list(route.get("match"))):
        m = _dict(m)
        match: dict[str, Any] = {}
        uri = _string_match(_dict(m.get("uri")))
        if uri:
            match["path"] = {"type": uri[0], "value": uri[1]}
        headers = []
        for hname, hm in _dict(m.get("headers")).items():
            found = _header_match(_dict(hm))
            if found is None:
                gaps.append(
                    Untranslated(
                        ref(vs),
                        f"spec.http[{i}].match[{j}].headers.{hname}",
                        "Gateway API matches a header exactly or by regular expression, not by prefix",
                        GW_SOURCE,
                    )
                )
                continue
            headers.append({"type": found[0], "name": hname, "value": found[1]})
        if headers:
            match["headers"] = headers
        params = []
        for qname, qm in _dict(m.get("queryParams")).items():
            found = _header_match(_dict(qm))
            if found:
                params.append({"type": found[0], "name": qname, "value": found[1]})
        if params:
            match["queryParams"] = params
        method = _string_match(_dict(m.get("method")))
        if method and method[0] == "Exact":
            match["method"] = method[1]
        for key in ("sourceLabels", "withoutHeaders", "port", "authority", "gateways", "ignoreUriCase", "scheme"):
            if key in m:
                gaps.append(
                    Untranslated(
                        ref(vs),
                        f"spec.http[{i}].match[{j}].{key}",
                        f"HTTPRoute matches have no {key}: split the route per source or keep this rule in the "
                        "VirtualService until the namespace has moved",
                        GW_SOURCE,
                    )
                )
        out.append(match)
    return out


def _header_filter(kind: str, ops: dict[str, Any]) -> dict[str, Any] | None:
    body: dict[str, Any] = {}
    for key in ("set", "add"):
        values = [{"name": k, "value": str(v)} for k, v in _dict(ops.get(key)).items()]
        if values:
            body[key] = values
    if _list(ops.get("remove")):
        body["remove"] = [str(v) for v in ops["remove"]]
    if not body:
        return None
    field = "requestHeaderModifier" if kind == "RequestHeaderModifier" else "responseHeaderModifier"
    return {"type": kind, field: body}


def _backend(cluster: Cluster, namespace: str, destination: dict[str, Any]) -> tuple[dict[str, Any], str] | None:
    """A backendRef for a VirtualService destination, and the Service name it uses."""
    ns, svc = short_host(text(destination.get("host")), namespace)
    if not svc or not ns:
        return None
    port = service_port(cluster, ns, svc, _dict(destination.get("port")).get("number"))
    name = subset_service_name(svc, destination["subset"]) if text(destination.get("subset")) else svc
    backend: dict[str, Any] = {"name": name}
    if ns != namespace:
        backend["namespace"] = ns
    if port is not None:
        backend["port"] = port
    return backend, name


def virtual_service_routes(cluster: Cluster, vs: dict[str, Any]) -> tuple[list[dict[str, Any]], list[Untranslated]]:
    """One HTTPRoute per host of a mesh VirtualService (Service parentRef), and what could not be said."""
    spec = spec_of(vs)
    namespace = namespace_of(vs)
    gaps: list[Untranslated] = []
    gateways = [g for g in _list(spec.get("gateways")) if isinstance(g, str)]
    if gateways and "mesh" not in gateways:
        return [], []  # an ingress route: it stays with its Gateway
    rules = []
    for i, route in enumerate(_list(spec.get("http"))):
        route = _dict(route)
        rule: dict[str, Any] = {}
        matches = _matches(vs, i, route, gaps)
        if matches:
            rule["matches"] = matches
        filters = []
        headers = _dict(route.get("headers"))
        for key, kind in (("request", "RequestHeaderModifier"), ("response", "ResponseHeaderModifier")):
            f = _header_filter(kind, _dict(headers.get(key)))
            if f:
                filters.append(f)
        mirror = _dict(route.get("mirror"))
        if mirror:
            found = _backend(cluster, namespace, mirror)
            if found:
                body: dict[str, Any] = {"backendRef": found[0]}
                pct = _dict(route.get("mirrorPercentage")).get("value")
                if isinstance(pct, (int, float)) and float(pct).is_integer() and 0 <= pct <= 100:
                    body["percent"] = int(pct)
                filters.append({"type": "RequestMirror", "requestMirror": body})
        rewrite = _dict(route.get("rewrite"))
        if text(rewrite.get("uri")):
            prefix = any(_dict(_dict(m).get("uri")).get("prefix") for m in _list(route.get("match")))
            if prefix:
                filters.append(
                    {
                        "type": "URLRewrite",
                        "urlRewrite": {"path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": rewrite["uri"]}},
                    }
                )
            else:
                filters.append(
                    {
                        "type": "URLRewrite",
                        "urlRewrite": {"path": {"type": "ReplaceFullPath", "replaceFullPath": rewrite["uri"]}},
                    }
                )
        if filters:
            rule["filters"] = filters
        backends = []
        for dest in _list(route.get("route")):
            dest = _dict(dest)
            found = _backend(cluster, namespace, _dict(dest.get("destination")))
            if found is None:
                gaps.append(
                    Untranslated(
                        ref(vs),
                        f"spec.http[{i}].route",
                        "destination host is not a Service of the cluster",
                        MESH_SOURCE,
                    )
                )
                continue
            backend = found[0]
            if isinstance(dest.get("weight"), int):
                backend["weight"] = dest["weight"]
            backends.append(backend)
        if backends:
            rule["backendRefs"] = backends
        timeout = route.get("timeout")
        if timeout is not None:
            value = gateway_duration(timeout)
            if value:
                rule["timeouts"] = {"request": value}
            else:
                gaps.append(
                    Untranslated(
                        ref(vs), f"spec.http[{i}].timeout", f"{timeout!r} is not a Gateway API duration", GW_SOURCE
                    )
                )
        if "retries" in route:
            gaps.append(
                Untranslated(
                    ref(vs),
                    f"spec.http[{i}].retries",
                    "HTTPRoute retries are in Gateway API's experimental channel only (GEP-1731), not the standard "
                    "channel these objects target: install the experimental CRDs and add spec.rules[].retry, or accept "
                    "no retries",
                    "https://gateway-api.sigs.k8s.io/geps/gep-1731/",
                )
            )
        for key, why, source in (
            (
                "fault",
                "Gateway API has no fault injection: keep this VirtualService (Alpha on waypoints) for the test, "
                "or inject faults in the application",
                "https://istio.io/latest/docs/ambient/usage/l7-features/",
            ),
            ("corsPolicy", "CORS is not in Gateway API's standard channel HTTPRoute filters", GW_SOURCE),
            ("redirect", "translate by hand to a RequestRedirect filter (status codes and ports differ)", GW_SOURCE),
            ("delegate", "a delegated VirtualService has no HTTPRoute form: translate each delegate", GW_SOURCE),
            ("directResponse", "Gateway API has no direct response in the standard channel", GW_SOURCE),
        ):
            if key in route:
                gaps.append(Untranslated(ref(vs), f"spec.http[{i}].{key}", why, source))
        if rule.get("backendRefs") or rule.get("filters"):
            rules.append(rule)
    for key in ("tcp", "tls"):
        if _list(spec.get(key)):
            gaps.append(
                Untranslated(
                    ref(vs),
                    f"spec.{key}",
                    f"{key} routes are not HTTPRoutes: use TCPRoute/TLSRoute (experimental)",
                    GW_SOURCE,
                )
            )
    blocking = [g for g in gaps if g.field.rsplit(".", 1)[-1] in KEEP_VIRTUAL_SERVICE or ".match[" in g.field]
    if blocking:
        # Half a translation changes behaviour (and a VirtualService beside an HTTPRoute on one host is
        # undefined): the whole VirtualService stays until what it says has another home.
        gaps.append(
            Untranslated(
                ref(vs),
                "spec",
                "kept as a VirtualService, no HTTPRoute written: "
                + ", ".join(g.field for g in blocking)
                + " cannot be said in Gateway API; it runs on the waypoint as an Alpha API",
                "https://istio.io/latest/docs/ambient/usage/l7-features/",
            )
        )
        return [], gaps
    routes = []
    hosts = [h for h in _list(spec.get("hosts")) if isinstance(h, str)]
    for host in hosts:
        ns, svc = short_host(host, namespace)
        if not svc or ns != namespace:
            gaps.append(
                Untranslated(
                    ref(vs),
                    "spec.hosts",
                    f"host {host!r} is not a Service in {namespace}: no GAMMA parent",
                    MESH_SOURCE,
                )
            )
            continue
        if not rules:
            continue
        name = name_of(vs) if len(hosts) == 1 else f"{name_of(vs)}-{svc}"
        routes.append(
            {
                "apiVersion": GATEWAY_API,
                "kind": "HTTPRoute",
                "metadata": generated_meta(name, namespace, [ref(vs)]),
                "spec": {"parentRefs": [{"group": "", "kind": "Service", "name": svc}], "rules": rules},
            }
        )
    return routes, gaps


def subset_services(cluster: Cluster, dr: dict[str, Any]) -> tuple[list[dict[str, Any]], list[Untranslated]]:
    """One Service per DestinationRule subset: the host Service's selector and ports, plus the subset's labels."""
    namespace = namespace_of(dr)
    spec = spec_of(dr)
    ns, svc = short_host(text(spec.get("host")), namespace)
    base = cluster.get("Service", ns, svc) if ns else None
    gaps: list[Untranslated] = []
    out = []
    for i, subset in enumerate(_list(spec.get("subsets"))):
        subset = _dict(subset)
        labels = {k: str(v) for k, v in _dict(subset.get("labels")).items()}
        if not text(subset.get("name")):
            continue
        if base is None:
            gaps.append(
                Untranslated(
                    ref(dr),
                    f"spec.subsets[{i}]",
                    f"the host Service {text(spec.get('host'))!r} is not among the objects read: its ports are unknown",
                    "https://istio.io/latest/docs/ambient/migrate/migrate-policies/",
                )
            )
            continue
        base_spec = spec_of(base)
        selector = {**{k: str(v) for k, v in _dict(base_spec.get("selector")).items()}, **labels}
        ports = []
        for p in _list(base_spec.get("ports")):
            p = _dict(p)
            port = {k: p[k] for k in ("name", "port", "targetPort", "protocol", "appProtocol") if k in p}
            ports.append(port)
        out.append(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {
                    **generated_meta(subset_service_name(svc, subset["name"]), ns, [ref(dr)]),
                    "labels": {
                        "app.kubernetes.io/managed-by": GENERATOR,
                        **{k: str(v) for k, v in labels_of_service(base).items()},
                    },
                },
                "spec": {"selector": selector, "ports": ports},
            }
        )
        if _dict(subset.get("trafficPolicy")):
            gaps.append(
                Untranslated(
                    ref(dr),
                    f"spec.subsets[{i}].trafficPolicy",
                    "a subset's traffic policy applies to its host: keep a DestinationRule for the new Service "
                    f"{subset_service_name(svc, subset['name'])} with this trafficPolicy",
                    "https://istio.io/latest/docs/ambient/migrate/migrate-policies/",
                )
            )
    return out, gaps


def labels_of_service(svc: dict[str, Any]) -> dict[str, str]:
    labels = _dict(_dict(svc.get("metadata")).get("labels"))
    return {k: v for k, v in labels.items() if isinstance(k, str) and isinstance(v, str) and k != "service"}


def service_profile_routes(cluster: Cluster, sp: dict[str, Any]) -> tuple[list[dict[str, Any]], list[Untranslated]]:
    """A Linkerd ServiceProfile's per-route timeouts as an HTTPRoute on its Service; retries listed."""
    namespace = namespace_of(sp)
    ns, svc = short_host(name_of(sp), namespace)
    gaps: list[Untranslated] = []
    rules = []
    port = service_port(cluster, ns or namespace, svc)
    for i, route in enumerate(_list(spec_of(sp).get("routes"))):
        route = _dict(route)
        cond = _dict(route.get("condition"))
        match: dict[str, Any] = {}
        if text(cond.get("pathRegex")):
            match["path"] = {"type": "RegularExpression", "value": cond["pathRegex"]}
        if text(cond.get("method")):
            match["method"] = cond["method"].upper()
        rule: dict[str, Any] = {"matches": [match]} if match else {}
        backend: dict[str, Any] = {"name": svc}
        if port is not None:
            backend["port"] = port
        rule["backendRefs"] = [backend]
        if route.get("timeout") is not None:
            value = gateway_duration(route["timeout"])
            if value:
                rule["timeouts"] = {"request": value}
        if route.get("isRetryable"):
            gaps.append(
                Untranslated(
                    ref(sp),
                    f"spec.routes[{i}].isRetryable",
                    "retries are in Gateway API's experimental channel only (GEP-1731): add spec.rules[].retry with "
                    "the experimental CRDs, or a DestinationRule/VirtualService retry policy on Istio",
                    "https://gateway-api.sigs.k8s.io/geps/gep-1731/",
                )
            )
        if "timeouts" in rule or route.get("isRetryable"):
            rules.append(rule)
    if _dict(spec_of(sp).get("retryBudget")):
        gaps.append(
            Untranslated(
                ref(sp),
                "spec.retryBudget",
                "Gateway API has no retry budget; Istio bounds retries per route (retries.attempts)",
                "https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRetry",
            )
        )
    if not rules or not svc:
        return [], gaps
    name = f"{svc}-from-serviceprofile"
    return [
        {
            "apiVersion": GATEWAY_API,
            "kind": "HTTPRoute",
            "metadata": generated_meta(name, ns or namespace, [ref(sp)]),
            "spec": {"parentRefs": [{"group": "", "kind": "Service", "name": svc}], "rules": rules},
        }
    ], gaps


def traffic_split_routes(cluster: Cluster, ts: dict[str, Any]) -> list[dict[str, Any]]:
    """An SMI TrafficSplit's weights as an HTTPRoute with weighted backendRefs on the root Service."""
    namespace = namespace_of(ts)
    spec = spec_of(ts)
    _, root = short_host(text(spec.get("service")), namespace)
    backends = []
    for b in _list(spec.get("backends")):
        b = _dict(b)
        if not text(b.get("service")):
            continue
        backend: dict[str, Any] = {"name": b["service"]}
        port = service_port(cluster, namespace, b["service"]) or service_port(cluster, namespace, root)
        if port is not None:
            backend["port"] = port
        weight = b.get("weight")
        if isinstance(weight, str) and weight.rstrip("m").isdigit():
            weight = int(weight.rstrip("m"))
        if isinstance(weight, int):
            backend["weight"] = weight
        backends.append(backend)
    if not root or not backends:
        return []
    return [
        {
            "apiVersion": GATEWAY_API,
            "kind": "HTTPRoute",
            "metadata": generated_meta(name_of(ts), namespace, [ref(ts)]),
            "spec": {
                "parentRefs": [{"group": "", "kind": "Service", "name": root}],
                "rules": [{"backendRefs": backends}],
            },
        }
    ]
