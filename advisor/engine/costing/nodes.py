"""Whole nodes the mesh's requests need, when the node size is known (a bin-packing estimate)."""

from __future__ import annotations

import math

from advisor.answers.resolve import Answers
from advisor.engine.costing.cost_records import ComponentCost, NodeProjection, Spread, monthly_usd


# ---------------------------------------------------------------- nodes


NODE_METHOD = (
    "bin-packing estimate: the mesh's requests on whole nodes of the given allocatable size, the "
    "cluster assumed full; per-node agents take their share of every node, new ones included"
)


def node_price(answers: Answers) -> float | None:
    if answers.node_vcpu is None or answers.node_memory_gib is None:
        return None
    if answers.node_monthly_usd is not None:
        return answers.node_monthly_usd
    return monthly_usd(answers.node_vcpu, answers.node_memory_gib, answers.cpu_price, answers.memory_price)


def project_nodes(comps: tuple[ComponentCost, ...], usage: Spread, answers: Answers) -> NodeProjection | None:
    price = node_price(answers)
    if price is None:
        return None
    vcpu, mem = float(answers.node_vcpu or 0), float(answers.node_memory_gib or 0)
    per_node = [c for c in comps if c.scaling == "per-node"]
    nodes_now = max(1, max((c.instances for c in per_node), default=answers.nodes))
    agent_cpu = sum(c.requests_cpu_vcpu for c in per_node) / nodes_now
    agent_mem = sum(c.requests_memory_gib for c in per_node) / nodes_now
    rest_cpu = sum(c.requests_cpu_vcpu for c in comps if c.scaling != "per-node")
    rest_mem = sum(c.requests_memory_gib for c in comps if c.scaling != "per-node")
    # Existing nodes lose the agents' share; new nodes carry an agent each as well.
    need_cpu = rest_cpu + agent_cpu * nodes_now
    need_mem = rest_mem + agent_mem * nodes_now
    free_cpu, free_mem = vcpu - agent_cpu, mem - agent_mem
    if free_cpu <= 0 or free_mem <= 0:
        extra = answers.nodes  # the agents alone fill a node: every node's work must move
    else:
        extra = max(math.ceil(need_cpu / free_cpu - 1e-9), math.ceil(need_mem / free_mem - 1e-9), 0)
    cluster = answers.nodes * price
    return NodeProjection(
        extra_nodes=extra,
        node_monthly_usd=price,
        monthly_usd=extra * price,
        cluster_monthly_usd=cluster,
        share_of_cluster=extra * price / cluster if cluster else 0.0,
        usage_share=Spread(*(x / cluster if cluster else 0.0 for x in (usage.low, usage.expected, usage.high))),
        method=NODE_METHOD,
    )
