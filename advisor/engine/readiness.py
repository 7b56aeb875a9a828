"""Maturity from a matrix cell's own fields: upstream's "not ready for production" and how long a level has held."""

from __future__ import annotations

import re

from advisor.catalog.models import Cell, MaturityRules
from advisor.records import record

_VERSION = re.compile(r"(\d+)\.(\d+)")


@record
class ReadinessFinding:
    """One thing a required capability's cell says about its readiness, with the points it costs."""

    kind: str  # "not-production-ready" | "young-level"
    blocks: bool
    points: float  # maturity points (≤ 0); 0 when it blocks
    text: str
    source: str


def minor_releases_held(since: str, current: str) -> int | None:
    """Minor releases from `since` ("1.29 (2026-02)") to the option's version ("1.31"): 2 here.
    None when either is not a version, or the majors differ (no common scale)."""
    a, b = _VERSION.search(since or ""), _VERSION.search(current or "")
    if a is None or b is None or a.group(1) != b.group(1):
        return None
    return int(b.group(2)) - int(a.group(2))


def readiness(
    cell: Cell, feature_name: str, option_version: str, risk: str, rules: MaturityRules | None
) -> list[ReadinessFinding]:
    """What the cell's production_ready and since fields cost a team that requires the capability."""
    if rules is None or cell.level == "none":
        return []
    out: list[ReadinessFinding] = []
    if cell.production_ready is False:
        quote = cell.production_ready_note or "upstream says it is not ready for production"
        source = cell.production_ready_source or cell.source
        if risk in rules.not_production_ready_blocks:
            out.append(
                ReadinessFinding(
                    "not-production-ready",
                    True,
                    0.0,
                    f"{feature_name}: upstream says it is not ready for production ({quote}), and risk is {risk}",
                    source,
                )
            )
        else:
            out.append(
                ReadinessFinding(
                    "not-production-ready",
                    False,
                    rules.not_production_ready_points.get(risk, 0.0),
                    f"relies on {feature_name}, which upstream says is not ready for production: {quote}",
                    source,
                )
            )
    held = minor_releases_held(cell.since, option_version)
    if held is not None and 0 <= held < rules.young_minor_releases and cell.level != "none":
        points = rules.young_points.get(risk, 0.0)
        if points:
            out.append(
                ReadinessFinding(
                    "young-level",
                    False,
                    points,
                    f"{feature_name} reached {cell.level} only in {cell.since} ({held} minor release"
                    f"{'' if held == 1 else 's'} ago; fewer than {rules.young_minor_releases}): a short production record",
                    cell.source,
                )
            )
    return out
