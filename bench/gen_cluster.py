"""Synthetic cluster dumps in the shape `kubectl get pods,nodes,namespaces,services -A -o json` writes.

    python bench/gen_cluster.py PODS OUT.json [--seed N]

Pods look like real ones: labels (app, version, pod-template-hash), annotations (Istio's
sidecar.istio.io/status on meshed pods, kubectl's restartedAt, Prometheus scrape hints), three or
four containers (the application, a log shipper, istio-proxy or linkerd-proxy, init containers),
env, probes, volumes, resources and a full status with container statuses and conditions. One
pod in ten namespaces is a Linkerd native sidecar, a few are Completed. Deterministic for a seed.
The tests use `cluster(...)` for small dumps; the benchmark writes large ones with `write(...)`.
"""

from __future__ import annotations

import json
import random
import sys
from typing import Any, Iterator

ZONES = ("us-east-1a", "us-east-1b", "us-east-1c")
TYPES = ("m6i.2xlarge", "m6i.4xlarge")


def _time(rng: random.Random) -> str:
    return (
        f"2026-11-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z"
    )


def _container(name: str, image: str, rng: random.Random, port: int | None = None) -> dict[str, Any]:
    c: dict[str, Any] = {
        "name": name,
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "env": [
            {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
            {
                "name": "POD_NAMESPACE",
                "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}},
            },
            {"name": "LOG_LEVEL", "value": rng.choice(["info", "warn", "debug"])},
        ],
        "resources": {
            "requests": {"cpu": f"{rng.choice([50, 100, 250])}m", "memory": f"{rng.choice([64, 128, 256])}Mi"},
            "limits": {"memory": f"{rng.choice([256, 512])}Mi"},
        },
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "volumeMounts": [
            {"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": "kube-api-access", "readOnly": True}
        ],
    }
    if port:
        c["ports"] = [{"containerPort": port, "name": "http", "protocol": "TCP"}]
        c["readinessProbe"] = {
            "httpGet": {"path": "/healthz", "port": port, "scheme": "HTTP"},
            "periodSeconds": 10,
            "failureThreshold": 3,
            "successThreshold": 1,
            "timeoutSeconds": 1,
        }
    return c


def _status(rng: random.Random, names: list[str], phase: str = "Running") -> dict[str, Any]:
    started = _time(rng)
    return {
        "phase": phase,
        "conditions": [
            {"type": t, "status": "True", "lastProbeTime": None, "lastTransitionTime": started}
            for t in ("Initialized", "Ready", "ContainersReady", "PodScheduled")
        ],
        "hostIP": f"10.0.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        "podIP": f"10.1.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        "podIPs": [{"ip": f"10.1.{rng.randint(0, 255)}.{rng.randint(1, 254)}"}],
        "qosClass": "Burstable",
        "startTime": started,
        "containerStatuses": [
            {
                "name": n,
                "ready": True,
                "restartCount": rng.randint(0, 3),
                "started": True,
                "image": f"registry.example.com/{n}:1.4.2",
                "imageID": f"registry.example.com/{n}@sha256:{rng.getrandbits(128):032x}",
                "containerID": f"containerd://{rng.getrandbits(128):032x}",
                "state": {"running": {"startedAt": started}},
                "lastState": {},
            }
            for n in names
        ],
    }


def pod(ns: str, app: str, i: int, mesh: str, rng: random.Random, node: str) -> dict[str, Any]:
    hash_ = f"{rng.getrandbits(40):010x}"[:10]
    name = f"{app}-{hash_}-{rng.getrandbits(20):05x}"
    containers = [
        _container(app, f"registry.example.com/{app}:1.4.2", rng, 8080),
        _container("log-shipper", "fluent/fluent-bit:3.1", rng),
    ]
    init = []
    annotations = {
        "kubectl.kubernetes.io/restartedAt": _time(rng),
        "prometheus.io/scrape": "true",
        "prometheus.io/port": "15020",
    }
    labels = {"app": app, "app.kubernetes.io/name": app, "version": "v1", "pod-template-hash": hash_}
    if mesh == "istio-sidecar":
        containers.append(_container("istio-proxy", "docker.io/istio/proxyv2:1.24.2", rng))
        init.append(_container("istio-init", "docker.io/istio/proxyv2:1.24.2", rng))
        annotations["sidecar.istio.io/status"] = json.dumps(
            {
                "initContainers": ["istio-init"],
                "containers": ["istio-proxy"],
                "volumes": ["istio-envoy", "istio-data"],
                "revision": "default",
            }
        )
        labels["security.istio.io/tlsMode"] = "istio"
        labels["service.istio.io/canonical-name"] = app
    elif mesh == "linkerd-native":
        proxy = _container("linkerd-proxy", "cr.l5d.io/linkerd/proxy:edge-24.11.8", rng)
        proxy["restartPolicy"] = "Always"
        init.append(proxy)
        annotations["linkerd.io/inject"] = "enabled"
        labels["linkerd.io/control-plane-ns"] = "linkerd"
    names = [c["name"] for c in containers]
    phase = "Succeeded" if i == 49 and mesh == "none" else "Running"  # one Completed pod per unmeshed namespace
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "annotations": annotations,
            "creationTimestamp": _time(rng),
            "generateName": f"{app}-{hash_}-",
            "labels": labels,
            "name": name,
            "namespace": ns,
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "blockOwnerDeletion": True,
                    "controller": True,
                    "kind": "ReplicaSet",
                    "name": f"{app}-{hash_}",
                    "uid": f"{rng.getrandbits(128):032x}",
                }
            ],
            "resourceVersion": str(rng.randint(10**6, 10**8)),
            "uid": f"{rng.getrandbits(128):032x}",
        },
        "spec": {
            "containers": containers,
            "initContainers": init,
            "dnsPolicy": "ClusterFirst",
            "enableServiceLinks": True,
            "nodeName": node,
            "preemptionPolicy": "PreemptLowerPriority",
            "priority": 0,
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "securityContext": {"runAsNonRoot": True, "fsGroup": 1000},
            "serviceAccountName": app,
            "terminationGracePeriodSeconds": 30,
            "tolerations": [
                {
                    "effect": "NoExecute",
                    "key": "node.kubernetes.io/not-ready",
                    "operator": "Exists",
                    "tolerationSeconds": 300,
                }
            ],
            "volumes": [
                {
                    "name": "kube-api-access",
                    "projected": {
                        "defaultMode": 420,
                        "sources": [
                            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                            {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
                        ],
                    },
                }
            ],
        },
        "status": _status(rng, names, phase),
    }


