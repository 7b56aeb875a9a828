"""Linkerd authorization (Server + ServerAuthorization, or AuthorizationPolicy with MeshTLSAuthentication or
NetworkAuthentication) as Istio AuthorizationPolicies: an ALLOW per Server, selecting its pods, on its port.

Pure. Both meshes allow per workload once a policy exists; Linkerd scopes it to a Server's port, Istio's
ALLOW denies whatever no ALLOW of the workload matches, so a named port (no number) is listed, not guessed.
"""

from __future__ import annotations

from typing import Any

from advisor.engine.objects import Cluster, Ref, _dict, _list, name_of, namespace_of, ref, spec_of, text
from advisor.engine.translate_routes import Untranslated, generated_meta

SOURCE = "https://linkerd.io/2-edge/reference/authorization-policy/"
ISTIO_SOURCE = "https://istio.io/latest/docs/reference/config/security/authorization-policy/"


def _principal(identity: str) -> tuple[str, str] | None:
    """A Linkerd identity as ("principal", value) or ("namespace", value) for a wildcard over a namespace."""
    parts = identity.split(".")
    if len(parts) >= 6 and parts[2:5] == ["serviceaccount", "identity", "linkerd"]:
        sa, ns, domain = parts[0], parts[1], ".".join(parts[5:])
        if sa == "*":
            return ("namespace", ns)
        return ("principal", f"{domain}/ns/{ns}/sa/{sa}")
    return None


def _callers(cluster: Cluster, ns: str, server: str) -> tuple[dict[str, set[str]], list[Ref], bool]:
    """Principals, namespaces and CIDRs allowed to a Server; the Linkerd objects that said so; open to all."""
    allowed: dict[str, set[str]] = {"principals": set(), "namespaces": set(), "ipBlocks": set()}
    by: list[Ref] = []
    anyone = False

    def identities(values: list[Any]) -> None:
        for ident in values:
            found = _principal(text(ident))
            if found:
                allowed["principals" if found[0] == "principal" else "namespaces"].add(found[1])

    for sa_obj in cluster.kind("ServerAuthorization"):
        spec = spec_of(sa_obj)
        if namespace_of(sa_obj) != ns or text(_dict(spec.get("server")).get("name")) != server:
            continue
        by.append(ref(sa_obj))
        client = _dict(spec.get("client"))
        if client.get("unauthenticated"):
            anyone = True
        mtls = _dict(client.get("meshTLS"))
        if mtls.get("unauthenticatedTLS"):
            anyone = True
        identities(_list(mtls.get("identities")))
        for acct in _list(mtls.get("serviceAccounts")):
            acct = _dict(acct)
            if text(acct.get("name")):
                allowed["principals"].add(f"cluster.local/ns/{text(acct.get('namespace')) or ns}/sa/{acct['name']}")
        for net in _list(client.get("networks")):
            if text(_dict(net).get("cidr")):
                allowed["ipBlocks"].add(net["cidr"])
    for pol in cluster.kind("AuthorizationPolicy"):
        if not text(pol.get("apiVersion")).startswith("policy.linkerd.io") or namespace_of(pol) != ns:
            continue
        target = _dict(spec_of(pol).get("targetRef"))
        if target.get("kind") != "Server" or text(target.get("name")) != server:
            continue
        by.append(ref(pol))
        for auth in _list(spec_of(pol).get("requiredAuthenticationRefs")):
            auth = _dict(auth)
            kind, name = text(auth.get("kind")), text(auth.get("name"))
            if kind == "ServiceAccount":
                allowed["principals"].add(f"cluster.local/ns/{text(auth.get('namespace')) or ns}/sa/{name}")
                continue
            obj = cluster.get(kind, text(auth.get("namespace")) or ns, name)
            if obj is None:
                continue
            by.append(ref(obj))
            if kind == "MeshTLSAuthentication":
                identities(_list(spec_of(obj).get("identities")))
                for iref in _list(spec_of(obj).get("identityRefs")):
                    iref = _dict(iref)
                    if iref.get("kind") == "ServiceAccount" and text(iref.get("name")):
                        allowed["principals"].add(
                            f"cluster.local/ns/{text(iref.get('namespace')) or ns}/sa/{iref['name']}"
                        )
            elif kind == "NetworkAuthentication":
                for net in _list(spec_of(obj).get("networks")):
                    if text(_dict(net).get("cidr")):
                        allowed["ipBlocks"].add(net["cidr"])
    return allowed, by, anyone


def istio_policies(cluster: Cluster, namespace: str) -> tuple[list[dict[str, Any]], list[Ref], list[Untranslated]]:
    """One Istio ALLOW AuthorizationPolicy per Linkerd Server that something authorizes."""
    objs: list[dict[str, Any]] = []
    replaced: list[Ref] = []
    gaps: list[Untranslated] = []
    for server in cluster.kind("Server"):
        if namespace_of(server) != namespace or not text(server.get("apiVersion")).startswith("policy.linkerd.io"):
            continue
        allowed, by, anyone = _callers(cluster, namespace, name_of(server))
        if not by:
            continue
        spec = spec_of(server)
        labels = {k: str(v) for k, v in _dict(_dict(spec.get("podSelector")).get("matchLabels")).items()}
        rule: dict[str, Any] = {}
        source = {k: sorted(v) for k, v in allowed.items() if v}
        if source and not anyone:
            rule["from"] = [{"source": source}]
        port = spec.get("port")
        if isinstance(port, int):
            rule["to"] = [{"operation": {"ports": [str(port)]}}]
        else:
            gaps.append(
                Untranslated(
                    ref(server),
                    "spec.port",
                    f"named port {port!r}: Istio matches port numbers, so the "
                    "policy covers every port of the pods; add operation.ports with the number",
                    ISTIO_SOURCE,
                )
            )
        policy: dict[str, Any] = {"action": "ALLOW", "rules": [rule]}
        if labels:
            policy = {"selector": {"matchLabels": labels}, **policy}
        else:
            gaps.append(
                Untranslated(
                    ref(server), "spec.podSelector", "no matchLabels: the policy covers the whole namespace", SOURCE
                )
            )
        objs.append(
            {
                "apiVersion": "security.istio.io/v1",
                "kind": "AuthorizationPolicy",
                "metadata": generated_meta(f"{name_of(server)}-from-linkerd", namespace, [ref(server), *by]),
                "spec": policy,
            }
        )
        replaced.extend([ref(server), *by])
    return objs, list(dict.fromkeys(replaced)), gaps
