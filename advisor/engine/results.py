"""What each command computes, as frozen result objects (pipx's result.py is the model).

A command's core returns one of these; advisor.output renders it (advisor.output.formats: a table,
JSON, TOML or Markdown, chosen by the result's `kind`). Results know nothing of their rendering:
their documents are built in advisor.output.documents, except where the result already is a
document (`compare`). `meta` is the provenance every document carries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Mapping

from advisor import __version__
from advisor.records import record

if TYPE_CHECKING:
    from advisor.answers.resolve import Resolved
    from advisor.catalog.models import Catalog
    from advisor.engine.costing import Projection
    from advisor.engine.robustness import Robustness
    from advisor.engine.scoring import Recommendation
    from advisor.engine.sweep import Sweep
    from advisor.engine.whatif import WhatIf


def meta(catalog: Catalog, resolved: Resolved | None, generated_at: str) -> dict[str, Any]:
    """Which tool, data and answers a result came from: every document's [meta] table."""
    out: dict[str, Any] = {
        "tool": "mesh-advisor",
        "tool_version": __version__,
        "data_version": catalog.data_version,
        "generated_at": generated_at,
    }
    if resolved is not None:
        # answers left absent (none) are not in the document's [answers]: not listed here either
        out["defaulted"] = [k for k in resolved.defaulted if getattr(resolved.answers, k) is not None]
        # where each answer came from: flag, file, scan, typed or default (defaulted stays, as before)
        out["origins"] = dict(resolved.origin)
        out["benchmark_profile"] = resolved.answers.benchmark_profile
    return out


# ---------------------------------------------------------------- results of commands


@record
class RecommendationResult:
    """`recommend`: the scored options, and the decision boundaries when --what-if was asked."""

    kind: ClassVar[str] = "recommendation"
    catalog: Catalog
    resolved: Resolved
    recommendation: Recommendation
    generated_at: str
    what_if: WhatIf | None = None
    what_if_limit: int = 5  # how many findings the table shows (documents list all)
    warnings: tuple[str, ...] = ()
    data_dir: str | None = None  # --data-dir, for the record's reproducing command
    robustness: Robustness | None = None  # the choice across the figures' ranges


@record
class CostResult:
    """`cost`: per-component resources, money and latency, and the sweep when --sweep was given."""

    kind: ClassVar[str] = "cost"
    catalog: Catalog
    resolved: Resolved
    projection: Projection
    generated_at: str
    sweep: Sweep | None = None
    warnings: tuple[str, ...] = ()


@record
class MatrixResult:
    """`matrix`: the feature matrix, or the rows asked for with --feature."""

    kind: ClassVar[str] = "matrix"
    catalog: Catalog
    feature_ids: tuple[str, ...]
    generated_at: str


@record
class DataResult:
    """`data show`: every benchmark figure and price with its source."""

    kind: ClassVar[str] = "data"
    catalog: Catalog
    generated_at: str


@record
class ComparisonResult:
    """`compare A B`: the comparison document (built by advisor.engine.compare from two saved results)."""

    kind: ClassVar[str] = "compare"
    document: Mapping[str, Any]

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(self.document.get("warnings", ()))

    def to_document(self) -> dict[str, Any]:
        return dict(self.document)
