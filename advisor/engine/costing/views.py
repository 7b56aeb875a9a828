"""What each Envoy is told about: service ports and endpoints in view, per group of alike instances.

Envoy's memory follows the configuration it holds (Istio's performance page): a cluster, listener
and route entries per Service port, and a small record per endpoint. An unscoped sidecar holds the
whole cluster's; a scoped one (Sidecar resource or discoverySelectors) its own namespace's plus the
control plane's Services; a waypoint only its own namespace's. `ViewSum` adds up the memory of many
instances over these views, capped at the container's limit, without a loop over namespaces when it
can.
"""

from __future__ import annotations

import bisect
from typing import Iterable


class ViewSum:
    """sum over groups of weight x min(cap, base + a·ports + b·derived_pods + c·endpoints).

    A group is instances alike for the model: the service ports they are told about (`ports`, from
    answers), the pods whose Services are derived rather than answered (`derived`: its ports are
    derived_pods x services_per_pod x ports_per_service, so `b` carries that figure), the endpoints
    in view, and how many instances (the weight). Without a cap the sum is linear (prefix totals);
    with one, the groups are sorted by their view at the slopes asked, once per slope set.
    """

    def __init__(self, groups: Iterable[tuple[float, float, float, float]]) -> None:  # (ports, derived, endpoints, w)
        self.groups = tuple(g for g in groups if g[3] > 0)
        self.total_weight = sum(g[3] for g in self.groups)
        self.w_ports = sum(g[0] * g[3] for g in self.groups)
        self.w_derived = sum(g[1] * g[3] for g in self.groups)
        self.w_endpoints = sum(g[2] * g[3] for g in self.groups)
        self.max_ports = max((g[0] for g in self.groups), default=0.0)
        self.max_derived = max((g[1] for g in self.groups), default=0.0)
        self.max_endpoints = max((g[2] for g in self.groups), default=0.0)
        self._sorted: dict[tuple[float, float, float], tuple[list[float], list[float], list[float]]] = {}

    def linear(self, base: float, a: float, b: float, c: float) -> float:
        return self.total_weight * base + a * self.w_ports + b * self.w_derived + c * self.w_endpoints

    def _largest(self, base: float, a: float, b: float, c: float) -> float:
        """An upper bound of any group's value (each term at its largest group)."""
        return base + a * self.max_ports + b * self.max_derived + c * self.max_endpoints

    def sum(self, base: float, a: float, b: float, c: float, cap: float | None) -> tuple[float, float]:
        """(the sum, the instances that reached the cap)."""
        if not self.groups:
            return 0.0, 0.0
        if cap is None or self._largest(base, a, b, c) <= cap:
            return self.linear(base, a, b, c), 0.0
        key = (a, b, c)
        hit = self._sorted.get(key)
        if hit is None:
            pairs = sorted((a * p + b * d + c * e, w) for p, d, e, w in self.groups)
            views = [v for v, _ in pairs]
            weight, weighted = [0.0], [0.0]
            for v, w in pairs:
                weight.append(weight[-1] + w)
                weighted.append(weighted[-1] + w * v)
            if len(self._sorted) > 16:
                self._sorted.clear()
            hit = self._sorted[key] = (views, weight, weighted)
        views, weight, weighted = hit
        i = bisect.bisect_right(views, cap - base)
        below = weight[i] * base + weighted[i]
        capped = weight[-1] - weight[i]
        return below + capped * cap, capped

    def largest(self, base: float, a: float, b: float, c: float) -> float:
        """The largest instance's value (uncapped): what the most-told proxy would need."""
        if not self.groups:
            return 0.0
        return base + max(a * p + b * d + c * e for p, d, e, _ in self.groups)

    def sums(
        self, bases: list[float], a: list[float], b: list[float], c: list[float], cap: float | None
    ) -> list[float]:
        """`sum(...)[0]` for each draw: the sampled draws' memory, at once when no draw can reach the cap."""
        # every term at its largest draw bounds every draw: one check instead of one per draw
        if cap is None or not bases or self._largest(max(bases), max(a), max(b), max(c)) <= cap:
            w, wp, wd, we = self.total_weight, self.w_ports, self.w_derived, self.w_endpoints
            return [w * x + y * wp + z * wd + u * we for x, y, z, u in zip(bases, a, b, c)]
        return [
            sum(w * min(cap, x + y * p + z * d + u * e) for p, d, e, w in self.groups)
            for x, y, z, u in zip(bases, a, b, c)
        ]
