"""What a cost projection says beyond the sums: per-proxy memory, limits met, the scoped variant
("stay and scope"), and today's mesh as the cluster measured it, for every rendering (JSON fields,
table lines, Markdown lines)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # types only: output never needs the engine loaded to render a document
    from advisor.answers.resolve import Answers
    from advisor.catalog.models import Catalog
    from advisor.engine.costing import ComponentCost, OptionCost, Projection
    from advisor.engine.costing.measured import MeasuredUsage


def _r(x: float | None, nd: int = 3) -> float | None:
    return None if x is None else round(x, nd)


def component_fields(c: ComponentCost) -> dict[str, Any]:
    """Fields a component document adds (SPEC: limit_reached, limit_note, measured)."""
    out: dict[str, Any] = {"memory_mib_each": _r(c.memory_mib_each, 1)}
    if c.limit_reached:
        out["limit_reached"] = True
        out["limit_note"] = c.limit_note
    if c.measured is not None:
        out["measured"] = measured_doc(c.measured)
    return out


def measured_doc(m: MeasuredUsage) -> dict[str, Any]:
    return {
        "kind": m.kind,
        "cpu_vcpu": _r(m.cpu_vcpu),
        "memory_gib": _r(m.memory_gib),
        "memory_mib_each": _r(m.memory_mib_each, 1),
        "memory_mib_p95": _r(m.memory_mib_p95, 1),
        "cpu_vcpu_each": _r(m.cpu_vcpu_each, 4),
        "containers_measured": m.instances_seen,
        "model_cpu_vcpu": _r(m.model_cpu_vcpu),
        "model_memory_gib": _r(m.model_memory_gib),
        "memory_ratio": _r(m.memory_ratio),
        "cpu_ratio": _r(m.cpu_ratio),
        "source": m.source,
    }


def option_fields(oc: OptionCost) -> dict[str, Any]:
    """Fields an option's cost document adds: the scoped variant and whether it is measured."""
    out: dict[str, Any] = {}
    if oc.measured:
        out["priced_from"] = "measured-in-cluster"
    v = oc.scoping
    if v is not None:
        out["scoping_variant"] = {
            "sidecar_scoping": v.scoped,
            "component": v.component,
            "memory_mib_each": _r(v.memory_mib_each, 1),
            "memory_mib_each_as_answered": _r(v.memory_mib_each_now, 1),
            "monthly_usd": _r(v.usage_monthly_usd, 2),
            "monthly_usd_as_answered": _r(v.usage_monthly_usd_now, 2),
            "scoping_saves_monthly_usd": _r(v.scoped_saving_usd, 2),
            "scoping_saves_mib_each": _r(v.scoped_saving_mib_each, 1),
            "limit_reached": v.limit_reached,
            "viable_only_scoped": v.viable_only_scoped,
        }
    return out


def mib(x: float) -> str:
    return f"{x:,.0f} MiB" if x >= 10 else f"{x:,.1f} MiB"


def note_lines(names: dict[str, str], projection: Projection) -> list[str]:
    """Plain lines for people: per proxy memory, each limit met, the scoped variant, measured figures."""
    lines: list[str] = []
    for oid, oc in projection.options.items():
        name = names.get(oid, oid)
        for c in oc.components:
            if c.measured is not None:
                m = c.measured
                ratio = f", {m.memory_ratio:.2f}x the model" if m.memory_ratio is not None else ""
                model_each = m.model_memory_gib * 1024 / c.instances if c.instances else 0.0
                each = mib(m.memory_mib_each) if m.memory_mib_each is not None else "unknown"
                per = "replica" if c.role == "control-plane" else "container"
                lines.append(
                    f"{name}: {c.id} measured in this cluster at {each} per {per} "
                    f"(model {mib(model_each)}{ratio}); priced at the measured figure ({m.kind})"
                )
            if c.limit_reached:
                lines.append(f"{name}: {c.id} LIMIT: {c.limit_note}")
        v = oc.scoping
        # a variant that changes less than 1 MiB per proxy is noise in a table (the document keeps it)
        if v is not None and abs(v.scoped_saving_mib_each) >= 1:
            if v.scoped:
                head = f"{name}, scoped (Sidecar resources or discoverySelectors)"
                saving = v.scoped_saving_usd
                lines.append(
                    f"{head}: {mib(v.memory_mib_each)} per {v.component} instead of {mib(v.memory_mib_each_now)}; "
                    f"${v.usage_monthly_usd:,.0f}/month instead of ${v.usage_monthly_usd_now:,.0f} "
                    f"(saves ${saving:,.0f}/month)"
                    + ("; scoping is what makes it viable at this size" if v.viable_only_scoped else "")
                )
            else:
                lines.append(
                    f"{name}, unscoped: {mib(v.memory_mib_each)} per {v.component} instead of "
                    f"{mib(v.memory_mib_each_now)} scoped; ${v.usage_monthly_usd:,.0f}/month instead of "
                    f"${v.usage_monthly_usd_now:,.0f} (scoping saves ${v.scoped_saving_usd:,.0f}/month)"
                )
    return lines


def per_proxy_lines(names: dict[str, str], projection: Projection) -> list[str]:
    """Memory per instance of each proxy that scales with pods or namespaces."""
    out = []
    for oid, oc in projection.options.items():
        for c in oc.components:
            if c.role == "data-plane" and c.usage_known and c.instances:
                out.append(f"{names.get(oid, oid)}: {c.id} {mib(c.memory_mib_each)} each")
    return out


def services_words(catalog: Catalog, a: Answers) -> str:
    """What the Envoy proxies are told about, in the assumptions line: answered or derived Services."""
    if a.service_ports is not None:
        return f"{a.service_ports:,} Service ports"
    if a.services is not None:
        return f"{a.services:,} Services"
    if a.inventory is not None and all(
        ns.services is not None or ns.service_ports is not None for ns in a.inventory.namespaces
    ):
        return "Services per namespace from the inventory"
    spp = catalog.benchmarks.workload.get("services_per_pod")
    per_pod = f"{spp.value:g} per pod" if spp is not None else "from pods"
    return f"Services derived from pods ({per_pod}: services_per_pod; give --services)"
