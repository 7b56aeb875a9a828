"""The scoring result records: reasons, blockers, partly met must-haves, option scores, the recommendation."""

from __future__ import annotations

from dataclasses import field

from advisor.engine.costing import Projection
from advisor.engine.standing import ClusterBill
from advisor.records import record


# Records (advisor.records): frozen, compared by their documents and never by value, cheap to define.
@record
class Reason:
    category: str
    delta: float
    text: str
    source: str
    label: str = ""  # a short name for the one-line explanation: a rule id, a feature id, ...


@record
class Blocker:
    feature: str
    level: str
    text: str
    source: str


@record
class PartlyMet:
    """A required capability an option supports only in part: said plainly, never read as met."""

    feature: str
    note: str
    source: str
    missing: str = ""  # the part that is missing, from the cell ("delay injection")


@record
class OptionScore:
    option: str
    name: str
    eligible: bool
    score: float
    blockers: tuple[Blocker, ...]
    scores: dict[str, float]
    reasons: tuple[Reason, ...]
    warnings: tuple[str, ...] = ()
    # One line per category: what moved the score and by how much, so the arithmetic can be checked.
    explain: dict[str, str] = field(default_factory=dict)
    partly_met: tuple[PartlyMet, ...] = ()
    vendor_builds: tuple[tuple[str, str], ...] = ()  # (feature id, vendor) counted at a vendor build's level
    # Per category, the points from everything but the relative cost and latency comparison: what
    # stays fixed when only the figures move (advisor.engine.robustness rescores the draws from these).
    fixed_deltas: dict[str, float] | None = None


@record
class Recommendation:
    choice: str  # an option id, or "none"
    ranking: tuple[str, ...]
    confidence: str  # "clear" | "close"
    summary: str
    options: dict[str, OptionScore]
    weights: dict[str, float]  # effective category weights, summing to 1
    weight_reasons: tuple[str, ...]
    projection: Projection
    # The yardstick of the cost category: nodes x node size x prices (the reference node when unknown).
    cluster_bill: ClusterBill | None = None
