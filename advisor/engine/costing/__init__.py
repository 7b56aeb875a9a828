"""The cost model (SPEC "The cost model"): answers + benchmarks -> usage, requests, money, latency.

The model works per namespace: flat answers are the uniform special case (namespaces alike),
an inventory lists them. From the answers it first derives, per component, what drives its
numbers (instances, requests handled, connected proxies, endpoints each proxy is told about);
`usage_at` then turns figure values into CPU and memory. That split keeps the namespaces out of
the figure arithmetic: low, expected and high, and every sampled draw, cost one evaluation per
component however many namespaces there are.
"""

from __future__ import annotations

import functools
from dataclasses import replace

from advisor.answers.resolve import Answers
from advisor.catalog.models import Catalog, Component, ComponentFigures, Figure, LatencyFigures
from advisor.engine.costing.chart_requests import PROXY_REQUEST_ANSWERS, answered_requests, requests_of
from advisor.engine.costing.cost_records import (
    BYTES_PER_GIB,
    BYTES_PER_MB,
    HOURS_PER_MONTH,
    MB_PER_MIB,
    POINTS,
    ComponentCost,
    Latency,
    NodeProjection,
    OptionCost,
    Projection,
    Spread,
    Transition,
    View,
    monthly_usd,
)
from advisor.engine.costing.drivers import Drivers, drivers_for
from advisor.engine.costing.latency import latency_at, latency_of
from advisor.engine.costing.limits import limit_note
from advisor.engine.costing.measured import MeasuredUsage, claim_rows, measured_usage
from advisor.engine.costing.nodes import NODE_METHOD, node_price, project_nodes
from advisor.engine.costing.scoping import ScopingVariant
from advisor.engine.costing.usage import (
    LIMIT_FIGURES,
    USAGE_FIGURES,
    CompiledUsage,
    Usage,
    _expected,
    _high,
    _low,
    compile_usage,
    has_usage,
    usage_at,
    usage_of,
)
from advisor.engine.costing.views import ViewSum
from advisor.engine.costing.workload import _PORTS_PER_SERVICE, Group, Workload, waypoint_namespaces, workload
from advisor.records import record

# The cost model's public names, for `from advisor.engine.costing import ...` across the tool.
__all__ = [
    "BYTES_PER_GIB",
    "BYTES_PER_MB",
    "HOURS_PER_MONTH",
    "LIMIT_FIGURES",
    "MB_PER_MIB",
    "NODE_METHOD",
    "POINTS",
    "PROXY_REQUEST_ANSWERS",
    "USAGE_FIGURES",
    "CompiledUsage",
    "ComponentCost",
    "Drivers",
    "Group",
    "Latency",
    "MeasuredUsage",
    "Model",
    "NodeProjection",
    "OptionCost",
    "Projection",
    "ScopingVariant",
    "Spread",
    "Transition",
    "Usage",
    "View",
    "ViewSum",
    "Workload",
    "answered_requests",
    "build_model",
    "compile_usage",
    "cost_component",
    "drivers_for",
    "latency_at",
    "latency_of",
    "monthly_usd",
    "node_price",
    "project",
    "project_nodes",
    "reprice",
    "requests_of",
    "usage_at",
    "usage_of",
    "waypoint_namespaces",
    "workload",
]


