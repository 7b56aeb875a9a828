"""Traffic per namespace from the metrics a mesh already exports, over a window (`--prometheus URL --window 1d`).

The queries are data (signals.toml `[[traffic]]`); the bundled ones read
Istio: `istio_requests_total` (HTTP and gRPC requests, reported by the destination sidecar or by a
waypoint) and `istio_tcp_connections_opened_total` (TCP connections; in ambient mode ztunnel reports
only these). Linkerd: `request_total` and `tcp_open_total`, inbound. A namespace's rate is its
requests plus its new TCP connections per second, each counted once at the receiving side; its HTTP
share is requests over that sum. Linkerd counts every connection in `tcp_open_total`, those carrying
HTTP too, so its HTTP share is a lower bound. Standard library only (http.client): each query has one deadline
in all and a size cap; credentials go in a header, never in a message.
"""

from __future__ import annotations

import base64
import http.client
import json
import math
import os
import re
import socket
import threading
import urllib.parse
from dataclasses import dataclass
from typing import Any, Mapping

from advisor.errors import UserError, clip
from advisor.reading import ReadProblem, read_limited
from advisor.scan.meshes import TrafficQuery
from advisor.scan.process import join
from advisor.scan.result import Traffic


class PrometheusError(UserError):
    """Prometheus cannot be reached or answered with an error."""


MAX_RESPONSE_BYTES = 64 << 20  # one query's answer; past it the query is refused
MAX_TOKEN_BYTES = 64 << 10
TOKEN_ENV = "MESH_ADVISOR_PROMETHEUS_TOKEN"
MAX_RPS = 1e12  # the answers registry's bound on a request rate; beyond it a series is not traffic


@dataclass(frozen=True)
class Endpoint:
    """Where to query and how to authenticate; `shown` is the URL for messages, never with a secret."""

    base: str  # scheme://host[:port][/prefix], without user information
    shown: str  # http://ops:***@host:9090 when the URL carried credentials
    authorization: str | None = None  # the Authorization header value

    def __str__(self) -> str:  # so that an Endpoint in an f-string can only ever show the redacted URL
        return self.shown


def endpoint(url: str, token_file: str | None = None, environ: Mapping[str, str] | None = None) -> Endpoint:
    """The --prometheus URL with its credentials taken out: user:password@ becomes basic auth; a
    token comes from --prometheus-token-file or MESH_ADVISOR_PROMETHEUS_TOKEN (a bearer token)."""
    raw = url.strip()
    try:
        parsed = urllib.parse.urlsplit(raw)
        port = parsed.port
    except ValueError:
        raise PrometheusError(
            f"--prometheus: expected an http:// or https:// URL, got {_redact_text(clip(raw, 80))!r}"
        ) from None
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise PrometheusError(f"--prometheus: expected an http:// or https:// URL, got {_redact_text(clip(raw, 80))!r}")
    if any(not c.isprintable() or c.isspace() for c in raw):
        raise PrometheusError("--prometheus: the URL holds spaces or control characters; expected one URL")
    host = parsed.hostname if ":" not in parsed.hostname else f"[{parsed.hostname}]"
    netloc = host + (f":{port}" if port else "")
    base = urllib.parse.urlunsplit((parsed.scheme, netloc, parsed.path.rstrip("/"), "", ""))
    auth = None
    shown = base
    if parsed.username is not None or parsed.password is not None:
        user = urllib.parse.unquote(parsed.username or "")
        password = urllib.parse.unquote(parsed.password or "")
        auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        shown = urllib.parse.urlunsplit(
            (parsed.scheme, f"{parsed.username or ''}:***@{netloc}", parsed.path.rstrip("/"), "", "")
        )
    token = _token(token_file, environ if environ is not None else os.environ)
    if token is not None:
        if auth is not None:
            raise PrometheusError(
                f"--prometheus {shown}: credentials in the URL and a bearer token were both given; give one"
            )
        auth = "Bearer " + token
    return Endpoint(base=base, shown=shown, authorization=auth)


