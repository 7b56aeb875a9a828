"""The waypoint plan: which namespaces need a waypoint (L7 objects first, traffic second), how many
replicas for their load, and the Gateway, HorizontalPodAutoscaler and PodDisruptionBudget for each.

Pure. An HTTP share of traffic alone is not an L7 need: a namespace gets a waypoint for an object that
only an L7 proxy can carry out; its traffic then sizes the waypoint.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from advisor.engine.objects import (
    WAYPOINT_CLASS,
    Cluster,
    Ref,
    _dict,
    _list,
    l7_fields,
    labels_of,
    namespace_of,
    ref,
    spec_of,
)
from advisor.engine.translate_routes import generated_meta

WAYPOINT_NAME = "waypoint"  # the name istioctl waypoint apply gives a namespace's waypoint
ZONE_LABEL = "topology.kubernetes.io/zone"
# A waypoint HPA that scales down quickly cuts long-lived (gRPC, HTTP/2) connections on every
# sawtooth; a 5-minute stabilisation window is the Kubernetes default for scale-down, made explicit.
SCALE_DOWN_WINDOW_S = 300
HPA_SOURCE = "https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#stabilization-window"
WAYPOINT_SOURCE = "https://istio.io/latest/docs/ambient/usage/waypoint/"
PLACEMENT_SOURCE = "https://istio.io/latest/docs/tasks/traffic-management/ingress/gateway-api/#automated-deployment"


@dataclass(frozen=True)
class WaypointNeed:
    """One namespace's waypoint: why (the objects, or traffic only), and how many replicas."""

    namespace: str
    driven_by: str  # "l7-objects" | "traffic-only" (no waypoint: an HTTP share alone is no L7 need)
    objects: tuple[Ref, ...]
    rps: float | None
    replicas: int
    max_replicas: int
    zones: tuple[str, ...]
    text: str

    def to_document(self) -> dict[str, Any]:
        return {
            "namespace": self.namespace,
            "driven_by": self.driven_by,
            "objects": [o.to_document() for o in self.objects],
            "rps": self.rps,
            "replicas": self.replicas,
            "max_replicas": self.max_replicas,
            "zones": list(self.zones),
            "text": self.text,
        }


def l7_objects(cluster: Cluster, namespace: str) -> list[Ref]:
    """Objects in a namespace that only an L7 proxy (a waypoint) can carry out."""
    out = []
    for obj in cluster.kind(
        "VirtualService", "DestinationRule", "AuthorizationPolicy", "RequestAuthentication", "WasmPlugin"
    ):
        if namespace_of(obj) != namespace:
            continue
        kind = obj.get("kind")
        spec = spec_of(obj)
        if kind == "VirtualService":
            gateways = [g for g in _list(spec.get("gateways")) if isinstance(g, str)]
            if gateways and "mesh" not in gateways:
                continue
            if _list(spec.get("http")):
                out.append(ref(obj))
        elif kind == "DestinationRule":
            if _list(spec.get("subsets")):
                out.append(ref(obj))
        elif kind == "AuthorizationPolicy":
            if l7_fields(obj):
                out.append(ref(obj))
        else:
            out.append(ref(obj))
    return out


def zones(cluster: Cluster) -> tuple[str, ...]:
    return tuple(sorted({labels_of(n).get(ZONE_LABEL, "") for n in cluster.kind("Node")} - {""}))


def plan_waypoints(
    cluster: Cluster,
    namespaces: list[str],
    traffic: dict[str, tuple[float | None, float]],
    rps_per_replica: float | None,
    ha: bool,
) -> list[WaypointNeed]:
    """`traffic`: namespace -> (rps or None, L7 share) from the answers (a scan with Prometheus fills it)."""
    zone_names = zones(cluster)
    out = []
    for ns in namespaces:
        objects = tuple(l7_objects(cluster, ns))
        rps, share = traffic.get(ns, (None, 0.0))
        if not objects:
            if share > 0:
                out.append(
                    WaypointNeed(
                        ns,
                        "traffic-only",
                        (),
                        rps,
                        0,
                        0,
                        zone_names,
                        f"{ns}: {share:.0%} of its traffic is HTTP but no object needs L7: no waypoint "
                        "(ztunnel carries it; add one when an L7 policy or route arrives)",
                    )
                )
            continue
        minimum = max(2 if ha else 1, len(zone_names) if len(zone_names) > 1 else 1)
        load = rps * share if rps is not None else None
        replicas = minimum
        how = f"at least {minimum}"
        if load is not None and rps_per_replica:
            replicas = max(minimum, math.ceil(load / rps_per_replica))
            how = f"ceil({load:,.0f} L7 rps / {rps_per_replica:,.0f} rps per replica) = {math.ceil(load / rps_per_replica)}, at least {minimum}"
        kinds = ", ".join(sorted({o.kind for o in objects}))
        where = f", spread over zones {', '.join(zone_names)}" if len(zone_names) > 1 else ""
        out.append(
            WaypointNeed(
                ns,
                "l7-objects",
                objects,
                rps,
                replicas,
                max(replicas * 2, replicas + 1),
                zone_names,
                f"{ns}: waypoint for {len(objects)} L7 object{'s' if len(objects) != 1 else ''} ({kinds}); "
                f"{replicas} replica{'s' if replicas != 1 else ''} ({how}){where}",
            )
        )
    return out


