"""Cost and latency categories on absolute scales: a share of the cluster's compute bill, milliseconds."""

from __future__ import annotations

from advisor.answers.resolve import Answers
from advisor.catalog.models import Catalog
from advisor.engine.costing import monthly_usd
from advisor.records import record


@record
class ClusterBill:
    """What the cluster's nodes cost a month: the yardstick the cost category measures against."""

    monthly_usd: float
    nodes: int
    node_vcpu: float
    node_memory_gib: float
    node_monthly_usd: float
    defaulted: bool  # the node size is the reference node, not an answer
    node_name: str  # what the node is ("8 vCPU, 32 GiB (answered)", the reference node's name)
    source: str


def cluster_bill(answers: Answers, catalog: Catalog) -> ClusterBill:
    """nodes x node size x prices; the reference node (pricing.toml) when no node size is given.

    A node price given as an answer (node_monthly_usd) is the node's price whatever the unit prices."""
    ref = catalog.pricing.reference_node
    given = answers.node_vcpu is not None and answers.node_memory_gib is not None
    if given:
        vcpu, mem = float(answers.node_vcpu or 0), float(answers.node_memory_gib or 0)
        name, source = f"{vcpu:g} vCPU, {mem:g} GiB (answered)", "answers: node_vcpu, node_memory_gib"
    elif ref is not None:
        vcpu, mem = ref.vcpu.value, ref.memory_gib.value
        name, source = ref.name, ref.vcpu.source
    else:  # a data directory without a reference node: one vCPU and 4 GiB per node is the floor
        vcpu, mem = 1.0, 4.0
        name, source = "1 vCPU, 4 GiB (no reference node in the data)", "pricing.toml"
    node_usd = (
        answers.node_monthly_usd
        if answers.node_monthly_usd is not None
        else monthly_usd(vcpu, mem, answers.cpu_price, answers.memory_price)
    )
    return ClusterBill(
        monthly_usd=answers.nodes * node_usd,
        nodes=answers.nodes,
        node_vcpu=vcpu,
        node_memory_gib=mem,
        node_monthly_usd=node_usd,
        defaulted=not given,
        node_name=name,
        source=source,
    )


def bill_share(mesh_monthly_usd: float, bill: ClusterBill) -> float:
    """What the mesh adds as a share of the bill (0.02 = 2%)."""
    if bill.monthly_usd <= 0:
        return 0.0 if mesh_monthly_usd <= 0 else float("inf")
    return mesh_monthly_usd / bill.monthly_usd


def cost_points(mesh_monthly_usd: float, bill: ClusterBill, catalog: Catalog) -> float:
    """Points the cost category loses (≤ 0): points_per_unit per percent of the bill, at most 100.
    Depends on this option alone, so no other option can reorder two options' cost standing."""
    per_percent = catalog.rules.cost_scale.points_per_unit
    return -min(100.0, per_percent * 100.0 * bill_share(mesh_monthly_usd, bill))


def latency_points(end_to_end_p90_ms: float, catalog: Catalog) -> float:
    """Points the latency category loses (≤ 0): points_per_unit per millisecond, at most 100."""
    return -min(100.0, catalog.rules.latency_scale.points_per_unit * max(0.0, end_to_end_p90_ms))