def _token(token_file: str | None, environ: Mapping[str, str]) -> str | None:
    if token_file is not None:
        try:
            text = read_limited(token_file, MAX_TOKEN_BYTES).decode("utf-8").strip()
        except ReadProblem as exc:
            raise PrometheusError(f"--prometheus-token-file {token_file}: {exc.message}") from None
        except UnicodeDecodeError:
            raise PrometheusError(
                f"--prometheus-token-file {token_file}: not UTF-8 text; expected a bearer token"
            ) from None
        flag = f"--prometheus-token-file {token_file}"
    elif environ.get(TOKEN_ENV):
        text = environ[TOKEN_ENV].strip()
        flag = TOKEN_ENV
    else:
        return None
    if not text or any(not c.isprintable() or c.isspace() for c in text):
        raise PrometheusError(f"{flag}: expected one bearer token (one line, no spaces)")
    return text


_USERINFO = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://)([^/@\s:]*):[^/@\s]*@")


def _redact_text(text: str) -> str:
    return _USERINFO.sub(r"\1\2:***@", text)


def _fetch(ep: Endpoint, path: str, deadline_s: float) -> tuple[int, bytes]:
    """GET base+path within deadline_s seconds in all (connect, headers, body), at most
    MAX_RESPONSE_BYTES of body. A server that drips a byte at a time is cut off at the deadline:
    the request runs in a thread, and at the deadline its socket is shut down."""
    parts = urllib.parse.urlsplit(ep.base)
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = cls(parts.hostname or "", parts.port, timeout=deadline_s)
    headers = {"Accept": "application/json", "User-Agent": "mesh-advisor-scan"}
    if ep.authorization:
        headers["Authorization"] = ep.authorization
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            conn.request("GET", parts.path + path, headers=headers)
            resp = conn.getresponse()
            chunks: list[bytes] = []
            total = 0
            while True:
                chunk = resp.read1(1 << 16)
                if not chunk:
                    break
                total += len(chunk)
                if total > MAX_RESPONSE_BYTES:
                    outcome["too_large"] = True
                    return
                chunks.append(chunk)
            outcome["answer"] = (resp.status, b"".join(chunks))
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="prometheus-query", daemon=True)
    worker.start()
    join(worker, deadline_s)  # in short steps: a Ctrl-C is seen at once
    if worker.is_alive():
        sock = conn.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        conn.close()  # the daemon thread ends on the closed socket; nothing waits for it
        raise PrometheusError(
            f"--prometheus {ep}: no complete answer within {deadline_s:g}s (--timeout to wait longer)"
        )
    conn.close()
    if outcome.get("too_large"):
        raise PrometheusError(f"--prometheus {ep}: an answer larger than {MAX_RESPONSE_BYTES >> 20} MiB; refusing it")
    exc = outcome.get("error")
    if exc is not None:
        if isinstance(exc, (socket.timeout, TimeoutError)):
            raise PrometheusError(f"--prometheus {ep}: no answer within {deadline_s:g}s (--timeout to wait longer)")
        if isinstance(exc, http.client.HTTPException):
            raise PrometheusError(
                f"--prometheus {ep}: not an HTTP answer Prometheus gives ({type(exc).__name__}: {_redact_text(clip(str(exc), 120))})"
            )
        if isinstance(exc, OSError):
            text = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or exc
            raise PrometheusError(f"--prometheus {ep}: cannot reach Prometheus: {_redact_text(clip(str(text), 200))}")
        raise exc
    status, body = outcome["answer"]
    return status, body


def query(base: str | Endpoint, promql: str, timeout: float) -> list[dict[str, Any]]:
    """One instant query (evaluated now) within `timeout` seconds in all; the result vector, each
    sample checked: {"metric": {label: text}, "value": [time, "number"]}."""
    ep = base if isinstance(base, Endpoint) else endpoint(base)
    status, body = _fetch(ep, "/api/v1/query?" + urllib.parse.urlencode({"query": promql}), timeout)
    if status != 200:
        raise PrometheusError(f"--prometheus {ep}: Prometheus answered {status}: {_error_text(body)}")
    try:
        doc = json.loads(body)
    except RecursionError:
        raise PrometheusError(f"--prometheus {ep}: an answer nested too deeply; not a Prometheus API answer") from None
    except ValueError:
        raise PrometheusError(
            f"--prometheus {ep}: not a Prometheus API answer (expected JSON from /api/v1/query)"
        ) from None
    if not isinstance(doc, dict) or doc.get("status") != "success":
        detail = doc.get("error", "no error message") if isinstance(doc, dict) else "not a JSON object"
        raise PrometheusError(f"--prometheus {ep}: query failed: {_redact_text(clip(str(detail), 200))}")
    data = doc.get("data")
    if not isinstance(data, dict) or data.get("resultType") != "vector" or not isinstance(data.get("result"), list):
        raise PrometheusError(
            f"--prometheus {ep}: unexpected answer: data.result is not an instant vector "
            '(expected {"resultType": "vector", "result": [...]})'
        )
    for i, sample in enumerate(data["result"]):
        value = sample.get("value") if isinstance(sample, dict) else None
        metric = sample.get("metric", {}) if isinstance(sample, dict) else None
        if (
            not isinstance(metric, dict)
            or not isinstance(value, list)
            or len(value) != 2
            or not isinstance(value[1], str)
        ):
            raise PrometheusError(
                f'--prometheus {ep}: unexpected answer: data.result[{i}] is not a sample (expected {{"metric": {{...}}, "value": [time, "number"]}})'
            )
    return data["result"]