def cost_component(component: Component, figs: ComponentFigures, d: Drivers, answers: Answers) -> ComponentCost:
    """One component's usage (expected, low, high) and requests, with the figures used."""
    known = has_usage(figs)
    used = {name: getattr(figs, name) for name in USAGE_FIGURES if getattr(figs, name) is not None}
    for name in LIMIT_FIGURES:
        if getattr(figs, name) is not None and used:
            used[name] = getattr(figs, name)
    if figs.rps_per_replica is not None:
        used["rps_per_replica"] = figs.rps_per_replica
    u = usage_of(figs, d, _expected)
    cpu, memory, capped = u.cpu_vcpu, u.memory_gib, u.capped_instances > 0
    note = limit_note(
        figs,
        d.instances,
        u.capped_instances,
        u.largest_mb,
        d.proxies_per_replica,
        d.replicas,
        u.cpu_capped,
        u.over_capacity,
        component.view,
    )
    lo_cpu, lo_mem, _ = usage_at(figs, d, _low)
    hi_cpu, hi_mem, _ = usage_at(figs, d, _high)
    req_cpu, req_memory, req_used = requests_of(component, figs, d, answers.control_plane_ha, answers)
    used.update(req_used)
    p_cpu, p_mem = answers.cpu_price, answers.memory_price
    return ComponentCost(
        id=component.id,
        name=component.name,
        role=component.role,
        scaling=component.scaling,
        instances=d.instances,
        containers_added=d.instances * component.containers_per_instance,
        handled_rps=d.rps,
        cpu_vcpu=cpu,
        memory_gib=memory,
        requests_cpu_vcpu=req_cpu,
        requests_memory_gib=req_memory,
        usage_monthly_usd=monthly_usd(cpu, memory, p_cpu, p_mem),
        requests_monthly_usd=monthly_usd(req_cpu, req_memory, p_cpu, p_mem),
        figures=used,
        usage_known=known,
        usage_usd_spread=Spread(
            monthly_usd(lo_cpu, lo_mem, p_cpu, p_mem),
            monthly_usd(cpu, memory, p_cpu, p_mem),
            monthly_usd(hi_cpu, hi_mem, p_cpu, p_mem),
        ),
        capped=capped,
        limit_reached=bool(note),
        limit_note=note,
        memory_mib_each=memory * 1024 / d.instances if d.instances else 0.0,
    )


# ---------------------------------------------------------------- the projection


_NO_FIGURES = ComponentFigures()  # built once: sweeps call project() hundreds of times


def connected_proxies(option_comps: tuple[Component, ...], counts: dict[str, int]) -> float:
    """Proxies a control plane serves: every data-plane and node-agent instance carrying traffic."""
    return float(sum(counts[c.id] for c in option_comps if c.role != "control-plane" and c.traffic != "none"))


@record
class Model:
    """Everything `project` derived from the answers, kept for sampling the figures again."""

    answers: Answers
    options: dict[str, tuple[tuple[Component, ComponentFigures, Drivers], ...]]
    latency: dict[str, LatencyFigures]


@functools.lru_cache(maxsize=64)
def _with_derived(figs: ComponentFigures, services_per_pod: Figure) -> ComponentFigures:
    """A viewing component's figures with the workload's services_per_pod, used while Services are derived."""
    return replace(figs, services_per_pod=services_per_pod)


def build_model(answers: Answers, catalog: Catalog) -> Model:
    profile = catalog.profiles[answers.benchmark_profile]
    workload_figs = catalog.benchmarks.workload
    pps = workload_figs.get("service_ports_per_service")
    _PORTS_PER_SERVICE[0] = float(pps.value) if pps is not None else 1.0
    load = workload(answers)
    spp = workload_figs.get("services_per_pod") if load.services_derived else None
    options: dict[str, tuple[tuple[Component, ComponentFigures, Drivers], ...]] = {}
    for option in catalog.option_ids:
        comps = catalog.components_of(option)
        figs_of = {c.id: profile.figures.get(c.id) or _NO_FIGURES for c in comps}
        if spp is not None:
            figs_of = {
                cid: _with_derived(f, spp) if f.memory_mb_per_service_port_in_view is not None else f
                for cid, f in figs_of.items()
            }
        # Data plane first: the control plane's drivers count its proxies.
        first = {c.id: drivers_for(c, figs_of[c.id], load, answers, 0.0) for c in comps if c.role != "control-plane"}
        proxies = connected_proxies(comps, {cid: d.instances for cid, d in first.items()})
        rows = []
        for c in comps:
            d = first.get(c.id) or drivers_for(c, figs_of[c.id], load, answers, proxies)
            rows.append((c, figs_of[c.id], d))
        options[option] = tuple(rows)
    return Model(answers=answers, options=options, latency=dict(profile.latency))


