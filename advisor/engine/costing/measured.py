"""Today's mesh as the cluster's own Prometheus measured it: which measured containers are which
component (the data's `containers` and `measured_namespaces`), and their usage beside the model's."""

from __future__ import annotations

from advisor.answers.measured import MEASURED_KIND, Measured
from advisor.catalog.models import Component, Figure
from advisor.records import record


@record
class MeasuredUsage:
    """A component's usage as measured in this cluster, scaled to the model's instances."""

    cpu_vcpu: float | None
    memory_gib: float | None
    memory_mib_each: (
        float | None
    )  # mean working set per instance over the window (a container, or a control-plane replica)
    memory_mib_p95: float | None  # the highest namespace p95 among its rows
    cpu_vcpu_each: float | None
    instances_seen: int
    model_cpu_vcpu: float
    model_memory_gib: float
    kind: str
    source: str  # the queries and the window
    namespaces: tuple[str, ...]

    @property
    def memory_ratio(self) -> float | None:
        """measured / model memory (None when either is unknown or the model says 0)."""
        if self.memory_gib is None or self.model_memory_gib <= 0:
            return None
        return self.memory_gib / self.model_memory_gib

    @property
    def cpu_ratio(self) -> float | None:
        if self.cpu_vcpu is None or self.model_cpu_vcpu <= 0:
            return None
        return self.cpu_vcpu / self.model_cpu_vcpu

    def figure(self) -> Figure:
        """The measured figure, sourced like every figure (kind measured-in-cluster)."""
        return Figure(
            value=round(self.memory_mib_each or 0.0, 3),
            unit="MiB per instance",
            source=self.source,
            version="this cluster, over the scan's window",
            kind=MEASURED_KIND,  # type: ignore[arg-type]
            note=f"{self.instances_seen:,} containers measured in {len(self.namespaces):,} namespaces",
        )


def claim_rows(components: tuple[Component, ...], rows: tuple[Measured, ...]) -> dict[str, list[Measured]]:
    """Each measured row to the first component whose containers name it and whose
    measured_namespaces, when it lists some, hold it: components that name their namespaces first
    (Linkerd's control-plane proxies in `linkerd` before the data plane's), then data order. Rows no
    component claims are left out."""
    ordered = sorted(components, key=lambda c: not c.measured_namespaces)  # stable: data order within each
    out: dict[str, list[Measured]] = {}
    for row in rows:
        for c in ordered:
            if row.container not in c.containers:
                continue
            if c.measured_namespaces and row.namespace not in c.measured_namespaces:
                continue
            out.setdefault(c.id, []).append(row)
            break
    return out


def measured_usage(
    rows: list[Measured], instances: int, model_cpu: float, model_gib: float, as_measured: bool = False
) -> MeasuredUsage | None:
    """The rows' usage per container times the model's instances (proxies and agents: the model may
    size a cluster other than the one measured); with `as_measured` (control planes, whose instances
    hold several containers and whose replicas the cluster chose), the rows' totals as they are.
    None without a measured figure."""
    if not rows or instances <= 0:
        return None
    mem_rows = [r for r in rows if r.memory_mib_mean is not None]
    cpu_rows = [r for r in rows if r.cpu_vcpu_mean is not None]
    if not mem_rows and not cpu_rows:
        return None
    seen = sum(r.instances for r in rows)
    mem_each = (
        sum((r.memory_mib_mean or 0.0) * r.instances for r in mem_rows) / sum(r.instances for r in mem_rows)
        if mem_rows
        else None
    )
    cpu_each = (
        sum((r.cpu_vcpu_mean or 0.0) * r.instances for r in cpu_rows) / sum(r.instances for r in cpu_rows)
        if cpu_rows
        else None
    )
    p95s = [r.memory_mib_p95 for r in rows if r.memory_mib_p95 is not None]
    queries = list(dict.fromkeys(r.query for r in rows if r.query))
    windows = sorted({r.window for r in rows if r.window})
    source = (
        f"the cluster's Prometheus over {', '.join(windows) or 'the scan window'}: " + " ; ".join(queries)
        if queries
        else "the cluster's Prometheus (scan --prometheus)"
    )
    if as_measured:
        cpu = sum((r.cpu_vcpu_mean or 0.0) * r.instances for r in cpu_rows) if cpu_rows else None
        mem_mib = sum((r.memory_mib_mean or 0.0) * r.instances for r in mem_rows) if mem_rows else None
        mem_each = mem_mib / instances if mem_mib is not None else None  # per instance of the model
    else:
        cpu = cpu_each * instances if cpu_each is not None else None
        mem_mib = mem_each * instances if mem_each is not None else None
    return MeasuredUsage(
        cpu_vcpu=cpu,
        memory_gib=mem_mib / 1024 if mem_mib is not None else None,
        memory_mib_each=mem_each,
        memory_mib_p95=max(p95s) if p95s else None,
        cpu_vcpu_each=cpu_each,
        instances_seen=seen,
        model_cpu_vcpu=model_cpu,
        model_memory_gib=model_gib,
        kind=MEASURED_KIND,
        source=source,
        namespaces=tuple(dict.fromkeys(r.namespace for r in rows)),
    )
