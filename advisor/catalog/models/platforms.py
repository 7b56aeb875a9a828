"""The models of platforms.toml: platforms with their constraints, and managed or vendor offerings."""

from __future__ import annotations

from dataclasses import field
from typing import TYPE_CHECKING, Literal

from advisor.catalog.models.base import Category, Level, model
from advisor.catalog.models.rules import Target

if TYPE_CHECKING:
    from advisor.catalog.models.base import NonEmpty, Points
    from advisor.catalog.models.features import OptionInfo


@model
class Constraint:
    """What a platform rules out (block) or costs, for the options its targets match."""

    id: NonEmpty
    text: NonEmpty
    source: NonEmpty
    version: NonEmpty
    targets: tuple[Target, ...]
    block: bool = False
    category: Category = "operability"
    # A managed or vendor offering: counts only when the answers accept a vendor distribution.
    vendor: str = ""
    # Offerings (platforms.toml offerings ids) that take this constraint away from the option they
    # stand for, when accepted (the vendor's operator handles what the constraint says).
    unless_offering: tuple[str, ...] = ()

    def points_for(self, option: OptionInfo) -> float | None:
        return next((t.points for t in self.targets if t.matches(option)), None)


@model
class Offering:
    """A managed or vendor offering on a platform (or anywhere): what the option means when the
    answers accept a vendor distribution, and what it changes."""

    id: NonEmpty
    name: NonEmpty
    vendor: NonEmpty
    source: NonEmpty
    version: NonEmpty
    targets: tuple[Target, ...]  # which options it is; points go to maturity (support)
    text: NonEmpty
    platforms: tuple[str, ...] = ()  # where it is offered; empty: on any platform
    # Features whose level the offering changes: feature id -> level (e.g. ambient not offered).
    levels: dict[str, Level] = field(default_factory=dict)
    levels_note: str = ""
    # Minor releases it trails upstream by, when published.
    version_lag: int = 0
    # Monthly licence in USD per node when a list price is published; None: not costed.
    licence_usd_per_node_month: float | None = None
    licence_note: str = ""
    # Operability points for the options this platform offering does not cover, when accepted:
    # running them means operating their control plane and upgrades, and a second support contract.
    others_points: Points = 0.0
    others_text: str = ""
    # Maturity points for those options too: their support sits outside the platform vendor's.
    others_support_points: Points = 0.0


@model
class Platform:
    id: NonEmpty
    name: NonEmpty
    description: NonEmpty
    constraints: tuple[Constraint, ...] = ()
    # "requests" where the platform bills pod requests (Fargate, Autopilot): cost_basis defaults to it.
    billing: Literal["nodes", "requests"] = "nodes"
    # The price preset (pricing.toml) the platform's defaults use, when it has its own prices.
    price_preset: str = ""


@model
class Platforms:
    data_version: NonEmpty
    platforms: tuple[Platform, ...]
    offerings: tuple[Offering, ...] = ()