def project(answers: Answers, catalog: Catalog, detail: bool = True) -> Projection:
    """Every option's cost and latency. `detail=False` gives only what scoring reads, the same
    expected figures: each option's usage and requests views and its latency (no components, ranges,
    node projection or transition): for what-if, which scores hundreds of variants of the answers."""
    model = build_model(answers, catalog)
    options: dict[str, OptionCost] = {}
    p_cpu, p_mem = answers.cpu_price, answers.memory_price
    price = node_price(answers)
    for option, rows in model.options.items():
        if not detail:
            options[option] = _views_only(option, rows, latency_of(model.latency[option], answers, False), answers)
            continue
        comps = tuple(cost_component(c, figs, d, answers) for c, figs, d in rows)
        is_measured = False
        if option == answers.current_mesh and answers.measured:
            comps, is_measured = _with_measured(comps, tuple(c for c, _, _ in rows), answers)
        usage, requests = _views(
            [(c.cpu_vcpu, c.memory_gib, c.requests_cpu_vcpu, c.requests_memory_gib) for c in comps], answers
        )
        spread = Spread(
            sum(c.usage_usd_spread.low for c in comps if c.usage_usd_spread),
            usage.monthly_usd,
            sum(c.usage_usd_spread.high for c in comps if c.usage_usd_spread),
        )
        # the sum of the parts and the total differ only by float rounding: keep low ≤ expected ≤ high exact
        spread = Spread(min(spread.low, spread.expected), spread.expected, max(spread.high, spread.expected))
        options[option] = OptionCost(
            option=option,
            components=comps,
            usage=usage,
            requests=requests,
            containers_added=sum(c.containers_added for c in comps),
            latency=latency_of(model.latency[option], answers),
            usage_usd_spread=spread,
            nodes=project_nodes(comps, spread, answers),
            scoping=_scoping_variant(option, rows, comps, answers, catalog),
            measured=is_measured,
        )
    current = getattr(answers, "current_mesh", "none")
    if detail and current in options:
        options = {
            o: oc if o == current else replace(oc, transition=_transition(catalog, options[current], oc, answers))
            for o, oc in options.items()
        }
    return Projection(
        profile=answers.benchmark_profile,
        cpu_price=p_cpu,
        memory_price=p_mem,
        options=options,
        cluster_monthly_usd=answers.nodes * price if price is not None else None,
    )


def _with_measured(
    comps: tuple[ComponentCost, ...], components: tuple[Component, ...], answers: Answers
) -> tuple[tuple[ComponentCost, ...], bool]:
    """Today's mesh with each measured component's usage from the cluster's measure, the model's
    figures kept beside it (ComponentCost.measured)."""
    claimed = claim_rows(components, answers.measured)
    out = []
    any_measured = False
    for c in comps:
        m = measured_usage(
            claimed.get(c.id, []), c.instances, c.cpu_vcpu, c.memory_gib, as_measured=c.role == "control-plane"
        )
        if m is None:
            out.append(c)
            continue
        any_measured = True
        cpu = m.cpu_vcpu if m.cpu_vcpu is not None else c.cpu_vcpu
        mem = m.memory_gib if m.memory_gib is not None else c.memory_gib
        usd = monthly_usd(cpu, mem, answers.cpu_price, answers.memory_price)
        out.append(
            replace(
                c,
                cpu_vcpu=cpu,
                memory_gib=mem,
                usage_monthly_usd=usd,
                usage_usd_spread=Spread(usd, usd, usd),
                figures={"measured_memory_mib_per_container": m.figure(), **c.figures},
                usage_known=True,
                memory_mib_each=mem * 1024 / c.instances if c.instances else 0.0,
                measured=m,
            )
        )
    return tuple(out), any_measured


def _scoping_variant(
    option: str,
    rows: tuple[tuple[Component, ComponentFigures, Drivers], ...],
    comps: tuple[ComponentCost, ...],
    answers: Answers,
    catalog: Catalog,
) -> ScopingVariant | None:
    """The option priced with sidecar_scoping the other way, when a component's view depends on it."""
    scopable = [c for c, _, _ in rows if c.view == "cluster" and c.scaling == "per-pod"]
    if not scopable:
        return None
    alt_answers = answers.replace(sidecar_scoping=not answers.sidecar_scoping)
    alt_rows = build_model(alt_answers, catalog).options[option]
    alt = tuple(cost_component(c, figs, d, alt_answers) for c, figs, d in alt_rows)
    now = {c.id: c for c in comps}
    proxy = scopable[0].id
    a_cpu = sum(c.cpu_vcpu for c in alt)
    a_mem = sum(c.memory_gib for c in alt)
    n_cpu = sum(c.cpu_vcpu for c in comps)
    n_mem = sum(c.memory_gib for c in comps)
    alt_proxy = next(c for c in alt if c.id == proxy)
    return ScopingVariant(
        scoped=alt_answers.sidecar_scoping,
        component=now[proxy].name,
        memory_mib_each=alt_proxy.memory_mib_each,
        memory_mib_each_now=now[proxy].memory_mib_each,
        usage_monthly_usd=monthly_usd(a_cpu, a_mem, answers.cpu_price, answers.memory_price),
        usage_monthly_usd_now=monthly_usd(n_cpu, n_mem, answers.cpu_price, answers.memory_price),
        memory_gib=a_mem,
        memory_gib_now=n_mem,
        limit_reached=alt_proxy.limit_reached,
        limit_reached_now=now[proxy].limit_reached,
    )


