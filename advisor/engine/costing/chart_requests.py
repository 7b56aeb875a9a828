"""The requests view: each component's chart requests, or the install's own proxy requests when answered."""

from __future__ import annotations

import functools

from advisor.answers.resolve import Answers
from advisor.catalog.models import Component, ComponentFigures, Figure, answer_figure
from advisor.engine.costing.drivers import Drivers


# Answers that replace the requests of each injected proxy (components that scale per pod):
# (answer, the name its figure is listed under in a component's figures, unit).
PROXY_REQUEST_ANSWERS: tuple[tuple[str, str, str], ...] = (
    ("proxy_cpu_request_millicores", "request_cpu_millicores", "millicores"),
    ("proxy_memory_request_mib", "request_memory_mib", "MiB"),
)


def answered_requests(answers: Answers) -> list[str]:
    """The injected proxies' requests the answers set, in words, for output that says where
    requests come from: ["CPU 100 millicores (proxy_cpu_request_millicores)", ...]."""
    out = []
    for key, name, unit in PROXY_REQUEST_ANSWERS:
        value = getattr(answers, key)
        if value is not None:
            out.append(f"{'CPU' if 'cpu' in name else 'memory'} {value:,} {unit} ({key})")
    return out


@functools.lru_cache(maxsize=64)
def _answered(key: str, value: int, unit: str, replaced: Figure | None, replaced_name: str) -> Figure:
    """The figure an answer gives, in the place of the chart's (sweeps ask for the same one often)."""
    was = f"{replaced_name} {replaced.value:g} {replaced.unit} ({replaced.source})" if replaced else "no chart figure"
    return answer_figure(key, float(value), unit, f"the install's own request, in place of {was}")


def requests_of(
    component: Component, figs: ComponentFigures, d: Drivers, ha: bool, answers: Answers
) -> tuple[float, float, dict[str, Figure]]:
    used: dict[str, Figure] = {}
    cpu_fig = figs.ha_request_cpu_millicores if (ha and figs.ha_request_cpu_millicores) else figs.request_cpu_millicores
    mem_fig = figs.ha_request_memory_mib if (ha and figs.ha_request_memory_mib) else figs.request_memory_mib
    cpu_name = "ha_request_cpu_millicores" if cpu_fig is figs.ha_request_cpu_millicores else "request_cpu_millicores"
    mem_name = "ha_request_memory_mib" if mem_fig is figs.ha_request_memory_mib else "request_memory_mib"
    if component.scaling == "per-pod":
        # an injected sidecar proxy: the install's own requests, when answered, replace the chart's
        (cpu_key, cpu_as, cpu_unit), (mem_key, mem_as, mem_unit) = PROXY_REQUEST_ANSWERS
        cpu_answer, mem_answer = getattr(answers, cpu_key), getattr(answers, mem_key)
        if cpu_answer is not None:
            cpu_fig, cpu_name = _answered(cpu_key, cpu_answer, cpu_unit, cpu_fig, cpu_name), cpu_as
        if mem_answer is not None:
            mem_fig, mem_name = _answered(mem_key, mem_answer, mem_unit, mem_fig, mem_name), mem_as
    cpu = mem = 0.0
    if cpu_fig is not None:
        used[cpu_name] = cpu_fig
        cpu = cpu_fig.value / 1000 * d.instances
    if mem_fig is not None:
        used[mem_name] = mem_fig
        mem = mem_fig.value / 1024 * d.instances
    return cpu, mem, used
