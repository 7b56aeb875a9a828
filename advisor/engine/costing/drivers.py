"""What drives each component: instances, requests handled, connected proxies, what each is told about."""

from __future__ import annotations

import math

from advisor.answers.resolve import Answers
from advisor.catalog.models import Component, ComponentFigures
from advisor.engine.costing.views import ViewSum
from advisor.records import record
from advisor.engine.costing.workload import Workload, _PORTS_PER_SERVICE


# ---------------------------------------------------------------- drivers per component


@record
class Drivers:
    instances: int
    rps: float
    proxies: float  # proxies a control plane serves
    cluster_pods: float
    in_view: ViewSum  # Service ports and endpoints each instance is told about, weighted by instances
    # Instances the per-instance CPU counts: a control plane's replicas share one mesh's work
    # (their memory does not: each replica holds the cluster state).
    cpu_units: int = -1
    replicas: int = 1  # a control plane's replicas, which split its connected proxies
    ports_per_service: float = 1.0  # the data's value, for ports derived from pods

    @property
    def cpu_instances(self) -> int:
        return self.instances if self.cpu_units < 0 else self.cpu_units

    @property
    def proxies_per_replica(self) -> float:
        return self.proxies / max(1, self.replicas)


def _replicas(component: Component, ha: bool) -> int:
    return component.ha_replicas if (ha and component.ha_replicas) else component.replicas


def _instances_and_views(
    component: Component, figs: ComponentFigures, load: Workload, answers: Answers, minimum: int, capacity: float
) -> tuple[int, ViewSum]:
    """Instances of a component and what each is told about: (answered ports, derived pods,
    endpoints, instances) per group. A component without a `view` holds no Service configuration."""
    always = figs.service_ports_always_in_view.value if figs.service_ports_always_in_view is not None else 0.0
    # the cluster's Services include the control plane's own (istiod's ports), which the data counts apart
    cluster_view = (load.cluster_ports + always, load.cluster_derived_pods, float(load.cluster_pods))
    if component.scaling == "per-pod":
        instances = load.sidecars * component.replicas
        if component.view == "namespace" or (component.view == "cluster" and load.scoped):
            groups = [(g.ports + always, g.derived_pods, g.pods, g.pods * g.count) for g in load.groups]
        else:
            groups = [(*cluster_view, float(instances))]
    elif component.scaling == "per-node":
        instances = load.meshed_nodes * component.replicas
        groups = [(*cluster_view, float(instances))]
    elif component.scaling == "per-l7-namespace":
        groups = []
        instances = 0
        for g in load.groups:
            if not g.needs_l7:
                continue
            per_ns = minimum
            if capacity > 0:
                per_ns = max(minimum, math.ceil(g.l7_rps * max(component.traversals, 1) / capacity - 1e-9))
            instances += per_ns * g.count
            if component.view == "cluster" and not load.scoped:
                groups.append((*cluster_view, float(per_ns * g.count)))
            else:  # a waypoint is told about its own namespace's Services only, scoped or not
                groups.append((g.ports + always, g.derived_pods, g.pods, float(per_ns * g.count)))
    else:  # fixed
        pinned = getattr(answers, component.replicas_answer, None) if component.replicas_answer else None
        instances = pinned or minimum
        groups = [(*cluster_view, float(instances))]
    if not component.view:
        groups = [(0.0, 0.0, 0.0, w) for *_, w in groups]
    return instances, ViewSum(groups)


_VIEWS: dict[tuple[object, ...], tuple[object, int, ViewSum]] = {}


def drivers_for(
    component: Component, figs: ComponentFigures, load: Workload, answers: Answers, proxies: float
) -> Drivers:
    ha = load.ha
    minimum = _replicas(component, ha)
    capacity = figs.rps_per_replica.value if figs.rps_per_replica is not None else 0.0
    per_group = component.scaling in ("per-l7-namespace",) or (component.scaling == "per-pod" and load.scoped)
    key = (
        id(load.groups),
        component.id,
        load.scoped,
        minimum,
        capacity,
        load.cluster_pods,
        load.sidecars,
        component.view,
    )
    hit = _VIEWS.get(key) if per_group else None
    if hit is not None and hit[0] is load.groups:
        instances, view_sum = hit[1], hit[2]
    else:
        instances, view_sum = _instances_and_views(component, figs, load, answers, minimum, capacity)
        if per_group:
            if len(_VIEWS) > 64:
                _VIEWS.clear()
            # holding the groups keeps their id from being reused while the entry lives
            _VIEWS[key] = (load.groups, instances, view_sum)
    if component.traffic == "none" or not instances:
        rps = 0.0
    elif component.traffic == "all":
        rps = load.mesh_rps * component.traversals
    else:
        rps = load.l7_rps * component.traversals
    shared = component.scaling == "fixed" and component.role == "control-plane"
    return Drivers(
        instances=instances,
        rps=rps,
        proxies=proxies,
        cluster_pods=float(load.cluster_pods),
        in_view=view_sum,
        cpu_units=min(1, instances) if shared else -1,
        replicas=instances if shared else 1,
        ports_per_service=_PORTS_PER_SERVICE[0],
    )
