"""Managed and vendor offerings (platforms.toml) the answers accept: what each option means then."""

from __future__ import annotations

from advisor.answers.resolve import Answers
from advisor.catalog.models import Catalog, Level
from advisor.records import record


@record
class Managed:
    """One offering standing for an option: its support (maturity points), the levels it changes
    and its licence, all from data."""

    id: str
    name: str
    vendor: str
    text: str
    source: str
    points: float
    levels: dict[str, Level]
    levels_note: str
    licence_usd_per_node_month: float | None
    licence_note: str


def offerings_for(answers: Answers, catalog: Catalog) -> dict[str, Managed]:
    """Option id -> the offering that stands for it, when the answers accept a vendor distribution
    and the offering is available on the answers' platform (the first listed wins)."""
    if not answers.vendor_distribution:
        return {}
    out: dict[str, Managed] = {}
    for off in catalog.platforms.offerings:
        if off.platforms and answers.platform not in off.platforms:
            continue
        for opt in catalog.features.options:
            if opt.id in out:
                continue
            points = next((t.points for t in off.targets if t.matches(opt)), None)
            if points is None:
                continue
            out[opt.id] = Managed(
                id=off.id,
                name=off.name,
                vendor=off.vendor,
                text=off.text,
                source=off.source,
                points=points,
                levels=dict(off.levels),
                levels_note=off.levels_note,
                licence_usd_per_node_month=off.licence_usd_per_node_month,
                licence_note=off.licence_note,
            )
    return out