def node(i: int, rng: random.Random) -> dict[str, Any]:
    name = f"ip-10-0-{i // 250}-{i % 250 + 1}.ec2.internal"
    itype = TYPES[i % len(TYPES)]
    cpu = "7910m" if itype == "m6i.2xlarge" else "15890m"
    mem = "31482604Ki" if itype == "m6i.2xlarge" else "63801396Ki"
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": {
                "kubernetes.io/hostname": name,
                "topology.kubernetes.io/zone": ZONES[i % 3],
                "node.kubernetes.io/instance-type": itype,
                "eks.amazonaws.com/nodegroup": "general",
                "kubernetes.io/os": "linux",
            },
            "uid": f"{rng.getrandbits(128):032x}",
        },
        "status": {
            "allocatable": {"cpu": cpu, "memory": mem, "pods": "58", "ephemeral-storage": "95551679124"},
            "capacity": {"cpu": cpu[:-1], "memory": mem, "pods": "58"},
        },
    }


def namespace(name: str, mesh: str) -> dict[str, Any]:
    labels = {"kubernetes.io/metadata.name": name}
    annotations = {}
    if mesh == "istio-sidecar":
        labels["istio-injection"] = "enabled"
    elif mesh == "linkerd-native":
        annotations["linkerd.io/inject"] = "enabled"
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "labels": labels, "annotations": annotations},
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    }


def service(ns: str, app: str, grpc: bool) -> dict[str, Any]:
    port = {"name": "grpc" if grpc else "http-web", "port": 8080, "protocol": "TCP", "targetPort": 8080}
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": app, "namespace": ns},
        "spec": {
            "ports": [port, {"name": "metrics", "port": 9090, "protocol": "TCP"}],
            "selector": {"app": app},
            "type": "ClusterIP",
        },
    }


def layout(pods: int) -> list[tuple[str, str, int]]:
    """(namespace, mesh, pods) for a dump of `pods` pods: 50 pods per namespace, meshes in turn."""
    namespaces = max(1, pods // 50)
    meshes = ["istio-sidecar"] * 8 + ["none", "linkerd-native"]
    out = []
    left = pods
    for n in range(namespaces):
        count = left if n == namespaces - 1 else 50
        out.append((f"team-{n:04d}", meshes[n % len(meshes)], count))
        left -= count
    return out


def objects(pods: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    nodes = max(3, pods // 30)
    node_names = []
    for i in range(nodes):
        n = node(i, rng)
        node_names.append(n["metadata"]["name"])
        yield n
    for ns, mesh, count in layout(pods):
        yield namespace(ns, mesh)
        apps = [f"svc-{k}" for k in range(max(1, count // 10))]
        for k, app in enumerate(apps):
            yield service(ns, app, grpc=k % 2 == 0)
        for i in range(count):
            yield pod(ns, apps[i % len(apps)], i, mesh, rng, node_names[i % nodes])


def cluster(pods: int, seed: int = 7) -> dict[str, Any]:
    return {"apiVersion": "v1", "items": list(objects(pods, seed)), "kind": "List", "metadata": {"resourceVersion": ""}}


def write(pods: int, path: str, seed: int = 7) -> None:
    """kubectl's layout: `apiVersion`, then `items` (pretty-printed, 4 spaces), then `kind` and `metadata`."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('{\n    "apiVersion": "v1",\n    "items": [\n')
        first = True
        for obj in objects(pods, seed):
            if not first:
                fh.write(",\n")
            first = False
            text = json.dumps(obj, indent=4)
            fh.write("\n".join("        " + line for line in text.splitlines()))
        fh.write('\n    ],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n')


if __name__ == "__main__":
    args = sys.argv[1:]
    seed = 7
    if "--seed" in args:
        at = args.index("--seed")
        seed = int(args[at + 1])
        del args[at : at + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    write(int(args[0]), args[1], seed)