def waypoint_objects(need: WaypointNeed, replaces: list[Ref]) -> list[dict[str, Any]]:
    """The Gateway, HPA and PDB for one namespace's waypoint."""
    ns = need.namespace
    gateway: dict[str, Any] = {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "metadata": {
            **generated_meta(WAYPOINT_NAME, ns, replaces),
            "labels": {"app.kubernetes.io/managed-by": "mesh-advisor", "istio.io/waypoint-for": "service"},
        },
        "spec": {
            "gatewayClassName": WAYPOINT_CLASS,
            "listeners": [{"name": "mesh", "port": 15008, "protocol": "HBONE"}],
        },
    }
    placement: list[dict[str, Any]] = []
    if need.zones and len(need.zones) > 1:
        # Istio merges a parametersRef ConfigMap's `deployment` into the waypoint Deployment it generates
        # (PLACEMENT_SOURCE): spread the replicas over the nodes' zones, one zone down leaves the others.
        import yaml  # deferred: only a multi-zone waypoint needs it

        patch = {
            "spec": {
                "template": {
                    "spec": {
                        "topologySpreadConstraints": [
                            {
                                "maxSkew": 1,
                                "topologyKey": ZONE_LABEL,
                                "whenUnsatisfiable": "ScheduleAnyway",
                                "labelSelector": {
                                    "matchLabels": {"gateway.networking.k8s.io/gateway-name": WAYPOINT_NAME}
                                },
                            }
                        ]
                    }
                }
            }
        }
        name = f"{WAYPOINT_NAME}-placement"
        placement.append(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {
                    **generated_meta(name, ns, []),
                    "annotations": {"mesh-advisor.io/zones": ",".join(need.zones)},
                },
                "data": {"deployment": yaml.safe_dump(patch, sort_keys=False)},
            }
        )
        gateway["spec"]["infrastructure"] = {"parametersRef": {"group": "", "kind": "ConfigMap", "name": name}}
    hpa = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": generated_meta(WAYPOINT_NAME, ns, []),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": WAYPOINT_NAME},
            "minReplicas": need.replicas,
            "maxReplicas": need.max_replicas,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}},
                }
            ],
            "behavior": {
                "scaleDown": {
                    "stabilizationWindowSeconds": SCALE_DOWN_WINDOW_S,
                    "policies": [{"type": "Pods", "value": 1, "periodSeconds": 120}],
                }
            },
        },
    }
    pdb = {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": generated_meta(WAYPOINT_NAME, ns, []),
        "spec": {
            "minAvailable": max(1, need.replicas - 1),
            "selector": {"matchLabels": {"gateway.networking.k8s.io/gateway-name": WAYPOINT_NAME}},
        },
    }
    return [*placement, gateway, hpa, pdb]


def waypoint_ref() -> dict[str, Any]:
    return {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": WAYPOINT_NAME}


def selector_services(cluster: Cluster, namespace: str, selector: dict[str, Any]) -> list[str]:
    """Services in the namespace whose selector the policy's matchLabels cover (the pods it selected)."""
    match = {k: str(v) for k, v in _dict(selector.get("matchLabels")).items()}
    out = []
    for name, svc in sorted(cluster.services(namespace).items()):
        sel = {k: str(v) for k, v in _dict(spec_of(svc).get("selector")).items()}
        if (
            sel
            and match
            and all(match.get(k) == v for k, v in sel.items() if k in match)
            and any(k in sel for k in match)
        ):
            if all(sel.get(k) == v for k, v in match.items() if k in sel):
                out.append(name)
    return out
