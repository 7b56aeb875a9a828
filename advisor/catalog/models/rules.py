"""The models of rules.toml: conditions on answers, rules and their targets, weights and scales."""

from __future__ import annotations

from dataclasses import field
from typing import TYPE_CHECKING, Literal, Union

from advisor.catalog.models.base import Category, Level, model
from advisor.catalog.models.benchmarks import Figure

if TYPE_CHECKING:
    from typing import Annotated

    from pydantic import Field

    from advisor.catalog.models.base import NonEmpty, Points
    from advisor.catalog.models.features import OptionInfo


@model
class Range:
    min: float | None = None
    max: float | None = None


Condition = Union[bool, int, float, str, tuple[str, ...], Range]


@model
class When:
    """Conditions on answers; every condition given must hold. No expressions, no code."""

    answers: dict[str, Condition] = field(default_factory=dict)
    requires_any: tuple[str, ...] = ()
    wants_any: tuple[str, ...] = ()
    # None of these capabilities is asked for: the rule states a fact that the feature cell
    # counts instead when it is asked for (so the fact is counted once).
    wants_none: tuple[str, ...] = ()


@model
class Target:
    """Which options a rule (or platform constraint) applies to, and by how many points.

    An option matches when it has every trait in `traits`, none in `without_traits`, and (when
    `options` is given) is one of `options`.
    """

    points: Points
    traits: tuple[str, ...] = ()
    without_traits: tuple[str, ...] = ()
    options: tuple[str, ...] = ()

    def matches(self, option: OptionInfo) -> bool:
        return (
            option.has(self.traits)
            and not any(t in option.traits for t in self.without_traits)
            and (not self.options or option.id in self.options)
        )


@model
class Rule:
    id: NonEmpty
    category: Category
    text: NonEmpty
    source: NonEmpty
    # Points by option id, and/or targets by trait; an option gets at most one adjustment per
    # rule: its `adjust` entry if it has one, else the first target it matches.
    adjust: dict[str, Points] = field(default_factory=dict)
    targets: tuple[Target, ...] = ()
    when: When = field(default_factory=When)
    # A warning is repeated in the summary when it applies to the chosen option.
    warn: bool = False
    # A fact about what the team must learn: not applied to the option the team runs today.
    spares_current: bool = False

    def points_for(self, option: OptionInfo) -> float | None:
        if option.id in self.adjust:
            return self.adjust[option.id]
        return next((t.points for t in self.targets if t.matches(option)), None)


@model
class WeightRule:
    id: NonEmpty
    category: Category
    factor: Annotated[float, Field(ge=0, le=10)]
    text: NonEmpty
    when: When = field(default_factory=When)


@model
class LevelRule:
    """Points a category loses when an asked-for capability is only at `level` in an option."""

    id: NonEmpty
    level: Level
    asked: Literal["required", "preferred"]
    risk: tuple[str, ...]
    delta: Annotated[float, Field(ge=-100, le=0)]
    text: NonEmpty
    category: Category = "maturity"


@model
class RelativeScale:
    """Points a category loses per unit of what it measures: per percent of the cluster's compute
    bill (cost) or per millisecond added end to end (latency); the category never goes below 0."""

    points_per_unit: Annotated[float, Field(gt=0, le=100)]
    unit: NonEmpty
    text: str = ""


@model
class MaturityRules:
    """Points a required capability costs from its cell's readiness fields, never from its name."""

    # A required capability upstream calls not ready for production: blocks these risk levels...
    not_production_ready_blocks: tuple[str, ...] = ("conservative",)
    # ...and costs these points (maturity) at the others, by risk level.
    not_production_ready_points: dict[str, Points] = field(default_factory=dict)
    # A level reached fewer than `young_minor_releases` minor releases ago weighs more: points by risk.
    young_minor_releases: int = 2
    young_points: dict[str, Points] = field(default_factory=dict)
    source: str = ""


@model
class PartialMustHave:
    """A must-have met only in part cannot win on a cost difference small against the cluster's bill."""

    # A cost lead under this share of the cluster's monthly compute bill is small.
    small_cost_share: Annotated[float, Field(ge=0, le=1)] = 0.05
    text: str = ""


@model
class InUseRules:
    """What a capability the cluster uses today (scan evidence) is worth: like a preference, plus
    what losing it costs (the rework the move needs)."""

    points: Annotated[float, Field(ge=0, le=100)] = 30.0
    losing_points: Annotated[float, Field(ge=0, le=100)] = 10.0
    text: str = ""


@model
class SanityCheck:
    """A warning, never an error, for answers that are valid but implausible: `measure` above `limit`.

    `text` may name {value} (the measure), {limit} and any answer ({pods}, {nodes}, ...).
    """

    id: NonEmpty
    measure: Literal["pods_per_node", "waypoint_namespaces_per_namespace", "proxy_rps_per_pod"]
    limit: Figure
    text: NonEmpty


@model
class Rules:
    data_version: NonEmpty
    close_margin: Annotated[float, Field(ge=0, le=50)]
    blocking_levels: dict[str, tuple[Level, ...]]
    level_values: dict[Level, Annotated[float, Field(ge=0, le=1)]]
    # Points an asked-for capability is worth; an option loses (1 - level value) x these points.
    ask_points: dict[Literal["required", "preferred"], Annotated[float, Field(ge=0, le=100)]]
    weights: dict[Category, Annotated[float, Field(ge=0, le=1000)]]
    cost_scale: RelativeScale
    latency_scale: RelativeScale
    weight_rules: tuple[WeightRule, ...] = ()
    level_rules: tuple[LevelRule, ...] = ()
    rules: tuple[Rule, ...] = ()
    sanity_checks: tuple[SanityCheck, ...] = ()
    maturity: MaturityRules | None = None
    partial_must_have: PartialMustHave | None = None
    in_use: InUseRules | None = None
