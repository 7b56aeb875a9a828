"""Traffic per namespace from the metrics a mesh already exports, over a window (`--prometheus URL --window 1d`).

The queries are data (signals.toml `[[traffic]]`); the bundled ones read
Istio: `istio_requests_total` (HTTP and gRPC requests, reported by the destination sidecar or by a
waypoint) and `istio_tcp_connections_opened_total` (TCP connections; in ambient mode ztunnel reports
only these). Linkerd: `request_total` and `tcp_open_total`, inbound. A namespace's rate is its
requests plus its new TCP connections per second, each counted once at the receiving side; its HTTP
share is requests over that sum. Linkerd counts every connection in `tcp_open_total`, those carrying
HTTP too, so its HTTP share is a lower bound. Standard library only (urllib).
"""

from __future__ import annotations

import json
import math
import socket
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from advisor.errors import UserError, clip
from advisor.scan.meshes import TrafficQuery
from advisor.scan.result import Traffic


class PrometheusError(UserError):
    """Prometheus cannot be reached or answered with an error."""


def _check_url(url: str) -> str:
    parsed = urllib.parse.urlparse(url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise PrometheusError(f"--prometheus: expected an http:// or https:// URL, got {clip(url, 80)!r}")
    return url.strip().rstrip("/")


def query(base: str, promql: str, timeout: float) -> list[dict[str, Any]]:
    """One instant query (evaluated now); the result vector."""
    url = f"{base}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "mesh-advisor-scan"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            body = resp.read(64 << 20)
    except urllib.error.HTTPError as exc:
        detail = _error_text(exc.read(65536))
        raise PrometheusError(f"--prometheus {base}: Prometheus answered {exc.code}: {detail}") from None
    except (socket.timeout, TimeoutError):
        raise PrometheusError(
            f"--prometheus {base}: no answer within {timeout:g}s (--timeout to wait longer)"
        ) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise PrometheusError(
                f"--prometheus {base}: no answer within {timeout:g}s (--timeout to wait longer)"
            ) from None
        text = getattr(reason, "strerror", None) or str(reason)
        raise PrometheusError(f"--prometheus {base}: cannot reach Prometheus: {text}") from None
    except OSError as exc:
        raise PrometheusError(f"--prometheus {base}: cannot reach Prometheus: {exc.strerror or exc}") from None
    try:
        doc = json.loads(body)
    except ValueError:
        raise PrometheusError(
            f"--prometheus {base}: not a Prometheus API answer (expected JSON from /api/v1/query)"
        ) from None
    if not isinstance(doc, dict) or doc.get("status") != "success":
        detail = doc.get("error", "no error message") if isinstance(doc, dict) else "not a JSON object"
        raise PrometheusError(f"--prometheus {base}: query failed: {clip(str(detail), 200)}")
    data = doc.get("data") or {}
    if data.get("resultType") != "vector" or not isinstance(data.get("result"), list):
        raise PrometheusError(f"--prometheus {base}: unexpected answer (expected an instant vector)")
    return data["result"]


def _error_text(body: bytes) -> str:
    try:
        doc = json.loads(body)
        return clip(str(doc.get("error") or doc), 200)
    except ValueError:
        return clip(body.decode("utf-8", "replace").strip().splitlines()[0] if body.strip() else "no message", 200)


def read_traffic(
    url: str, window: float, timeout: float, queries: tuple[TrafficQuery, ...]
) -> tuple[dict[str, Traffic], list[str]]:
    """Per-namespace traffic over the window from the queries of signals.toml's [[traffic]], and
    notes for the scan's warnings."""
    base = _check_url(url)
    w = f"{int(window)}s"
    rates: dict[str, dict[str, float]] = {}
    sources: dict[str, set[str]] = {}
    for q in queries:
        mesh, kind, label = q.metrics, q.kind, q.namespace_label
        for sample in query(base, q.promql(w), timeout):
            ns = (sample.get("metric") or {}).get(label)
            try:
                value = float(sample.get("value", [0, "nan"])[1])
            except (TypeError, ValueError, IndexError):
                continue
            if not ns or not math.isfinite(value) or value < 0:
                continue
            entry = rates.setdefault(ns, {"http": 0.0, "tcp": 0.0})
            entry[kind] += value
            sources.setdefault(ns, set()).add(mesh)
    out = {
        ns: Traffic(rps=r["http"] + r["tcp"], http_rps=r["http"], source="+".join(sorted(sources[ns])))
        for ns, r in rates.items()
    }
    notes = []
    if not out:
        notes.append(
            f"Prometheus at {base} has no {' or '.join(dict.fromkeys(q.name for q in queries))} traffic metrics over the window; "
            "L7 shares are estimated from Service ports and rps is unknown"
        )
    return out, notes


# Who calls whom (Istio): the traffic graph that scopes each namespace's Sidecar egress hosts.
EDGE_QUERY = (
    "sum by (source_workload_namespace, destination_service_namespace) "
    '(rate(istio_requests_total{{reporter=~"destination|waypoint"}}[{w}]))'
)


def read_edges(url: str, window: float, timeout: float) -> list[dict[str, Any]]:
    """Source namespace -> destination Service namespace pairs with traffic over the window, sorted."""
    base = _check_url(url)
    out = []
    for sample in query(base, EDGE_QUERY.format(w=f"{int(window)}s"), timeout):
        metric = sample.get("metric") or {}
        src, dst = metric.get("source_workload_namespace"), metric.get("destination_service_namespace")
        try:
            rps = float(sample.get("value", [0, "nan"])[1])
        except (TypeError, ValueError, IndexError):
            continue
        if (
            isinstance(src, str)
            and isinstance(dst, str)
            and src
            and dst
            and src != "unknown"
            and math.isfinite(rps)
            and rps > 0
        ):
            out.append({"source_namespace": src, "destination_namespace": dst, "rps": round(rps, 3)})
    return sorted(out, key=lambda e: (e["source_namespace"], e["destination_namespace"]))
