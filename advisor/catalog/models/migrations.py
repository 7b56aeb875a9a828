"""The models of migrations.toml: the moves planned, their costs, phases, blockers, rework and gaps.

A mesh selector (from_mesh / to_mesh) is a list of: an option id, "none" (no mesh), or
"trait:<trait>" (any option with that trait); an empty list means any. Entries apply to a
move from the current mesh to a target only when both selectors match and the two differ.
"""

from __future__ import annotations

from dataclasses import field
from typing import TYPE_CHECKING, Literal

from advisor.catalog.models.base import model
from advisor.catalog.models.rules import When

if TYPE_CHECKING:
    from typing import Annotated

    from pydantic import Field

    from advisor.catalog.models.base import NonEmpty

# The generators advisor.engine.manifests has (tests/plan/test_manifests.py keeps the two equal): the data
# names them in `[[moves]] manifests`, and `data validate` checks the names without importing the engine.
MANIFEST_GENERATORS: tuple[str, ...] = (
    "istio-policies-from-linkerd",
    "waypoints",
    "gamma-routes",
    "targetref-policies",
    "ambient-namespace-labels",
    "waypoint-bypass-deny",
    "linkerd-injection",
    "linkerd-servers",
    "linkerd-routes-out",
    "routes-into-linkerd",
    "istio-injection",
    "ambient-labels-from-linkerd",
    "sidecar-scoping",
)


@model
class ManifestStep:
    """A generator of `plan --manifests` (advisor/engine/manifests.py GENERATORS) and the phase its files belong to."""

    generator: NonEmpty
    phase: NonEmpty
    to_mesh: tuple[str, ...] = ()  # only for these targets (a move may cover several)


@model
class Move:
    """A move the plan command supports, and what both meshes share while it is under way."""

    id: NonEmpty
    from_mesh: tuple[str, ...]
    to_mesh: tuple[str, ...]
    title: NonEmpty
    text: NonEmpty
    source: NonEmpty
    # Components of today's mesh that the target's own replace during the move (counted once).
    replaced_components: tuple[str, ...] = ()
    # `plan --manifests`: the objects the move writes, generator by generator, in the phases named.
    manifests: tuple[ManifestStep, ...] = ()
    # A plan that stays on the current mesh (from_mesh = to_mesh), such as scoping its sidecars.
    stay: bool = False
    # Answers the target state changes (a stay that scopes sidecars: sidecar_scoping = true), for its cost.
    target_answers: dict[str, bool | int | float | str] = field(default_factory=dict)
    # The benchmark component whose rps_per_replica sizes the waypoints (plan --manifests).
    waypoint_component: str = ""


@model
class Unsupported:
    """An ordered pair of meshes the data deliberately does not plan, and why."""

    from_mesh: tuple[str, ...]
    to_mesh: tuple[str, ...]
    because: NonEmpty
    source: NonEmpty


@model
class MoveCost:
    """Points a move loses in the migration category (a sourced reason, like a rule)."""

    id: NonEmpty
    kind: Literal["restart", "translate", "side-by-side", "retrain"]
    delta: Annotated[float, Field(ge=-100, le=0)]
    text: NonEmpty
    source: NonEmpty
    from_mesh: tuple[str, ...] = ()
    to_mesh: tuple[str, ...] = ()
    when: When = field(default_factory=When)


@model
class PlanItem:
    """A blocker, a piece of rework or a gap during the move.

    Raised by evidence (scan findings whose signal or kind is listed, on objects no signal in
    `except_signals` matched), by the answers alone
    (a required or preferred capability in `capabilities`, or `when` holding), or `always`.
    """

    id: NonEmpty
    text: NonEmpty
    source: NonEmpty
    from_mesh: tuple[str, ...] = ()
    to_mesh: tuple[str, ...] = ()
    moves: tuple[str, ...] = ()  # move ids; when given, only those moves
    signals: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    # An object one of these signals matched never raises the item (an EnvoyFilter that selects
    # only an ingress gateway's pods is no waypoint concern).
    except_signals: tuple[str, ...] = ()
    capabilities: tuple[str, ...] = ()
    when: When | None = None
    always: bool = False
    action: str = ""  # rework: what to do with each object
    phase: str = ""  # the phase (id) where the rework is done or the gap opens


@model
class Phase:
    id: NonEmpty
    order: Annotated[int, Field(ge=0, le=1000)]
    title: NonEmpty
    text: NonEmpty
    source: NonEmpty
    from_mesh: tuple[str, ...] = ()
    to_mesh: tuple[str, ...] = ()
    moves: tuple[str, ...] = ()  # move ids; when given, only those moves
    # "all": one step per namespace to move; "l7": one per namespace that needs L7; "no": one step.
    per_namespace: Literal["no", "all", "l7"] = "no"


@model
class Migrations:
    data_version: NonEmpty
    moves: tuple[Move, ...] = ()
    unsupported: tuple[Unsupported, ...] = ()
    costs: tuple[MoveCost, ...] = ()
    phases: tuple[Phase, ...] = ()
    blockers: tuple[PlanItem, ...] = ()
    rework: tuple[PlanItem, ...] = ()
    gaps: tuple[PlanItem, ...] = ()


def mesh_matches(selector: tuple[str, ...], mesh: str, traits: tuple[str, ...]) -> bool:
    """True when `mesh` (an option id or "none", with its traits) is one the selector names."""
    if not selector:
        return True
    for item in selector:
        if item == mesh or (item.startswith("trait:") and item.removeprefix("trait:") in traits):
            return True
    return False