def _error_text(body: bytes) -> str:
    try:
        doc = json.loads(body)
        text = str(doc.get("error") or doc) if isinstance(doc, dict) else str(doc)
    except (ValueError, RecursionError):
        text = body.decode("utf-8", "replace").strip().splitlines()[0] if body.strip() else "no message"
    return _redact_text(clip(text, 200))


def read_traffic(
    url: str | Endpoint,
    window: float,
    timeout: float,
    queries: tuple[TrafficQuery, ...],
    label: str | None = None,
) -> tuple[dict[str, Traffic], list[str]]:
    """Per-namespace traffic over the window from the queries of signals.toml's [[traffic]], and notes
    for the scan's warnings (`label` names the Prometheus in them: the redacted URL, or its hash with
    --hide-names)."""
    ep = url if isinstance(url, Endpoint) else endpoint(url)
    w = f"{int(window)}s"
    rates: dict[str, dict[str, float]] = {}
    sources: dict[str, set[str]] = {}
    dropped = 0
    for q in queries:
        mesh, kind, name_label = q.metrics, q.kind, q.namespace_label
        for sample in query(ep, q.promql(w), timeout):
            ns = sample.get("metric", {}).get(name_label)
            try:
                value = float(sample["value"][1])
            except (TypeError, ValueError):
                dropped += 1
                continue
            if not isinstance(ns, str) or not ns:
                continue
            if not math.isfinite(value) or not 0 <= value <= MAX_RPS:
                dropped += 1
                continue
            entry = rates.setdefault(ns, {"http": 0.0, "tcp": 0.0})
            entry[kind] += value
            sources.setdefault(ns, set()).add(mesh)
    notes = []
    where = label or ep.shown
    out: dict[str, Traffic] = {}
    for ns, r in rates.items():
        total = r["http"] + r["tcp"]
        if total > MAX_RPS:
            dropped += 1
            continue
        out[ns] = Traffic(rps=total, http_rps=r["http"], source="+".join(sorted(sources[ns])))
    if dropped:
        notes.append(
            f"Prometheus at {where}: {dropped} series with a rate that is not a number from 0 to {MAX_RPS:g}/s were left out"
        )
    if not out:
        notes.append(
            f"Prometheus at {where} has no {' or '.join(dict.fromkeys(q.name for q in queries))} traffic metrics over the window; "
            "L7 shares are estimated from Service ports and rps is unknown"
        )
    return out, notes


# Who calls whom (Istio): the traffic graph that scopes each namespace's Sidecar egress hosts.
EDGE_QUERY = (
    "sum by (source_workload_namespace, destination_service_namespace) "
    '(rate(istio_requests_total{{reporter=~"destination|waypoint"}}[{w}]))'
)


def read_edges(url: str | Endpoint, window: float, timeout: float) -> list[dict[str, Any]]:
    """Source namespace -> destination Service namespace pairs with traffic over the window, sorted."""
    ep = url if isinstance(url, Endpoint) else endpoint(url)
    out = []
    for sample in query(ep, EDGE_QUERY.format(w=f"{int(window)}s"), timeout):  # samples shape-checked
        metric = sample.get("metric") or {}
        src, dst = metric.get("source_workload_namespace"), metric.get("destination_service_namespace")
        try:
            rps = float(sample["value"][1])
        except (TypeError, ValueError):
            continue
        if (
            isinstance(src, str)
            and isinstance(dst, str)
            and src
            and dst
            and src != "unknown"
            and math.isfinite(rps)
            and 0 < rps <= MAX_RPS
        ):
            out.append({"source_namespace": src, "destination_namespace": dst, "rps": round(rps, 3)})
    return sorted(out, key=lambda e: (e["source_namespace"], e["destination_namespace"]))