def reprice(projection: Projection, answers: Answers) -> Projection:
    """A views-only projection (`detail=False`) at the answers' prices. What it adds up (vCPU and GiB
    per option, latency) never depends on the prices: build_model, usage_at and requests_of do not
    read them; only the money does, so it is recomputed exactly as `project` computes it."""
    if any(oc.components for oc in projection.options.values()):
        raise ValueError("reprice takes a views-only projection (project(..., detail=False))")
    p_cpu, p_mem = answers.cpu_price, answers.memory_price
    price = node_price(answers)

    def money(v: View) -> View:
        return View(v.cpu_vcpu, v.memory_gib, monthly_usd(v.cpu_vcpu, v.memory_gib, p_cpu, p_mem))

    return replace(
        projection,
        cpu_price=p_cpu,
        memory_price=p_mem,
        options={
            o: replace(oc, usage=money(oc.usage), requests=money(oc.requests)) for o, oc in projection.options.items()
        },
        cluster_monthly_usd=answers.nodes * price if price is not None else None,
    )


def _views(parts: list[tuple[float, float, float, float]], answers: Answers) -> tuple[View, View]:
    """The usage and requests views of an option from its components' (vCPU, GiB, requested vCPU,
    requested GiB), summed in component order: the full and the views-only projection share it."""
    p_cpu, p_mem = answers.cpu_price, answers.memory_price
    cpu, mem, r_cpu, r_mem = (sum(p[i] for p in parts) for i in range(4))
    return View(cpu, mem, monthly_usd(cpu, mem, p_cpu, p_mem)), View(
        r_cpu, r_mem, monthly_usd(r_cpu, r_mem, p_cpu, p_mem)
    )


def _views_only(
    option: str, rows: tuple[tuple[Component, ComponentFigures, Drivers], ...], latency: Latency, answers: Answers
) -> OptionCost:
    """An option's usage and requests views as `project` adds them up, without a ComponentCost per
    component."""
    parts = []
    claimed = claim_rows(tuple(c for c, _, _ in rows), answers.measured) if option == answers.current_mesh else {}
    for c, figs, d in rows:
        cpu, mem, _ = usage_at(figs, d, _expected)
        m = (
            measured_usage(claimed.get(c.id, []), d.instances, cpu, mem, as_measured=c.role == "control-plane")
            if claimed
            else None
        )
        if m is not None:  # today's mesh as measured, as `project` prices it
            cpu = m.cpu_vcpu if m.cpu_vcpu is not None else cpu
            mem = m.memory_gib if m.memory_gib is not None else mem
        r_cpu, r_mem, _ = requests_of(c, figs, d, answers.control_plane_ha, answers)
        parts.append((cpu, mem, r_cpu, r_mem))
    usage, requests = _views(parts, answers)
    return OptionCost(
        option=option,
        components=(),
        usage=usage,
        requests=requests,
        containers_added=sum(d.instances * c.containers_per_instance for c, _, d in rows),
        latency=latency,
    )


def _transition(catalog: Catalog, today: OptionCost, target: OptionCost, answers: Answers) -> Transition:
    move = catalog.move(today.option, target.option)
    replaced = set(move.replaced_components) if move else set()
    kept = [c for c in today.components if c.id not in replaced]
    counted = (*kept, *target.components)

    def view(cpu_key: str, mem_key: str) -> View:
        cpu = sum(getattr(c, cpu_key) for c in counted)
        mem = sum(getattr(c, mem_key) for c in counted)
        return View(cpu, mem, monthly_usd(cpu, mem, answers.cpu_price, answers.memory_price))

    return Transition(
        current=today.option,
        usage=view("cpu_vcpu", "memory_gib"),
        requests=view("requests_cpu_vcpu", "requests_memory_gib"),
        components=tuple(c.name for c in counted),
        replaced=tuple(c.name for c in today.components if c.id in replaced),
        source=move.source if move and replaced else "",
    )
