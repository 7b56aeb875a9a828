"""Which meshes the scan knows, from signals.toml's `[meshes]` and `[[traffic]]`, checked against the catalog.

The scan names no mesh in code: the order that settles a pod or namespace showing several meshes,
the meshes that capture a labelled namespace's pods without marking them, and the Prometheus
queries that give each mesh's traffic are data. `mesh_problems` checks the file against the
catalog's options and platforms both ways, so a data directory that adds, renames or drops a mesh
is refused by `data validate` (and by `scan`) until signals.toml says how to see it.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Sequence

from advisor.records import record

NO_MESH = "none"
TRAFFIC_KINDS = ("http", "tcp")
WINDOW = "{window}"  # where a traffic query takes the scan's window (e.g. 86400s)
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_MESH_KEYS = {"pod_precedence", "namespace_precedence", "captures_unmarked_pods"}
_TRAFFIC_KEYS = {"metrics", "name", "meshes", "kind", "query", "namespace_label", "source", "version"}


@record
class MeshOrder:
    # A pod (or pod template) whose signals name several meshes is meshed by the first listed.
    pod_precedence: tuple[str, ...] = ()
    # A Namespace whose labels name several meshes is meshed by the first listed.
    namespace_precedence: tuple[str, ...] = ()
    # Meshes that capture every pod of a namespace they label without marking the pod itself.
    captures_unmarked_pods: frozenset[str] = frozenset()

    def first(self, found: set[str | None], order: tuple[str, ...]) -> str | None:
        """The mesh of an object whose signals named `found`: the first in `order`, else "none"
        when it opts out, else None (no mark at all)."""
        for mesh in order:
            if mesh in found:
                return mesh
        return NO_MESH if NO_MESH in found else None


@record
class TrafficQuery:
    metrics: str  # the metric family ("istio"), recorded as the namespace's traffic source
    name: str  # as people say it ("Istio"), for messages
    meshes: tuple[str, ...]  # the options whose traffic these metrics carry
    kind: str  # "http" (requests) or "tcp" (new connections)
    query: str  # PromQL with {window}
    namespace_label: str  # the label of the result that names the namespace

    def promql(self, window: str) -> str:
        return self.query.replace(WINDOW, window)


def _id_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v for v in value)


def read_meshes(doc: dict[str, Any], problems: list[str]) -> MeshOrder:
    raw = doc.get("meshes", {})
    if not isinstance(raw, dict):
        problems.append("meshes: expected a table (pod_precedence, namespace_precedence, captures_unmarked_pods)")
        return MeshOrder()
    for key in sorted(set(raw) - _MESH_KEYS):
        problems.append(f"meshes.{key}: unknown key (expected {', '.join(sorted(_MESH_KEYS))})")
    lists: dict[str, tuple[str, ...]] = {}
    for key in sorted(_MESH_KEYS):
        value = raw.get(key, [])
        if not _id_list(value):
            problems.append(f"meshes.{key}: expected a list of option ids")
            value = []
        lists[key] = tuple(value)
        counts = Counter(value)
        for dup in sorted(v for v, n in counts.items() if n > 1):
            problems.append(f"meshes.{key}: '{dup}' is listed twice")
    return MeshOrder(
        pod_precedence=lists["pod_precedence"],
        namespace_precedence=lists["namespace_precedence"],
        captures_unmarked_pods=frozenset(lists["captures_unmarked_pods"]),
    )


def read_traffic_queries(doc: dict[str, Any], problems: list[str]) -> tuple[TrafficQuery, ...]:
    raw = doc.get("traffic", [])
    if not isinstance(raw, list):
        problems.append("traffic: expected a list of [[traffic]] tables")
        return ()
    out: list[TrafficQuery] = []
    for i, entry in enumerate(raw):
        where = f"traffic[{i}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: expected a table")
            continue
        for key in sorted(set(entry) - _TRAFFIC_KEYS):
            problems.append(f"{where}.{key}: unknown key (expected {', '.join(sorted(_TRAFFIC_KEYS))})")
        bad = [k for k in ("metrics", "name", "query", "namespace_label", "source", "version") if not _text(entry, k)]
        for key in bad:
            problems.append(f"{where}.{key}: expected non-empty text")
        if entry.get("kind") not in TRAFFIC_KINDS:
            problems.append(f"{where}.kind: expected one of {', '.join(TRAFFIC_KINDS)} (got {entry.get('kind')!r})")
            bad.append("kind")
        if not _id_list(entry.get("meshes")) or not entry.get("meshes"):
            problems.append(f"{where}.meshes: expected a list of the option ids these metrics carry")
            bad.append("meshes")
        if "query" not in bad and WINDOW not in entry["query"]:
            problems.append(f"{where}.query: expected {WINDOW} where the window goes (e.g. rate(x[{WINDOW}]))")
            bad.append("query")
        if not bad:
            out.append(
                TrafficQuery(
                    metrics=entry["metrics"],
                    name=entry["name"],
                    meshes=tuple(entry["meshes"]),
                    kind=entry["kind"],
                    query=entry["query"],
                    namespace_label=entry["namespace_label"],
                )
            )
    return tuple(out)


def _text(entry: dict[str, Any], key: str) -> bool:
    value = entry.get(key)
    return isinstance(value, str) and bool(value.strip())


def mesh_problems(
    doc: dict[str, Any],
    signals: Sequence[Any],
    meshes: MeshOrder,
    traffic: tuple[TrafficQuery, ...],
    option_ids: tuple[str, ...] | None,
    platform_ids: tuple[str, ...] | None,
) -> list[str]:
    """signals.toml against the catalog's options and platforms, both ways (each problem as `field.path: message`).

    Without the option ids (an invalid catalog) the file is checked on its own: every mesh a
    signal names has its place in both precedences.
    """
    problems: list[str] = []
    named = {s.mesh for s in signals if s.mesh and s.mesh != NO_MESH}
    orders = {"pod_precedence": meshes.pod_precedence, "namespace_precedence": meshes.namespace_precedence}
    if option_ids is None:
        for key, order in orders.items():
            for mesh in sorted(named - set(order)):
                problems.append(f"meshes.{key}: mesh '{mesh}' (named by a signal) has no place in this order")
        return problems
    known = set(option_ids)
    expected = ", ".join(option_ids)
    for i, sig in enumerate(signals):
        if sig.mesh and sig.mesh != NO_MESH and sig.mesh not in known:
            problems.append(
                f"signals[{i}]({sig.id}).mesh: unknown option id '{sig.mesh}' (expected {expected} or none)"
            )
    for key, order in orders.items():
        for mesh in order:
            if mesh not in known:
                problems.append(f"meshes.{key}: unknown option id '{mesh}' (expected {expected})")
        placed = set(order)
        for mesh in option_ids:
            if mesh not in placed:
                problems.append(f"meshes.{key}: option '{mesh}' is missing (every option has a place in this order)")
    for mesh in sorted(meshes.captures_unmarked_pods - known):
        problems.append(f"meshes.captures_unmarked_pods: unknown option id '{mesh}' (expected {expected})")
    for mesh in option_ids:
        if mesh not in named:
            problems.append(
                f"signals: no signal has mesh = '{mesh}' (the scan could never see option '{mesh}' in use; "
                "add the labels, annotations or containers that mark its pods or namespaces)"
            )
    for i, query in enumerate(traffic):
        for mesh in query.meshes:
            if mesh not in known:
                problems.append(f"traffic[{i}].meshes: unknown option id '{mesh}' (expected {expected})")
    if platform_ids is not None:
        platforms = set(platform_ids)  # O(1) lookups: hostile files may list many
        listing = ", ".join(platform_ids)
        for i, sig in enumerate(signals):
            if sig.platform and sig.platform not in platforms:
                problems.append(
                    f"signals[{i}]({sig.id}).platform: unknown platform id '{sig.platform}' (expected one of {listing})"
                )
        priority = doc.get("platform_priority", [])
        for j, pid in enumerate(priority if isinstance(priority, list) else []):
            if isinstance(pid, str) and pid not in platforms:
                problems.append(f"platform_priority[{j}]: unknown platform id '{pid}' (expected one of {listing})")
    return problems
