"""Istio authorization carried into Linkerd: a Server per Service port, and each Istio ALLOW policy's
callers as a MeshTLSAuthentication with an AuthorizationPolicy per Server it covered.

Pure. Linkerd authorizes per Server (default deny once a Server exists); it has no DENY or CUSTOM, and L7
conditions need a policy.linkerd.io HTTPRoute per path or method: those are listed, not guessed.
"""

from __future__ import annotations

from typing import Any

from advisor.engine.objects import Cluster, Ref, _dict, _list, l7_fields, name_of, namespace_of, ref, spec_of, text
from advisor.engine.translate_routes import Untranslated, generated_meta
from advisor.engine.waypoints import selector_services

SOURCE = "https://linkerd.io/2-edge/reference/authorization-policy/"


def linkerd_policies(cluster: Cluster, ns: str) -> tuple[list[dict[str, Any]], list[Ref], list[Untranslated]]:
    objs: list[dict[str, Any]] = []
    replaced: list[Ref] = []
    gaps: list[Untranslated] = []
    for name, svc in sorted(cluster.services(ns).items()):
        selector = {k: str(v) for k, v in _dict(spec_of(svc).get("selector")).items()}
        if not selector:
            continue
        for p in _list(spec_of(svc).get("ports")):
            p = _dict(p)
            port = p.get("targetPort", p.get("port"))
            if not isinstance(port, (int, str)) or port == "":
                continue
            pname = text(p.get("name"))
            grpc = pname.startswith("grpc") or text(p.get("appProtocol")).startswith(("grpc", "kubernetes.io/h2c"))
            http = grpc or pname.startswith("http") or text(p.get("appProtocol")).startswith("http")
            spec: dict[str, Any] = {"podSelector": {"matchLabels": selector}, "port": port}
            if http:
                spec["proxyProtocol"] = "gRPC" if grpc else "HTTP/1"
            objs.append(
                {
                    "apiVersion": "policy.linkerd.io/v1beta3",
                    "kind": "Server",
                    "metadata": generated_meta(f"{name}-{pname or p.get('port')}", ns, [ref(svc)]),
                    "spec": spec,
                }
            )
    servers = list(objs)
    for ap in cluster.kind("AuthorizationPolicy"):
        if namespace_of(ap) != ns or text(ap.get("apiVersion")).startswith("policy.linkerd.io"):
            continue
        policies, refs = _istio_allow_to_linkerd(cluster, ap, servers, gaps)
        objs.extend(policies)
        replaced.extend(refs)
    return objs, replaced, gaps


def _identity(principal: str) -> str | None:
    """cluster.local/ns/NS/sa/SA as Linkerd's identity SA.NS.serviceaccount.identity.linkerd.cluster.local."""
    parts = principal.split("/")
    if len(parts) == 5 and parts[1] == "ns" and parts[3] == "sa":
        return f"{parts[4]}.{parts[2]}.serviceaccount.identity.linkerd.{parts[0]}"
    return None


def _istio_allow_to_linkerd(
    cluster: Cluster, ap: dict[str, Any], servers: list[dict[str, Any]], gaps: list[Untranslated]
) -> tuple[list[dict[str, Any]], list[Ref]]:
    spec = spec_of(ap)
    if spec.get("action", "ALLOW") != "ALLOW":
        gaps.append(
            Untranslated(
                ref(ap),
                "spec.action",
                "Linkerd authorizes (default deny per Server); it has no DENY or CUSTOM policy",
                SOURCE,
            )
        )
        return [], []
    identities = []
    for rule in _list(spec.get("rules")):
        for frm in _list(_dict(rule).get("from")):
            for p in _list(_dict(_dict(frm).get("source")).get("principals")):
                ident = _identity(text(p))
                if ident:
                    identities.append(ident)
    if not identities:
        return [], []
    ns = namespace_of(ap)
    auth_name = f"{name_of(ap)}-callers"
    out: list[dict[str, Any]] = [
        {
            "apiVersion": "policy.linkerd.io/v1alpha1",
            "kind": "MeshTLSAuthentication",
            "metadata": generated_meta(auth_name, ns, [ref(ap)]),
            "spec": {"identities": sorted(set(identities))},
        }
    ]
    selected = selector_services(cluster, ns, _dict(spec.get("selector"))) if spec.get("selector") else None
    for server in servers:
        replaced = _dict(_dict(server["metadata"]).get("annotations")).get("mesh-advisor.io/replaces", "")
        if selected is not None and not any(replaced == f"Service {ns}/{s}" for s in selected):
            continue
        out.append(
            {
                "apiVersion": "policy.linkerd.io/v1alpha1",
                "kind": "AuthorizationPolicy",
                "metadata": generated_meta(f"{name_of(ap)}-{server['metadata']['name']}", ns, [ref(ap)]),
                "spec": {
                    "targetRef": {"group": "policy.linkerd.io", "kind": "Server", "name": server["metadata"]["name"]},
                    "requiredAuthenticationRefs": [
                        {"group": "policy.linkerd.io", "kind": "MeshTLSAuthentication", "name": auth_name}
                    ],
                },
            }
        )
    if l7_fields(ap):
        gaps.append(
            Untranslated(
                ref(ap),
                "spec.rules",
                "L7 conditions become an AuthorizationPolicy on a policy.linkerd.io "
                "HTTPRoute per path or method; written per Server here, narrow it by hand",
                SOURCE,
            )
        )
    return out, [ref(ap)]
