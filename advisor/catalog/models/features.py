"""The models of features.toml: the options compared, and the capability matrix with its cells."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from advisor.catalog.models.base import LEVELS, Level, model

if TYPE_CHECKING:
    from advisor.catalog.models.base import NonEmpty


@model
class OptionInfo:
    id: NonEmpty
    name: NonEmpty
    version: NonEmpty
    description: NonEmpty
    # What the option is made of (sidecar, node-proxy, envoy, rust-proxy, istio-api, ...): rules
    # and platform constraints target traits, so a new mesh inherits what is true of its parts.
    traits: tuple[str, ...] = ()
    # One character that stands for the option in charts (default: the first free letter of its name).
    mark: str = ""

    def has(self, traits: tuple[str, ...]) -> bool:
        return all(t in self.traits for t in traits)


@model
class Group:
    id: NonEmpty
    title: NonEmpty


@model
class Cell:
    level: Level  # what the open-source project offers
    note: NonEmpty
    version: NonEmpty
    source: NonEmpty
    contested: bool = False
    # What a commercial distribution offers beyond `level` (e.g. a FIPS build). It counts only
    # when the answers accept a vendor distribution, and the reason then names the vendor.
    vendor: str = ""
    vendor_level: Level | None = None
    vendor_note: str = ""
    vendor_source: str = ""
    # Upstream's own word on readiness: false where upstream says the feature is "not ready for
    # production" (the quote in production_ready_note, its source); omitted means no such statement.
    production_ready: bool | None = None
    production_ready_note: str = ""
    production_ready_source: str = ""
    # The release (and date) the cell reached its level, e.g. "1.29 (2026-02)"; "" when not known.
    since: str = ""
    # For a partial cell: the part that is missing, in a few words ("delay injection").
    missing: str = ""

    def effective(self, vendor_ok: bool) -> tuple[Level, str, str, str]:
        """(level, note, source, vendor named or "") that counts for these answers."""
        if vendor_ok and self.vendor_level is not None and LEVELS.index(self.vendor_level) < LEVELS.index(self.level):
            return self.vendor_level, self.vendor_note, self.vendor_source, self.vendor
        return self.level, self.note, self.source, ""


@model
class Feature:
    id: NonEmpty
    group: NonEmpty
    name: NonEmpty
    description: NonEmpty
    cells: dict[str, Cell]
    # A row that is one variant of another (a multicluster topology of `multicluster`): the answer
    # naming the variant makes it count in the other's place.
    variant_of: str = ""


@model
class FeatureMatrix:
    data_version: NonEmpty
    options: tuple[OptionInfo, ...]
    groups: tuple[Group, ...]
    features: tuple[Feature, ...]


def cell_dict(cell: Cell) -> dict[str, Any]:
    """A matrix cell as plain data; the vendor fields only when the cell names a vendor build."""
    out = asdict(cell)
    if not cell.vendor:
        for key in ("vendor", "vendor_level", "vendor_note", "vendor_source"):
            out.pop(key)
    if cell.production_ready is None:  # omitted: upstream made no statement
        for key in ("production_ready", "production_ready_note", "production_ready_source"):
            out.pop(key)
    for key in ("since", "missing"):
        if not out[key]:
            out.pop(key)
    return out
