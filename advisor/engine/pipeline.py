"""The one pipeline: resolved answers and the catalog become a command's result (recommend, wizard, cost, plan).

Every command that scores or projects comes through here, so the same answers give the same
result whichever command, or the wizard, asked: the projection is made once and the scoring
reads it; robustness and the sanity warnings are part of every recommendation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from advisor.engine.costing import project
from advisor.engine.results import CostResult, RecommendationResult
from advisor.engine.robustness import robustness
from advisor.engine.sanity import sanity_warnings
from advisor.engine.scoring import recommend

if TYPE_CHECKING:
    from pathlib import Path

    from advisor.answers.resolve import Resolved
    from advisor.catalog.models import Catalog
    from advisor.engine.plan import PlanResult
    from advisor.engine.sweep import SweepSpec


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
    answers = resolved.answers
    boundaries = None
    if what_if:
        # deferred: the what-if search module loads only when --what-if was asked
        from advisor.engine.whatif import what_if as find_boundaries

        boundaries = find_boundaries(answers, catalog)
    rec = recommend(answers, catalog, project(answers, catalog))
    return RecommendationResult(
        catalog,
        resolved,
        rec,
        generated_at,
        what_if=boundaries,
        what_if_limit=what_if_limit,
        warnings=sanity_warnings(answers, catalog, resolved.defaulted),
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
    return CostResult(
        catalog,
        resolved,
        project(answers, catalog),
        generated_at,
        sweep=swept,
        warnings=sanity_warnings(answers, catalog, resolved.defaulted),
    )


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

    answers = resolved.answers
    rec = recommend(answers, catalog, project(answers, catalog))
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
