"""The one pipeline: resolved answers and the catalog become a command's result (recommend, wizard, cost, plan).

Every command that scores or projects comes through `evaluate`, so the same answers give the same
numbers whichever command, or the wizard, asked: the projection is made once and the scoring reads
it. `recommendation`, `cost` and `plan` add what each command shows on top (robustness and the
decision boundaries, the sweep, the move).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from advisor.engine.costing import Projection, project
from advisor.engine.results import CostResult, RecommendationResult
from advisor.engine.sanity import sanity_warnings
from advisor.engine.scoring import Recommendation, recommend
from advisor.records import record

if TYPE_CHECKING:
    from pathlib import Path

    from advisor.answers.resolve import Resolved
    from advisor.catalog.models import Catalog
    from advisor.engine.plan import PlanResult
    from advisor.engine.sweep import SweepSpec


@record
class Evaluation:
    """What every command reads from the answers: the projection (made once) and, when asked, the scores read from it."""

    projection: Projection
    recommendation: Recommendation | None
    warnings: tuple[str, ...]


def evaluate(catalog: Catalog, resolved: Resolved, *, score: bool = True) -> Evaluation:
    """The one path from resolved answers to numbers: project once, score from that projection (unless
    only the cost is wanted), and the sanity warnings on the answers."""
    answers = resolved.answers
    projection = project(answers, catalog)
    return Evaluation(
        projection,
        recommend(answers, catalog, projection) if score else None,
        sanity_warnings(answers, catalog, resolved.defaulted),
    )


def recommendation(
    catalog: Catalog,
    resolved: Resolved,
    generated_at: str,
    *,
    what_if: bool = False,
    what_if_limit: int = 5,
    data_dir: str | None = None,
) -> RecommendationResult:
    """`recommend` and the wizard: the scores, the choice, its robustness, and the decision boundaries when asked."""
    # deferred: the sampling over the figures' ranges (and random) loads only for a recommendation, never for cost
    from advisor.engine.robustness import robustness

    answers = resolved.answers
    boundaries = None
    if what_if:
        # deferred: the what-if search module loads only when --what-if was asked
        from advisor.engine.whatif import what_if as find_boundaries

        boundaries = find_boundaries(answers, catalog)
    evaluation = evaluate(catalog, resolved)
    rec = evaluation.recommendation
    assert rec is not None
    return RecommendationResult(
        catalog,
        resolved,
        rec,
        generated_at,
        what_if=boundaries,
        what_if_limit=what_if_limit,
        warnings=evaluation.warnings,
        data_dir=data_dir,
        robustness=robustness(answers, catalog, rec),
    )


def cost(catalog: Catalog, resolved: Resolved, generated_at: str, sweep: SweepSpec | None = None) -> CostResult:
    """`cost`: the projection, and the sweep over one answer when asked."""
    answers = resolved.answers
    swept = None
    if sweep is not None:
        # deferred: the sweep module loads only when --sweep was given
        from advisor.engine.sweep import run_sweep

        swept = run_sweep(answers, catalog, sweep)
    evaluation = evaluate(catalog, resolved, score=False)
    return CostResult(catalog, resolved, evaluation.projection, generated_at, sweep=swept, warnings=evaluation.warnings)


def plan(
    catalog: Catalog,
    resolved: Resolved,
    target: str,
    scan: Mapping[str, Any] | None,
    generated_at: str,
    signals: Path,
    sidecar_scoping: bool = False,
    objects: list[dict[str, Any]] | None = None,
) -> PlanResult:
    """`plan`: the move to `target`, scored and projected once (the scan's evidence when there is one); with
    `objects`, the manifests the move needs (`plan --manifests`)."""
    # deferred: the plan module (and the scan inference it reads) loads only for `plan`
    from advisor.engine.plan import build_plan

    rec = evaluate(catalog, resolved).recommendation
    return build_plan(
        catalog,
        resolved,
        target,
        scan,
        generated_at,
        signals=signals,
        recommendation=rec,
        sidecar_scoping=sidecar_scoping,
        objects=objects,
    )
