"""What the mesh's own containers use, from the cluster's Prometheus (cAdvisor series), per namespace.

`container_memory_working_set_bytes` and `rate(container_cpu_usage_seconds_total[window])`, grouped
by namespace and container, for the containers the benchmark data names as a mesh's (each
component's `containers`): the same series Solo's ambient estimator collects as actual usage. Label
names are configurable for setups that relabel (`--namespace-label`, `--container-label`). A query
with no answer is a warning naming the query, never a zero.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable

# (field, PromQL) with {ns} and {ct} for the label names, {sel} for the container selector, {w} the window.
QUERIES: tuple[tuple[str, str], ...] = (
    ("memory_mean", "avg by ({ns}, {ct}) (avg_over_time(container_memory_working_set_bytes{{{sel}}}[{w}]))"),
    (
        "memory_p95",
        "quantile by ({ns}, {ct}) (0.95, quantile_over_time(0.95, container_memory_working_set_bytes{{{sel}}}[{w}]))",
    ),
    ("instances", "count by ({ns}, {ct}) (avg_over_time(container_memory_working_set_bytes{{{sel}}}[{w}]))"),
    ("samples", "sum by ({ns}, {ct}) (count_over_time(container_memory_working_set_bytes{{{sel}}}[{w}]))"),
    ("cpu_mean", "avg by ({ns}, {ct}) (rate(container_cpu_usage_seconds_total{{{sel}}}[{w}]))"),
)
_LABEL = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
BYTES_PER_MIB = 1024 * 1024


def check_label(name: str, flag: str) -> str:
    """A Prometheus label name, or a usage error naming the flag."""
    text = (name or "").strip()
    if not _LABEL.match(text):
        shown = text if len(text) <= 60 else text[:57] + "..."
        raise ValueError(f"{flag}: expected a Prometheus label name (letters, digits, _), got {shown!r}")
    return text


def mesh_containers(components: Any) -> tuple[str, ...]:
    """Every container name the data gives a mesh component, once, sorted."""
    return tuple(sorted({name for c in components for name in c.containers}))


def _promql_regex_literal(name: str) -> str:
    """A container name matched literally inside a PromQL string regex: regex specials escaped with
    a backslash, itself escaped for the string (re.escape would also escape '-', which PromQL rejects)."""
    out = []
    for ch in name:
        if ch in ".+*?()[]{}|^$\\":
            out.append("\\\\" + ch)
        elif ch == '"':
            out.append('\\"')
        else:
            out.append(ch)
    return "".join(out)


def window_text(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


def read_usage(
    query: Callable[[str], list[dict[str, Any]]],
    containers: tuple[str, ...],
    window_s: float,
    namespace_label: str = "namespace",
    container_label: str = "container",
) -> tuple[list[dict[str, Any]], list[str]]:
    """([[scan.measured]] rows, warnings). `query(promql)` returns an instant vector."""
    if not containers:
        return [], ["no mesh containers named in the benchmark data: nothing to measure"]
    names = "|".join(_promql_regex_literal(c) for c in containers)
    sel = f'{container_label}=~"{names}"'
    w = window_text(window_s)
    values: dict[tuple[str, str], dict[str, float]] = {}
    texts: dict[str, str] = {}
    warnings: list[str] = []
    for field, template in QUERIES:
        promql = template.format(ns=namespace_label, ct=container_label, sel=sel, w=w)
        texts[field] = promql
        result = query(promql)
        got = 0
        for sample in result:
            metric = sample.get("metric") or {}
            ns, ct = metric.get(namespace_label), metric.get(container_label)
            try:
                value = float(sample.get("value", [0, "nan"])[1])
            except (TypeError, ValueError, IndexError):
                continue
            if not isinstance(ns, str) or not isinstance(ct, str) or not math.isfinite(value) or value < 0:
                continue
            values.setdefault((ns, ct), {})[field] = value
            got += 1
        if not got:
            warnings.append(
                f"Prometheus answered nothing for {promql}: the mesh's {field.replace('_', ' ')} is not measured "
                f"(check the series and the label names: --namespace-label {namespace_label}, "
                f"--container-label {container_label})"
            )
    rows = []
    for (ns, ct), v in sorted(values.items()):
        row: dict[str, Any] = {"namespace": ns, "container": ct}
        if "memory_mean" in v:
            row["memory_mib_mean"] = round(v["memory_mean"] / BYTES_PER_MIB, 3)
        if "memory_p95" in v:
            row["memory_mib_p95"] = round(v["memory_p95"] / BYTES_PER_MIB, 3)
        if "cpu_mean" in v:
            row["cpu_vcpu_mean"] = round(v["cpu_mean"], 6)
        row["samples"] = int(v.get("samples", 0))
        row["instances"] = max(1, int(v.get("instances", 1)))
        row["window"] = w
        row["query"] = " ; ".join(texts[f] for f in ("memory_mean", "cpu_mean"))
        rows.append(row)
    return rows, warnings
